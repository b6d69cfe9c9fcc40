//! [`BlobStore`]: streaming storage of named objects (Raft snapshots, backups, reports).
//!
//! Contents:
//! - [`BlobStore`] (the trait implementations write) and [`BlobStoreExt`] (sugar every store
//!   gets: bytes in and out, files in and out).
//! - [`BlobMeta`]: key, size and modification time of a stored object.
//! - [`key`]: the key rules every store enforces ([`validate_blob_key`], [`validate_blob_prefix`]).
//! - [`LocalDirStore`]: a directory on the local file system, atomic writes.
//! - [`file_stream`]: a local file as a chunked [`ByteStream`].
//!
//! Other stores (S3 for backups, say) implement the same trait in their own crates and run the
//! same `vault_core::testing::blob_store_suite` as [`LocalDirStore`].
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), vault_core::VaultError> {
//! use bytes::Bytes;
//! use vault_core::{BlobStore, BlobStoreExt, LocalDirStore};
//!
//! # let dir = tempfile::tempdir().map_err(|e| vault_core::VaultError::new(vault_core::VaultErrorKind::Io).with_source(e))?;
//! let store = LocalDirStore::new(dir.path())?;
//! store.put_bytes("snapshots/2026-11-28.snap", Bytes::from_static(b"...")).await?;
//! let listed = store.list("snapshots/").await?;
//! assert_eq!(listed[0].key, "snapshots/2026-11-28.snap");
//! assert!(store.put_bytes("../outside", Bytes::new()).await.is_err());
//! # Ok(()) }
//! ```

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::VaultError;

#[cfg(unix)]
mod beneath;
mod ext;
mod fs;
mod key;
mod local;

use crate::transport::ByteStream;
pub use ext::BlobStoreExt;
pub use key::{MAX_BLOB_KEY_LEN, validate_blob_key, validate_blob_prefix};
pub use local::LocalDirStore;

/// What a store knows about one object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BlobMeta {
    /// The object's key (`/`-separated, as given to `put`).
    pub key: String,
    /// Size in bytes.
    pub size: u64,
    /// Last modification, when the store knows it.
    pub modified: Option<DateTime<Utc>>,
}

impl BlobMeta {
    /// Metadata of the object `key`: `size` in bytes, `modified` when known.
    pub fn new(key: impl Into<String>, size: u64, modified: Option<DateTime<Utc>>) -> Self {
        BlobMeta {
            key: key.into(),
            size,
            modified,
        }
    }
}

/// Streaming storage of objects under `/`-separated keys.
///
/// # Contract
/// - Keys follow [`validate_blob_key`]: relative, `/`-separated, no empty, `.` or `..` segments, no
///   backslash, NUL or control characters, at most 1024 bytes. A bad key is a `Validation` error
///   and touches nothing.
/// - `put` consumes the stream chunk by chunk (never the whole object in memory) and is atomic:
///   readers see the old object or the new one, never a part. If the stream fails midway, `put`
///   returns that error (kind `Io`) and the key keeps its previous state (absent or old content).
///   `put` on an existing key replaces it.
/// - `get` of a missing key is an error whose [`VaultError::is_not_found`] is true; `head` of a
///   missing key is `Ok(None)`.
/// - `list(prefix)` is a plain string-prefix match on keys (like S3, not a directory listing):
///   every object whose key starts with `prefix`, at any depth, sorted by key. `""` lists all.
///   Nothing in progress (temporary uploads) ever appears.
/// - `put_if_absent` stores the object only if no object has the key; it returns `Ok(None)` and
///   leaves the existing object untouched when one does (it may then return without reading
///   `data`). On a store with conditional writes (an exclusive rename on a local disk,
///   `If-None-Match: *` on S3) the check and the write are one atomic step: of any number of
///   concurrent `put_if_absent` calls on one key exactly one returns `Some`, and no loser's byte is
///   ever readable. It is as atomic as `put`: a failed stream stores nothing. A store whose backend
///   has no conditional write can only check and then write; it must say so in its
///   documentation, and there two racing writers may both get `Some` with the last one's object
///   kept (`blob_store_suite` fails on such a store). Use it for objects that must never be
///   replaced, such as a backup under a timestamped name.
/// - `delete` of a missing key succeeds.
/// - Errors name the operation and the key; local I/O failures are kind `Io`.
/// - Implementations are `Send + Sync` and used as `Arc<dyn BlobStore>`.
#[async_trait]
pub trait BlobStore: Send + Sync + std::fmt::Debug {
    /// Store the bytes of `data` under `key`, replacing what was there.
    async fn put(&self, key: &str, data: ByteStream) -> Result<BlobMeta, VaultError>;
    /// Store `data` under `key` only if nothing is stored there; `None` when an object already
    /// had the key (nothing was written).
    async fn put_if_absent(
        &self,
        key: &str,
        data: ByteStream,
    ) -> Result<Option<BlobMeta>, VaultError>;
    /// Stream the object stored under `key`.
    async fn get(&self, key: &str) -> Result<ByteStream, VaultError>;
    /// Metadata of `key`, or `None` when there is no such object.
    async fn head(&self, key: &str) -> Result<Option<BlobMeta>, VaultError>;
    /// Every object whose key starts with `prefix`, sorted by key.
    async fn list(&self, prefix: &str) -> Result<Vec<BlobMeta>, VaultError>;
    /// Remove `key` (succeeds when it is already absent).
    async fn delete(&self, key: &str) -> Result<(), VaultError>;
}

#[async_trait]
impl<T: BlobStore + ?Sized> BlobStore for std::sync::Arc<T> {
    async fn put(&self, key: &str, data: ByteStream) -> Result<BlobMeta, VaultError> {
        (**self).put(key, data).await
    }
    async fn put_if_absent(
        &self,
        key: &str,
        data: ByteStream,
    ) -> Result<Option<BlobMeta>, VaultError> {
        (**self).put_if_absent(key, data).await
    }
    async fn get(&self, key: &str) -> Result<ByteStream, VaultError> {
        (**self).get(key).await
    }
    async fn head(&self, key: &str) -> Result<Option<BlobMeta>, VaultError> {
        (**self).head(key).await
    }
    async fn list(&self, prefix: &str) -> Result<Vec<BlobMeta>, VaultError> {
        (**self).list(prefix).await
    }
    async fn delete(&self, key: &str) -> Result<(), VaultError> {
        (**self).delete(key).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::AuthMethod;
    use crate::notify::Notifier;
    use crate::transport::Transport;
    use bytes::Bytes;

    /// The plug-in traits stay dyn-compatible (this fails to compile otherwise).
    #[allow(dead_code)]
    fn _object_safe(_: &dyn Transport, _: &dyn AuthMethod, _: &dyn BlobStore, _: &dyn Notifier) {}

    #[tokio::test]
    async fn ext_sugar_works_through_dyn_and_arc() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store: std::sync::Arc<dyn BlobStore> =
            std::sync::Arc::new(LocalDirStore::new(dir.path()).expect("store"));
        store
            .put_bytes("a/b.txt", Bytes::from_static(b"hello"))
            .await
            .expect("put");
        assert_eq!(
            store.get_bytes("a/b.txt").await.expect("get"),
            Bytes::from_static(b"hello")
        );
        assert!(store.exists("a/b.txt").await.expect("head"));
        assert!(!store.exists("a/c.txt").await.expect("head"));
        let dyn_ref: &dyn BlobStore = &*store;
        assert_eq!(dyn_ref.get_bytes("a/b.txt").await.expect("get").len(), 5);
    }
}
