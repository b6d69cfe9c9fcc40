//! OpenPGP encryption of snapshots (sequoia), readable by `gpg` and `sq`.
//!
//! - [`Recipients`]: the public certificates a snapshot is encrypted to, from certificate files or
//!   a keyring, each checked (not expired, not revoked, has an encryption-capable subkey).
//! - [`encrypt_to`] / [`EncryptWriter`]: a streaming encryptor writing a binary OpenPGP message.
//! - [`DecryptionKey`] / [`decrypt_from`]: a secret key (passphrase-protected or not) and a
//!   streaming decryptor with a 1 MiB buffer.
//! - [`generate_key`] / [`GeneratedKey`]: a new key pair for snapshot encryption.
//!
//! Architecture Invariant: every message is SEIPDv1 with a modification detection code (the
//! format Debian's gpg 2.2 and sq 0.27 read), whatever features a recipient's certificate
//! advertises; certificates this module generates advertise SEIPDv1 only.
//!
//! Architecture Invariant: passphrases and secret key material never reach an error message,
//! `Debug` output or a log line; `Debug` of keys and recipients shows fingerprints only.

mod certs;
mod decrypt;
mod encrypt;
mod generate;
mod key;
mod recipients;

pub use decrypt::decrypt_from;
pub use encrypt::{EncryptWriter, encrypt_to};
pub use generate::{GeneratedKey, generate_key};
pub use key::DecryptionKey;
pub use recipients::Recipients;
