//! Keys vault-backup generates: gpg and sq decrypt what we encrypt to them.

use std::path::PathBuf;
use std::process::Command;

use vault_backup::{BackupErrorKind, DecryptionKey, Recipients, generate_key};
use vault_core::SecretString;

use super::{Gpg, decrypt_file, encrypt_pattern, is_pattern, run, tool};

const LEN: u64 = 6 * 1024 * 1024 + 123;

#[test]
fn gpg_decrypts_a_snapshot_encrypted_to_a_generated_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let passphrase = "PLANTED-gen-passphrase-0815";
    let key = generate_key(
        "Vault backups <backups@example.com>",
        Some(&SecretString::new(passphrase)),
    )
    .expect("generate key");
    let public = dir.path().join("backups.asc");
    let secret = dir.path().join("backups.key");
    std::fs::write(&public, &key.public_cert).expect("write temp file");
    std::fs::write(&secret, key.secret_key.expose()).expect("write temp file");
    let recipients = Recipients::from_files(&[public]).expect("load recipients");
    assert_eq!(recipients.fingerprints(), vec![key.fingerprint.clone()]);

    let cipher = dir.path().join("snap.pgp");
    encrypt_pattern(&recipients, LEN, &cipher);

    let gpg = Gpg::new();
    gpg.run(
        &[
            "--passphrase-fd",
            "0",
            "--import",
            secret.to_str().expect("UTF-8 temp path"),
        ],
        passphrase.as_bytes(),
    );
    let plain = dir.path().join("snap.gpg-out");
    gpg.decrypt(&cipher, &plain, passphrase);
    assert!(is_pattern(&plain, LEN), "gpg's plaintext differs");

    // And we read our own message with the same passphrase-protected key.
    let ours = DecryptionKey::from_file(&secret, Some(SecretString::new(passphrase)))
        .expect("load decryption key");
    let plain = decrypt_file(&ours, &cipher).expect("decrypt");
    let out = dir.path().join("snap.our-out");
    std::fs::write(&out, plain).expect("write temp file");
    assert!(is_pattern(&out, LEN));
}

#[test]
fn sq_decrypts_a_snapshot_encrypted_to_a_generated_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    // sq 0.27 only asks for a passphrase on a terminal: an unprotected key here.
    let key = generate_key("Vault backups <backups@example.com>", None).expect("generate key");
    let public = dir.path().join("backups.asc");
    let secret = dir.path().join("backups.key");
    std::fs::write(&public, &key.public_cert).expect("write temp file");
    std::fs::write(&secret, key.secret_key.expose()).expect("write temp file");
    let cipher = dir.path().join("snap.pgp");
    encrypt_pattern(
        &Recipients::from_files(&[public]).expect("load recipients"),
        LEN,
        &cipher,
    );

    let plain = dir.path().join("snap.sq-out");
    run(
        Command::new(tool("sq")).args([
            "decrypt",
            "--recipient-key",
            secret.to_str().expect("UTF-8 temp path"),
            "--output",
            plain.to_str().expect("UTF-8 temp path"),
            cipher.to_str().expect("UTF-8 temp path"),
        ]),
        b"",
    );
    assert!(is_pattern(&plain, LEN), "sq's plaintext differs");
}

#[test]
fn generated_certs_advertise_seipdv1_only() {
    let key = generate_key("v1 only", None).expect("generate key");
    let dir = tempfile::tempdir().expect("temp dir");
    let public = dir.path().join("k.asc");
    std::fs::write(&public, &key.public_cert).expect("write temp file");
    let out = Gpg::new().run(
        &["--list-packets", public.to_str().expect("UTF-8 temp path")],
        b"",
    );
    let text = String::from_utf8_lossy(&out.stdout);
    // Features subpacket (RFC 9580 5.2.3.32): 0x01 = SEIPDv1 (MDC), 0x08 = SEIPDv2.
    let features: Vec<&str> = text
        .lines()
        .filter_map(|l| l.split("(features: ").nth(1))
        .collect();
    assert!(!features.is_empty(), "{text}");
    assert!(features.iter().all(|f| f.starts_with("01)")), "{text}");
}

#[test]
fn a_key_file_with_several_keys_decrypts_for_any_of_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let a = generate_key("a", None).expect("generate key");
    let b = generate_key("b", None).expect("generate key");
    let both_secret = dir.path().join("both.key");
    std::fs::write(
        &both_secret,
        format!("{}{}", a.secret_key.expose(), b.secret_key.expose()),
    )
    .expect("write key file");
    let b_public = dir.path().join("b.asc");
    std::fs::write(&b_public, &b.public_cert).expect("write temp file");
    let cipher = dir.path().join("snap.pgp");
    encrypt_pattern(
        &Recipients::from_files(&[b_public]).expect("load recipients"),
        1000,
        &cipher,
    );
    let key = DecryptionKey::from_file(&both_secret, None).expect("load decryption key");
    assert_eq!(key.fingerprints(), vec![a.fingerprint, b.fingerprint]);
    assert_eq!(decrypt_file(&key, &cipher).expect("decrypt").len(), 1000);
}

#[test]
fn a_public_cert_is_not_a_decryption_key_and_a_secret_key_is_a_recipient() {
    let dir = tempfile::tempdir().expect("temp dir");
    let k = generate_key("k", None).expect("generate key");
    let public = dir.path().join("k.asc");
    let secret = dir.path().join("k.key");
    std::fs::write(&public, &k.public_cert).expect("write temp file");
    std::fs::write(&secret, k.secret_key.expose()).expect("write temp file");
    let err = DecryptionKey::from_file(&public, None).expect_err("must fail");
    assert_eq!(err.kind(), BackupErrorKind::Config, "{err}");
    assert!(
        err.to_string().contains("no secret encryption key"),
        "{err}"
    );
    // A secret key file works as a recipient (its public part is used).
    let r = Recipients::from_files(&[PathBuf::from(&secret)]).expect("load recipients");
    assert_eq!(r.fingerprints(), vec![k.fingerprint]);
}
