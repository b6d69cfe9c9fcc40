//! `cleanup_expired`: apply a retention policy to the catalog.

use chrono::{SecondsFormat, Utc};

use super::SnapshotManager;
use crate::BackupError;
use crate::catalog::{BackupStatus, SnapshotInfo};
use crate::retention::{CleanupReport, RetentionPolicy, select};

impl SnapshotManager {
    /// Remove the snapshots `policy` does not keep: delete the object, mark the entry
    /// `expired` (the Python module's `cleanup_expired`). With `dry_run` only report. The
    /// newest verified snapshot is never removed. An `in-progress` entry older than the
    /// policy's [`abandoned_after`](RetentionPolicy::abandoned_after) is marked `failed` and its
    /// partial object deleted (listed in [`CleanupReport::abandoned`]).
    pub async fn cleanup_expired(
        &self,
        policy: &RetentionPolicy,
        dry_run: bool,
    ) -> Result<CleanupReport, BackupError> {
        policy.validate()?;
        let entries = self.catalog.list().await?;
        let now = Utc::now();
        let keep = select(&entries, policy, now);
        let mut report = CleanupReport {
            dry_run,
            ..CleanupReport::default()
        };
        let stale_before = now - policy.abandoned_after();
        for entry in entries
            .iter()
            .filter(|e| e.status == BackupStatus::InProgress && e.created_at < stale_before)
        {
            if !dry_run {
                self.abandon(entry.clone()).await?;
            }
            report.abandoned.push(entry.id.clone());
        }
        for mut entry in entries.into_iter().filter(|e| e.status.is_usable()) {
            if keep.contains(&entry.id) {
                report.kept.push(entry.id);
                continue;
            }
            if !dry_run {
                if !entry.object_key.is_empty() {
                    self.store.delete(&entry.object_key).await.map_err(|e| {
                        BackupError::store(&format!("remove snapshot {}", entry.object_key), e)
                    })?;
                }
                entry.status = BackupStatus::Expired;
                self.catalog.put(&entry).await?;
                tracing::info!(snapshot = %entry.id, "snapshot expired");
            }
            report.removed.push(entry.id);
        }
        Ok(report)
    }

    /// Mark an `in-progress` entry whose writer died `failed`, deleting its partial object.
    async fn abandon(&self, mut entry: SnapshotInfo) -> Result<(), BackupError> {
        if !entry.object_key.is_empty() {
            self.store.delete(&entry.object_key).await.map_err(|e| {
                BackupError::store(
                    &format!("remove abandoned snapshot {}", entry.object_key),
                    e,
                )
            })?;
        }
        entry.status = BackupStatus::Failed;
        entry.failure = Some(format!(
            "abandoned: no progress since {}",
            entry.created_at.to_rfc3339_opts(SecondsFormat::Secs, true)
        ));
        self.catalog.put(&entry).await?;
        tracing::warn!(snapshot = %entry.id, "in-progress snapshot abandoned");
        Ok(())
    }
}
