//! Streaming uploads: one PutObject for objects up to one part, a multipart upload above, with
//! at most one part in memory, and `AbortMultipartUpload` on every failure (also when the
//! upload future is dropped) so neither a partial object nor a dangling upload remains.

use aws_sdk_s3::primitives::ByteStream as SdkBody;
use aws_sdk_s3::types::{
    ChecksumAlgorithm, CompletedMultipartUpload, CompletedPart, ServerSideEncryption,
};
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use vault_core::{BlobMeta, ByteStream, VaultError, VaultErrorKind};

use super::S3Store;
use super::config::S3Sse;
use super::error::{from_sdk, location};

/// What [`S3Store::upload`] did.
pub(super) enum Uploaded {
    /// The object is stored.
    Stored(BlobMeta),
    /// `If-None-Match: *` failed: an object already had the key; nothing was written.
    Exists,
}

/// Aborts a multipart upload when dropped unless disarmed (errors and cancellation alike).
struct AbortOnDrop {
    client: aws_sdk_s3::Client,
    bucket: String,
    object_key: String,
    upload_id: Option<String>,
}

impl AbortOnDrop {
    /// Aborts now, waiting for the answer; the error says whether it worked.
    async fn abort(mut self) -> Result<(), VaultError> {
        let Some(id) = self.upload_id.take() else {
            return Ok(());
        };
        self.client
            .abort_multipart_upload()
            .bucket(&self.bucket)
            .key(&self.object_key)
            .upload_id(id)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| from_sdk("abort multipart upload", &self.bucket, &self.object_key, e))
    }

    fn disarm(&mut self) {
        self.upload_id = None;
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        let Some(id) = self.upload_id.take() else {
            return;
        };
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let req = self
                .client
                .abort_multipart_upload()
                .bucket(&self.bucket)
                .key(&self.object_key)
                .upload_id(id);
            runtime.spawn(async move {
                let _ = req.send().await;
            });
        }
    }
}

impl S3Store {
    /// Streams `data` to `key`; with `if_absent`, only when no object has the key.
    pub(super) async fn upload(
        &self,
        op: &str,
        key: &str,
        mut data: ByteStream,
        if_absent: bool,
    ) -> Result<Uploaded, VaultError> {
        let object_key = self.object_key(key);
        let part_size = self.part_size;
        let mut buffer = BytesMut::new();
        let mut size: u64 = 0;
        let mut multipart: Option<(AbortOnDrop, Vec<CompletedPart>)> = None;

        let outcome = async {
            while let Some(chunk) = data.next().await {
                let chunk = chunk.map_err(|e| {
                    VaultError::new(VaultErrorKind::Io)
                        .with_operation(op.to_string())
                        .with_path(location(&self.bucket, &object_key))
                        .with_message(format!(
                            "the data stream failed after {size} bytes; nothing was stored"
                        ))
                        .with_source(e)
                })?;
                size += chunk.len() as u64;
                buffer.extend_from_slice(&chunk);
                // Strictly more than a part: an object of exactly one part is one PutObject.
                while buffer.len() > part_size {
                    let part = buffer.split_to(part_size).freeze();
                    if multipart.is_none() {
                        multipart = Some((self.create_upload(op, &object_key).await?, Vec::new()));
                    }
                    if let Some((upload, parts)) = multipart.as_mut() {
                        let done = self.upload_part(op, upload, parts.len() + 1, part).await?;
                        parts.push(done);
                    }
                }
            }
            match multipart.as_mut() {
                None => {
                    self.put_single(op, &object_key, buffer.split().freeze(), if_absent)
                        .await
                }
                Some((upload, parts)) => {
                    if !buffer.is_empty() {
                        let last = buffer.split().freeze();
                        let done = self.upload_part(op, upload, parts.len() + 1, last).await?;
                        parts.push(done);
                    }
                    self.complete(op, upload, std::mem::take(parts), if_absent)
                        .await
                }
            }
        }
        .await;

        match (outcome, multipart) {
            (Ok(placed), Some((mut upload, _))) if placed => {
                upload.disarm();
                Ok(Uploaded::Stored(BlobMeta::new(key, size, None)))
            }
            (Ok(placed), None) if placed => Ok(Uploaded::Stored(BlobMeta::new(key, size, None))),
            // If-None-Match failed: a complete that failed leaves the upload open, abort it.
            (Ok(_), upload) => {
                if let Some((upload, _)) = upload {
                    upload.abort().await?;
                }
                Ok(Uploaded::Exists)
            }
            (Err(e), None) => Err(e),
            (Err(e), Some((upload, _))) => match upload.abort().await {
                Ok(()) => Err(e),
                Err(abort) => Err(e.with_hint(format!(
                    "aborting the multipart upload failed too ({abort}); a bucket lifecycle rule for incomplete multipart uploads removes its parts"
                ))),
            },
        }
    }

    /// One PutObject; `Ok(false)` when `if_absent` and the key is taken.
    async fn put_single(
        &self,
        op: &str,
        object_key: &str,
        body: Bytes,
        if_absent: bool,
    ) -> Result<bool, VaultError> {
        let mut req = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(object_key)
            .content_length(body.len() as i64)
            .body(SdkBody::from(body));
        if let Some((sse, kms)) = sse_headers(&self.sse) {
            req = req.server_side_encryption(sse).set_ssekms_key_id(kms);
        }
        if if_absent {
            req = req.if_none_match("*");
        }
        match req.send().await {
            Ok(_) => Ok(true),
            Err(e) => {
                let e = from_sdk(op, &self.bucket, object_key, e);
                if if_absent && e.status() == Some(412) {
                    return Ok(false);
                }
                Err(e)
            }
        }
    }

    async fn create_upload(&self, op: &str, object_key: &str) -> Result<AbortOnDrop, VaultError> {
        let mut req = self
            .client
            .create_multipart_upload()
            .bucket(&self.bucket)
            .key(object_key);
        if let Some((sse, kms)) = sse_headers(&self.sse) {
            req = req.server_side_encryption(sse).set_ssekms_key_id(kms);
        }
        if !self.checksum_when_required {
            req = req.checksum_algorithm(ChecksumAlgorithm::Crc32);
        }
        let out = req
            .send()
            .await
            .map_err(|e| from_sdk(op, &self.bucket, object_key, e))?;
        let upload_id = out.upload_id().map(str::to_string).ok_or_else(|| {
            VaultError::new(VaultErrorKind::Server)
                .with_operation(op.to_string())
                .with_path(location(&self.bucket, object_key))
                .with_message("S3 started a multipart upload without giving its id")
        })?;
        Ok(AbortOnDrop {
            client: self.client.clone(),
            bucket: self.bucket.clone(),
            object_key: object_key.to_string(),
            upload_id: Some(upload_id),
        })
    }

    async fn upload_part(
        &self,
        op: &str,
        upload: &AbortOnDrop,
        number: usize,
        body: Bytes,
    ) -> Result<CompletedPart, VaultError> {
        let fail = |message: String| {
            VaultError::new(VaultErrorKind::Validation)
                .with_operation(op.to_string())
                .with_path(location(&self.bucket, &upload.object_key))
                .with_message(message)
        };
        let number = i32::try_from(number)
            .ok()
            .filter(|n| *n <= 10_000)
            .ok_or_else(|| {
                fail(format!(
                    "the object needs more than 10000 parts of {} bytes",
                    self.part_size
                ))
                .with_hint("raise the part size")
            })?;
        let id = upload.upload_id.clone().unwrap_or_default();
        let mut req = self
            .client
            .upload_part()
            .bucket(&self.bucket)
            .key(&upload.object_key)
            .upload_id(id)
            .part_number(number)
            .content_length(body.len() as i64)
            .body(SdkBody::from(body));
        if !self.checksum_when_required {
            req = req.checksum_algorithm(ChecksumAlgorithm::Crc32);
        }
        let out = req
            .send()
            .await
            .map_err(|e| from_sdk(op, &self.bucket, &upload.object_key, e))?;
        Ok(CompletedPart::builder()
            .part_number(number)
            .set_e_tag(out.e_tag().map(str::to_string))
            .set_checksum_crc32(out.checksum_crc32().map(str::to_string))
            .build())
    }

    /// CompleteMultipartUpload; `Ok(false)` when `if_absent` and the key is taken.
    async fn complete(
        &self,
        op: &str,
        upload: &AbortOnDrop,
        parts: Vec<CompletedPart>,
        if_absent: bool,
    ) -> Result<bool, VaultError> {
        let id = upload.upload_id.clone().unwrap_or_default();
        let mut req = self
            .client
            .complete_multipart_upload()
            .bucket(&self.bucket)
            .key(&upload.object_key)
            .upload_id(id)
            .multipart_upload(
                CompletedMultipartUpload::builder()
                    .set_parts(Some(parts))
                    .build(),
            );
        if if_absent {
            req = req.if_none_match("*");
        }
        match req.send().await {
            Ok(_) => Ok(true),
            Err(e) => {
                let e = from_sdk(op, &self.bucket, &upload.object_key, e);
                if if_absent && e.status() == Some(412) {
                    return Ok(false);
                }
                Err(e)
            }
        }
    }
}

/// The SSE header values for `sse`, `None` when no header is sent.
fn sse_headers(sse: &S3Sse) -> Option<(ServerSideEncryption, Option<String>)> {
    match sse {
        S3Sse::None => None,
        S3Sse::Aes256 => Some((ServerSideEncryption::Aes256, None)),
        S3Sse::Kms(key) => Some((ServerSideEncryption::AwsKms, key.clone())),
    }
}
