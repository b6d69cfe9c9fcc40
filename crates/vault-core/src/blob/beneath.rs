//! Resolving keys beneath a [`super::LocalDirStore`]'s root without following symbolic links.
//!
//! Every folder of a key is opened relative to its parent's file descriptor with `O_NOFOLLOW`
//! (`openat`, through rustix), and the final name is opened, inspected (`statat` with
//! `AT_SYMLINK_NOFOLLOW`), renamed over or unlinked relative to its folder's descriptor. Keys are
//! validated first (no `.`/`..`, no empty segment), so this is `openat2`'s
//! `RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS` done by hand, on any Unix: a symbolic link anywhere
//! below the root is refused, and the path cannot be swapped under us between check and use.
//! (The root itself is opened normally: it is the caller's choice, symlinked or not.)

use std::ffi::OsStr;
use std::io::{self, ErrorKind};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rustix::fs::{AtFlags, FileType, Mode, OFlags, Stat};
use rustix::io::Errno;

pub(crate) use std::os::fd::OwnedFd;

/// Why resolving a key failed.
#[derive(Debug)]
pub(crate) enum Refusal {
    /// `key prefix` is a symbolic link: never followed.
    Symlink(String),
    /// `key prefix` is a file where a folder is needed.
    FileInTheWay(String),
    /// Anything else from the file system.
    Io(io::Error),
}

impl From<io::Error> for Refusal {
    fn from(e: io::Error) -> Self {
        Refusal::Io(e)
    }
}

/// What a name in a folder is, looked at without following a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    File {
        size: u64,
        modified: Option<DateTime<Utc>>,
    },
    Dir,
    Symlink,
    Other,
}

fn io(e: Errno) -> io::Error {
    io::Error::from(e)
}

/// Opens the store root (following links there: it is the caller's path).
pub(crate) fn open_root(root: &Path) -> io::Result<OwnedFd> {
    rustix::fs::open(
        root,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(io)
}

/// A name in `dir`, looked at with `AT_SYMLINK_NOFOLLOW`; `None` when absent.
pub(crate) fn kind_of(dir: &OwnedFd, name: &str) -> io::Result<Option<Kind>> {
    match rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW) {
        Ok(st) => Ok(Some(kind_from_stat(&st))),
        Err(Errno::NOENT) | Err(Errno::NOTDIR) => Ok(None),
        Err(e) => Err(io(e)),
    }
}

#[allow(clippy::unnecessary_cast, clippy::useless_conversion)]
fn kind_from_stat(st: &Stat) -> Kind {
    match FileType::from_raw_mode(st.st_mode as _) {
        FileType::RegularFile => Kind::File {
            size: st.st_size as u64,
            modified: DateTime::from_timestamp(st.st_mtime as i64, st.st_mtime_nsec as u32),
        },
        FileType::Directory => Kind::Dir,
        FileType::Symlink => Kind::Symlink,
        _ => Kind::Other,
    }
}

/// Opens sub-folder `name` of `dir` without following a link; `None` when absent.
/// `key` is the folder's key prefix, for refusals.
pub(crate) fn open_subdir(
    dir: &OwnedFd,
    name: &str,
    key: &str,
) -> Result<Option<OwnedFd>, Refusal> {
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    match rustix::fs::openat(dir, name, flags, Mode::empty()) {
        Ok(fd) => Ok(Some(fd)),
        Err(Errno::NOENT) => Ok(None),
        Err(e) => match kind_of(dir, name)? {
            Some(Kind::Symlink) => Err(Refusal::Symlink(key.to_string())),
            Some(Kind::File { .. }) | Some(Kind::Other) => {
                Err(Refusal::FileInTheWay(key.to_string()))
            }
            None => Ok(None),
            Some(Kind::Dir) => Err(Refusal::Io(io(e))),
        },
    }
}

/// The folder holding `segments` (key segments of folders, root first), opened segment by
/// segment without following links. Missing folders are created when `create` is set, else
/// the answer is `None`.
pub(crate) fn open_dirs(
    root: &OwnedFd,
    segments: &[&str],
    create: bool,
) -> Result<Option<OwnedFd>, Refusal> {
    let mut key = String::new();
    let mut current: Option<OwnedFd> = None;
    for segment in segments {
        if !key.is_empty() {
            key.push('/');
        }
        key.push_str(segment);
        let parent = current.as_ref().unwrap_or(root);
        let next = match open_subdir(parent, segment, &key)? {
            Some(fd) => fd,
            None if create => {
                match rustix::fs::mkdirat(parent, *segment, Mode::from_raw_mode(0o777)) {
                    Ok(()) | Err(Errno::EXIST) => {}
                    Err(e) => return Err(Refusal::Io(io(e))),
                }
                open_subdir(parent, segment, &key)?.ok_or_else(|| {
                    Refusal::Io(io::Error::new(
                        ErrorKind::NotFound,
                        "a folder vanished right after it was created",
                    ))
                })?
            }
            None => return Ok(None),
        };
        current = Some(next);
    }
    match current {
        Some(fd) => Ok(Some(fd)),
        None => Ok(Some(root.try_clone()?)),
    }
}

/// Opens file `name` in `dir` for reading without following a link (non-blocking, so a FIFO
/// planted in the store cannot hang us). `None` when absent or not a regular file.
pub(crate) fn open_file(
    dir: &OwnedFd,
    name: &str,
    key: &str,
) -> Result<Option<std::fs::File>, Refusal> {
    let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
    let fd = match rustix::fs::openat(dir, name, flags, Mode::empty()) {
        Ok(fd) => fd,
        Err(Errno::NOENT) | Err(Errno::NOTDIR) => return Ok(None),
        Err(Errno::LOOP) => return Err(Refusal::Symlink(key.to_string())),
        Err(e) => return Err(Refusal::Io(io(e))),
    };
    let st = rustix::fs::fstat(&fd).map_err(io)?;
    if !matches!(kind_from_stat(&st), Kind::File { .. }) {
        return Ok(None);
    }
    // Regular files ignore O_NONBLOCK; clear it anyway so reads behave as usual.
    rustix::fs::fcntl_setfl(
        &fd,
        rustix::fs::fcntl_getfl(&fd).map_err(io)? - OFlags::NONBLOCK,
    )
    .map_err(io)?;
    Ok(Some(std::fs::File::from(fd)))
}

/// A new file `<prefix><random>` in `dir`, owner-only, never through an existing name.
pub(crate) fn create_temp(dir: &OwnedFd, prefix: &str) -> io::Result<(String, std::fs::File)> {
    loop {
        let name = format!("{prefix}{:016x}", rand::random::<u64>());
        let flags =
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        match rustix::fs::openat(dir, name.as_str(), flags, Mode::from_raw_mode(0o600)) {
            Ok(fd) => return Ok((name, std::fs::File::from(fd))),
            Err(Errno::EXIST) => continue,
            Err(e) => return Err(io(e)),
        }
    }
}

/// Renames `from` over `to`, both in `dir` (a link at `to` is replaced, never followed).
pub(crate) fn rename(dir: &OwnedFd, from: &str, to: &str) -> io::Result<()> {
    rustix::fs::renameat(dir, from, dir, to).map_err(io)
}

/// What [`rename_noreplace`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Placed {
    /// `from` now has the name `to`; `from` is gone.
    Renamed,
    /// `to` is a hard link to `from`; `from` is still there and must be removed by the caller.
    Linked,
    /// `to` already existed; nothing changed.
    Exists,
}

/// Gives `from` the name `to` in `dir` only if `to` does not exist, atomically: on Linux with
/// `renameat2(RENAME_NOREPLACE)`, elsewhere (or on a file system that refuses that flag) with
/// `linkat`, which fails with `EEXIST` just the same. Of two racing callers exactly one wins.
pub(crate) fn rename_noreplace(dir: &OwnedFd, from: &str, to: &str) -> io::Result<Placed> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    match rustix::fs::renameat_with(dir, from, dir, to, rustix::fs::RenameFlags::NOREPLACE) {
        Ok(()) => return Ok(Placed::Renamed),
        Err(Errno::EXIST) => return Ok(Placed::Exists),
        // Old kernels and some file systems do not know the flag: fall back to a hard link.
        Err(Errno::INVAL) | Err(Errno::NOSYS) | Err(Errno::OPNOTSUPP) => {}
        Err(e) => return Err(io(e)),
    }
    link_noreplace(dir, from, to)
}

/// [`rename_noreplace`] without `renameat2`: a hard link, which fails when `to` exists.
fn link_noreplace(dir: &OwnedFd, from: &str, to: &str) -> io::Result<Placed> {
    match rustix::fs::linkat(dir, from, dir, to, AtFlags::empty()) {
        Ok(()) => Ok(Placed::Linked),
        Err(Errno::EXIST) => Ok(Placed::Exists),
        Err(e) => Err(io(e)),
    }
}

/// Removes file `name` from `dir` (a link would be removed itself, never its target).
pub(crate) fn unlink(dir: &OwnedFd, name: &str) -> io::Result<()> {
    rustix::fs::unlinkat(dir, name, AtFlags::empty()).map_err(io)
}

/// fsync a folder so a rename or unlink in it survives a crash.
pub(crate) fn sync(dir: &OwnedFd) -> io::Result<()> {
    rustix::fs::fsync(dir).map_err(io)
}

/// The entries of `dir` (UTF-8 names only, without `.` and `..`) with their kinds, never
/// following a link.
pub(crate) fn entries(dir: &OwnedFd) -> io::Result<Vec<(String, Kind)>> {
    let mut out = Vec::new();
    for entry in rustix::fs::Dir::read_from(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let raw = entry.file_name().to_bytes();
        if raw == b"." || raw == b".." {
            continue;
        }
        let Some(name) = OsStr::from_bytes(raw).to_str() else {
            continue; // not UTF-8: cannot be a key
        };
        let kind = match entry.file_type() {
            FileType::Symlink => Kind::Symlink,
            FileType::Directory => Kind::Dir,
            // Regular files need their size; unknown types (some file systems) need a look.
            _ => match kind_of(dir, name)? {
                Some(kind) => kind,
                None => continue, // deleted while listing
            },
        };
        out.push((name.to_string(), kind));
    }
    Ok(out)
}

/// Removes a temporary file by name in its folder unless disarmed (errors and cancelled
/// futures alike).
pub(crate) struct TempInDir {
    dir: Arc<OwnedFd>,
    name: Option<String>,
}

impl TempInDir {
    pub(crate) fn new(dir: Arc<OwnedFd>, name: String) -> Self {
        TempInDir {
            dir,
            name: Some(name),
        }
    }

    pub(crate) fn disarm(&mut self) {
        self.name = None;
    }
}

impl Drop for TempInDir {
    fn drop(&mut self) {
        if let Some(name) = self.name.take() {
            let _ = unlink(&self.dir, &name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exclusive_moves_never_replace() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let dir = open_root(tmp.path()).expect("open");
        std::fs::write(tmp.path().join("a"), b"a").expect("write");
        std::fs::write(tmp.path().join("b"), b"b").expect("write");
        std::fs::write(tmp.path().join("c"), b"c").expect("write");

        // The fallback: a hard link, leaving the source for the caller to remove.
        assert_eq!(
            link_noreplace(&dir, "a", "b").expect("link"),
            Placed::Exists
        );
        assert_eq!(
            link_noreplace(&dir, "a", "new").expect("link"),
            Placed::Linked
        );
        assert_eq!(std::fs::read(tmp.path().join("new")).expect("read"), b"a");
        assert!(tmp.path().join("a").exists());

        assert_eq!(
            rename_noreplace(&dir, "c", "b").expect("move"),
            Placed::Exists
        );
        assert_eq!(std::fs::read(tmp.path().join("b")).expect("read"), b"b");
        let placed = rename_noreplace(&dir, "c", "fresh").expect("move");
        assert_ne!(placed, Placed::Exists);
        assert_eq!(std::fs::read(tmp.path().join("fresh")).expect("read"), b"c");
    }
}
