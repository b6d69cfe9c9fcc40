//! [`decrypt_from`]: a streaming OpenPGP decryptor with a bounded buffer.

use std::io::{self, Read};

use sequoia_openpgp as openpgp;

use openpgp::crypto::{KeyPair, SessionKey};
use openpgp::packet::{PKESK, SKESK};
use openpgp::parse::Parse;
use openpgp::parse::stream::{
    DecryptionHelper, DecryptorBuilder, MessageLayer, MessageStructure, VerificationHelper,
};
use openpgp::types::SymmetricAlgorithm;
use openpgp::{Cert, KeyHandle};

use super::DecryptionKey;
use super::certs::{crypto, policy};
use crate::{BackupError, BackupErrorKind};

/// How much plaintext the decryptor holds back before handing it out (sequoia's default of
/// 25 MiB would cost ~170 MB of RSS per stream).
const BUFFER: usize = 1 << 20;

/// Decrypts an OpenPGP message read from `source` with `key`, streaming.
///
/// Fails at once with a Crypto error naming the message's recipients when `key` is not one of
/// them. Plaintext is handed out as it is decrypted, so damage in the ciphertext (a modified or
/// truncated message, caught by the modification detection code) shows up as an error from
/// `read` at the end of the stream: a reader that sees an error must discard everything it
/// read. Such read errors carry a [`BackupError`] (Integrity or Crypto kind), reachable with
/// `io::Error::get_ref` and `downcast_ref`. Callers verifying snapshots also compare the
/// plaintext's SHA-256 with the catalog, which catches what OpenPGP cannot (a different, intact
/// message encrypted to the same key).
///
/// A message that is not encrypted at all is refused (Integrity), as is one that is
/// encrypted only with a password.
pub fn decrypt_from<'a>(
    key: &DecryptionKey,
    source: impl Read + Send + Sync + 'a,
) -> Result<Box<dyn Read + Send + Sync + 'a>, BackupError> {
    let helper = Helper {
        keys: key.keypairs().to_vec(),
        fingerprints: key.fingerprints(),
    };
    let decryptor = DecryptorBuilder::from_reader(source)
        .map_err(|e| classify(e.downcast_ref(), &format!("{e:#}"), "reading the snapshot"))?
        .buffer_size(BUFFER)
        .with_policy(policy(), None, helper)
        .map_err(|e| match e.downcast::<BackupError>() {
            Ok(ours) => ours,
            Err(e) => classify(
                e.downcast_ref(),
                &format!("{e:#}"),
                "decrypting the snapshot",
            ),
        })?;
    Ok(Box::new(Reader { inner: decryptor }))
}

/// Maps a sequoia failure to our error; `text` is its message (no secret in it).
fn classify(e: Option<&openpgp::Error>, text: &str, doing: &str) -> BackupError {
    match e {
        Some(openpgp::Error::ManipulatedMessage) => BackupError::integrity(format!(
            "{doing} failed: the ciphertext was modified or truncated \
             (modification detection code mismatch); discard any plaintext read"
        ))
        .with_hint("fetch the snapshot again or use another copy"),
        Some(openpgp::Error::MalformedMessage(_) | openpgp::Error::MalformedPacket(_)) => {
            BackupError::integrity(format!(
                "{doing} failed: not a well-formed OpenPGP message ({text}); discard any \
                 plaintext read"
            ))
        }
        _ => BackupError::new(BackupErrorKind::Crypto, format!("{doing} failed: {text}")),
    }
}

/// The plaintext stream; turns decryption failures into [`BackupError`]s inside `io::Error`.
struct Reader<R> {
    inner: R,
}

impl<R: Read> Read for Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf).map_err(|e| {
            // sequoia wraps its errors in io::Error; look inside for the OpenPGP reason.
            let kind = e.kind();
            let err = match e.into_inner() {
                Some(inner) => match inner.downcast::<BackupError>() {
                    Ok(ours) => *ours,
                    Err(inner) => classify_boxed(inner),
                },
                None => BackupError::new(
                    BackupErrorKind::Io,
                    format!("reading the encrypted snapshot failed: {kind}"),
                ),
            };
            io::Error::other(err)
        })
    }
}

fn classify_boxed(inner: Box<dyn std::error::Error + Send + Sync>) -> BackupError {
    let chain = std::iter::successors(Some(&*inner as &dyn std::error::Error), |e| e.source());
    let pgp = chain
        .filter_map(|e| e.downcast_ref::<openpgp::Error>())
        .next();
    let mut err = classify(pgp, &inner.to_string(), "decrypting the snapshot");
    if err.kind() == BackupErrorKind::Crypto {
        // Failing mid-stream is damage in the message, whatever sequoia calls it.
        err = BackupError::integrity(format!("{}; discard any plaintext read", err.message()));
    }
    err
}

/// Answers sequoia's questions: which session key (tries every PKESK with every key of ours)
/// and whether the message structure is acceptable (it must be encrypted).
struct Helper {
    keys: Vec<KeyPair>,
    fingerprints: Vec<String>,
}

impl VerificationHelper for Helper {
    fn get_certs(&mut self, _ids: &[KeyHandle]) -> openpgp::Result<Vec<Cert>> {
        // Snapshots are not signed; their integrity is the MDC plus the catalog's SHA-256.
        Ok(Vec::new())
    }

    fn check(&mut self, structure: MessageStructure<'_>) -> openpgp::Result<()> {
        let encrypted = structure
            .into_iter()
            .any(|layer| matches!(layer, MessageLayer::Encryption { .. }));
        if encrypted {
            Ok(())
        } else {
            Err(BackupError::integrity(
                "the snapshot is not encrypted; refusing a plaintext OpenPGP message",
            )
            .into())
        }
    }
}

impl DecryptionHelper for Helper {
    fn decrypt(
        &mut self,
        pkesks: &[PKESK],
        skesks: &[SKESK],
        sym_algo: Option<SymmetricAlgorithm>,
        decrypt: &mut dyn FnMut(Option<SymmetricAlgorithm>, &SessionKey) -> bool,
    ) -> openpgp::Result<Option<Cert>> {
        for pkesk in pkesks {
            let recipient = pkesk.recipient();
            for pair in &mut self.keys {
                let ours = match &recipient {
                    // A hidden recipient (wildcard key id): try every key.
                    None => true,
                    Some(h) => h.aliases(KeyHandle::from(pair.public().fingerprint())),
                };
                if !ours {
                    continue;
                }
                if let Some((algo, sk)) = pkesk.decrypt(pair, sym_algo)
                    && decrypt(algo, &sk)
                {
                    return Ok(None);
                }
            }
        }
        let mut to: Vec<String> = pkesks
            .iter()
            .map(|p| match p.recipient() {
                Some(h) => h.to_hex(),
                None => "a hidden recipient".to_owned(),
            })
            .collect();
        if !skesks.is_empty() {
            to.push("a password".to_owned());
        }
        let to = if to.is_empty() {
            "nobody".to_owned()
        } else {
            to.join(", ")
        };
        Err(crypto(format!(
            "this snapshot is encrypted to {to}; the key {} is not one of them",
            self.fingerprints.join(", ")
        ))
        .with_hint("use the secret key of one of the recipients the snapshot was made for")
        .into())
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::pgp::{Recipients, encrypt_to, generate_key};
    use vault_core::SecretString;

    /// A generated key written to `dir`: (recipients, decryption key).
    fn key_in(dir: &Path, name: &str, pass: Option<&str>) -> (Recipients, DecryptionKey) {
        let pass = pass.map(SecretString::new);
        let key = generate_key(&format!("{name} <{name}@example.com>"), pass.as_ref())
            .expect("generate key");
        let public = dir.join(format!("{name}.asc"));
        let secret = dir.join(format!("{name}.key"));
        std::fs::write(&public, &key.public_cert).expect("write temp file");
        std::fs::write(&secret, key.secret_key.expose()).expect("write temp file");
        (
            Recipients::from_files(&[PathBuf::from(&public)]).expect("load recipients"),
            DecryptionKey::from_file(&secret, pass).expect("load decryption key"),
        )
    }

    fn encrypt(recipients: &Recipients, plain: &[u8]) -> Vec<u8> {
        let (tx, rx) = std::sync::mpsc::channel::<Vec<u8>>();
        struct Sink(std::sync::Mutex<std::sync::mpsc::Sender<Vec<u8>>>);
        impl Write for Sink {
            fn write(&mut self, b: &[u8]) -> io::Result<usize> {
                let _ = self.0.lock().expect("lock").send(b.to_vec());
                Ok(b.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let mut w =
            encrypt_to(recipients, Sink(std::sync::Mutex::new(tx))).expect("start encryption");
        w.write_all(plain).expect("write");
        w.finish().expect("finish encryption");
        rx.try_iter().flatten().collect()
    }

    fn decrypt_all(key: &DecryptionKey, cipher: &[u8]) -> Result<Vec<u8>, BackupError> {
        let mut r = decrypt_from(key, io::Cursor::new(cipher.to_vec()))?;
        let mut out = Vec::new();
        match r.read_to_end(&mut out) {
            Ok(_) => Ok(out),
            Err(e) => Err(e
                .into_inner()
                .and_then(|i| i.downcast::<BackupError>().ok())
                .map(|b| *b)
                .expect("read errors carry a BackupError")),
        }
    }

    fn plaintext(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 31 % 251) as u8).collect()
    }

    #[test]
    fn round_trip_small_and_larger_than_the_buffer() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (recipients, key) = key_in(dir.path(), "alice", Some("correct horse"));
        for len in [0, 10, 3 * BUFFER + 17] {
            let plain = plaintext(len);
            let cipher = encrypt(&recipients, &plain);
            assert_eq!(
                decrypt_all(&key, &cipher).expect("decrypt"),
                plain,
                "len {len}"
            );
        }
    }

    #[test]
    fn wrong_key_names_the_recipients_and_the_key() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (alice, _) = key_in(dir.path(), "alice", None);
        let (_, bob) = key_in(dir.path(), "bob", None);
        let cipher = encrypt(&alice, b"secret snapshot");
        let err = decrypt_all(&bob, &cipher).expect_err("must fail");
        assert_eq!(err.kind(), BackupErrorKind::Crypto, "{err}");
        let msg = err.to_string();
        assert!(msg.contains("this snapshot is encrypted to"), "{msg}");
        assert!(msg.contains(&bob.fingerprints()[0]), "{msg}");
        assert!(msg.contains("is not one of them"), "{msg}");
    }

    #[test]
    fn every_recipient_can_decrypt_and_later_pkesks_are_tried() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (alice, alice_key) = key_in(dir.path(), "alice", None);
        let (bob, bob_key) = key_in(dir.path(), "bob", None);
        let both =
            Recipients::from_files(&[dir.path().join("alice.asc"), dir.path().join("bob.asc")])
                .expect("load recipients");
        assert_eq!(
            both.fingerprints(),
            [alice.fingerprints(), bob.fingerprints()].concat()
        );
        let cipher = encrypt(&both, b"for both");
        assert_eq!(
            decrypt_all(&alice_key, &cipher).expect("decrypt"),
            b"for both"
        );
        // Bob's PKESK comes second: he must not stop at the first one.
        assert_eq!(
            decrypt_all(&bob_key, &cipher).expect("decrypt"),
            b"for both"
        );
    }

    #[test]
    fn tampering_and_truncation_are_integrity_errors() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (recipients, key) = key_in(dir.path(), "alice", None);
        for len in [1000, 3 * BUFFER] {
            let plain = plaintext(len);
            let cipher = encrypt(&recipients, &plain);
            let mut flipped = cipher.clone();
            let at = flipped.len() - len / 2;
            flipped[at] ^= 0x01;
            let err = decrypt_all(&key, &flipped).expect_err("must fail");
            assert_eq!(err.kind(), BackupErrorKind::Integrity, "len {len}: {err}");
            let truncated = &cipher[..cipher.len() - 30];
            let err = decrypt_all(&key, truncated).expect_err("must fail");
            assert_eq!(err.kind(), BackupErrorKind::Integrity, "len {len}: {err}");
        }
    }

    #[test]
    fn a_writer_dropped_without_finish_is_not_a_valid_message() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (recipients, key) = key_in(dir.path(), "alice", None);
        let out = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        struct Shared(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
        impl Write for Shared {
            fn write(&mut self, b: &[u8]) -> io::Result<usize> {
                self.0.lock().expect("lock").extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let mut w = encrypt_to(&recipients, Shared(out.clone())).expect("start encryption");
        w.write_all(&plaintext(2 * BUFFER)).expect("write");
        drop(w);
        let cipher = out.lock().expect("lock").clone();
        assert!(!cipher.is_empty());
        assert!(decrypt_all(&key, &cipher).is_err());
    }

    #[test]
    fn finish_flushes_a_sink_that_only_commits_on_flush() {
        use std::sync::{Arc, Mutex};
        /// Keeps writes pending until `flush`, and drops them when dropped unflushed.
        struct Staged {
            pending: Vec<u8>,
            committed: Arc<Mutex<Vec<u8>>>,
        }
        impl Write for Staged {
            fn write(&mut self, b: &[u8]) -> io::Result<usize> {
                self.pending.extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                let mut c = self.committed.lock().expect("lock");
                c.append(&mut self.pending);
                Ok(())
            }
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let (recipients, key) = key_in(dir.path(), "alice", None);
        let committed = Arc::new(Mutex::new(Vec::new()));
        let sink = Staged {
            pending: Vec::new(),
            committed: committed.clone(),
        };
        let mut w = encrypt_to(&recipients, sink).expect("start encryption");
        w.write_all(b"every last byte").expect("write");
        w.finish().expect("finish encryption");
        let cipher = committed.lock().expect("lock").clone();
        assert_eq!(
            decrypt_all(&key, &cipher).expect("decrypt"),
            b"every last byte"
        );
    }

    #[test]
    fn a_plaintext_message_is_refused() {
        use openpgp::serialize::stream::{LiteralWriter, Message};
        let dir = tempfile::tempdir().expect("temp dir");
        let (_, key) = key_in(dir.path(), "alice", None);
        let mut sink = Vec::new();
        let mut w = LiteralWriter::new(Message::new(&mut sink))
            .build()
            .expect("literal writer");
        w.write_all(b"forged snapshot").expect("write");
        w.finalize().expect("finish message");
        let err = decrypt_all(&key, &sink).expect_err("must fail");
        assert_eq!(err.kind(), BackupErrorKind::Integrity, "{err}");
        assert!(err.to_string().contains("not encrypted"), "{err}");
    }

    #[test]
    fn wrong_or_missing_passphrase_is_a_crypto_error_without_the_passphrase() {
        let dir = tempfile::tempdir().expect("temp dir");
        let planted = "PLANTED-passphrase-4711";
        let key = generate_key("carol", Some(&SecretString::new(planted))).expect("generate key");
        assert!(!format!("{key:?}").contains("PRIVATE KEY"));
        let secret = dir.path().join("carol.key");
        std::fs::write(&secret, key.secret_key.expose()).expect("write temp file");
        let wrong = DecryptionKey::from_file(&secret, Some(SecretString::new("nope")))
            .expect_err("must fail");
        assert_eq!(wrong.kind(), BackupErrorKind::Crypto);
        assert!(wrong.to_string().contains("wrong passphrase"), "{wrong}");
        let missing = DecryptionKey::from_file(&secret, None).expect_err("must fail");
        assert!(
            missing.to_string().contains("no passphrase was given"),
            "{missing}"
        );
        let ok = DecryptionKey::from_file(&secret, Some(SecretString::new(planted)))
            .expect("load decryption key");
        for text in [
            format!("{wrong} {wrong:?} {missing} {missing:?}"),
            format!("{ok:?}"),
        ] {
            assert!(!text.contains(planted), "{text}");
        }
        assert!(format!("{ok:?}").contains(&key.fingerprint));
    }
}
