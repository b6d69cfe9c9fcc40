//! [`generate_key`]: a new OpenPGP key pair for snapshot encryption.

use std::fmt;

use sequoia_openpgp as openpgp;

use openpgp::Profile;
use openpgp::cert::{CertBuilder, CipherSuite};
use openpgp::crypto::Password;
use openpgp::packet::UserID;
use openpgp::serialize::SerializeInto;
use openpgp::types::Features;
use vault_core::SecretString;

use super::certs::crypto;
use crate::BackupError;

/// A freshly generated key pair: the armoured public certificate (give it to whoever encrypts
/// snapshots) and the armoured secret key (keep it offline; it decrypts them). `Debug` shows
/// the fingerprint only.
#[derive(Clone)]
pub struct GeneratedKey {
    /// Primary-key fingerprint, upper-case hex.
    pub fingerprint: String,
    /// The public certificate, ASCII-armoured.
    pub public_cert: String,
    /// The secret key (transferable secret key), ASCII-armoured; passphrase-protected when one
    /// was given.
    pub secret_key: SecretString,
}

impl fmt::Debug for GeneratedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GeneratedKey")
            .field("fingerprint", &self.fingerprint)
            .finish_non_exhaustive()
    }
}

/// Generates an OpenPGP v4 key (Curve25519: a certification primary key, a signing subkey and
/// an encryption subkey) for `user_id`, without expiry, whose certificate advertises SEIPDv1
/// only, so that messages to it stay readable by gpg 2.2 and sq 0.27. With a passphrase the
/// secret key material is protected by it.
///
/// ```
/// # fn main() -> Result<(), vault_backup::BackupError> {
/// let key = vault_backup::generate_key("Vault backups <ops@example.com>", None)?;
/// assert!(key.public_cert.starts_with("-----BEGIN PGP PUBLIC KEY BLOCK-----"));
/// # Ok(()) }
/// ```
pub fn generate_key(
    user_id: &str,
    passphrase: Option<&SecretString>,
) -> Result<GeneratedKey, BackupError> {
    if user_id.trim().is_empty() || user_id.chars().any(char::is_control) {
        return Err(BackupError::config(
            "the key's user id must be non-empty printable text, e.g. `Vault backups <ops@example.com>`",
        ));
    }
    let fail = |e: openpgp::anyhow::Error| crypto(format!("generating the key failed: {e:#}"));
    let builder = CertBuilder::general_purpose(Some(UserID::from(user_id)))
        .set_cipher_suite(CipherSuite::Cv25519)
        .set_profile(Profile::RFC4880)
        .map_err(fail)?
        .set_validity_period(None)
        .set_features(Features::empty().set_seipdv1())
        .map_err(fail)?
        .set_password(passphrase.map(|p| Password::from(p.expose())));
    let (cert, _revocation) = builder.generate().map_err(fail)?;
    let public_cert = cert
        .armored()
        .to_vec()
        .map_err(fail)
        .and_then(|v| String::from_utf8(v).map_err(|e| crypto(e.to_string())))?;
    let secret_key = cert
        .as_tsk()
        .armored()
        .to_vec()
        .map_err(fail)
        .and_then(|v| String::from_utf8(v).map_err(|_| crypto("armoured key is not UTF-8")))?;
    Ok(GeneratedKey {
        fingerprint: cert.fingerprint().to_hex(),
        public_cert,
        secret_key: SecretString::new(secret_key),
    })
}
