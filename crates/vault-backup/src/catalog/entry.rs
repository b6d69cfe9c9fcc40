//! [`SnapshotInfo`]: what the catalog records about one snapshot.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What a snapshot holds (the Python module's `BackupType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackupType {
    /// The whole Raft storage (`GET sys/storage/raft/snapshot`): every mount, policy, token and
    /// key, still encrypted by the barrier. Restoring it needs the source cluster's unseal keys.
    Full,
    /// Every version of every secret of one KV v2 mount, with their metadata, as a gzip'd tar
    /// of JSON records: works on any storage backend and restores single secrets.
    Logical,
}

impl BackupType {
    /// `full` or `logical`.
    pub fn as_str(self) -> &'static str {
        match self {
            BackupType::Full => "full",
            BackupType::Logical => "logical",
        }
    }
}

/// Where a snapshot is in its life (the Python module's `BackupStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BackupStatus {
    /// Being written (or its writer died: see [`SnapshotInfo::created_at`]).
    InProgress,
    /// Uploaded and checked while streaming.
    Completed,
    /// Creation or verification failed ([`SnapshotInfo::failure`] says why).
    Failed,
    /// Downloaded again and found sound ([`SnapshotInfo::verified_at`]).
    Verified,
    /// Removed by retention; the entry is kept as history, the object is gone.
    Expired,
}

impl BackupStatus {
    /// The name used in the catalog (`in-progress`, `completed`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            BackupStatus::InProgress => "in-progress",
            BackupStatus::Completed => "completed",
            BackupStatus::Failed => "failed",
            BackupStatus::Verified => "verified",
            BackupStatus::Expired => "expired",
        }
    }

    /// Whether the snapshot's object is there and was found sound when written or since.
    pub fn is_usable(self) -> bool {
        matches!(self, BackupStatus::Completed | BackupStatus::Verified)
    }
}

/// One catalog entry. Holds no secret: sizes, checksums, fingerprints, ids and times.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SnapshotInfo {
    /// The snapshot id, e.g. `full-20261206T015223Z-3fa9c1`.
    pub id: String,
    /// FULL or LOGICAL.
    pub backup_type: BackupType,
    /// Where it is in its life.
    pub status: BackupStatus,
    /// When creation started.
    pub created_at: DateTime<Utc>,
    /// How long creation took, in milliseconds (once it ended).
    pub duration_ms: Option<u64>,
    /// The object's key in the store.
    pub object_key: String,
    /// Whether the object is OpenPGP-encrypted.
    pub encrypted: bool,
    /// Fingerprints of the keys it is encrypted to.
    pub recipients: Vec<String>,
    /// Size of the snapshot before encryption.
    pub plain_size: Option<u64>,
    /// Size of the stored object.
    pub stored_size: Option<u64>,
    /// sha256 of the snapshot before encryption (hex).
    pub plain_sha256: Option<String>,
    /// sha256 of the stored object (hex).
    pub stored_sha256: Option<String>,
    /// Version of the Vault server it came from (`sys/health`).
    pub vault_version: Option<String>,
    /// Cluster id of the Vault cluster it came from (`sys/health`).
    pub cluster_id: Option<String>,
    /// Cluster name of the Vault cluster it came from.
    pub cluster_name: Option<String>,
    /// The KV v2 mount of a LOGICAL snapshot.
    pub kv_mount: Option<String>,
    /// Raft index of a FULL snapshot (its `meta.json`).
    pub raft_index: Option<u64>,
    /// Raft term of a FULL snapshot (its `meta.json`).
    #[serde(default)]
    pub raft_term: Option<u64>,
    /// Secrets in a LOGICAL snapshot.
    pub secrets: Option<u64>,
    /// Days to keep it, as asked at creation.
    pub retention_days: Option<u32>,
    /// When it was last verified.
    pub verified_at: Option<DateTime<Utc>>,
    /// Why creation or verification failed.
    pub failure: Option<String>,
}

impl SnapshotInfo {
    /// A new `in-progress` entry: nothing measured, checked or verified yet.
    pub(crate) fn started(
        id: String,
        backup_type: BackupType,
        created_at: DateTime<Utc>,
        object_key: String,
    ) -> Self {
        SnapshotInfo {
            id,
            backup_type,
            status: BackupStatus::InProgress,
            created_at,
            duration_ms: None,
            object_key,
            encrypted: false,
            recipients: Vec::new(),
            plain_size: None,
            stored_size: None,
            plain_sha256: None,
            stored_sha256: None,
            vault_version: None,
            cluster_id: None,
            cluster_name: None,
            kv_mount: None,
            raft_index: None,
            raft_term: None,
            secrets: None,
            retention_days: None,
            verified_at: None,
            failure: None,
        }
    }
}
