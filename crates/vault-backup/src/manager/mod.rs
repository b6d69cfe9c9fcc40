//! [`SnapshotManager`]: create, list, verify, restore and prune snapshots (the Python module's
//! `SnapshotManager`).
//!
//! - [`options`]: [`CreateOptions`], [`SnapshotFilter`], [`RestoreOptions`], [`RestoreReport`].
//! - [`create`]: `create_snapshot` (FULL and LOGICAL) through the streaming pipeline.
//! - [`verify`]: `verify_snapshot`: download, checksums, archive check.
//! - [`restore`]: `restore_snapshot`: dry run, FULL restore, LOGICAL (granular) restore.
//! - [`cleanup`]: `cleanup_expired`: retention.

mod cleanup;
#[cfg(test)]
mod cleanup_tests;
mod create;
mod options;
mod restore;
mod verify;

use std::sync::Arc;

use vault_core::{BlobStore, VaultClient};

use crate::BackupError;
use crate::catalog::{Catalog, SnapshotInfo};
use crate::pgp::Recipients;

pub use options::{
    CreateOptions, RestoreAction, RestoreChange, RestoreOptions, RestoreReport, SnapshotFilter,
};

/// Creates, lists, verifies, restores and prunes snapshots of one Vault cluster into one store.
///
/// Snapshots go to `<prefix>snapshots/<id>.snap` and their catalog entries to
/// `<prefix>catalog/<id>.json` in the store.
#[derive(Debug, Clone)]
pub struct SnapshotManager {
    client: VaultClient,
    store: Arc<dyn BlobStore>,
    catalog: Catalog,
    recipients: Option<Recipients>,
}

/// Builds a [`SnapshotManager`].
#[derive(Debug)]
pub struct SnapshotManagerBuilder {
    client: VaultClient,
    store: Arc<dyn BlobStore>,
    prefix: String,
    recipients: Option<Recipients>,
}

impl SnapshotManager {
    /// A builder over the Vault client and the store snapshots go to.
    pub fn builder(client: VaultClient, store: Arc<dyn BlobStore>) -> SnapshotManagerBuilder {
        SnapshotManagerBuilder {
            client,
            store,
            prefix: String::new(),
            recipients: None,
        }
    }

    /// The catalog entry of snapshot `id`.
    pub async fn get_snapshot(&self, id: &str) -> Result<SnapshotInfo, BackupError> {
        self.catalog.get(id).await
    }

    /// Catalog entries matching `filter`, oldest first (the Python module's `list_snapshots`).
    pub async fn list_snapshots(
        &self,
        filter: &SnapshotFilter,
    ) -> Result<Vec<SnapshotInfo>, BackupError> {
        let mut entries = self.catalog.list().await?;
        entries.retain(|e| filter.matches(e));
        Ok(entries)
    }
}

impl SnapshotManagerBuilder {
    /// Put everything under this key prefix of the store (e.g. `vault/prod/`; a missing
    /// trailing `/` is added).
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Encrypt snapshots to `recipients` unless a call names others.
    pub fn with_recipients(mut self, recipients: Recipients) -> Self {
        self.recipients = Some(recipients);
        self
    }

    /// The manager; the prefix must be a valid store prefix.
    pub fn build(self) -> Result<SnapshotManager, BackupError> {
        let mut prefix = self.prefix;
        if !prefix.is_empty() && !prefix.ends_with('/') {
            prefix.push('/');
        }
        if !prefix.is_empty() {
            vault_core::validate_blob_prefix(&prefix).map_err(|e| {
                BackupError::config(format!("snapshot prefix {prefix:?}: {e}"))
                    .with_hint("use a relative path like `vault/prod/`")
            })?;
        }
        Ok(SnapshotManager {
            catalog: Catalog::new(Arc::clone(&self.store), prefix),
            client: self.client,
            store: self.store,
            recipients: self.recipients,
        })
    }
}

#[cfg(test)]
mod tests;
