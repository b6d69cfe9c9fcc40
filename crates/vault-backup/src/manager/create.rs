//! `create_snapshot`: stream a FULL or LOGICAL snapshot through the checks into the store.

use std::time::Instant;

use bytes::Bytes;
use chrono::Utc;
use futures_util::StreamExt;
use vault_core::{ByteStream, Method, ResponseBody, VaultRequest};

use super::{CreateOptions, SnapshotManager};
use crate::archive::{ArchiveChecker, ArchiveKind, Digest};
use crate::catalog::{BackupStatus, BackupType, SnapshotInfo, new_id};
use crate::pipeline::{
    ChannelReader, EncryptStage, Flow, PlainStage, StageFactory, run, sink_stream,
};
use crate::{BackupError, BackupErrorKind, logical};

/// The sealed state of what a pipeline produced.
struct Stored {
    flow: Flow,
    stored: Digest,
}

impl SnapshotManager {
    /// Take a snapshot and store it with its catalog entry (the Python module's
    /// `create_snapshot`). The entry is written `in-progress` first and `completed` only once
    /// the object is stored and every check passed; on failure it says `failed` with the reason
    /// and no object is left.
    pub async fn create_snapshot(
        &self,
        options: CreateOptions,
    ) -> Result<SnapshotInfo, BackupError> {
        self.store_snapshot(options, None).await
    }

    /// Stores a snapshot taken elsewhere (e.g. `bao operator raft snapshot save`, or the
    /// Python module's backups) exactly as [`SnapshotManager::create_snapshot`] stores its own:
    /// the same archive checks, checksums, encryption, catalog entry and failure handling.
    /// `source` is the plain snapshot (a Raft snapshot for FULL, a LOGICAL archive); the Vault
    /// server is not contacted, so the entry records no cluster id or version.
    pub async fn import_snapshot(
        &self,
        source: ByteStream,
        options: CreateOptions,
    ) -> Result<SnapshotInfo, BackupError> {
        self.store_snapshot(options, Some(source)).await
    }

    /// `create_snapshot` (`given` = None: from Vault) or `import_snapshot`.
    async fn store_snapshot(
        &self,
        options: CreateOptions,
        given: Option<ByteStream>,
    ) -> Result<SnapshotInfo, BackupError> {
        if !options.encrypt {
            return self
                .create_with_stage(options, PlainStage::factory(), Vec::new(), given)
                .await;
        }
        let recipients = options
            .recipients
            .clone()
            .or_else(|| self.recipients.clone())
            .ok_or_else(|| {
                BackupError::config("create snapshot: encryption asked for but no recipient given")
                    .with_hint(
                        "give recipients (certificate files or keyring fingerprints), or create \
                         it with encrypt = false",
                    )
            })?;
        let fingerprints = recipients.fingerprints();
        self.create_with_stage(
            options,
            EncryptStage::factory(recipients),
            fingerprints,
            given,
        )
        .await
    }

    /// [`SnapshotManager::create_snapshot`] with the stage between plain and stored bytes
    /// (`recipients` non-empty: the stage encrypts to them).
    async fn create_with_stage(
        &self,
        options: CreateOptions,
        stage: StageFactory,
        recipients: Vec<String>,
        given: Option<ByteStream>,
    ) -> Result<SnapshotInfo, BackupError> {
        let started = Instant::now();
        let created_at = Utc::now();
        let health = match given {
            Some(_) => None,
            None => Some(self.client.get_health().await?),
        };
        if health.as_ref().is_some_and(|h| h.is_sealed) {
            return Err(BackupError::new(
                BackupErrorKind::Vault,
                format!(
                    "take a snapshot: Vault at {} is sealed",
                    self.client.address()
                ),
            )
            .with_hint("unseal it first"));
        }
        let id = new_id(options.backup_type, created_at);
        let encrypted = !recipients.is_empty();
        let object_key = self.catalog.object_key(&id, encrypted);
        let mut entry = SnapshotInfo::started(
            id.clone(),
            options.backup_type,
            created_at,
            if options.upload {
                object_key.clone()
            } else {
                String::new()
            },
        );
        entry.encrypted = encrypted;
        entry.recipients = recipients;
        entry.vault_version = health
            .as_ref()
            .map(|h| h.version.clone())
            .filter(|v| !v.is_empty());
        entry.cluster_id = health.as_ref().and_then(|h| h.cluster_id.clone());
        entry.cluster_name = health.as_ref().and_then(|h| h.cluster_name.clone());
        entry.kv_mount =
            (options.backup_type == BackupType::Logical).then(|| options.kv_mount.clone());
        entry.retention_days = options.retention_days;
        if options.upload {
            self.catalog.create(&entry).await?;
        }
        tracing::info!(snapshot = %id, kind = options.backup_type.as_str(), "snapshot started");
        let result = self
            .stream_into_store(&options, stage, &object_key, given)
            .await;
        entry.duration_ms = Some(u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX));
        match result {
            Ok(Stored { flow, stored }) => {
                entry.status = BackupStatus::Completed;
                entry.plain_size = Some(flow.plain.size());
                entry.plain_sha256 = Some(flow.plain.hex());
                entry.stored_size = Some(stored.size());
                entry.stored_sha256 = Some(stored.hex());
                entry.raft_index = flow.report.raft_index;
                entry.raft_term = flow.report.raft_term;
                entry.secrets =
                    (options.backup_type == BackupType::Logical).then_some(flow.report.secrets);
                if options.upload {
                    self.catalog.put(&entry).await?;
                }
                tracing::info!(snapshot = %id, bytes = stored.size(), "snapshot completed");
                Ok(entry)
            }
            Err(e) => {
                // Refused: the key belongs to another writer's object, which stays.
                if options.upload && e.kind() != BackupErrorKind::Refused {
                    if let Err(d) = self.store.delete(&object_key).await {
                        tracing::warn!(key = %object_key, error = %d, "could not remove a failed snapshot");
                    }
                    entry.status = BackupStatus::Failed;
                    entry.failure = Some(e.to_string());
                    if let Err(c) = self.catalog.put(&entry).await {
                        tracing::warn!(snapshot = %id, error = %c, "could not record the failure");
                    }
                }
                tracing::warn!(snapshot = %id, error = %e, "snapshot failed");
                Err(e)
            }
        }
    }

    /// The source stream of a snapshot and, for LOGICAL, the export task to await.
    async fn source(
        &self,
        options: &CreateOptions,
    ) -> Result<
        (
            ByteStream,
            Option<tokio::task::JoinHandle<Result<u64, BackupError>>>,
        ),
        BackupError,
    > {
        match options.backup_type {
            BackupType::Full => {
                let request = VaultRequest::new(Method::Get, "sys/storage/raft/snapshot")
                    .with_stream_response();
                let response = self
                    .client
                    .send_as("take a raft snapshot", request)
                    .await
                    .map_err(|e| {
                        BackupError::from(e).with_hint(
                            "FULL needs Raft (integrated) storage and a token with `read` on \
                             sys/storage/raft/snapshot; use LOGICAL for other storage backends",
                        )
                    })?;
                let stream: ByteStream = match response.body {
                    ResponseBody::Stream(s) => s,
                    ResponseBody::Bytes(b) => Box::pin(futures_util::stream::once(async move {
                        Ok::<Bytes, std::io::Error>(b)
                    })),
                };
                Ok((stream, None))
            }
            BackupType::Logical => {
                let (stream, task) = logical::export(self.client.clone(), options.kv_mount.clone());
                Ok((stream, Some(task)))
            }
        }
    }

    async fn stream_into_store(
        &self,
        options: &CreateOptions,
        stage: StageFactory,
        object_key: &str,
        given: Option<ByteStream>,
    ) -> Result<Stored, BackupError> {
        let (source, export) = match given {
            Some(stream) => (stream, None),
            None => self.source(options).await?,
        };
        let kind = match options.backup_type {
            BackupType::Full => ArchiveKind::Raft,
            BackupType::Logical => ArchiveKind::Logical,
        };
        let reader = ChannelReader::spawn(source);
        let (sink, errors, out) = sink_stream();
        let stored = sink.digest();
        let stage = stage(sink)?;
        let checker = ArchiveChecker::spawn(kind, None)?;
        let job = tokio::task::spawn_blocking(move || {
            run(Box::new(reader), checker, Some(stage), Some(errors), None)
        });
        let put = if options.upload {
            // A snapshot is never replaced: a second writer under the same id fails.
            match self.store.put_if_absent(object_key, out).await {
                Ok(Some(_)) => Ok(()),
                Ok(None) => Err(BackupError::new(
                    BackupErrorKind::Refused,
                    format!("store snapshot {object_key}: an object already has this key"),
                )
                .with_hint("take the snapshot again (it gets a new id)")),
                Err(e) => Err(BackupError::store(
                    &format!("store snapshot {object_key}"),
                    e,
                )),
            }
        } else {
            drain(out).await
        };
        let flow = job.await.map_err(|e| {
            BackupError::new(
                BackupErrorKind::Io,
                format!("the snapshot pipeline stopped: {e}"),
            )
        })?;
        let exported = match export {
            Some(export) => match export.await {
                Ok(result) => result.map(|_| ()),
                Err(e) => Err(BackupError::new(
                    BackupErrorKind::Io,
                    format!("the export task stopped: {e}"),
                )),
            },
            None => Ok(()),
        };
        // A failed export (Vault refused a read, …) is the cause; an export that stopped
        // because the pipeline or the store failed (Io) is not.
        let exported = match exported {
            Err(e) if e.kind() != BackupErrorKind::Io => return Err(e),
            other => other,
        };
        let flow = match (flow, put) {
            (Ok(flow), Ok(())) => flow,
            // The store stopped reading: its own error says why.
            (Err(f), Err(p)) if f.kind() == BackupErrorKind::Store => return Err(p),
            (Err(f), _) => return Err(f),
            (Ok(_), Err(p)) => return Err(p),
        };
        exported?;
        let stored = stored.lock().map(|d| d.clone()).map_err(|_| {
            BackupError::new(BackupErrorKind::Io, "the stored-bytes digest was lost")
        })?;
        Ok(Stored { flow, stored })
    }
}

/// Read a stream to its end (a snapshot taken with `upload: false`).
async fn drain(mut stream: ByteStream) -> Result<(), BackupError> {
    while let Some(chunk) = stream.next().await {
        chunk.map_err(|e| BackupError::from_io("stream the snapshot", e))?;
    }
    Ok(())
}
