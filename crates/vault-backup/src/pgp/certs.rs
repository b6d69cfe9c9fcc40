//! Helpers shared by the OpenPGP modules: the policy, certificate parsing, key selection and
//! the errors sequoia's failures become.

use std::path::Path;

use sequoia_openpgp as openpgp;

use openpgp::Cert;
use openpgp::cert::CertParser;
use openpgp::parse::Parse;
use openpgp::policy::{Policy, StandardPolicy};
use openpgp::types::RevocationStatus;

use crate::{BackupError, BackupErrorKind};

/// The policy every certificate and message is judged by (sequoia's standard policy).
pub(super) static POLICY: StandardPolicy<'static> = StandardPolicy::new();

/// The policy as the trait object sequoia's builders take.
pub(super) fn policy() -> &'static dyn Policy {
    &POLICY
}

/// A Crypto error.
pub(super) fn crypto(message: impl Into<String>) -> BackupError {
    BackupError::new(BackupErrorKind::Crypto, message)
}

/// Reads a file into memory (certificates and keys are small).
pub(super) fn read_file(path: &Path, what: &str) -> Result<Vec<u8>, BackupError> {
    std::fs::read(path).map_err(|e| {
        BackupError::new(
            BackupErrorKind::Io,
            format!("reading {what} {}: {e}", path.display()),
        )
        .with_source(e)
    })
}

/// Parses every certificate (ASCII-armoured or binary, one or many) in `bytes`.
pub(super) fn parse_certs(bytes: &[u8], source: &Path) -> Result<Vec<Cert>, BackupError> {
    let parser = CertParser::from_bytes(bytes).map_err(|e| {
        BackupError::config(format!(
            "{} holds no OpenPGP certificate: {e}",
            source.display()
        ))
    })?;
    let mut certs = Vec::new();
    for (i, cert) in parser.enumerate() {
        let cert = cert.map_err(|e| {
            BackupError::config(format!(
                "certificate #{} in {} cannot be read: {e}",
                i + 1,
                source.display()
            ))
        })?;
        certs.push(cert);
    }
    if certs.is_empty() {
        return Err(BackupError::config(format!(
            "{} holds no OpenPGP certificate",
            source.display()
        ))
        .with_hint("export one with `gpg --export FINGERPRINT > cert.pgp`"));
    }
    Ok(certs)
}

/// A certificate's fingerprint as upper-case hex without spaces.
pub(super) fn fpr(cert: &Cert) -> String {
    cert.fingerprint().to_hex()
}

/// `FINGERPRINT <first user id>` for messages listing certificates (user ids are public).
pub(super) fn describe(cert: &Cert) -> String {
    match cert.userids().next() {
        Some(uid) => {
            let uid = String::from_utf8_lossy(uid.userid().value());
            let uid: String = uid.chars().filter(|c| !c.is_control()).take(80).collect();
            format!("{} <{}>", fpr(cert), uid.trim_matches(['<', '>']))
        }
        None => fpr(cert),
    }
}

/// Why `cert` cannot be encrypted to now, or `None` when it has a usable encryption subkey.
pub(super) fn unusable_reason(cert: &Cert) -> Option<String> {
    let vc = match cert.with_policy(policy(), None) {
        Ok(vc) => vc,
        Err(e) => return Some(format!("it is not valid under the standard policy: {e}")),
    };
    if let RevocationStatus::Revoked(_) = vc.revocation_status() {
        return Some("it is revoked".to_owned());
    }
    if let Err(e) = vc.alive() {
        return Some(format!("it is expired or not yet valid: {e}"));
    }
    if vc
        .keys()
        .supported()
        .alive()
        .revoked(false)
        .for_storage_encryption()
        .next()
        .is_none()
        && vc
            .keys()
            .supported()
            .alive()
            .revoked(false)
            .for_transport_encryption()
            .next()
            .is_none()
    {
        return Some(
            "it has no encryption-capable subkey that is alive and not revoked".to_owned(),
        );
    }
    None
}

/// Normalises a fingerprint or key id a user typed: spaces and a `0x` prefix removed, upper case.
/// Returns `None` unless it is 16 (long key id), 40 (v4) or 64 (v6) hex digits.
pub(super) fn normalize_handle(input: &str) -> Option<String> {
    let s: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    let s = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .unwrap_or(&s)
        .to_ascii_uppercase();
    let hex = s.chars().all(|c| c.is_ascii_hexdigit());
    (hex && matches!(s.len(), 16 | 40 | 64)).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_normalised() {
        assert_eq!(
            normalize_handle("0xabcd 1234 ABCD 1234").as_deref(),
            Some("ABCD1234ABCD1234")
        );
        let v4 = "C05C 7E4F 0D19 63A1 0A9F  4C8E 1B52 A2F9 8A2C 1E31";
        assert_eq!(normalize_handle(v4).map(|s| s.len()), Some(40));
        assert_eq!(normalize_handle("ABCD"), None);
        assert_eq!(normalize_handle("ZZCD1234ABCD1234"), None);
        assert_eq!(normalize_handle(""), None);
    }

    #[test]
    fn garbage_is_a_config_error_naming_the_file() {
        let err = parse_certs(b"not a key", Path::new("/x/ring.pgp")).expect_err("must fail");
        assert_eq!(err.kind(), BackupErrorKind::Config);
        assert!(err.to_string().contains("/x/ring.pgp"), "{err}");
    }
}
