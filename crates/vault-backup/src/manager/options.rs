//! The options and reports of [`super::SnapshotManager`]'s calls.

use chrono::{DateTime, Utc};

use crate::catalog::{BackupStatus, BackupType, SnapshotInfo};
use crate::pgp::{DecryptionKey, Recipients};

/// How to take a snapshot (the Python module's `create_snapshot` arguments).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CreateOptions {
    /// FULL (Raft) or LOGICAL (one KV v2 mount).
    pub backup_type: BackupType,
    /// Encrypt with OpenPGP (the default) to `recipients`, or else to the manager's
    /// recipients; with neither, creation fails. `false` stores the snapshot as it is (a FULL
    /// snapshot stays encrypted by Vault's barrier; a LOGICAL one holds plain secret values).
    pub encrypt: bool,
    /// Who can decrypt this snapshot (overrides the manager's recipients).
    pub recipients: Option<Recipients>,
    /// Store the snapshot. `false` streams it through every check and reports sizes and
    /// checksums without storing anything (no object, no catalog entry).
    pub upload: bool,
    /// Days to keep it (recorded in the catalog; retention decides).
    pub retention_days: Option<u32>,
    /// The KV v2 mount a LOGICAL snapshot exports (default `secret`).
    pub kv_mount: String,
}

impl CreateOptions {
    /// A FULL snapshot, uploaded.
    pub fn full() -> Self {
        CreateOptions {
            backup_type: BackupType::Full,
            encrypt: true,
            recipients: None,
            upload: true,
            retention_days: None,
            kv_mount: vault_kv::DEFAULT_MOUNT.to_string(),
        }
    }

    /// A LOGICAL snapshot of the KV v2 mount `mount`, uploaded.
    pub fn logical(mount: impl Into<String>) -> Self {
        CreateOptions {
            backup_type: BackupType::Logical,
            kv_mount: mount.into(),
            ..CreateOptions::full()
        }
    }

    /// Encrypt (`true`, the default) or store the snapshot unencrypted.
    pub fn with_encrypt(mut self, encrypt: bool) -> Self {
        self.encrypt = encrypt;
        self
    }

    /// Encrypt to these recipients (instead of the manager's).
    pub fn with_recipients(mut self, recipients: Recipients) -> Self {
        self.recipients = Some(recipients);
        self.encrypt = true;
        self
    }

    /// Store it (`true`, the default) or only stream it through the checks.
    pub fn with_upload(mut self, upload: bool) -> Self {
        self.upload = upload;
        self
    }

    /// Record how many days to keep it.
    pub fn with_retention_days(mut self, days: u32) -> Self {
        self.retention_days = Some(days);
        self
    }
}

/// Which catalog entries [`super::SnapshotManager::list_snapshots`] returns.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct SnapshotFilter {
    /// Only this type.
    pub backup_type: Option<BackupType>,
    /// Only this status.
    pub status: Option<BackupStatus>,
    /// Only snapshots created at or after this time.
    pub since: Option<DateTime<Utc>>,
}

impl SnapshotFilter {
    /// Every entry.
    pub fn all() -> Self {
        SnapshotFilter::default()
    }

    /// Only this type.
    pub fn with_type(mut self, backup_type: BackupType) -> Self {
        self.backup_type = Some(backup_type);
        self
    }

    /// Only this status.
    pub fn with_status(mut self, status: BackupStatus) -> Self {
        self.status = Some(status);
        self
    }

    /// Only snapshots created at or after `since`.
    pub fn with_since(mut self, since: DateTime<Utc>) -> Self {
        self.since = Some(since);
        self
    }

    /// Whether `entry` passes.
    pub fn matches(&self, entry: &SnapshotInfo) -> bool {
        self.backup_type.is_none_or(|t| t == entry.backup_type)
            && self.status.is_none_or(|s| s == entry.status)
            && self.since.is_none_or(|s| entry.created_at >= s)
    }
}

/// How to restore (the Python module's `restore_snapshot(id, dry_run)`).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct RestoreOptions {
    /// Verify the snapshot and report what would change; write nothing.
    pub dry_run: bool,
    /// FULL: restore a snapshot of another cluster (`snapshot-force`). The target then needs the
    /// source cluster's unseal keys.
    pub force: bool,
    /// LOGICAL: restore only secrets at or below this path of the mount (granular restore).
    pub prefix: Option<String>,
    /// The secret key of an encrypted snapshot.
    pub key: Option<DecryptionKey>,
}

impl RestoreOptions {
    /// Report only, write nothing.
    pub fn dry_run() -> Self {
        RestoreOptions {
            dry_run: true,
            ..RestoreOptions::default()
        }
    }

    /// Write.
    pub fn apply() -> Self {
        RestoreOptions::default()
    }

    /// Allow a FULL snapshot of another cluster.
    pub fn with_force(mut self, force: bool) -> Self {
        self.force = force;
        self
    }

    /// Decrypt with `key` (encrypted snapshots).
    pub fn with_key(mut self, key: DecryptionKey) -> Self {
        self.key = Some(key);
        self
    }

    /// Restore only the secrets at or below `prefix` (LOGICAL).
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Some(prefix.into());
        self
    }
}

/// What a LOGICAL restore does (or would do) to one secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RestoreAction {
    /// Absent on the target: created with every version.
    Create,
    /// Present and different: replaced by the snapshot's versions and metadata.
    Replace,
    /// Present with the same versions: left as it is.
    Unchanged,
}

/// One secret of a LOGICAL restore.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RestoreChange {
    /// Path in the mount.
    pub path: String,
    /// What happens to it.
    pub action: RestoreAction,
    /// Versions in the snapshot (live, deleted and destroyed).
    pub versions: u64,
}

/// What a restore did, or would do on a dry run. Holds no secret value.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RestoreReport {
    /// The snapshot.
    pub id: String,
    /// Its type.
    pub backup_type: BackupType,
    /// Whether nothing was written.
    pub dry_run: bool,
    /// Things the operator must know (another cluster's snapshot, unseal keys, …).
    pub warnings: Vec<String>,
    /// LOGICAL: one line per secret in scope.
    pub changes: Vec<RestoreChange>,
    /// LOGICAL: versions written.
    pub versions_written: u64,
}
