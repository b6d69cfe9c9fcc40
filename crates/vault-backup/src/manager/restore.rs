//! `restore_snapshot`: dry run, FULL restore into Raft, LOGICAL (granular) restore into a KV
//! mount.

use tokio::sync::mpsc;
use vault_core::{Method, VaultRequest};

use super::verify::Decryptor;
use super::{RestoreOptions, RestoreReport, SnapshotManager};
use crate::catalog::{BackupStatus, BackupType, SnapshotInfo};
use crate::pipeline::{PlainStage, Stage, sink_stream};
use crate::{BackupError, BackupErrorKind, logical};

/// Records in flight between the archive check and the LOGICAL writer.
const RECORDS_IN_FLIGHT: usize = 4;

impl SnapshotManager {
    /// Restore snapshot `id` (the Python module's `restore_snapshot`).
    ///
    /// - `dry_run`: verify the snapshot fully and report what would change; nothing is written.
    /// - FULL: `POST sys/storage/raft/snapshot` replaces the whole storage of the target. It is
    ///   refused unless the snapshot was verified first. A snapshot of another cluster (catalog
    ///   cluster id ≠ the target's) needs `force` (`snapshot-force`), and the target then
    ///   answers to the *source* cluster's unseal keys and tokens.
    /// - LOGICAL: writes every secret back (versions in order, deleted and destroyed markers,
    ///   metadata, custom metadata), only under `prefix` when given; secrets of the mount that
    ///   are not in the snapshot are left alone.
    pub async fn restore_snapshot(
        &self,
        id: &str,
        options: RestoreOptions,
    ) -> Result<RestoreReport, BackupError> {
        let decryptor = options.key.clone().map(super::verify::decryptor);
        self.restore_with(id, options, decryptor).await
    }

    async fn restore_with(
        &self,
        id: &str,
        options: RestoreOptions,
        decryptor: Option<Decryptor>,
    ) -> Result<RestoreReport, BackupError> {
        let entry = self.catalog.get(id).await?;
        if !options.dry_run && entry.status != BackupStatus::Verified {
            return Err(BackupError::new(
                BackupErrorKind::Refused,
                format!(
                    "restore of snapshot {id}: it is {}, not verified",
                    entry.status.as_str()
                ),
            )
            .with_hint("verify it first (or run a dry run, which verifies it)"));
        }
        match entry.backup_type {
            BackupType::Full => self.restore_full(entry, options, decryptor).await,
            BackupType::Logical => self.restore_logical(entry, options, decryptor).await,
        }
    }

    async fn restore_full(
        &self,
        entry: SnapshotInfo,
        options: RestoreOptions,
        decryptor: Option<Decryptor>,
    ) -> Result<RestoreReport, BackupError> {
        let target = self.client.get_health().await?;
        let mut warnings = Vec::new();
        let foreign = match (&entry.cluster_id, &target.cluster_id) {
            (Some(source), Some(target)) => source != target,
            _ => false,
        };
        if foreign {
            warnings.push(format!(
                "snapshot {} comes from cluster {} but the target is cluster {}: after the \
                 restore the target is unsealed only with the SOURCE cluster's unseal (or \
                 recovery) keys, and only the source's tokens are valid",
                entry.id,
                entry.cluster_id.as_deref().unwrap_or("?"),
                target.cluster_id.as_deref().unwrap_or("?")
            ));
        }
        warnings.push(format!(
            "the whole storage of {} is replaced by the snapshot (Raft index {}): writes made \
             since are lost",
            self.client.address(),
            entry
                .raft_index
                .map_or_else(|| "?".to_string(), |i| i.to_string())
        ));
        let mut report = RestoreReport {
            id: entry.id.clone(),
            backup_type: entry.backup_type,
            dry_run: options.dry_run,
            warnings,
            changes: Vec::new(),
            versions_written: 0,
        };
        if options.dry_run {
            self.verify_with(&entry.id, decryptor).await?;
            return Ok(report);
        }
        if foreign && !options.force {
            return Err(BackupError::new(
                BackupErrorKind::Refused,
                format!(
                    "restore of snapshot {}: it comes from another cluster",
                    entry.id
                ),
            )
            .with_hint(
                "restore with force only if you hold the source cluster's unseal keys; the \
                 target will need them to unseal",
            ));
        }
        let path = if options.force {
            "sys/storage/raft/snapshot-force"
        } else {
            "sys/storage/raft/snapshot"
        };
        let (sink, errors, body) = sink_stream();
        let out: Box<dyn Stage> = Box::new(PlainStage(sink));
        let download = self
            .download(&entry, decryptor, Some(out), Some(errors), None)
            .await?;
        let request = VaultRequest::new(Method::Post, path).with_stream(body);
        let sent = self
            .client
            .send_as("restore a raft snapshot", request)
            .await;
        let flow = download.finish(&entry).await;
        match (flow, sent) {
            (Err(e), _) => return Err(e),
            (Ok(_), Err(e)) => {
                return Err(BackupError::from(e).with_hint(
                    "the token needs `update` on sys/storage/raft/snapshot[-force]; a snapshot \
                     of another cluster needs force",
                ));
            }
            (Ok(_), Ok(_)) => {}
        }
        tracing::warn!(snapshot = %entry.id, "raft snapshot restored");
        report.dry_run = false;
        Ok(report)
    }

    async fn restore_logical(
        &self,
        mut entry: SnapshotInfo,
        options: RestoreOptions,
        decryptor: Option<Decryptor>,
    ) -> Result<RestoreReport, BackupError> {
        let mount = entry.kv_mount.clone().ok_or_else(|| {
            BackupError::integrity(format!("catalog entry {} names no KV mount", entry.id))
        })?;
        let (tx, rx) = mpsc::channel(RECORDS_IN_FLIGHT);
        let download = self
            .download(&entry, decryptor, None, None, Some(tx))
            .await?;
        let plan = logical::Import {
            client: self.client.clone(),
            mount,
            prefix: options.prefix.clone(),
            dry_run: options.dry_run,
        };
        let imported = plan.run(rx).await;
        let flow = download.finish(&entry).await;
        let (changes, versions_written) = match (flow, imported) {
            (Err(e), _) if e.kind() == BackupErrorKind::Integrity => {
                if options.dry_run {
                    let _ = self
                        .record_verdict(
                            &mut entry,
                            Err(BackupError::integrity(e.message().to_string())),
                        )
                        .await;
                }
                return Err(e);
            }
            (_, Err(e)) => return Err(e),
            (Err(e), Ok(_)) => return Err(e),
            (Ok(flow), Ok(done)) => {
                if options.dry_run {
                    self.record_verdict(&mut entry, Ok(flow)).await?;
                }
                done
            }
        };
        Ok(RestoreReport {
            id: entry.id.clone(),
            backup_type: entry.backup_type,
            dry_run: options.dry_run,
            warnings: Vec::new(),
            changes,
            versions_written,
        })
    }
}
