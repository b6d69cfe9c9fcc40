//! [`DecryptionKey`]: an OpenPGP secret key, unlocked, ready to decrypt snapshots.

use std::fmt;
use std::path::Path;

use sequoia_openpgp as openpgp;

use openpgp::Fingerprint;
use openpgp::crypto::{KeyPair, Password};
use vault_core::SecretString;

use super::certs::{crypto, parse_certs, read_file};
use crate::BackupError;

/// A secret key able to decrypt snapshots: every secret key of one or more OpenPGP keys (e.g.
/// `gpg --export-secret-keys` output), unlocked with the passphrase. `Debug` shows fingerprints
/// only; sequoia keeps the unlocked secret material encrypted in memory and zeroizes it on drop.
///
/// ```no_run
/// # fn main() -> Result<(), vault_backup::BackupError> {
/// use std::path::Path;
/// use vault_backup::DecryptionKey;
///
/// // The passphrase comes from $BACKUP_KEY_PASSPHRASE, never from the command line.
/// let key = DecryptionKey::from_env_or_file(
///     Path::new("backup-key.asc"),
///     Some("BACKUP_KEY_PASSPHRASE"),
///     None,
/// )?;
/// println!("{key:?}");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct DecryptionKey {
    primaries: Vec<Fingerprint>,
    keys: Vec<KeyPair>,
}

impl DecryptionKey {
    /// Loads the secret keys in `path` (ASCII-armoured or binary) and unlocks those that are
    /// passphrase-protected with `passphrase`.
    ///
    /// Fails with a Crypto error when the passphrase is wrong or missing, and a Config error when
    /// the file holds no secret key.
    pub fn from_file(path: &Path, passphrase: Option<SecretString>) -> Result<Self, BackupError> {
        let bytes = read_file(path, "secret key file")?;
        let certs = parse_certs(&bytes, path)?;
        let password = passphrase.as_ref().map(|p| Password::from(p.expose()));
        let mut primaries = Vec::new();
        let mut keys = Vec::new();
        let mut locked = 0usize;
        for cert in &certs {
            let mut found = false;
            for ka in cert.keys().secret() {
                let key = ka.key().clone().role_into_unspecified();
                if !key.pk_algo().for_encryption() {
                    continue;
                }
                found = true;
                let key = if key.has_unencrypted_secret() {
                    key
                } else {
                    match &password {
                        Some(pw) => match key.decrypt_secret(pw) {
                            Ok(k) => k,
                            Err(_) => {
                                locked += 1;
                                continue;
                            }
                        },
                        None => {
                            locked += 1;
                            continue;
                        }
                    }
                };
                let pair = key.into_keypair().map_err(|e| {
                    crypto(format!(
                        "secret key {} in {} cannot be used: {e:#}",
                        cert.fingerprint().to_hex(),
                        path.display()
                    ))
                })?;
                keys.push(pair);
            }
            if found {
                primaries.push(cert.fingerprint());
            }
        }
        if primaries.is_empty() {
            return Err(BackupError::config(format!(
                "{} holds no secret encryption key",
                path.display()
            ))
            .with_hint("export it with `gpg --export-secret-keys --armor FINGERPRINT`"));
        }
        if keys.is_empty() {
            let fps: Vec<String> = primaries.iter().map(Fingerprint::to_hex).collect();
            let err = if passphrase.is_some() {
                crypto(format!(
                    "wrong passphrase for the secret key {} in {}",
                    fps.join(", "),
                    path.display()
                ))
                .with_hint("check the passphrase variable or file")
            } else {
                crypto(format!(
                    "the secret key {} in {} is passphrase-protected and no passphrase was given",
                    fps.join(", "),
                    path.display()
                ))
                .with_hint("give the passphrase through an environment variable or a file")
            };
            return Err(err);
        }
        if locked > 0 {
            tracing::warn!(
                file = %path.display(),
                locked,
                "some secret subkeys could not be unlocked with the passphrase; using the others"
            );
        }
        Ok(DecryptionKey { primaries, keys })
    }

    /// Like [`DecryptionKey::from_file`], with the passphrase read from the environment variable
    /// `passphrase_env` or from the file `passphrase_file` (one trailing newline removed), so it
    /// never appears on a command line. Neither: the key must be unprotected. Both: a Config
    /// error. A passphrase file readable by group or others is used, with a warning.
    pub fn from_env_or_file(
        path: &Path,
        passphrase_env: Option<&str>,
        passphrase_file: Option<&Path>,
    ) -> Result<Self, BackupError> {
        let passphrase = match (passphrase_env, passphrase_file) {
            (Some(_), Some(_)) => {
                return Err(BackupError::config(
                    "give the key passphrase through an environment variable or a file, not both",
                ));
            }
            (Some(var), None) => Some(passphrase_from_env(var)?),
            (None, Some(file)) => Some(passphrase_from_file(file)?),
            (None, None) => None,
        };
        Self::from_file(path, passphrase)
    }

    /// The primary-key fingerprints of the keys loaded (upper-case hex).
    pub fn fingerprints(&self) -> Vec<String> {
        self.primaries.iter().map(Fingerprint::to_hex).collect()
    }

    /// The unlocked secret keys.
    pub(super) fn keypairs(&self) -> &[KeyPair] {
        &self.keys
    }
}

impl fmt::Debug for DecryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecryptionKey")
            .field("fingerprints", &self.fingerprints())
            .finish_non_exhaustive()
    }
}

fn passphrase_from_env(var: &str) -> Result<SecretString, BackupError> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Ok(SecretString::new(v)),
        Ok(_) => Err(BackupError::config(format!(
            "the key passphrase variable {var} is empty"
        ))),
        Err(std::env::VarError::NotPresent) => Err(BackupError::config(format!(
            "the key passphrase variable {var} is not set"
        ))),
        Err(std::env::VarError::NotUnicode(_)) => Err(BackupError::config(format!(
            "the key passphrase variable {var} is not valid UTF-8"
        ))),
    }
}

fn passphrase_from_file(file: &Path) -> Result<SecretString, BackupError> {
    warn_if_shared(file);
    let bytes = read_file(file, "passphrase file")?;
    let text = String::from_utf8(bytes).map_err(|_| {
        BackupError::config(format!(
            "passphrase file {} is not valid UTF-8",
            file.display()
        ))
    })?;
    let text = SecretString::new(text);
    let trimmed = text.expose();
    let trimmed = trimmed
        .strip_suffix("\r\n")
        .or_else(|| trimmed.strip_suffix('\n'))
        .unwrap_or(trimmed);
    if trimmed.is_empty() {
        return Err(BackupError::config(format!(
            "passphrase file {} is empty",
            file.display()
        )));
    }
    Ok(SecretString::new(trimmed))
}

#[cfg(unix)]
fn warn_if_shared(file: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(file)
        && meta.permissions().mode() & 0o077 != 0
    {
        tracing::warn!(
            file = %file.display(),
            mode = format!("{:o}", meta.permissions().mode() & 0o777),
            "the passphrase file is readable by others; `chmod 600` it"
        );
    }
}

#[cfg(not(unix))]
fn warn_if_shared(_file: &Path) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passphrase_file_loses_one_trailing_newline_only() {
        let dir = tempfile::tempdir().expect("temp dir");
        let f = dir.path().join("pw");
        std::fs::write(&f, "  pass phrase \n").expect("write temp file");
        assert_eq!(
            passphrase_from_file(&f).expect("passphrase").expose(),
            "  pass phrase "
        );
        std::fs::write(&f, "x\r\n").expect("write temp file");
        assert_eq!(passphrase_from_file(&f).expect("passphrase").expose(), "x");
        std::fs::write(&f, "\n").expect("write temp file");
        assert!(passphrase_from_file(&f).is_err());
    }

    #[test]
    fn both_sources_is_a_config_error() {
        let err = DecryptionKey::from_env_or_file(
            Path::new("/nonexistent"),
            Some("X"),
            Some(Path::new("/nonexistent-pw")),
        )
        .expect_err("must fail");
        assert_eq!(err.kind(), crate::BackupErrorKind::Config);
    }

    #[test]
    fn unset_variable_is_named() {
        let err = passphrase_from_env("VAULTKIT_TEST_SURELY_UNSET_PASSPHRASE_VAR")
            .expect_err("must fail");
        assert!(
            err.to_string()
                .contains("VAULTKIT_TEST_SURELY_UNSET_PASSPHRASE_VAR")
        );
    }
}
