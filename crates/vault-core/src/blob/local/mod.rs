//! [`LocalDirStore`]: a [`BlobStore`] over a local directory.
//!
//! Architecture Invariant: a key maps to `root/<segment>/…/<segment>` and can never point outside
//! `root`: [`validate_blob_key`] runs before any file system call, and every segment is then opened
//! relative to its parent folder without following symbolic links (see `beneath.rs`). A link
//! anywhere below the root — a folder or a final name — makes put/get/head/delete fail with a
//! Validation error and is skipped by list; nothing outside the root is read, written or
//! deleted. Writes are atomic: data goes to a `.vaultkit-tmp.*` file (mode 0600) in the target's
//! directory, is fsynced, renamed over the target, and the directory is fsynced.
//! [`BlobStore::put_if_absent`] moves the file in with `renameat2(RENAME_NOREPLACE)` (or `linkat`
//! where that flag is unknown), which fails when the name exists: of two racing writers exactly
//! one wins, and the loser's file is removed without ever being visible. A failed or
//! cancelled write removes its temporary file; temporary files never appear in
//! [`BlobStore::list`].

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;

use super::beneath::{self, Kind, OwnedFd, Placed, Refusal, TempInDir};
use super::fs::file_stream;
use super::key::{TEMP_PREFIX, validate_blob_key, validate_blob_prefix};
use super::{BlobMeta, BlobStore, ByteStream};
use crate::{VaultError, VaultErrorKind};

/// Objects stored as files under a root directory (Unix: folders are resolved with `openat` and
/// `O_NOFOLLOW`, so symbolic links below the root are never followed).
#[derive(Debug, Clone)]
pub struct LocalDirStore {
    root: PathBuf,
}

/// A key split into its folders and its final name.
fn split_key(key: &str) -> (Vec<&str>, &str) {
    let mut segments: Vec<&str> = key.split('/').collect();
    let name = segments.pop().unwrap_or("");
    (segments, name)
}

/// Runs blocking file-system work off the async threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Refusal> + Send + 'static,
) -> Result<T, Refusal> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| Err(Refusal::Io(std::io::Error::other(e.to_string()))))
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

    /// The error for a refusal met while resolving `key`.
    fn refused(&self, operation: &str, key: &str, what: &str, refusal: Refusal) -> VaultError {
        match refusal {
            Refusal::Symlink(link) => VaultError::new(VaultErrorKind::Validation)
                .with_operation(operation.to_string())
                .with_path(key.to_string())
                .with_message(format!(
                    "`{link}` is a symbolic link in the store at {}; links are never followed (they could lead outside the store)",
                    self.root.display()
                ))
                .with_hint("replace the link by a real folder or file, or point the store at the link's target"),
            Refusal::FileInTheWay(object) => VaultError::new(VaultErrorKind::Validation)
                .with_operation(operation.to_string())
                .with_path(key.to_string())
                .with_message(format!(
                    "object `{object}` exists where this key needs a folder"
                ))
                .with_hint("choose a key that does not extend an existing object's key"),
            Refusal::Io(e) => self.io_error(operation, key, what, e),
        }
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

    /// The folder that holds `key` (created when `create`), or `None` when it does not exist.
    async fn folder_of(&self, key: &str, create: bool) -> Result<Option<OwnedFd>, Refusal> {
        let root = self.root.clone();
        let key = key.to_string();
        blocking(move || {
            let root_fd = beneath::open_root(&root)?;
            let (folders, _) = split_key(&key);
            beneath::open_dirs(&root_fd, &folders, create)
        })
        .await
    }

    /// Streams `data` into a new temporary file (0600, fsynced) in the folder of `key`.
    async fn stage(&self, op: &str, key: &str, mut data: ByteStream) -> Result<Staged, VaultError> {
        let name = split_key(key).1.to_string();
        let dir = match self.folder_of(key, true).await {
            Ok(Some(dir)) => Arc::new(dir),
            Ok(None) => {
                let e = std::io::Error::new(std::io::ErrorKind::NotFound, "folder missing");
                return Err(self.io_error(op, key, "cannot create the object's directory", e));
            }
            Err(r) => return Err(self.refused(op, key, "cannot create the object's directory", r)),
        };
        let (tmp, file) = beneath::create_temp(&dir, TEMP_PREFIX)
            .map_err(|e| self.io_error(op, key, "cannot create a temporary file", e))?;
        let guard = TempInDir::new(dir.clone(), tmp.clone());
        let mut file = tokio::fs::File::from_std(file);

        let mut size: u64 = 0;
        while let Some(chunk) = data.next().await {
            let chunk = chunk.map_err(|e| {
                self.io_error(
                    op,
                    key,
                    format!("the data stream failed after {size} bytes; nothing was stored"),
                    e,
                )
            })?;
            file.write_all(&chunk)
                .await
                .map_err(|e| self.io_error(op, key, "cannot write the temporary file", e))?;
            size += chunk.len() as u64;
        }
        file.flush()
            .await
            .map_err(|e| self.io_error(op, key, "cannot write the temporary file", e))?;
        file.sync_all()
            .await
            .map_err(|e| self.io_error(op, key, "cannot fsync the temporary file", e))?;
        Ok(Staged {
            dir,
            tmp,
            name,
            guard,
            size,
        })
    }

    fn folder_has_key(op: &str, key: &str) -> VaultError {
        VaultError::new(VaultErrorKind::Validation)
            .with_operation(op.to_string())
            .with_path(key.to_string())
            .with_message("a folder of other objects already has this key")
            .with_hint("choose a key that is not the prefix of existing keys")
    }
}

/// A fully written temporary file waiting to be moved to its key.
struct Staged {
    dir: Arc<OwnedFd>,
    tmp: String,
    name: String,
    /// Removes `tmp` unless disarmed.
    guard: TempInDir,
    size: u64,
}

#[async_trait]
impl BlobStore for LocalDirStore {
    async fn put(&self, key: &str, data: ByteStream) -> Result<BlobMeta, VaultError> {
        const OP: &str = "store blob";
        validate_blob_key(key)?;
        let Staged {
            dir,
            tmp,
            name,
            mut guard,
            size,
        } = self.stage(OP, key, data).await?;
        let moved = {
            let (dir, tmp, name) = (dir.clone(), tmp.clone(), name.clone());
            let key = key.to_string();
            blocking(move || {
                match beneath::kind_of(&dir, &name)? {
                    Some(Kind::Dir) => return Ok(None),
                    // Renaming would replace the link, not write through it; still refuse, so a
                    // planted link is noticed rather than silently dropped.
                    Some(Kind::Symlink) => return Err(Refusal::Symlink(key)),
                    _ => {}
                }
                beneath::rename(&dir, &tmp, &name)?;
                beneath::sync(&dir)?;
                Ok(Some(beneath::kind_of(&dir, &name)?))
            })
            .await
        };
        match moved {
            Ok(None) => Err(Self::folder_has_key(OP, key)),
            Ok(Some(kind)) => {
                guard.disarm();
                let modified = match kind {
                    Some(Kind::File { modified, .. }) => modified,
                    _ => None,
                };
                Ok(BlobMeta::new(key, size, modified))
            }
            Err(r) => Err(self.refused(OP, key, "cannot move the object into place", r)),
        }
    }

    async fn put_if_absent(
        &self,
        key: &str,
        data: ByteStream,
    ) -> Result<Option<BlobMeta>, VaultError> {
        const OP: &str = "store blob if absent";
        validate_blob_key(key)?;
        // Cheap early answer; the exclusive move below is what decides a race.
        if self.head(key).await?.is_some() {
            return Ok(None);
        }
        let Staged {
            dir,
            tmp,
            name,
            mut guard,
            size,
        } = self.stage(OP, key, data).await?;
        let placed = {
            let key = key.to_string();
            blocking(move || {
                let placed = beneath::rename_noreplace(&dir, &tmp, &name)?;
                let kind = match placed {
                    Placed::Exists => beneath::kind_of(&dir, &name)?,
                    Placed::Renamed | Placed::Linked => {
                        beneath::sync(&dir)?;
                        beneath::kind_of(&dir, &name)?
                    }
                };
                if matches!(kind, Some(Kind::Symlink)) {
                    return Err(Refusal::Symlink(key));
                }
                Ok((placed, kind))
            })
            .await
        };
        match placed {
            Ok((_, Some(Kind::Dir))) => Err(Self::folder_has_key(OP, key)),
            Ok((Placed::Exists, _)) => Ok(None),
            Ok((placed, kind)) => {
                // After a rename the temporary name is gone; after a hard link the guard
                // removes it.
                if placed == Placed::Renamed {
                    guard.disarm();
                }
                let modified = match kind {
                    Some(Kind::File { modified, .. }) => modified,
                    _ => None,
                };
                Ok(Some(BlobMeta::new(key, size, modified)))
            }
            Err(r) => Err(self.refused(OP, key, "cannot move the object into place", r)),
        }
    }

    async fn get(&self, key: &str) -> Result<ByteStream, VaultError> {
        const OP: &str = "read blob";
        validate_blob_key(key)?;
        let name = split_key(key).1.to_string();
        let owned = key.to_string();
        let opened = match self.folder_of(key, false).await {
            Ok(Some(dir)) => blocking(move || beneath::open_file(&dir, &name, &owned)).await,
            Ok(None) => Ok(None),
            Err(r) => Err(r),
        };
        match opened {
            Ok(Some(file)) => Ok(file_stream(tokio::fs::File::from_std(file))),
            Ok(None) | Err(Refusal::FileInTheWay(_)) => Err(self.not_found(OP, key)),
            Err(r) => Err(self.refused(OP, key, "cannot open the object", r)),
        }
    }

    async fn head(&self, key: &str) -> Result<Option<BlobMeta>, VaultError> {
        const OP: &str = "inspect blob";
        validate_blob_key(key)?;
        let name = split_key(key).1.to_string();
        let owned = key.to_string();
        let looked = match self.folder_of(key, false).await {
            Ok(Some(dir)) => {
                blocking(move || {
                    Ok(match beneath::kind_of(&dir, &name)? {
                        Some(Kind::Symlink) => return Err(Refusal::Symlink(owned)),
                        other => other,
                    })
                })
                .await
            }
            Ok(None) | Err(Refusal::FileInTheWay(_)) => Ok(None),
            Err(r) => Err(r),
        };
        match looked {
            Ok(Some(Kind::File { size, modified })) => Ok(Some(BlobMeta::new(key, size, modified))),
            Ok(_) => Ok(None),
            Err(r) => Err(self.refused(OP, key, "cannot read the object's metadata", r)),
        }
    }

    async fn list(&self, prefix: &str) -> Result<Vec<BlobMeta>, VaultError> {
        const OP: &str = "list blobs";
        validate_blob_prefix(prefix)?;
        // Start in the deepest folder the prefix names completely.
        let start_key = prefix
            .rfind('/')
            .map(|i| &prefix[..i])
            .unwrap_or("")
            .to_string();
        let root = self.root.clone();
        let owned_prefix = prefix.to_string();
        let listed = blocking(move || {
            let prefix = owned_prefix.as_str();
            let root_fd = beneath::open_root(&root)?;
            let folders: Vec<&str> = if start_key.is_empty() {
                Vec::new()
            } else {
                start_key.split('/').collect()
            };
            let start = match beneath::open_dirs(&root_fd, &folders, false) {
                Ok(Some(dir)) => dir,
                Ok(None) | Err(Refusal::FileInTheWay(_)) => return Ok(Vec::new()),
                Err(r) => return Err(r),
            };
            let mut out = Vec::new();
            let mut pending = vec![(start, start_key.clone())];
            while let Some((dir, dir_key)) = pending.pop() {
                for (name, kind) in beneath::entries(&dir)? {
                    if name.starts_with(TEMP_PREFIX) {
                        continue;
                    }
                    let key = if dir_key.is_empty() {
                        name.clone()
                    } else {
                        format!("{dir_key}/{name}")
                    };
                    match kind {
                        Kind::Dir => {
                            let as_folder = format!("{key}/");
                            if as_folder.starts_with(prefix) || prefix.starts_with(&as_folder) {
                                match beneath::open_subdir(&dir, &name, &key) {
                                    Ok(Some(sub)) => pending.push((sub, key)),
                                    // Gone, or swapped for a link or file while listing: skip.
                                    Ok(None)
                                    | Err(Refusal::Symlink(_))
                                    | Err(Refusal::FileInTheWay(_)) => {}
                                    Err(r) => return Err(r),
                                }
                            }
                        }
                        Kind::File { size, modified }
                            if key.starts_with(prefix) && validate_blob_key(&key).is_ok() =>
                        {
                            out.push(BlobMeta::new(key, size, modified));
                        }
                        // Symbolic links and special files are never listed.
                        _ => {}
                    }
                }
            }
            Ok(out)
        })
        .await;
        let mut out = listed.map_err(|r| self.refused(OP, prefix, "cannot read a folder", r))?;
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(out)
    }

    async fn delete(&self, key: &str) -> Result<(), VaultError> {
        const OP: &str = "delete blob";
        validate_blob_key(key)?;
        let name = split_key(key).1.to_string();
        let owned = key.to_string();
        let dir = match self.folder_of(key, false).await {
            Ok(Some(dir)) => dir,
            Ok(None) | Err(Refusal::FileInTheWay(_)) => return Ok(()),
            Err(r) => return Err(self.refused(OP, key, "cannot remove the object", r)),
        };
        let removed = blocking(move || {
            match beneath::kind_of(&dir, &name)? {
                None | Some(Kind::Dir) => return Ok(()), // a folder: no object has this key
                Some(Kind::Symlink) => return Err(Refusal::Symlink(owned)),
                Some(_) => {}
            }
            match beneath::unlink(&dir, &name) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
                Err(e) => return Err(Refusal::Io(e)),
            }
            beneath::sync(&dir)?;
            Ok(())
        })
        .await;
        removed.map_err(|r| self.refused(OP, key, "cannot remove the object", r))
    }
}

#[cfg(test)]
mod tests;
