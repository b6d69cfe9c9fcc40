//! [`encrypt_to`]: a streaming OpenPGP encryptor over any `Write`.

use std::fmt;
use std::io::{self, Write};
use std::sync::{Arc, Mutex};

use sequoia_openpgp as openpgp;

use openpgp::Packet;
use openpgp::crypto::SessionKey;
use openpgp::packet::PKESK;
use openpgp::packet::pkesk::PKESK3;
use openpgp::serialize::Serialize;
use openpgp::serialize::stream::{Encryptor, LiteralWriter, Message};
use openpgp::types::SymmetricAlgorithm;

use super::Recipients;
use super::certs::{crypto, fpr, policy};
use crate::BackupError;

/// The cipher of every message (what gpg and sq pick for current certificates).
const CIPHER: SymmetricAlgorithm = SymmetricAlgorithm::AES256;

/// Encrypts what is written to it for a set of [`Recipients`]. Call [`EncryptWriter::finish`]
/// at the end: a writer dropped without it leaves a truncated message that every OpenPGP
/// implementation rejects (no modification detection code).
pub struct EncryptWriter {
    inner: Message<'static>,
    /// The sink, shared with the bottom of `inner`: sequoia drops its end when the message is
    /// finalized without flushing it, so `finish` flushes it through this handle.
    sink: Arc<Mutex<dyn Write + Send>>,
}

/// The message's end of the shared sink.
struct SharedSink<W>(Arc<Mutex<W>>);

impl<W: Write> Write for SharedSink<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| io::Error::other("the encrypted snapshot's sink was poisoned"))?
            .write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0
            .lock()
            .map_err(|_| io::Error::other("the encrypted snapshot's sink was poisoned"))?
            .flush()
    }
}

impl fmt::Debug for EncryptWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EncryptWriter").finish_non_exhaustive()
    }
}

impl Write for EncryptWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl EncryptWriter {
    /// Writes the modification detection code, closes every OpenPGP layer and flushes the sink.
    pub fn finish(self) -> Result<(), BackupError> {
        self.inner
            .finalize()
            .map_err(|e| crypto(format!("finishing the encrypted snapshot failed: {e:#}")))?;
        self.sink
            .lock()
            .map_err(|_| crypto("the encrypted snapshot's sink was poisoned"))?
            .flush()
            .map_err(|e| {
                BackupError::new(
                    crate::BackupErrorKind::Io,
                    format!("flushing the encrypted snapshot failed: {e}"),
                )
                .with_source(e)
            })
    }
}

/// Starts a binary OpenPGP message (SEIPDv1 with MDC, AES-256) to every encryption-capable,
/// live subkey of `recipients`, written to `sink`.
///
/// The session key is wrapped for each recipient up front; plaintext written to the returned
/// [`EncryptWriter`] is encrypted as it streams, so memory use does not grow with the size.
///
/// ```no_run
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::io::Write;
/// use vault_backup::{Recipients, encrypt_to};
///
/// let recipients = Recipients::from_files(&["ops.asc".into()])?;
/// let mut w = encrypt_to(&recipients, std::fs::File::create("snap.tar.gz.pgp")?)?;
/// w.write_all(b"snapshot bytes")?;
/// w.finish()?;
/// # Ok(()) }
/// ```
pub fn encrypt_to(
    recipients: &Recipients,
    sink: impl Write + Send + Sync + 'static,
) -> Result<EncryptWriter, BackupError> {
    if recipients.certs().is_empty() {
        return Err(BackupError::config(
            "no recipient to encrypt the snapshot to",
        ));
    }
    let key_size = CIPHER.key_size().map_err(|e| crypto(format!("{e:#}")))?;
    let session_key = SessionKey::new(key_size)
        .map_err(|e| crypto(format!("generating a session key failed: {e:#}")))?;
    let sink = Arc::new(Mutex::new(sink));
    let shared: Arc<Mutex<dyn Write + Send>> = sink.clone();
    let mut message = Message::new(SharedSink(sink));
    for cert in recipients.certs() {
        let vc = cert.with_policy(policy(), None).map_err(|e| {
            crypto(format!(
                "certificate {} is no longer valid: {e:#}",
                fpr(cert)
            ))
        })?;
        let mut wrapped = 0;
        for ka in vc.keys().supported().alive().revoked(false) {
            let flags = ka
                .key_flags()
                .unwrap_or_else(openpgp::types::KeyFlags::empty);
            if !(flags.for_storage_encryption() || flags.for_transport_encryption()) {
                continue;
            }
            let pkesk = PKESK3::for_recipient(CIPHER, &session_key, ka.key()).map_err(|e| {
                crypto(format!(
                    "encrypting the session key to {} (subkey {}) failed: {e:#}",
                    fpr(cert),
                    ka.key().fingerprint().to_hex()
                ))
            })?;
            Packet::from(PKESK::from(pkesk))
                .serialize(&mut message)
                .map_err(|e| crypto(format!("writing the encrypted message failed: {e:#}")))?;
            wrapped += 1;
        }
        if wrapped == 0 {
            return Err(crypto(format!(
                "certificate {} has no encryption-capable subkey that is alive and not revoked",
                fpr(cert)
            ))
            .with_hint("renew or replace the certificate"));
        }
    }
    let message = Encryptor::with_session_key(message, CIPHER, session_key)
        .and_then(Encryptor::build)
        .map_err(|e| crypto(format!("starting encryption failed: {e:#}")))?;
    let inner = LiteralWriter::new(message)
        .build()
        .map_err(|e| crypto(format!("starting encryption failed: {e:#}")))?;
    Ok(EncryptWriter {
        inner,
        sink: shared,
    })
}
