//! [`BackupJob`]: what the scheduler runs at each slot, and what it asks for.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::BackupError;

/// What kind of backup to take.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
#[non_exhaustive]
pub enum BackupKind {
    /// A Raft snapshot of the whole cluster.
    Full,
    /// A logical export of one KV v2 mount.
    Logical {
        /// The KV mount, e.g. `secret`.
        mount: String,
    },
}

/// One backup the scheduler asks its [`BackupJob`] for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BackupRequest {
    /// What to back up.
    pub kind: BackupKind,
    /// How long the snapshot is kept (the Python module's default: 30 days).
    pub retention_days: u32,
    /// Encrypt to the engine's recipients (default `true`).
    #[serde(default = "yes")]
    pub encrypt: bool,
}

fn yes() -> bool {
    true
}

impl BackupRequest {
    /// A Raft snapshot kept 30 days.
    pub fn full() -> Self {
        BackupRequest {
            kind: BackupKind::Full,
            retention_days: 30,
            encrypt: true,
        }
    }

    /// A logical export of the KV mount `mount`, kept 30 days.
    pub fn logical(mount: impl Into<String>) -> Self {
        BackupRequest {
            kind: BackupKind::Logical {
                mount: mount.into(),
            },
            retention_days: 30,
            encrypt: true,
        }
    }

    /// Whether the snapshot is encrypted (to the engine's OpenPGP recipients).
    pub fn with_encrypt(mut self, encrypt: bool) -> Self {
        self.encrypt = encrypt;
        self
    }

    /// Keeps the snapshot `days` days.
    pub fn with_retention_days(mut self, days: u32) -> Self {
        self.retention_days = days;
        self
    }
}

impl Default for BackupRequest {
    fn default() -> Self {
        BackupRequest::full()
    }
}

/// What a successful run produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BackupRunSummary {
    /// The snapshot's id in the catalog.
    pub snapshot_id: String,
    /// Bytes stored.
    pub size_bytes: u64,
}

impl BackupRunSummary {
    /// A summary of snapshot `snapshot_id` of `size_bytes` bytes.
    pub fn new(snapshot_id: impl Into<String>, size_bytes: u64) -> Self {
        BackupRunSummary {
            snapshot_id: snapshot_id.into(),
            size_bytes,
        }
    }
}

/// Takes one backup. The scheduler's only view of the snapshot engine, so other engines and
/// test doubles can be scheduled the same way.
///
/// # Contract
/// - `run` returns once the backup is stored (or has failed); a failure is an `Err` whose
///   message holds no secret value (it is stored in the run record and sent to people).
/// - Implementations are `Send + Sync` and used as `Arc<dyn BackupJob>`.
#[async_trait]
pub trait BackupJob: Send + Sync + std::fmt::Debug {
    /// Takes the backup `request` describes.
    async fn run(&self, request: &BackupRequest) -> Result<BackupRunSummary, BackupError>;
}

#[async_trait]
impl<T: BackupJob + ?Sized> BackupJob for std::sync::Arc<T> {
    async fn run(&self, request: &BackupRequest) -> Result<BackupRunSummary, BackupError> {
        (**self).run(request).await
    }
}
