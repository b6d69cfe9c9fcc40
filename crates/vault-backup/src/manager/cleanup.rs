//! `cleanup_expired`: apply a retention policy to the catalog.

use chrono::Utc;

use super::SnapshotManager;
use crate::BackupError;
use crate::catalog::BackupStatus;
use crate::retention::{CleanupReport, RetentionPolicy, select};

impl SnapshotManager {
    /// Remove the snapshots `policy` does not keep: delete the object, mark the entry
    /// `expired` (the Python module's `cleanup_expired`). With `dry_run` only report. The
    /// newest verified snapshot is never removed.
    pub async fn cleanup_expired(
        &self,
        policy: &RetentionPolicy,
        dry_run: bool,
    ) -> Result<CleanupReport, BackupError> {
        policy.validate()?;
        let entries = self.catalog.list().await?;
        let keep = select(&entries, policy, Utc::now());
        let mut report = CleanupReport {
            dry_run,
            ..CleanupReport::default()
        };
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
}
