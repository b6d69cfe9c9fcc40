//! [`BlobStoreExt`]: sugar every [`BlobStore`] gets for free (blanket implementation).

use std::path::Path;

use async_trait::async_trait;
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;

use super::fs::{TempGuard, create_temp, file_stream, sync_dir};
use super::{BlobMeta, BlobStore, ByteStream};
use crate::{VaultError, VaultErrorKind};

fn io_error(operation: &str, key: &str, message: String, e: std::io::Error) -> VaultError {
    VaultError::new(VaultErrorKind::Io)
        .with_operation(operation.to_string())
        .with_path(key.to_string())
        .with_message(message)
        .with_source(e)
}

/// Sugar over any [`BlobStore`]: bytes in and out, local files in and out.
#[async_trait]
pub trait BlobStoreExt: BlobStore {
    /// Store `data` (already in memory) under `key`.
    async fn put_bytes(&self, key: &str, data: Bytes) -> Result<BlobMeta, VaultError> {
        let stream: ByteStream = Box::pin(futures_util::stream::once(async move { Ok(data) }));
        self.put(key, stream).await
    }

    /// Read the whole object into memory (for small objects; stream big ones with `get`).
    async fn get_bytes(&self, key: &str) -> Result<Bytes, VaultError> {
        let mut stream = self.get(key).await?;
        let mut buf = BytesMut::new();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk
                .map_err(|e| io_error("read blob", key, "the object stream failed".into(), e))?;
            buf.extend_from_slice(&chunk);
        }
        Ok(buf.freeze())
    }

    /// Read the whole object into memory, refusing one larger than `max` bytes: for small
    /// records read back from a store (catalog entries, run records), where the object's size
    /// is not trusted. Stops reading at `max + 1` bytes; a bigger object is a `Validation` error.
    async fn get_bytes_limited(&self, key: &str, max: usize) -> Result<Bytes, VaultError> {
        let mut stream = self.get(key).await?;
        let mut buf = BytesMut::new();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk
                .map_err(|e| io_error("read blob", key, "the object stream failed".into(), e))?;
            if buf.len() + chunk.len() > max {
                return Err(VaultError::new(VaultErrorKind::Validation)
                    .with_operation("read blob")
                    .with_path(key.to_string())
                    .with_message(format!("the object is larger than {max} bytes")));
            }
            buf.extend_from_slice(&chunk);
        }
        Ok(buf.freeze())
    }

    /// Whether an object exists under `key`.
    async fn exists(&self, key: &str) -> Result<bool, VaultError> {
        Ok(self.head(key).await?.is_some())
    }

    /// Upload the local file `path` under `key`, streamed in chunks.
    async fn put_file(&self, key: &str, path: &Path) -> Result<BlobMeta, VaultError> {
        let file = tokio::fs::File::open(path).await.map_err(|e| {
            io_error(
                "store blob",
                key,
                format!("cannot open {}", path.display()),
                e,
            )
        })?;
        self.put(key, file_stream(file)).await
    }

    /// Download `key` into the local file `path`, streamed; returns the bytes written. The file
    /// appears complete or not at all (temporary file in the same folder, fsync, rename), and it
    /// is readable by the owner only.
    async fn get_to_file(&self, key: &str, path: &Path) -> Result<u64, VaultError> {
        const OP: &str = "download blob";
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => std::path::PathBuf::from("."),
        };
        let mut stream = self.get(key).await?;
        let (tmp, mut file) = create_temp(&dir, ".vaultkit-download.")
            .await
            .map_err(|e| {
                io_error(
                    OP,
                    key,
                    format!("cannot create a temporary file in {}", dir.display()),
                    e,
                )
            })?;
        let mut guard = TempGuard(Some(tmp.clone()));
        let mut written = 0u64;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| {
                io_error(
                    OP,
                    key,
                    format!("the object stream failed after {written} bytes"),
                    e,
                )
            })?;
            file.write_all(&chunk)
                .await
                .map_err(|e| io_error(OP, key, format!("cannot write {}", tmp.display()), e))?;
            written += chunk.len() as u64;
        }
        file.flush()
            .await
            .map_err(|e| io_error(OP, key, format!("cannot write {}", tmp.display()), e))?;
        file.sync_all()
            .await
            .map_err(|e| io_error(OP, key, format!("cannot fsync {}", tmp.display()), e))?;
        drop(file);
        tokio::fs::rename(&tmp, path).await.map_err(|e| {
            io_error(
                OP,
                key,
                format!("cannot move the download to {}", path.display()),
                e,
            )
        })?;
        guard.disarm();
        sync_dir(&dir)
            .await
            .map_err(|e| io_error(OP, key, format!("cannot fsync {}", dir.display()), e))?;
        Ok(written)
    }
}

impl<T: BlobStore + ?Sized> BlobStoreExt for T {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blob::LocalDirStore;

    #[tokio::test]
    async fn files_in_and_out() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = LocalDirStore::new(dir.path().join("store")).expect("store");
        let source = dir.path().join("source.bin");
        let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&source, &data).expect("write source");

        let meta = store
            .put_file("snap/one.bin", &source)
            .await
            .expect("put_file");
        assert_eq!(meta.size, data.len() as u64);
        let target = dir.path().join("out.bin");
        assert_eq!(
            store
                .get_to_file("snap/one.bin", &target)
                .await
                .expect("get_to_file"),
            data.len() as u64
        );
        assert_eq!(std::fs::read(&target).expect("read"), data);

        // A missing key leaves no file and no temporary behind.
        let missing = dir.path().join("missing.bin");
        let e = store
            .get_to_file("snap/none", &missing)
            .await
            .expect_err("missing");
        assert!(e.is_not_found(), "{e}");
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .expect("ls")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            !names
                .iter()
                .any(|n| n.contains("vaultkit") || n == "missing.bin"),
            "{names:?}"
        );

        let e = store
            .put_file("x", &dir.path().join("no-such-file"))
            .await
            .expect_err("no source");
        assert_eq!(e.kind(), VaultErrorKind::Io);
        assert!(e.to_string().contains("no-such-file"), "{e}");
    }

    #[tokio::test]
    async fn a_broken_download_leaves_no_file() {
        #[derive(Debug)]
        struct Broken;
        #[async_trait]
        impl BlobStore for Broken {
            async fn put(&self, _: &str, _: ByteStream) -> Result<BlobMeta, VaultError> {
                Err(VaultError::new(VaultErrorKind::Io))
            }
            async fn put_if_absent(
                &self,
                _: &str,
                _: ByteStream,
            ) -> Result<Option<BlobMeta>, VaultError> {
                Err(VaultError::new(VaultErrorKind::Io))
            }
            async fn get(&self, _: &str) -> Result<ByteStream, VaultError> {
                let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
                    Ok(Bytes::from_static(b"half")),
                    Err(std::io::Error::other("cut")),
                ];
                Ok(Box::pin(futures_util::stream::iter(chunks)))
            }
            async fn head(&self, _: &str) -> Result<Option<BlobMeta>, VaultError> {
                Ok(None)
            }
            async fn list(&self, _: &str) -> Result<Vec<BlobMeta>, VaultError> {
                Ok(Vec::new())
            }
            async fn delete(&self, _: &str) -> Result<(), VaultError> {
                Ok(())
            }
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("out.bin");
        let e = Broken
            .get_to_file("k", &target)
            .await
            .expect_err("broken stream");
        assert!(e.to_string().contains("after 4 bytes"), "{e}");
        assert_eq!(
            std::fs::read_dir(dir.path()).expect("ls").count(),
            0,
            "nothing left behind"
        );
    }
}
