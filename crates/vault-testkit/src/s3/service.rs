//! [`TestS3`]: the `s3s-fs` file-system S3 service with what tests need on top — fault
//! injection, a record of server-side-encryption headers, atomic conditional writes and
//! `ListMultipartUploads`.
//!
//! Facts about `s3s-fs` 0.14.1 this wrapper makes up for (read from its source):
//! - It checks `If-None-Match: *` on PutObject and CompleteMultipartUpload, but as "does the
//!   file exist?" before writing, so two concurrent conditional writers can both pass the check.
//!   Here every conditional write (`If-None-Match` or `If-Match`) runs under one lock, which
//!   makes check-and-write atomic between conditional writers, as S3 is. An unconditional write
//!   racing a conditional one is not serialized.
//! - A PutObject or CreateMultipartUpload into a missing bucket creates the bucket's folder;
//!   here it answers `NoSuchBucket`, as S3 does.
//! - It does not implement `ListMultipartUploads`. Here uploads are tracked from
//!   CreateMultipartUpload until a successful Complete or Abort and listed from that record.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use s3s::dto::{
    AbortMultipartUploadInput, AbortMultipartUploadOutput, CompleteMultipartUploadInput,
    CompleteMultipartUploadOutput, CreateBucketInput, CreateBucketOutput,
    CreateMultipartUploadInput, CreateMultipartUploadOutput, DeleteObjectInput, DeleteObjectOutput,
    DeleteObjectsInput, DeleteObjectsOutput, GetObjectInput, GetObjectOutput, HeadBucketInput,
    HeadBucketOutput, HeadObjectInput, HeadObjectOutput, ListBucketsInput, ListBucketsOutput,
    ListMultipartUploadsInput, ListMultipartUploadsOutput, ListObjectsV2Input, ListObjectsV2Output,
    MultipartUpload, PutObjectInput, PutObjectOutput, UploadPartInput, UploadPartOutput,
};
use s3s::{S3, S3Request, S3Response, S3Result, s3_error};

/// A fault to inject into the test S3 server: the `nth` matching request from now on (1-based)
/// and the `times - 1` matching requests after it answer `500 InternalError` (retryable).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Fault {
    operation: Option<String>,
    nth: u64,
    times: u64,
}

impl S3Fault {
    /// The `nth` request of any operation from now on fails.
    pub fn request(nth: u64) -> Self {
        S3Fault {
            operation: None,
            nth: nth.max(1),
            times: 1,
        }
    }

    /// The `nth` request of `operation` (S3 API names: `"UploadPart"`, `"PutObject"`,
    /// `"CompleteMultipartUpload"`, …) from now on fails.
    pub fn operation(operation: &str, nth: u64) -> Self {
        S3Fault {
            operation: Some(operation.to_string()),
            nth: nth.max(1),
            times: 1,
        }
    }

    /// Fail `times` consecutive matching requests (`u64::MAX`: every one from the `nth` on, so
    /// client retries fail too).
    pub fn times(mut self, times: u64) -> Self {
        self.times = times;
        self
    }
}

/// Server-side-encryption headers of one PutObject or CreateMultipartUpload, as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseSeen {
    /// The S3 operation.
    pub operation: String,
    /// The object key.
    pub key: String,
    /// `x-amz-server-side-encryption` (`AES256`, `aws:kms`, …), when sent.
    pub algorithm: Option<String>,
    /// `x-amz-server-side-encryption-aws-kms-key-id`, when sent.
    pub kms_key_id: Option<String>,
}

/// Shared record of what the server saw and what it must do.
#[derive(Debug, Default)]
pub(crate) struct State {
    faults: Vec<S3Fault>,
    counts: HashMap<String, u64>,
    sse: Vec<SseSeen>,
    /// Open multipart uploads: upload id → (bucket, key).
    uploads: BTreeMap<String, (String, String)>,
}

impl State {
    pub(crate) fn inject(&mut self, fault: S3Fault) {
        self.faults.push(fault);
    }

    pub(crate) fn count(&self, operation: &str) -> u64 {
        self.counts.get(operation).copied().unwrap_or(0)
    }

    pub(crate) fn total(&self) -> u64 {
        self.counts.values().sum()
    }

    pub(crate) fn sse(&self) -> Vec<SseSeen> {
        self.sse.clone()
    }

    pub(crate) fn uploads(&self) -> Vec<(String, String)> {
        self.uploads.values().cloned().collect()
    }

    /// Counts a request and answers whether a fault fails it.
    fn arrive(&mut self, operation: &str) -> bool {
        *self.counts.entry(operation.to_string()).or_default() += 1;
        let mut failed = false;
        for fault in &mut self.faults {
            if fault.operation.as_deref().is_some_and(|o| o != operation) {
                continue;
            }
            if fault.nth > 1 {
                fault.nth -= 1;
            } else if fault.times > 0 {
                fault.times -= 1;
                failed = true;
            }
        }
        self.faults.retain(|f| f.times > 0);
        failed
    }
}

/// `s3s-fs` plus the test hooks.
pub(crate) struct TestS3 {
    pub(crate) inner: s3s_fs::FileSystem,
    /// The directory buckets are folders of.
    pub(crate) root: std::path::PathBuf,
    pub(crate) state: Arc<Mutex<State>>,
    /// Held by conditional writes.
    pub(crate) conditional: tokio::sync::Mutex<()>,
}

impl TestS3 {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn arrive(&self, operation: &str) -> S3Result<()> {
        if self.state().arrive(operation) {
            return Err(s3_error!(
                InternalError,
                "vault-testkit: fault injected into {operation}"
            ));
        }
        Ok(())
    }

    /// `s3s-fs` creates a missing bucket's folder on a write; S3 answers `NoSuchBucket`.
    fn bucket_exists(&self, bucket: &str) -> S3Result<()> {
        if self.root.join(bucket).is_dir() {
            Ok(())
        } else {
            Err(s3_error!(NoSuchBucket))
        }
    }

    fn record_sse(
        &self,
        operation: &str,
        key: &str,
        algorithm: Option<&str>,
        kms: Option<&String>,
    ) {
        self.state().sse.push(SseSeen {
            operation: operation.to_string(),
            key: key.to_string(),
            algorithm: algorithm.map(str::to_string),
            kms_key_id: kms.cloned(),
        });
    }
}

#[async_trait::async_trait]
impl S3 for TestS3 {
    async fn create_bucket(
        &self,
        req: S3Request<CreateBucketInput>,
    ) -> S3Result<S3Response<CreateBucketOutput>> {
        self.arrive("CreateBucket")?;
        self.inner.create_bucket(req).await
    }

    async fn head_bucket(
        &self,
        req: S3Request<HeadBucketInput>,
    ) -> S3Result<S3Response<HeadBucketOutput>> {
        self.arrive("HeadBucket")?;
        self.inner.head_bucket(req).await
    }

    async fn list_buckets(
        &self,
        req: S3Request<ListBucketsInput>,
    ) -> S3Result<S3Response<ListBucketsOutput>> {
        self.arrive("ListBuckets")?;
        self.inner.list_buckets(req).await
    }

    async fn put_object(
        &self,
        req: S3Request<PutObjectInput>,
    ) -> S3Result<S3Response<PutObjectOutput>> {
        self.arrive("PutObject")?;
        let input = &req.input;
        self.bucket_exists(&input.bucket)?;
        self.record_sse(
            "PutObject",
            &input.key,
            input.server_side_encryption.as_ref().map(|s| s.as_str()),
            input.ssekms_key_id.as_ref(),
        );
        if input.if_none_match.is_some() || input.if_match.is_some() {
            let _one_at_a_time = self.conditional.lock().await;
            self.inner.put_object(req).await
        } else {
            self.inner.put_object(req).await
        }
    }

    async fn get_object(
        &self,
        req: S3Request<GetObjectInput>,
    ) -> S3Result<S3Response<GetObjectOutput>> {
        self.arrive("GetObject")?;
        self.inner.get_object(req).await
    }

    async fn head_object(
        &self,
        req: S3Request<HeadObjectInput>,
    ) -> S3Result<S3Response<HeadObjectOutput>> {
        self.arrive("HeadObject")?;
        self.inner.head_object(req).await
    }

    async fn delete_object(
        &self,
        req: S3Request<DeleteObjectInput>,
    ) -> S3Result<S3Response<DeleteObjectOutput>> {
        self.arrive("DeleteObject")?;
        self.inner.delete_object(req).await
    }

    async fn delete_objects(
        &self,
        req: S3Request<DeleteObjectsInput>,
    ) -> S3Result<S3Response<DeleteObjectsOutput>> {
        self.arrive("DeleteObjects")?;
        self.inner.delete_objects(req).await
    }

    async fn list_objects_v2(
        &self,
        req: S3Request<ListObjectsV2Input>,
    ) -> S3Result<S3Response<ListObjectsV2Output>> {
        self.arrive("ListObjectsV2")?;
        self.inner.list_objects_v2(req).await
    }

    async fn create_multipart_upload(
        &self,
        req: S3Request<CreateMultipartUploadInput>,
    ) -> S3Result<S3Response<CreateMultipartUploadOutput>> {
        self.arrive("CreateMultipartUpload")?;
        let (bucket, key) = (req.input.bucket.clone(), req.input.key.clone());
        self.bucket_exists(&bucket)?;
        self.record_sse(
            "CreateMultipartUpload",
            &key,
            req.input
                .server_side_encryption
                .as_ref()
                .map(|s| s.as_str()),
            req.input.ssekms_key_id.as_ref(),
        );
        let out = self.inner.create_multipart_upload(req).await?;
        if let Some(id) = &out.output.upload_id {
            self.state().uploads.insert(id.clone(), (bucket, key));
        }
        Ok(out)
    }

    async fn upload_part(
        &self,
        req: S3Request<UploadPartInput>,
    ) -> S3Result<S3Response<UploadPartOutput>> {
        self.arrive("UploadPart")?;
        self.inner.upload_part(req).await
    }

    async fn complete_multipart_upload(
        &self,
        req: S3Request<CompleteMultipartUploadInput>,
    ) -> S3Result<S3Response<CompleteMultipartUploadOutput>> {
        self.arrive("CompleteMultipartUpload")?;
        let id = req.input.upload_id.clone();
        let out = if req.input.if_none_match.is_some() || req.input.if_match.is_some() {
            let _one_at_a_time = self.conditional.lock().await;
            self.inner.complete_multipart_upload(req).await?
        } else {
            self.inner.complete_multipart_upload(req).await?
        };
        self.state().uploads.remove(&id);
        Ok(out)
    }

    async fn abort_multipart_upload(
        &self,
        req: S3Request<AbortMultipartUploadInput>,
    ) -> S3Result<S3Response<AbortMultipartUploadOutput>> {
        self.arrive("AbortMultipartUpload")?;
        let id = req.input.upload_id.clone();
        let out = self.inner.abort_multipart_upload(req).await?;
        self.state().uploads.remove(&id);
        Ok(out)
    }

    async fn list_multipart_uploads(
        &self,
        req: S3Request<ListMultipartUploadsInput>,
    ) -> S3Result<S3Response<ListMultipartUploadsOutput>> {
        self.arrive("ListMultipartUploads")?;
        let input = req.input;
        let prefix = input.prefix.clone().unwrap_or_default();
        let uploads: Vec<MultipartUpload> = self
            .state()
            .uploads
            .iter()
            .filter(|(_, (bucket, key))| *bucket == input.bucket && key.starts_with(&prefix))
            .map(|(id, (_, key))| MultipartUpload {
                key: Some(key.clone()),
                upload_id: Some(id.clone()),
                ..Default::default()
            })
            .collect();
        Ok(S3Response::new(ListMultipartUploadsOutput {
            bucket: Some(input.bucket),
            prefix: input.prefix,
            uploads: Some(uploads),
            is_truncated: Some(false),
            ..Default::default()
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_hit_the_nth_matching_request_for_the_given_times() {
        let mut state = State::default();
        state.inject(S3Fault::operation("UploadPart", 2).times(2));
        state.inject(S3Fault::request(4));
        let hits: Vec<bool> = [
            "UploadPart", // 1st part
            "PutObject",
            "UploadPart", // 2nd part: fails
            "GetObject",  // 4th request: fails
            "UploadPart", // 3rd part: fails (times 2)
            "UploadPart",
        ]
        .iter()
        .map(|op| state.arrive(op))
        .collect();
        assert_eq!(hits, [false, false, true, true, true, false]);
        assert_eq!(state.count("UploadPart"), 4);
        assert_eq!(state.total(), 6);
        assert!(state.faults.is_empty());
    }
}
