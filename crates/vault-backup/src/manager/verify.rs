//! `verify_snapshot`: download a stored snapshot and check it end to end; the download pipeline
//! restore shares.

use std::io::Read;
use std::sync::{Arc, Mutex};

use chrono::Utc;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::SnapshotManager;
use crate::archive::{ArchiveChecker, ArchiveKind, Digest, Member};
use crate::catalog::{BackupStatus, BackupType, SnapshotInfo};
use crate::pgp::DecryptionKey;
use crate::pipeline::{ChannelReader, ErrorSender, Flow, Stage, run};
use crate::{BackupError, BackupErrorKind};

/// Turns the stored bytes into plain bytes (OpenPGP decryption), on the pipeline's thread.
pub(crate) type Decryptor = Box<
    dyn FnOnce(Box<dyn Read + Send + Sync>) -> Result<Box<dyn Read + Send>, BackupError> + Send,
>;

/// The decryptor of `key`.
pub(crate) fn decryptor(key: DecryptionKey) -> Decryptor {
    Box::new(move |stored| {
        crate::pgp::decrypt_from(&key, stored).map(|plain| plain as Box<dyn Read + Send>)
    })
}

/// A running download of a snapshot.
pub(crate) struct Download {
    pub(crate) job: JoinHandle<Result<Flow, BackupError>>,
    pub(crate) stored: Arc<Mutex<Digest>>,
}

impl Download {
    /// Wait for the pipeline, then compare the stored bytes with the catalog.
    pub(crate) async fn finish(self, entry: &SnapshotInfo) -> Result<Flow, BackupError> {
        let flow = self.job.await.map_err(|e| {
            BackupError::new(
                BackupErrorKind::Io,
                format!("the snapshot pipeline stopped: {e}"),
            )
        })??;
        let stored = self.stored.lock().map(|d| d.clone()).map_err(|_| {
            BackupError::new(BackupErrorKind::Io, "the stored-bytes digest was lost")
        })?;
        if entry.stored_size != Some(stored.size())
            || entry.stored_sha256.as_deref() != Some(stored.hex().as_str())
        {
            return Err(BackupError::integrity(format!(
                "checksum mismatch: object {} has {} bytes with sha256 {}, the catalog recorded \
                 {:?} bytes with sha256 {:?}",
                entry.object_key,
                stored.size(),
                stored.hex(),
                entry.stored_size,
                entry.stored_sha256
            )));
        }
        Ok(flow)
    }
}

impl SnapshotManager {
    /// Download snapshot `id`, compare its checksums with the catalog and check the archive
    /// inside (gzip, tar, members, inner `SHA256SUMS`). Records `verified` and `verified_at`,
    /// or `failed` with the reason when the snapshot is damaged (the Python module's
    /// `verify_snapshot`). An encrypted snapshot needs `key`: the secret key of one of its
    /// recipients.
    pub async fn verify_snapshot(
        &self,
        id: &str,
        key: Option<&DecryptionKey>,
    ) -> Result<SnapshotInfo, BackupError> {
        self.verify_with(id, key.cloned().map(decryptor)).await
    }

    pub(crate) async fn verify_with(
        &self,
        id: &str,
        decryptor: Option<Decryptor>,
    ) -> Result<SnapshotInfo, BackupError> {
        let mut entry = self.catalog.get(id).await?;
        let result = async {
            let download = self.download(&entry, decryptor, None, None, None).await?;
            download.finish(&entry).await
        }
        .await;
        self.record_verdict(&mut entry, result).await?;
        Ok(entry)
    }

    /// Record a verification's outcome: `verified`, or `failed` when the snapshot itself is at
    /// fault (not when the store or the network failed).
    pub(crate) async fn record_verdict(
        &self,
        entry: &mut SnapshotInfo,
        result: Result<Flow, BackupError>,
    ) -> Result<(), BackupError> {
        match result {
            Ok(_) => {
                entry.status = BackupStatus::Verified;
                entry.verified_at = Some(Utc::now());
                entry.failure = None;
                self.catalog.put(entry).await?;
                tracing::info!(snapshot = %entry.id, "snapshot verified");
                Ok(())
            }
            Err(e) => {
                if matches!(
                    e.kind(),
                    BackupErrorKind::Integrity | BackupErrorKind::NotFound
                ) {
                    entry.status = BackupStatus::Failed;
                    entry.failure = Some(format!("verification failed: {e}"));
                    self.catalog.put(entry).await?;
                }
                tracing::warn!(snapshot = %entry.id, error = %e, "snapshot verification failed");
                Err(e)
            }
        }
    }

    /// Start downloading `entry`'s object through decryption and the archive check; plain
    /// bytes go on to `out` when given; logical records to `members`.
    pub(crate) async fn download(
        &self,
        entry: &SnapshotInfo,
        decryptor: Option<Decryptor>,
        out: Option<Box<dyn Stage>>,
        errors: Option<ErrorSender>,
        members: Option<mpsc::Sender<Member>>,
    ) -> Result<Download, BackupError> {
        if !entry.status.is_usable() {
            return Err(BackupError::new(
                BackupErrorKind::Refused,
                format!(
                    "snapshot {} is {}: there is nothing sound to read",
                    entry.id,
                    entry.status.as_str()
                ),
            )
            .with_hint(
                entry
                    .failure
                    .clone()
                    .unwrap_or_else(|| "take a new snapshot".into()),
            ));
        }
        // A key given for an unencrypted snapshot is not needed (and would refuse plain bytes).
        let decryptor = decryptor.filter(|_| entry.encrypted);
        if entry.encrypted && decryptor.is_none() {
            return Err(BackupError::new(
                BackupErrorKind::Crypto,
                format!("snapshot {} is encrypted", entry.id),
            )
            .with_hint("give the secret key of one of its recipients"));
        }
        let stream =
            self.store.get(&entry.object_key).await.map_err(|e| {
                BackupError::store(&format!("read snapshot {}", entry.object_key), e)
            })?;
        let reader = ChannelReader::spawn(stream);
        let stored = reader.digest();
        let kind = match entry.backup_type {
            BackupType::Full => ArchiveKind::Raft,
            BackupType::Logical => ArchiveKind::Logical,
        };
        let checker = ArchiveChecker::spawn(kind, members)?;
        let expected = entry.plain_size.zip(entry.plain_sha256.clone());
        let job = tokio::task::spawn_blocking(move || {
            let input: Box<dyn Read + Send> = match decryptor {
                Some(decrypt) => match decrypt(Box::new(reader)) {
                    Ok(plain) => plain,
                    Err(e) => {
                        if let Some(errors) = &errors {
                            errors.fail(std::io::Error::other(e.to_string()));
                        }
                        return Err(e);
                    }
                },
                None => Box::new(reader),
            };
            run(input, checker, out, errors, expected)
        });
        Ok(Download { job, stored })
    }
}
