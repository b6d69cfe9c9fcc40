//! `~/.vault-token`: the token file Vault's CLI reads and `vault login` writes.

use std::path::{Path, PathBuf};

use vault_core::SecretString;

use crate::error::{CliError, CliResult};

/// `$HOME/.vault-token`.
pub(crate) fn default_path() -> Option<PathBuf> {
    super::file::home_dir().map(|h| h.join(".vault-token"))
}

/// Read a token file; `None` when it does not exist or is empty.
pub(crate) fn read(path: &Path) -> CliResult<Option<SecretString>> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let token = text.trim();
            Ok((!token.is_empty()).then(|| SecretString::new(token)))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(CliError::io("read token file", path, &e)),
    }
}

/// Write a token file readable only by its owner: created 0600, atomically (temporary file,
/// `fsync`, rename), and never through a symbolic link planted at `path`
/// ([`vault_core::write_private`]).
pub(crate) fn write(path: &Path, token: &SecretString) -> CliResult<()> {
    vault_core::write_private(path, token.expose().as_bytes())
        .map_err(|e| CliError::io("write token file", path, &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_owner_only_mode() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(".vault-token");
        assert!(read(&path).expect("missing is fine").is_none());
        write(&path, &SecretString::new("s.abc")).expect("write");
        assert_eq!(
            read(&path)
                .expect("read")
                .map(|t| t.expose().to_string())
                .as_deref(),
            Some("s.abc")
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
