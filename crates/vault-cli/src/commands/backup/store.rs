//! The store of `vaultkit backup`: a local folder or `s3://bucket/prefix` (settings from the
//! environment, see vault-backup's `S3_ENV_VARS`), wrapped so that uploads and downloads of
//! snapshot objects draw a progress bar on a terminal.

use std::sync::Arc;

use async_trait::async_trait;
use futures_util::StreamExt;
use vault_backup::S3Store;
use vault_core::{BlobMeta, BlobStore, ByteStream, LocalDirStore, VaultError};

use super::backup_error;

use crate::args::backup::StoreArgs;
use crate::error::{CliError, CliResult};
use crate::output::progress::Progress;

/// The environment variable naming the store when `--store` is absent.
pub(crate) const STORE_ENV: &str = "VAULTKIT_BACKUP_STORE";

/// The store named by `--store` or `VAULTKIT_BACKUP_STORE`, with progress bars unless `quiet`.
pub(crate) async fn open(args: &StoreArgs, quiet: bool) -> CliResult<Arc<dyn BlobStore>> {
    let spec = match &args.store {
        Some(s) => s.clone(),
        None => std::env::var(STORE_ENV).map_err(|_| {
            CliError::usage("no backup store given")
                .with_hint(format!("pass --store /path/to/folder or set {STORE_ENV}"))
        })?,
    };
    let inner: Arc<dyn BlobStore> = if spec.starts_with("s3://") {
        Arc::new(S3Store::from_url(&spec).await.map_err(backup_error)?)
    } else if spec.contains("://") {
        return Err(
            CliError::usage(format!("store `{spec}` is not a folder or an s3:// URL"))
                .with_hint("e.g. --store /var/backups/vault or --store s3://bucket/vault/"),
        );
    } else {
        Arc::new(LocalDirStore::new(&spec).map_err(|e| CliError::classified(&e))?)
    };
    Ok(Arc::new(ProgressStore { inner, quiet }))
}

/// Forwards every call to `inner`; `put` and `get` of snapshot objects (not the small catalog
/// entries) count the bytes on a progress bar, drawn only on a terminal.
#[derive(Debug)]
struct ProgressStore {
    inner: Arc<dyn BlobStore>,
    quiet: bool,
}

impl ProgressStore {
    fn progress(&self, key: &str, total: Option<u64>, verb: &str) -> Option<Progress> {
        key.contains("snapshots/")
            .then(|| Progress::new(total, &format!("{verb} {key}"), self.quiet))
    }
}

/// `stream` with each chunk's length added to `progress`, which is cleared when the stream is
/// dropped.
fn counted(stream: ByteStream, progress: Option<Progress>) -> ByteStream {
    let Some(progress) = progress else {
        return stream;
    };
    Box::pin(stream.inspect(move |chunk| {
        if let Ok(bytes) = chunk {
            progress.inc(bytes.len() as u64);
        }
    }))
}

#[async_trait]
impl BlobStore for ProgressStore {
    async fn put(&self, key: &str, data: ByteStream) -> Result<BlobMeta, VaultError> {
        let progress = self.progress(key, None, "uploading");
        self.inner.put(key, counted(data, progress)).await
    }

    async fn put_if_absent(
        &self,
        key: &str,
        data: ByteStream,
    ) -> Result<Option<BlobMeta>, VaultError> {
        let progress = self.progress(key, None, "uploading");
        self.inner.put_if_absent(key, counted(data, progress)).await
    }

    async fn get(&self, key: &str) -> Result<ByteStream, VaultError> {
        let stream = self.inner.get(key).await?;
        let total = if key.contains("snapshots/") {
            self.inner.head(key).await.ok().flatten().map(|m| m.size)
        } else {
            None
        };
        Ok(counted(stream, self.progress(key, total, "downloading")))
    }

    async fn head(&self, key: &str) -> Result<Option<BlobMeta>, VaultError> {
        self.inner.head(key).await
    }

    async fn list(&self, prefix: &str) -> Result<Vec<BlobMeta>, VaultError> {
        self.inner.list(prefix).await
    }

    async fn delete(&self, key: &str) -> Result<(), VaultError> {
        self.inner.delete(key).await
    }
}
