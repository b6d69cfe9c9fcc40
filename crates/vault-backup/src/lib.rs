//! # vault-backup
//!
//! Encrypted, verified snapshots of HashiCorp Vault / OpenBao: Raft snapshots (`FULL`) and
//! logical exports of a KV mount (`LOGICAL`), streamed through checksums and OpenPGP encryption
//! into any vault-core `BlobStore` (a local folder, S3), with a catalog beside them, verification,
//! restore, retention and a scheduler.
//!
//! Stores: vault-core's `LocalDirStore`, or [`S3Store`] (feature `s3`, on by default) for an S3
//! bucket on AWS or any S3-compatible server — streamed multipart uploads that are aborted on
//! failure, `put_if_absent` through `If-None-Match`, SSE-S3 and SSE-KMS. Settings, credentials
//! and what holds on servers without conditional writes: `docs/storage.md`.

mod error;
mod pgp;
#[cfg(feature = "s3")]
mod s3;

pub use error::{BackupError, BackupErrorKind};
pub use pgp::{
    DecryptionKey, EncryptWriter, GeneratedKey, Recipients, decrypt_from, encrypt_to, generate_key,
};
#[cfg(feature = "s3")]
pub use s3::{
    DEFAULT_PART_SIZE, MAX_PART_SIZE, MIN_PART_SIZE, S3_ENV_VARS, S3Credentials, S3Sse, S3Store,
    S3StoreBuilder, parse_s3_url,
};
