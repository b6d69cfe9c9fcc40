//! Writing files that hold or fingerprint secrets: owner-only, atomic, never through a link.
//!
//! [`write_private`] is the one way vaultkit writes such a file (the token file, `kv export` and
//! `env` output, migrate plans and baselines, scan and audit reports):
//!
//! 1. the bytes go to a new temporary file in the destination's own folder, created with
//!    `O_CREAT | O_EXCL` (so never through an existing name or link) and mode 0600 from the start;
//! 2. the file is flushed to disk (`fsync`), then renamed over the destination in one step, and the
//!    folder is synced so that the rename survives a crash;
//! 3. a destination that is a symbolic link is refused (before anything is written): `rename`
//!    would replace the link rather than follow it, but silently replacing a link someone planted
//!    or chose is not what a user expects either.
//!
//! A reader therefore sees the old file or the complete new one, never a partial file, and no
//! other user can read the secret between creation and `chmod`. A failed write leaves no
//! temporary file behind.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use rand::Rng;

/// Write `bytes` to `path` as a file only its owner can read and write (0600), atomically, never
/// through a symbolic link (see the module docs).
///
/// # Errors
/// An [`io::Error`] when the destination is a symbolic link (kind `InvalidInput`), is a folder,
/// or when the folder cannot be written. Wrap it with the path for the user.
pub fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path has no file name"))?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    refuse_link(path)?;
    let (tmp, mut file) = create_temp(&dir, &name.to_string_lossy())?;
    let written = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .and_then(|()| refuse_link(path))
        .and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    // Make the rename durable; a folder that cannot be opened for sync is not an error.
    if let Ok(d) = File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

fn refuse_link(path: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "it is a symbolic link; vaultkit writes secrets only to a plain file it creates \
             (remove the link or choose another path)",
        )),
        Ok(meta) if meta.is_dir() => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "it is a folder; give a file name",
        )),
        _ => Ok(()),
    }
}

/// A new, empty, owner-only file next to the destination.
fn create_temp(dir: &Path, name: &str) -> io::Result<(PathBuf, File)> {
    let mut rng = rand::rng();
    let mut last = None;
    for _ in 0..16 {
        let suffix: String = (0..12)
            .map(|_| rng.sample(rand::distr::Alphanumeric) as char)
            .collect();
        let tmp = dir.join(format!(".{name}.vaultkit-{suffix}.tmp"));
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        match options.open(&tmp) {
            Ok(file) => {
                // The umask can only remove bits; set the mode exactly anyway.
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
                }
                return Ok((tmp, file));
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("could not create a temporary file")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    fn mode(p: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p).expect("meta").permissions().mode() & 0o777
    }

    #[test]
    fn replaces_a_world_readable_file_with_an_owner_only_one() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out.env");
        std::fs::write(&path, "old").expect("seed");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        }
        write_private(&path, b"new").expect("write");
        assert_eq!(std::fs::read(&path).expect("read"), b"new");
        #[cfg(unix)]
        assert_eq!(mode(&path), 0o600);
        let left: Vec<_> = std::fs::read_dir(dir.path()).expect("ls").collect();
        assert_eq!(left.len(), 1, "no temporary file is left behind");
    }

    #[cfg(unix)]
    #[test]
    fn a_planted_symlink_is_refused_and_its_target_untouched() {
        let dir = tempfile::tempdir().expect("tempdir");
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "keep me").expect("seed");
        let link = dir.path().join("token");
        std::os::unix::fs::symlink(&victim, &link).expect("symlink");
        let err = write_private(&link, b"secret").expect_err("refused");
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert_eq!(std::fs::read(&victim).expect("read"), b"keep me");
        // A dangling link (pointing where an attacker wants a file created) too.
        let dangling = dir.path().join("dangling");
        std::os::unix::fs::symlink(dir.path().join("created-by-attacker"), &dangling)
            .expect("symlink");
        write_private(&dangling, b"secret").expect_err("refused");
        assert!(!dir.path().join("created-by-attacker").exists());
    }
}
