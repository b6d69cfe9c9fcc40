//! # vault-backup
//!
//! Encrypted, verified snapshots of HashiCorp Vault / OpenBao: Raft snapshots (`FULL`) and logical exports
//! of a KV v2 mount (`LOGICAL`), streamed through checksums, archive checks and OpenPGP into any
//! vault-core [`BlobStore`](vault_core::BlobStore) (a local folder, S3), with a catalog beside
//! them, verification, restore (whole cluster, or single secrets) and retention.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use vault_backup::{
//!     CreateOptions, DecryptionKey, Recipients, RestoreOptions, RetentionPolicy, SnapshotFilter,
//!     SnapshotManager,
//! };
//! use vault_core::{LocalDirStore, VaultClient, VaultConnectionConfig};
//!
//! let client = VaultClient::from_config(&VaultConnectionConfig::from_env()?)?;
//! let store = Arc::new(LocalDirStore::new("/var/backups/vault")?);
//! let manager = SnapshotManager::builder(client, store)
//!     .with_prefix("prod/")
//!     .with_recipients(Recipients::from_files(&["/etc/vault-backup/ops.asc".into()])?)
//!     .build()?;
//!
//! // A Raft snapshot, checked while it streams and encrypted to the recipients; then
//! // downloaded again, decrypted and verified.
//! let key = DecryptionKey::from_file("/root/ops.key".as_ref(), None)?;
//! let snap = manager.create_snapshot(CreateOptions::full().with_retention_days(30)).await?;
//! manager.verify_snapshot(&snap.id, Some(&key)).await?;
//!
//! // Every version of every secret of the `secret/` mount, restorable one subtree at a time.
//! let kv = manager.create_snapshot(CreateOptions::logical("secret")).await?;
//! manager.verify_snapshot(&kv.id, Some(&key)).await?;
//! let plan = manager
//!     .restore_snapshot(&kv.id, RestoreOptions::dry_run().with_key(key).with_prefix("app/prod"))
//!     .await?;
//! for change in &plan.changes {
//!     println!("{:?} {}", change.action, change.path);
//! }
//!
//! for entry in manager.list_snapshots(&SnapshotFilter::all()).await? {
//!     println!("{} {} {}", entry.id, entry.backup_type.as_str(), entry.status.as_str());
//! }
//! let policy = RetentionPolicy::days(30).with_keep_daily(7).with_keep_monthly(12);
//! let report = manager.cleanup_expired(&policy, true).await?;
//! println!("would remove {:?}", report.removed);
//! # Ok(()) }
//! ```
//!
//! ## Map
//! - [`SnapshotManager`]: `create_snapshot`, `list_snapshots`, `verify_snapshot`,
//!   `restore_snapshot`, `cleanup_expired` (the Python module's `SnapshotManager`), with
//!   [`CreateOptions`], [`SnapshotFilter`], [`RestoreOptions`] / [`RestoreReport`].
//! - The catalog: [`SnapshotInfo`], [`BackupType`], [`BackupStatus`].
//! - OpenPGP: [`Recipients`], [`encrypt_to`] / [`EncryptWriter`], [`DecryptionKey`] /
//!   [`decrypt_from`], [`generate_key`] / [`GeneratedKey`] (readable by `gpg` and `sq`).
//! - Retention: [`RetentionPolicy`], [`CleanupReport`].
//! - Scheduling: [`BackupScheduler`] (the Python module's `BackupScheduler`: daily, weekly,
//!   monthly and cron [`Schedule`]s, a daemon, run records and [`BackupStats`], failure and
//!   overdue alerts through any `Notifier`, one run per slot across machines) running a
//!   [`BackupJob`] ([`SnapshotManager`] is one) — see `docs/scheduling.md`.
//! - [`BackupError`] / [`BackupErrorKind`]: the crate's one error type.
//!
//! - Storage: [`S3Store`] (feature `s3`, on by default) for an S3 bucket on AWS or any
//!   S3-compatible server — streamed multipart uploads aborted on failure, `put_if_absent`
//!   through `If-None-Match`, SSE-S3 and SSE-KMS (see `docs/storage.md`); or vault-core's
//!   `LocalDirStore`.
//!
//! See `docs/backup.md` for the pipeline, the catalog, restore semantics and a
//! disaster-recovery runbook.
//!
//! Architecture Invariant: memory stays bounded whatever the snapshot size: bytes move in
//! 64 KiB chunks over bounded channels between the Vault stream, blocking threads (gzip, tar,
//! hashing) and the store.
//!
//! Architecture Invariant: a snapshot whose archive check fails never becomes a stored object
//! nor a `completed` catalog entry; the store's `put` is atomic and the check's verdict comes
//! before the end of the upload stream.
//!
//! Architecture Invariant: no secret value appears in a log line, an error, a `Debug` output or
//! the catalog; LOGICAL records (which hold values) have no `Debug` and are never logged.

mod archive;
mod catalog;
mod error;
mod logical;
mod manager;
mod pgp;
mod pipeline;
mod retention;
#[cfg(feature = "s3")]
mod s3;
mod scheduler;

pub use catalog::{BackupStatus, BackupType, SnapshotInfo};
pub use error::{BackupError, BackupErrorKind};
pub use manager::{
    CreateOptions, RestoreAction, RestoreChange, RestoreOptions, RestoreReport, SnapshotFilter,
    SnapshotManager, SnapshotManagerBuilder,
};
pub use pgp::{
    DecryptionKey, EncryptWriter, GeneratedKey, Recipients, decrypt_from, encrypt_to, generate_key,
};
pub use retention::{CleanupReport, DEFAULT_ABANDONED_AFTER_HOURS, RetentionPolicy};
#[cfg(feature = "s3")]
pub use s3::{
    DEFAULT_PART_SIZE, MAX_PART_SIZE, MIN_PART_SIZE, S3_ENV_VARS, S3Credentials, S3Sse, S3Store,
    S3StoreBuilder, parse_s3_url,
};
pub use scheduler::{
    BackupJob, BackupKind, BackupRequest, BackupRunSummary, BackupScheduler, BackupStats,
    CronSchedule, RunOutcome, RunRecord, Schedule, ScheduledBackup, StaleBackup,
};
