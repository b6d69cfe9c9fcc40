//! # vault-backup
//!
//! Encrypted, verified snapshots of HashiCorp Vault / OpenBao: Raft snapshots (`FULL`) and
//! logical exports of a KV mount (`LOGICAL`), streamed through checksums and OpenPGP encryption
//! into any vault-core `BlobStore` (a local folder, S3), with a catalog beside them, verification,
//! restore, retention and a scheduler.

mod error;
mod scheduler;

pub use error::{BackupError, BackupErrorKind};
pub use scheduler::{
    BackupJob, BackupKind, BackupRequest, BackupRunSummary, BackupScheduler, BackupStats,
    CronSchedule, RunOutcome, RunRecord, Schedule, ScheduledBackup, StaleBackup,
};
