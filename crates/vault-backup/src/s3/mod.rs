//! [`S3Store`]: a [`BlobStore`] in an S3 bucket (AWS or any S3-compatible server).
//!
//! Contents:
//! - `config.rs`: [`S3StoreBuilder`], [`S3Credentials`], [`S3Sse`].
//! - `url.rs`: [`S3Store::from_url`] and the environment variables it reads.
//! - `upload.rs`: streamed single and multipart uploads, aborted on failure.
//! - `error.rs`: S3 answers as `VaultError` kinds.
//!
//! Architecture Invariant: a store key maps to `<prefix><key>` in the bucket and nothing
//! else; keys are checked with [`validate_blob_key`] before any request, and listed keys that
//! fail the same check (written by something else) are skipped.
//!
//! Architecture Invariant: an object is visible complete or not at all. Objects up to one part
//! go up in one PutObject; larger ones as a multipart upload that only a final
//! CompleteMultipartUpload makes visible, and any failure (or a dropped future) aborts it.

mod config;
mod error;
mod upload;
mod url;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use vault_core::{
    BlobMeta, BlobStore, ByteStream, VaultError, validate_blob_key, validate_blob_prefix,
};

pub use config::{
    DEFAULT_PART_SIZE, MAX_PART_SIZE, MIN_PART_SIZE, S3Credentials, S3Sse, S3StoreBuilder,
};
pub use url::{S3_ENV_VARS, parse_s3_url};

use error::from_sdk;
use upload::Uploaded;

/// Objects in an S3 bucket under an optional key prefix.
///
/// `put` streams: objects up to the part size (default 8 MiB) are sent in one PutObject,
/// larger ones in parts, holding at most one part in memory. `put_if_absent` sends
/// `If-None-Match: *`, which AWS S3 honours atomically; an S3-compatible server that ignores
/// the header gives only the check made before the upload (see the `BlobStore` contract).
/// As with any conditional write over a network: should the answer to a successful write be
/// lost and the SDK's retry meet `412`, `put_if_absent` answers `None` although the object
/// stored is this call's.
///
/// ```no_run
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// use bytes::Bytes;
/// use vault_backup::{S3Credentials, S3Sse, S3Store};
/// use vault_core::{BlobStore, BlobStoreExt};
///
/// let store = S3Store::builder()
///     .with_bucket("vault-backups")
///     .with_prefix("prod")
///     .with_region("eu-west-1")
///     .with_credentials(S3Credentials::Profile("backup".into()))
///     .with_sse(S3Sse::Kms(Some("alias/vault-backups".into())))
///     .build()
///     .await?;
/// store.put_bytes("2026-12-06.snap", Bytes::from_static(b"...")).await?;
/// for meta in store.list("").await? {
///     println!("{} {} bytes", meta.key, meta.size);
/// }
///
/// // Or from a URL and the AWS environment variables:
/// let store = S3Store::from_url("s3://vault-backups/prod").await?;
/// # let _ = store;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct S3Store {
    client: aws_sdk_s3::Client,
    bucket: String,
    prefix: String,
    part_size: usize,
    sse: S3Sse,
    checksum_when_required: bool,
    endpoint: Option<String>,
    region: Option<String>,
}

impl std::fmt::Debug for S3Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Store")
            .field("bucket", &self.bucket)
            .field("prefix", &self.prefix)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("part_size", &self.part_size)
            .field("sse", &self.sse)
            .finish_non_exhaustive()
    }
}

impl S3Store {
    /// Settings to fill in, then [`S3StoreBuilder::build`].
    pub fn builder() -> S3StoreBuilder {
        S3StoreBuilder::default()
    }

    fn new(
        client: aws_sdk_s3::Client,
        bucket: String,
        prefix: String,
        settings: S3StoreBuilder,
    ) -> Self {
        S3Store {
            client,
            bucket,
            prefix,
            part_size: settings.part_size,
            sse: settings.sse,
            checksum_when_required: settings.checksum_when_required,
            endpoint: settings.endpoint,
            region: settings.region,
        }
    }

    /// The bucket.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// The key prefix inside the bucket (`""` or ending in `/`).
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The S3 key of store key `key`.
    fn object_key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }
}

fn to_chrono(t: &aws_sdk_s3::primitives::DateTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(t.secs(), t.subsec_nanos())
}

#[async_trait]
impl BlobStore for S3Store {
    async fn put(&self, key: &str, data: ByteStream) -> Result<BlobMeta, VaultError> {
        const OP: &str = "store blob";
        validate_blob_key(key)?;
        match self.upload(OP, key, data, false).await? {
            Uploaded::Stored(meta) => Ok(meta),
            // Without If-None-Match S3 never answers 412; should a server do so anyway, the
            // object was not written.
            Uploaded::Exists => Err(VaultError::new(vault_core::VaultErrorKind::Server)
                .with_operation(OP)
                .with_path(error::location(&self.bucket, &self.object_key(key)))
                .with_message("S3 refused an unconditional write with 412 Precondition Failed")),
        }
    }

    async fn put_if_absent(
        &self,
        key: &str,
        data: ByteStream,
    ) -> Result<Option<BlobMeta>, VaultError> {
        const OP: &str = "store blob if absent";
        validate_blob_key(key)?;
        // Saves uploading an object that cannot win; If-None-Match decides races.
        if self.head(key).await?.is_some() {
            return Ok(None);
        }
        match self.upload(OP, key, data, true).await? {
            Uploaded::Stored(meta) => Ok(Some(meta)),
            Uploaded::Exists => Ok(None),
        }
    }

    async fn get(&self, key: &str) -> Result<ByteStream, VaultError> {
        const OP: &str = "read blob";
        validate_blob_key(key)?;
        let object_key = self.object_key(key);
        let out = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(&object_key)
            .send()
            .await
            .map_err(|e| from_sdk(OP, &self.bucket, &object_key, e))?;
        let body = out.body;
        Ok(Box::pin(futures_util::stream::unfold(
            body,
            |mut body| async move {
                body.next()
                    .await
                    .map(|chunk| (chunk.map_err(std::io::Error::other), body))
            },
        )))
    }

    async fn head(&self, key: &str) -> Result<Option<BlobMeta>, VaultError> {
        const OP: &str = "inspect blob";
        validate_blob_key(key)?;
        let object_key = self.object_key(key);
        match self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(&object_key)
            .send()
            .await
        {
            Ok(out) => Ok(Some(BlobMeta::new(
                key,
                out.content_length()
                    .and_then(|n| u64::try_from(n).ok())
                    .unwrap_or(0),
                out.last_modified().and_then(to_chrono),
            ))),
            Err(e) => {
                let e = from_sdk(OP, &self.bucket, &object_key, e);
                if e.is_not_found() { Ok(None) } else { Err(e) }
            }
        }
    }

    async fn list(&self, prefix: &str) -> Result<Vec<BlobMeta>, VaultError> {
        const OP: &str = "list blobs";
        validate_blob_prefix(prefix)?;
        let full = self.object_key(prefix);
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = self
                .client
                .list_objects_v2()
                .bucket(&self.bucket)
                .prefix(&full)
                .set_continuation_token(token.take())
                .send()
                .await
                .map_err(|e| from_sdk(OP, &self.bucket, &full, e))?;
            for object in page.contents() {
                let Some(key) = object.key().and_then(|k| k.strip_prefix(&self.prefix)) else {
                    continue;
                };
                if !key.starts_with(prefix) || validate_blob_key(key).is_err() {
                    continue;
                }
                out.push(BlobMeta::new(
                    key,
                    object
                        .size()
                        .and_then(|n| u64::try_from(n).ok())
                        .unwrap_or(0),
                    object.last_modified().and_then(to_chrono),
                ));
            }
            match page.next_continuation_token() {
                Some(next) if page.is_truncated() == Some(true) => token = Some(next.to_string()),
                _ => break,
            }
        }
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(out)
    }

    async fn delete(&self, key: &str) -> Result<(), VaultError> {
        const OP: &str = "delete blob";
        validate_blob_key(key)?;
        let object_key = self.object_key(key);
        match self
            .client
            .delete_object()
            .bucket(&self.bucket)
            .key(&object_key)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) => {
                let e = from_sdk(OP, &self.bucket, &object_key, e);
                if e.is_not_found() { Ok(()) } else { Err(e) }
            }
        }
    }
}

/// The example of docs/storage.md, compiled with the doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../../docs/storage.md")]
pub struct StorageDocDoctests;
