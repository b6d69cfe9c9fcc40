//! [`LocalDirStore`]: a [`BlobStore`] over a local directory.
//!
//! Architecture Invariant: a key maps to `root/<segment>/…/<segment>` and can never point outside
//! `root` ([`validate_key`] runs before any file system call; symbolic links are never listed).
//! Writes are atomic: data goes to a `.vaultkit-tmp.*` file in the target's directory, is
//! fsynced, renamed over the target, and the directory is fsynced. A failed or cancelled write
//! removes its temporary file; temporary files never appear in [`BlobStore::list`].

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;

use super::fs::{TempGuard, create_temp, file_stream, is_absent, modified, sync_dir};
use super::key::{TEMP_PREFIX, validate_key, validate_prefix};
use super::{BlobMeta, BlobStore, ByteStream};
use crate::{VaultError, VaultErrorKind};

/// Objects stored as files under a root directory.
#[derive(Debug, Clone)]
pub struct LocalDirStore {
    root: PathBuf,
}

impl LocalDirStore {
    /// A store rooted at `root`, created (with parents) if it does not exist.
    pub fn new(root: impl Into<PathBuf>) -> Result<Self, VaultError> {
        let root = root.into();
        std::fs::create_dir_all(&root).map_err(|e| {
            VaultError::new(VaultErrorKind::Io)
                .with_operation("open local blob store")
                .with_path(root.display().to_string())
                .with_message("cannot create the store directory")
                .with_hint("check that the parent directory exists and is writable")
                .with_source(e)
        })?;
        Ok(LocalDirStore { root })
    }

    /// The directory objects live in.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The file of a (validated) key.
    fn path_of(&self, key: &str) -> PathBuf {
        let mut path = self.root.clone();
        path.extend(key.split('/'));
        path
    }

    fn io_error(
        &self,
        operation: &str,
        key: &str,
        message: impl Into<String>,
        e: std::io::Error,
    ) -> VaultError {
        VaultError::new(VaultErrorKind::Io)
            .with_operation(operation.to_string())
            .with_path(key.to_string())
            .with_message(format!(
                "{} (store at {})",
                message.into(),
                self.root.display()
            ))
            .with_source(e)
    }

    /// The first proper prefix of `key` (`a`, `a/b` for `a/b/c`) that is stored as an object.
    async fn object_on_the_way(&self, key: &str) -> Option<String> {
        let mut prefix = String::new();
        let segments: Vec<&str> = key.split('/').collect();
        for segment in &segments[..segments.len().saturating_sub(1)] {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(segment);
            if tokio::fs::symlink_metadata(self.path_of(&prefix))
                .await
                .is_ok_and(|m| m.is_file())
            {
                return Some(prefix);
            }
        }
        None
    }

    fn not_found(&self, operation: &str, key: &str) -> VaultError {
        VaultError::new(VaultErrorKind::SecretNotFound)
            .with_operation(operation.to_string())
            .with_path(key.to_string())
            .with_message(format!(
                "no object with this key in {}",
                self.root.display()
            ))
    }
}

#[async_trait]
impl BlobStore for LocalDirStore {
    async fn put(&self, key: &str, mut data: ByteStream) -> Result<BlobMeta, VaultError> {
        const OP: &str = "store blob";
        validate_key(key)?;
        let target = self.path_of(key);
        let dir = target.parent().unwrap_or(&self.root).to_path_buf();
        if let Err(e) = tokio::fs::create_dir_all(&dir).await {
            if let Some(object) = self.object_on_the_way(key).await {
                return Err(VaultError::new(VaultErrorKind::Validation)
                    .with_operation(OP)
                    .with_path(key.to_string())
                    .with_message(format!(
                        "object `{object}` exists where this key needs a folder"
                    ))
                    .with_hint("choose a key that does not extend an existing object's key"));
            }
            return Err(self.io_error(OP, key, "cannot create the object's directory", e));
        }
        let (tmp, mut file) = create_temp(&dir, TEMP_PREFIX)
            .await
            .map_err(|e| self.io_error(OP, key, "cannot create a temporary file", e))?;
        let mut guard = TempGuard(Some(tmp.clone()));

        let mut size: u64 = 0;
        while let Some(chunk) = data.next().await {
            let chunk = chunk.map_err(|e| {
                self.io_error(
                    OP,
                    key,
                    format!("the data stream failed after {size} bytes; nothing was stored"),
                    e,
                )
            })?;
            file.write_all(&chunk)
                .await
                .map_err(|e| self.io_error(OP, key, "cannot write the temporary file", e))?;
            size += chunk.len() as u64;
        }
        file.flush()
            .await
            .map_err(|e| self.io_error(OP, key, "cannot write the temporary file", e))?;
        file.sync_all()
            .await
            .map_err(|e| self.io_error(OP, key, "cannot fsync the temporary file", e))?;
        drop(file);

        if tokio::fs::symlink_metadata(&target)
            .await
            .is_ok_and(|m| m.is_dir())
        {
            return Err(VaultError::new(VaultErrorKind::Validation)
                .with_operation(OP)
                .with_path(key.to_string())
                .with_message("a folder of other objects already has this key")
                .with_hint("choose a key that is not the prefix of existing keys"));
        }
        tokio::fs::rename(&tmp, &target)
            .await
            .map_err(|e| self.io_error(OP, key, "cannot move the object into place", e))?;
        guard.disarm();
        sync_dir(&dir)
            .await
            .map_err(|e| self.io_error(OP, key, "cannot fsync the object's directory", e))?;
        let meta = tokio::fs::metadata(&target).await.ok();
        Ok(BlobMeta::new(key, size, meta.as_ref().and_then(modified)))
    }

    async fn get(&self, key: &str) -> Result<ByteStream, VaultError> {
        const OP: &str = "read blob";
        validate_key(key)?;
        let path = self.path_of(key);
        match tokio::fs::metadata(&path).await {
            Ok(m) if m.is_file() => {}
            Ok(_) => return Err(self.not_found(OP, key)),
            Err(e) if is_absent(&e) => return Err(self.not_found(OP, key)),
            Err(e) => return Err(self.io_error(OP, key, "cannot read the object", e)),
        }
        let file = match tokio::fs::File::open(&path).await {
            Ok(f) => f,
            Err(e) if is_absent(&e) => return Err(self.not_found(OP, key)),
            Err(e) => return Err(self.io_error(OP, key, "cannot open the object", e)),
        };
        Ok(file_stream(file))
    }

    async fn head(&self, key: &str) -> Result<Option<BlobMeta>, VaultError> {
        validate_key(key)?;
        match tokio::fs::metadata(self.path_of(key)).await {
            Ok(m) if m.is_file() => Ok(Some(BlobMeta::new(key, m.len(), modified(&m)))),
            Ok(_) => Ok(None),
            Err(e) if is_absent(&e) => Ok(None),
            Err(e) => {
                Err(self.io_error("inspect blob", key, "cannot read the object's metadata", e))
            }
        }
    }

    async fn list(&self, prefix: &str) -> Result<Vec<BlobMeta>, VaultError> {
        const OP: &str = "list blobs";
        validate_prefix(prefix)?;
        // Start in the deepest folder the prefix names completely.
        let start_key = prefix.rfind('/').map(|i| &prefix[..i]).unwrap_or("");
        let start = if start_key.is_empty() {
            self.root.clone()
        } else {
            self.path_of(start_key)
        };
        let mut out = Vec::new();
        let mut pending = vec![(start, start_key.to_string())];
        while let Some((dir, dir_key)) = pending.pop() {
            let mut entries = match tokio::fs::read_dir(&dir).await {
                Ok(entries) => entries,
                Err(e) if is_absent(&e) => continue,
                Err(e) => {
                    return Err(self.io_error(
                        OP,
                        prefix,
                        format!("cannot read folder {}", dir.display()),
                        e,
                    ));
                }
            };
            loop {
                let entry = match entries.next_entry().await {
                    Ok(Some(entry)) => entry,
                    Ok(None) => break,
                    Err(e) => {
                        return Err(self.io_error(
                            OP,
                            prefix,
                            format!("cannot read folder {}", dir.display()),
                            e,
                        ));
                    }
                };
                let Some(name) = entry.file_name().to_str().map(str::to_string) else {
                    continue; // not UTF-8: cannot be a key
                };
                if name.starts_with(TEMP_PREFIX) {
                    continue;
                }
                let key = if dir_key.is_empty() {
                    name
                } else {
                    format!("{dir_key}/{name}")
                };
                let Ok(file_type) = entry.file_type().await else {
                    continue;
                };
                if file_type.is_dir() {
                    let as_folder = format!("{key}/");
                    if as_folder.starts_with(prefix) || prefix.starts_with(&as_folder) {
                        pending.push((entry.path(), key));
                    }
                } else if file_type.is_file()
                    && key.starts_with(prefix)
                    && validate_key(&key).is_ok()
                {
                    match entry.metadata().await {
                        Ok(m) => out.push(BlobMeta::new(key, m.len(), modified(&m))),
                        Err(e) if is_absent(&e) => {} // deleted while listing
                        Err(e) => {
                            return Err(self.io_error(
                                OP,
                                &key,
                                "cannot read the object's metadata",
                                e,
                            ));
                        }
                    }
                }
            }
        }
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(out)
    }

    async fn delete(&self, key: &str) -> Result<(), VaultError> {
        const OP: &str = "delete blob";
        validate_key(key)?;
        let path = self.path_of(key);
        match tokio::fs::symlink_metadata(&path).await {
            Ok(m) if m.is_dir() => return Ok(()), // a folder: no object has this key
            Ok(_) => {}
            Err(e) if is_absent(&e) => return Ok(()),
            Err(e) => return Err(self.io_error(OP, key, "cannot inspect the object", e)),
        }
        match tokio::fs::remove_file(&path).await {
            Ok(()) => {}
            Err(e) if is_absent(&e) => return Ok(()),
            Err(e) => return Err(self.io_error(OP, key, "cannot remove the object", e)),
        }
        if let Some(dir) = path.parent() {
            sync_dir(dir)
                .await
                .map_err(|e| self.io_error(OP, key, "cannot fsync the object's directory", e))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use std::io::ErrorKind;

    fn failing_stream(good: usize) -> ByteStream {
        let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
            Ok(Bytes::from(vec![7u8; good])),
            Err(std::io::Error::new(
                ErrorKind::ConnectionReset,
                "upstream went away",
            )),
            Ok(Bytes::from_static(b"never written")),
        ];
        Box::pin(futures_util::stream::iter(chunks))
    }

    fn bytes_stream(data: &'static [u8]) -> ByteStream {
        Box::pin(futures_util::stream::once(async move {
            Ok(Bytes::from_static(data))
        }))
    }

    fn all_files(root: &Path) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![root.to_path_buf()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
                if entry.path().is_dir() {
                    stack.push(entry.path());
                } else {
                    out.push(entry.file_name().to_string_lossy().into_owned());
                }
            }
        }
        out
    }

    #[tokio::test]
    async fn interrupted_put_leaves_no_partial_object_or_temp_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = LocalDirStore::new(dir.path()).expect("store");
        let e = store
            .put("a/b.snap", failing_stream(100_000))
            .await
            .expect_err("stream error must fail the put");
        assert_eq!(e.kind(), VaultErrorKind::Io);
        assert!(e.to_string().contains("after 100000 bytes"), "{e}");
        assert!(store.head("a/b.snap").await.expect("head").is_none());
        assert!(
            all_files(dir.path()).is_empty(),
            "left behind: {:?}",
            all_files(dir.path())
        );

        // An existing object keeps its old content.
        store
            .put("a/b.snap", bytes_stream(b"old"))
            .await
            .expect("put");
        assert!(store.put("a/b.snap", failing_stream(10)).await.is_err());
        let mut s = store.get("a/b.snap").await.expect("get");
        assert_eq!(
            s.next().await.and_then(Result::ok),
            Some(Bytes::from_static(b"old"))
        );
        assert_eq!(all_files(dir.path()), vec!["b.snap".to_string()]);
    }

    #[tokio::test]
    async fn cancelled_put_removes_its_temp_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = LocalDirStore::new(dir.path()).expect("store");
        // A stream that yields one chunk and then never ends.
        let pending: ByteStream = Box::pin(
            futures_util::stream::once(async { Ok(Bytes::from_static(b"part")) })
                .chain(futures_util::stream::pending()),
        );
        let put = store.put("x", pending);
        let r = tokio::time::timeout(std::time::Duration::from_millis(200), put).await;
        assert!(r.is_err(), "put of an endless stream cannot finish");
        assert!(
            all_files(dir.path()).is_empty(),
            "left behind: {:?}",
            all_files(dir.path())
        );
    }

    #[tokio::test]
    async fn temp_files_are_not_listed_and_keys_cannot_escape() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("store");
        let store = LocalDirStore::new(&root).expect("store");
        std::fs::write(root.join(".vaultkit-tmp.deadbeef"), b"partial").expect("write");
        store.put("k", bytes_stream(b"v")).await.expect("put");
        let keys: Vec<String> = store
            .list("")
            .await
            .expect("list")
            .into_iter()
            .map(|m| m.key)
            .collect();
        assert_eq!(keys, vec!["k".to_string()]);

        for bad in ["../escaped", "/abs", "a//b", "a\\b", "a\0b"] {
            let e = store
                .put(bad, bytes_stream(b"x"))
                .await
                .err()
                .unwrap_or_else(|| panic!("{bad:?} accepted"));
            assert_eq!(e.kind(), VaultErrorKind::Validation, "{bad:?}");
        }
        assert!(!dir.path().join("escaped").exists());
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn objects_are_private_and_symlinks_are_not_followed_by_list() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("store");
        let store = LocalDirStore::new(&root).expect("store");
        store
            .put("secret.snap", bytes_stream(b"v"))
            .await
            .expect("put");
        let mode = std::fs::metadata(root.join("secret.snap"))
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);

        std::fs::create_dir(dir.path().join("outside")).expect("mkdir");
        std::fs::write(dir.path().join("outside/loot"), b"x").expect("write");
        std::os::unix::fs::symlink(dir.path().join("outside"), root.join("link")).expect("symlink");
        let keys: Vec<String> = store
            .list("")
            .await
            .expect("list")
            .into_iter()
            .map(|m| m.key)
            .collect();
        assert_eq!(keys, vec!["secret.snap".to_string()]);
    }

    #[tokio::test]
    async fn file_and_folder_with_the_same_key() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = LocalDirStore::new(dir.path()).expect("store");
        store.put("a/b", bytes_stream(b"v")).await.expect("put");
        let e = store
            .put("a", bytes_stream(b"v"))
            .await
            .expect_err("a is a folder");
        assert_eq!(e.kind(), VaultErrorKind::Validation);
        assert!(store.head("a").await.expect("head").is_none());
        store
            .delete("a")
            .await
            .expect("deleting a folder key is a no-op");
        assert!(store.head("a/b").await.expect("head").is_some());
        assert!(
            store
                .head("a/b/c")
                .await
                .expect("head below a file")
                .is_none()
        );
        assert!(
            store
                .get("a/b/c")
                .await
                .err()
                .is_some_and(|e| e.is_not_found())
        );
    }
}
