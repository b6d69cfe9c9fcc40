//! [`SnapshotManager`] as the scheduler's [`BackupJob`].

use async_trait::async_trait;

use super::job::{BackupJob, BackupKind, BackupRequest, BackupRunSummary};
use crate::{BackupError, CreateOptions, SnapshotManager};

/// Each run is one `create_snapshot`; the size is the stored (compressed, encrypted) size.
#[async_trait]
impl BackupJob for SnapshotManager {
    async fn run(&self, request: &BackupRequest) -> Result<BackupRunSummary, BackupError> {
        let options = match &request.kind {
            BackupKind::Full => CreateOptions::full(),
            BackupKind::Logical { mount } => CreateOptions::logical(mount.clone()),
        }
        .with_retention_days(request.retention_days)
        .with_encrypt(request.encrypt);
        let info = self.create_snapshot(options).await?;
        Ok(BackupRunSummary::new(
            info.id,
            info.stored_size.or(info.plain_size).unwrap_or(0),
        ))
    }
}
