//! [`RunRecord`]: one scheduled or manual run, stored as JSON in the backup store under
//! `<prefix>runs/<schedule>/<slot>.json`, so statistics survive the machine and several
//! schedulers share them.

use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use vault_core::{BlobStore, BlobStoreExt};

use super::job::BackupRequest;
use crate::{BackupError, BackupErrorKind};

/// The folder (below the scheduler's prefix) holding run records.
pub(crate) const RUNS_DIR: &str = "runs/";

/// A record larger than this is not a run record; it is skipped when reading.
const MAX_RECORD_BYTES: u64 = 64 * 1024;

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum RunOutcome {
    /// Claimed and still running (or the machine running it died).
    Running,
    /// The backup was stored.
    Success,
    /// The backup failed; see [`RunRecord::error`].
    Failure,
}

/// One run of a backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RunRecord {
    /// The schedule's name, or `manual` for [`run_backup`](super::BackupScheduler::run_backup).
    pub schedule: String,
    /// The slot this run belongs to (for a manual run, its start).
    pub slot: DateTime<Utc>,
    /// Which scheduler ran it (its instance name).
    pub instance: String,
    /// What was asked for.
    pub request: BackupRequest,
    /// When the run started.
    pub started_at: DateTime<Utc>,
    /// When it ended (`None` while running).
    pub finished_at: Option<DateTime<Utc>>,
    /// How it ended.
    pub outcome: RunOutcome,
    /// The snapshot id (on success).
    pub snapshot_id: Option<String>,
    /// Bytes stored (on success).
    pub size_bytes: Option<u64>,
    /// What went wrong (on failure); never holds a secret value.
    pub error: Option<String>,
}

impl RunRecord {
    /// Milliseconds from start to end, for a finished run.
    pub fn duration_ms(&self) -> Option<u64> {
        let end = self.finished_at?;
        u64::try_from((end - self.started_at).num_milliseconds()).ok()
    }
}

/// `20260310T020000Z`: sorts like time, safe in any store key.
pub(crate) fn slot_name(slot: DateTime<Utc>) -> String {
    slot.format("%Y%m%dT%H%M%SZ").to_string()
}

pub(crate) fn to_json(record: &RunRecord) -> Result<Bytes, BackupError> {
    serde_json::to_vec_pretty(record)
        .map(Bytes::from)
        .map_err(|e| {
            BackupError::new(BackupErrorKind::Io, "cannot encode a run record").with_source(e)
        })
}

/// Every readable run record under `dir`, with the number of objects that were not one.
pub(crate) async fn read_all(
    store: &dyn BlobStore,
    dir: &str,
) -> Result<(Vec<RunRecord>, usize), BackupError> {
    let listed = store
        .list(dir)
        .await
        .map_err(|e| store_error("list", dir, e))?;
    let mut records = Vec::with_capacity(listed.len());
    let mut unreadable = 0;
    for meta in listed {
        if !meta.key.ends_with(".json") {
            continue;
        }
        if meta.size > MAX_RECORD_BYTES {
            unreadable += 1;
            continue;
        }
        let bytes = match store
            .get_bytes_limited(&meta.key, MAX_RECORD_BYTES as usize)
            .await
        {
            Ok(b) => b,
            // Deleted between list and get (retention on another machine).
            Err(e) if e.is_not_found() => continue,
            // Grew past the cap after the listing (the listed size is not trusted).
            Err(e) if e.kind() == vault_core::VaultErrorKind::Validation => {
                unreadable += 1;
                continue;
            }
            Err(e) => return Err(store_error("read", &meta.key, e)),
        };
        match serde_json::from_slice::<RunRecord>(&bytes) {
            Ok(r) => records.push(r),
            Err(_) => {
                tracing::warn!(key = %meta.key, "skipping an object that is not a run record");
                unreadable += 1;
            }
        }
    }
    Ok((records, unreadable))
}

pub(crate) fn store_error(op: &str, key: &str, e: vault_core::VaultError) -> BackupError {
    BackupError::new(
        BackupErrorKind::Store,
        format!("cannot {op} run records at `{key}`"),
    )
    .with_hint("check that the backup store is reachable and writable")
    .with_source(e)
}
