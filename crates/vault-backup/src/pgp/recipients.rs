//! [`Recipients`]: the certificates a snapshot is encrypted to.

use std::fmt;
use std::path::{Path, PathBuf};

use sequoia_openpgp::Cert;

use super::certs::{describe, fpr, normalize_handle, parse_certs, read_file, unusable_reason};
use crate::BackupError;

/// The OpenPGP certificates a snapshot is encrypted to. Each was checked when loaded: not
/// expired, not revoked, with an encryption-capable subkey. Secret key material that came with a
/// certificate is dropped. `Debug` shows fingerprints only.
///
/// ```no_run
/// # fn main() -> Result<(), vault_backup::BackupError> {
/// use std::path::{Path, PathBuf};
/// use vault_backup::Recipients;
///
/// let from_files = Recipients::from_files(&[PathBuf::from("ops-team.asc")])?;
/// let from_ring = Recipients::from_keyring(
///     Path::new("ring.pgp"),
///     &["C05C 7E4F 0D19 63A1 0A9F  4C8E 1B52 A2F9 8A2C 1E31".to_owned()],
/// )?;
/// println!("{:?} {:?}", from_files.fingerprints(), from_ring);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Recipients {
    certs: Vec<Cert>,
}

impl Recipients {
    /// Loads every certificate in each file (ASCII-armoured or binary, one or many per file).
    ///
    /// Fails with a Config error naming the file and fingerprint when a file holds no
    /// certificate or a certificate cannot be encrypted to (expired, revoked, no encryption
    /// subkey).
    pub fn from_files(paths: &[PathBuf]) -> Result<Self, BackupError> {
        if paths.is_empty() {
            return Err(
                BackupError::config("no recipient certificate file given").with_hint(
                    "pass at least one file exported with `gpg --export --armor FINGERPRINT`",
                ),
            );
        }
        let mut certs = Vec::new();
        for path in paths {
            let bytes = read_file(path, "recipient certificate file")?;
            for cert in parse_certs(&bytes, path)? {
                check_usable(&cert, path)?;
                certs.push(cert);
            }
        }
        Ok(Self::dedup(certs))
    }

    /// Picks certificates out of a keyring file (e.g. `gpg --export > ring.pgp`) by fingerprint
    /// or long key id (of the primary key or a subkey; case-insensitive, spaces ignored).
    ///
    /// A fingerprint the keyring lacks is a Config error listing what the keyring holds.
    pub fn from_keyring(keyring: &Path, fingerprints: &[String]) -> Result<Self, BackupError> {
        if fingerprints.is_empty() {
            return Err(BackupError::config(format!(
                "no recipient fingerprint given for keyring {}",
                keyring.display()
            )));
        }
        let bytes = read_file(keyring, "keyring")?;
        let ring = parse_certs(&bytes, keyring)?;
        let mut certs = Vec::new();
        for wanted in fingerprints {
            let handle = normalize_handle(wanted).ok_or_else(|| {
                BackupError::config(format!(
                    "recipient `{}` is not a fingerprint or long key id",
                    printable(wanted)
                ))
                .with_hint("give 40 hex digits (v4 fingerprint), 64 (v6) or 16 (long key id)")
            })?;
            let cert = ring.iter().find(|c| matches(c, &handle)).ok_or_else(|| {
                let held: Vec<String> = ring.iter().map(describe).collect();
                BackupError::config(format!(
                    "recipient {handle} is not in keyring {}; it holds: {}",
                    keyring.display(),
                    held.join(", ")
                ))
                .with_hint("import the certificate into the keyring, or fix the fingerprint")
            })?;
            check_usable(cert, keyring)?;
            certs.push(cert.clone());
        }
        Ok(Self::dedup(certs))
    }

    /// Loads the certificates of `armored` (ASCII-armoured or binary bytes, e.g. what
    /// [`to_armored`](Self::to_armored) wrote), checked as [`from_files`](Self::from_files)
    /// checks them; `source` names where the bytes came from in errors.
    pub fn from_bytes(bytes: &[u8], source: &str) -> Result<Self, BackupError> {
        let source = Path::new(source);
        let mut certs = Vec::new();
        for cert in parse_certs(bytes, source)? {
            check_usable(&cert, source)?;
            certs.push(cert);
        }
        Ok(Self::dedup(certs))
    }

    /// The certificates (public parts) as one ASCII-armoured text, for storing beside a
    /// schedule so that any machine can encrypt to them.
    pub fn to_armored(&self) -> Result<String, BackupError> {
        use sequoia_openpgp::serialize::SerializeInto;
        let mut out = String::new();
        for cert in &self.certs {
            let bytes = cert.armored().to_vec().map_err(|e| {
                BackupError::config(format!("cannot armour certificate {}: {e}", fpr(cert)))
            })?;
            out.push_str(&String::from_utf8_lossy(&bytes));
        }
        Ok(out)
    }

    /// The primary-key fingerprints (upper-case hex), in the order given.
    pub fn fingerprints(&self) -> Vec<String> {
        self.certs.iter().map(fpr).collect()
    }

    /// The certificates, public parts only.
    pub(super) fn certs(&self) -> &[Cert] {
        &self.certs
    }

    fn dedup(certs: Vec<Cert>) -> Self {
        let mut out: Vec<Cert> = Vec::with_capacity(certs.len());
        for cert in certs {
            let cert = cert.strip_secret_key_material();
            match out
                .iter_mut()
                .find(|c| c.fingerprint() == cert.fingerprint())
            {
                Some(existing) => {
                    // Same key from two sources: keep the union of their signatures.
                    if let Ok(merged) = existing.clone().merge_public(cert) {
                        *existing = merged;
                    }
                }
                None => out.push(cert),
            }
        }
        Recipients { certs: out }
    }
}

impl fmt::Debug for Recipients {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recipients")
            .field("fingerprints", &self.fingerprints())
            .finish()
    }
}

fn check_usable(cert: &Cert, source: &Path) -> Result<(), BackupError> {
    match unusable_reason(cert) {
        None => Ok(()),
        Some(reason) => Err(BackupError::config(format!(
            "cannot encrypt to certificate {} from {}: {reason}",
            fpr(cert),
            source.display()
        ))
        .with_hint("use a current certificate (check it with `gpg --show-keys FILE`)")),
    }
}

fn matches(cert: &Cert, handle: &str) -> bool {
    cert.keys().any(|ka| {
        let key = ka.key();
        key.fingerprint().to_hex() == handle || key.keyid().to_hex() == handle
    })
}

/// What the user typed, safe to echo: printable characters only, at most 80.
fn printable(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(80).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn armoured_recipients_round_trip_and_hold_no_secret() {
        let key = crate::generate_key("Round trip <rt@example.com>", None).expect("key");
        // A secret key given as a recipient keeps only its public part.
        let from_secret =
            Recipients::from_bytes(key.secret_key.expose().as_bytes(), "memory").expect("load");
        let armored = from_secret.to_armored().expect("armour");
        assert!(armored.starts_with("-----BEGIN PGP PUBLIC KEY BLOCK-----"));
        assert!(!armored.contains("PRIVATE KEY"));
        let back = Recipients::from_bytes(armored.as_bytes(), "memory").expect("reload");
        assert_eq!(back.fingerprints(), vec![key.fingerprint.clone()]);
        let err = Recipients::from_bytes(b"garbage", "schedule x").expect_err("not a cert");
        assert!(err.to_string().contains("schedule x"), "{err}");
    }
}
