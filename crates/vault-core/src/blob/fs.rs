//! File helpers shared by [`super::LocalDirStore`] and [`super::BlobStoreExt`]: chunked file
//! streams, private temporary files that clean up after themselves, directory fsync.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use bytes::BytesMut;
use tokio::io::AsyncReadExt;

use super::ByteStream;

/// Chunk size of file streams.
pub(crate) const READ_CHUNK: usize = 64 * 1024;

/// Stream an open file in chunks of at most 64 KiB (never the whole file in memory).
pub(crate) fn file_stream(file: tokio::fs::File) -> ByteStream {
    let stream = futures_util::stream::unfold(Some(file), |state| async move {
        let mut file = state?;
        let mut buf = BytesMut::with_capacity(READ_CHUNK);
        match file.read_buf(&mut buf).await {
            Ok(0) => None,
            Ok(_) => Some((Ok(buf.freeze()), Some(file))),
            Err(e) => Some((Err(e), None)),
        }
    });
    Box::pin(stream)
}

/// Removes a temporary file unless disarmed (covers errors and cancelled futures alike).
pub(crate) struct TempGuard(pub(crate) Option<PathBuf>);

impl TempGuard {
    pub(crate) fn disarm(&mut self) {
        self.0 = None;
    }
}

impl Drop for TempGuard {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// fsync a directory so a rename or unlink in it survives a crash (no-op where unsupported).
pub(crate) async fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        tokio::fs::File::open(dir).await?.sync_all().await?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// A new file `dir/<prefix><random>`, readable and writable by the owner only.
pub(crate) async fn create_temp(
    dir: &Path,
    prefix: &str,
) -> std::io::Result<(PathBuf, tokio::fs::File)> {
    loop {
        let path = dir.join(format!("{prefix}{:016x}", rand::random::<u64>()));
        let mut options = tokio::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        options.mode(0o600);
        match options.open(&path).await {
            Ok(file) => return Ok((path, file)),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}
