//! Keys gpg generates: as recipients (from a keyring) and as decryption keys (from
//! `gpg --export-secret-keys`, passphrase-protected).

use std::path::{Path, PathBuf};

use vault_backup::{BackupErrorKind, DecryptionKey, Recipients, generate_key};
use vault_core::SecretString;

use super::{Gpg, decrypt_file, encrypt_pattern, is_pattern, write_pattern};

const PASSPHRASE: &str = "PLANTED-gpg-passphrase-31337";
const LEN: u64 = 3 * 1024 * 1024 + 5;

/// A gpg home with one key of `algo`, its public keyring and its secret key export.
struct GpgKey {
    gpg: Gpg,
    fpr: String,
    ring: PathBuf,
    secret: PathBuf,
    _dir: tempfile::TempDir,
}

fn gpg_key(algo: &str) -> GpgKey {
    let gpg = Gpg::new();
    let fpr = gpg.generate(&format!("Ops {algo} <ops@example.com>"), algo, PASSPHRASE);
    let dir = tempfile::tempdir().expect("temp dir");
    let ring = dir.path().join("ring.pgp");
    let secret = dir.path().join("secret.pgp");
    gpg.run(
        &[
            "--output",
            ring.to_str().expect("UTF-8 temp path"),
            "--export",
            &fpr,
        ],
        b"",
    );
    gpg.run(
        &[
            "--passphrase-fd",
            "0",
            "--output",
            secret.to_str().expect("UTF-8 temp path"),
            "--export-secret-keys",
            &fpr,
        ],
        PASSPHRASE.as_bytes(),
    );
    GpgKey {
        gpg,
        fpr,
        ring,
        secret,
        _dir: dir,
    }
}

fn gpg_encrypt(k: &GpgKey, plain: &Path, out: &Path) {
    k.gpg.run(
        &[
            "--trust-model",
            "always",
            "--recipient",
            &k.fpr,
            "--output",
            out.to_str().expect("UTF-8 temp path"),
            "--encrypt",
            plain.to_str().expect("UTF-8 temp path"),
        ],
        b"",
    );
}

fn both_ways(algo: &str) {
    let k = gpg_key(algo);
    let dir = tempfile::tempdir().expect("temp dir");

    // We encrypt to the gpg key picked from its keyring; gpg decrypts.
    let recipients =
        Recipients::from_keyring(&k.ring, std::slice::from_ref(&k.fpr)).expect("load recipients");
    assert_eq!(recipients.fingerprints(), vec![k.fpr.clone()]);
    let cipher = dir.path().join("ours.pgp");
    encrypt_pattern(&recipients, LEN, &cipher);
    let plain = dir.path().join("ours.plain");
    k.gpg.decrypt(&cipher, &plain, PASSPHRASE);
    assert!(is_pattern(&plain, LEN), "{algo}: gpg's plaintext differs");

    // gpg encrypts; we decrypt with its exported, passphrase-protected secret key.
    let source = dir.path().join("theirs.plain");
    write_pattern(&source, LEN);
    let cipher = dir.path().join("theirs.pgp");
    gpg_encrypt(&k, &source, &cipher);
    let key = DecryptionKey::from_file(&k.secret, Some(SecretString::new(PASSPHRASE)))
        .expect("load decryption key");
    assert_eq!(key.fingerprints(), vec![k.fpr.clone()]);
    let out = dir.path().join("theirs.out");
    std::fs::write(&out, decrypt_file(&key, &cipher).expect("decrypt")).expect("write temp file");
    assert!(is_pattern(&out, LEN), "{algo}: our plaintext differs");
}

#[test]
fn gpg_default_rsa_key_works_both_ways() {
    both_ways("default");
}

#[test]
fn gpg_future_default_curve25519_key_works_both_ways() {
    both_ways("future-default");
}

#[test]
fn keyring_lookup_by_key_id_any_case_with_spaces_and_missing_ones_listed() {
    let k = gpg_key("future-default");
    let long_id = k.fpr[k.fpr.len() - 16..].to_ascii_lowercase();
    let spaced = format!("{} {}", &long_id[..8], &long_id[8..]);
    let r = Recipients::from_keyring(&k.ring, &[spaced]).expect("load recipients");
    assert_eq!(r.fingerprints(), vec![k.fpr.clone()]);
    assert!(format!("{r:?}").contains(&k.fpr));

    let absent = "0123456789ABCDEF0123456789ABCDEF01234567".to_owned();
    let err =
        Recipients::from_keyring(&k.ring, std::slice::from_ref(&absent)).expect_err("must fail");
    assert_eq!(err.kind(), BackupErrorKind::Config);
    let msg = err.to_string();
    assert!(msg.contains(&absent), "{msg}");
    assert!(msg.contains(&k.fpr), "lists what the keyring holds: {msg}");
    assert!(msg.contains("ops@example.com"), "{msg}");

    let err = Recipients::from_keyring(&k.ring, &["not-hex".to_owned()]).expect_err("must fail");
    assert!(err.to_string().contains("not a fingerprint"), "{err}");
}

#[test]
fn wrong_passphrase_is_a_crypto_error_that_never_shows_the_passphrase() {
    let k = gpg_key("future-default");
    let planted = "PLANTED-wrong-passphrase-2718";
    let dir = tempfile::tempdir().expect("temp dir");
    let pw_file = dir.path().join("pw");
    std::fs::write(&pw_file, format!("{planted}\n")).expect("write temp file");
    let err =
        DecryptionKey::from_env_or_file(&k.secret, None, Some(&pw_file)).expect_err("must fail");
    assert_eq!(err.kind(), BackupErrorKind::Crypto);
    assert!(err.to_string().contains("wrong passphrase"), "{err}");
    assert!(err.to_string().contains(&k.fpr), "{err}");
    for text in [err.to_string(), format!("{err:?}")] {
        assert!(
            !text.contains(planted) && !text.contains(PASSPHRASE),
            "{text}"
        );
    }
    // The right passphrase from a file works, and Debug shows the fingerprint only.
    std::fs::write(&pw_file, format!("{PASSPHRASE}\n")).expect("write temp file");
    let key = DecryptionKey::from_env_or_file(&k.secret, None, Some(&pw_file))
        .expect("load decryption key");
    let debug = format!("{key:?}");
    assert!(
        debug.contains(&k.fpr) && !debug.contains(PASSPHRASE),
        "{debug}"
    );
}

#[test]
fn a_gpg_message_to_another_key_and_a_tampered_one_are_refused_clearly() {
    let k = gpg_key("future-default");
    let dir = tempfile::tempdir().expect("temp dir");
    let source = dir.path().join("plain");
    write_pattern(&source, 200_000);
    let cipher = dir.path().join("c.pgp");
    gpg_encrypt(&k, &source, &cipher);

    let other = generate_key("other", None).expect("generate key");
    let other_file = dir.path().join("other.key");
    std::fs::write(&other_file, other.secret_key.expose()).expect("write temp file");
    let other = DecryptionKey::from_file(&other_file, None).expect("load decryption key");
    let err = decrypt_file(&other, &cipher).expect_err("must fail");
    assert_eq!(err.kind(), BackupErrorKind::Crypto, "{err}");
    let msg = err.to_string();
    assert!(msg.contains("this snapshot is encrypted to"), "{msg}");
    assert!(msg.contains(&other.fingerprints()[0]), "{msg}");

    let mut bytes = std::fs::read(&cipher).expect("read temp file");
    let at = bytes.len() - 5_000;
    bytes[at] ^= 0x40;
    let tampered = dir.path().join("t.pgp");
    std::fs::write(&tampered, &bytes).expect("write temp file");
    let key = DecryptionKey::from_file(&k.secret, Some(SecretString::new(PASSPHRASE)))
        .expect("load decryption key");
    let err = decrypt_file(&key, &tampered).expect_err("must fail");
    assert!(
        matches!(
            err.kind(),
            BackupErrorKind::Integrity | BackupErrorKind::Crypto
        ),
        "{err}"
    );
}

#[test]
fn expired_revoked_and_sign_only_certs_are_rejected_with_the_reason() {
    let gpg = Gpg::new();
    let dir = tempfile::tempdir().expect("temp dir");
    let export = |fpr: &str, name: &str| {
        let p = dir.path().join(name);
        gpg.run(
            &[
                "--armor",
                "--output",
                p.to_str().expect("UTF-8 temp path"),
                "--export",
                fpr,
            ],
            b"",
        );
        p
    };

    // Expired: made in 2020, valid for one day.
    gpg.run(
        &[
            "--faked-system-time",
            "20200101T000000!",
            "--passphrase",
            "",
            "--quick-gen-key",
            "expired <e@example.com>",
            "future-default",
            "default",
            "1d",
        ],
        b"",
    );
    let expired = gpg.fingerprint("expired");
    let err = Recipients::from_files(&[export(&expired, "expired.asc")]).expect_err("must fail");
    assert!(err.to_string().contains(&expired), "{err}");
    assert!(err.to_string().contains("expired"), "{err}");

    // Revoked with the revocation certificate gpg stored at generation.
    let revoked = gpg.generate("revoked <r@example.com>", "future-default", "x");
    let rev = gpg
        .home_path()
        .join("openpgp-revocs.d")
        .join(format!("{revoked}.rev"));
    let rev_text = std::fs::read_to_string(&rev)
        .expect("gpg stored a revocation certificate")
        .replace(":-----BEGIN", "-----BEGIN");
    let rev_file = dir.path().join("rev.asc");
    std::fs::write(&rev_file, rev_text).expect("write temp file");
    gpg.import(&rev_file);
    let err = Recipients::from_files(&[export(&revoked, "revoked.asc")]).expect_err("must fail");
    assert!(err.to_string().contains(&revoked), "{err}");
    assert!(err.to_string().contains("revoked"), "{err}");

    // Sign-only: no encryption subkey.
    let signer = gpg.generate("signer <s@example.com>", "ed25519", "x");
    let err = Recipients::from_files(&[export(&signer, "signer.asc")]).expect_err("must fail");
    assert!(err.to_string().contains(&signer), "{err}");
    assert!(
        err.to_string().contains("no encryption-capable subkey"),
        "{err}"
    );
}
