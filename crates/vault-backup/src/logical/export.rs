//! [`export`]: walk a KV v2 mount and stream it as a LOGICAL archive.

use std::collections::BTreeMap;
use std::io::Write;

use chrono::Utc;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use vault_core::{ByteStream, VaultClient};
use vault_kv::{KvErrorKind, KvExt, WalkOptions};

use super::record::{FORMAT, Manifest, SecretRecord, VersionRecord};
use crate::archive::Digest;
use crate::pipeline::{ChannelSink, ErrorSender, sink_stream};
use crate::{BackupError, BackupErrorKind};

/// Members in flight between the Vault reader and the archive writer.
const IN_FLIGHT: usize = 4;

enum Item {
    Member(String, Vec<u8>),
    Failed(String),
}

/// The archive of `mount` as a stream, and the task producing it (its result: the number of
/// secrets, or why the export failed, in which case the stream ends with an error).
pub(crate) fn export(
    client: VaultClient,
    mount: String,
) -> (ByteStream, JoinHandle<Result<u64, BackupError>>) {
    let (sink, errors, stream) = sink_stream();
    let (tx, rx) = mpsc::channel::<Item>(IN_FLIGHT);
    let created = Utc::now().timestamp().max(0) as u64;
    let writer = tokio::task::spawn_blocking(move || write_archive(rx, sink, errors, created));
    let task = tokio::spawn(async move {
        let produced = produce(&client, &mount, &tx).await;
        if let Err(e) = &produced {
            let _ = tx.send(Item::Failed(e.to_string())).await;
        }
        drop(tx);
        let written = writer.await.map_err(|e| {
            BackupError::new(
                BackupErrorKind::Io,
                format!("the export writer stopped: {e}"),
            )
        })?;
        let count = produced?;
        written?;
        Ok(count)
    });
    (stream, task)
}

async fn produce(
    client: &VaultClient,
    mount: &str,
    tx: &mpsc::Sender<Item>,
) -> Result<u64, BackupError> {
    let stopped = || BackupError::new(BackupErrorKind::Io, "the export writer stopped");
    let manifest = Manifest {
        format: FORMAT.to_string(),
        format_version: 1,
        mount: mount.to_string(),
        created_at: Utc::now(),
    };
    let bytes = serde_json::to_vec(&manifest)
        .map_err(|e| BackupError::new(BackupErrorKind::Io, format!("encode manifest: {e}")))?;
    tx.send(Item::Member("manifest.json".into(), bytes))
        .await
        .map_err(|_| stopped())?;
    let (paths, skipped) = client
        .walk(mount, WalkOptions::builder())
        .collect_all()
        .await;
    if let Some((folder, error)) = skipped
        .into_iter()
        .find(|(_, e)| e.kind() != KvErrorKind::NotFound)
    {
        return Err(BackupError::from(error).with_hint(format!(
            "folder {folder:?} of mount {mount} could not be listed; a LOGICAL snapshot needs \
             `list` and `read` on the whole mount"
        )));
    }
    let kv = client.kv2(mount);
    let mut count = 0u64;
    for path in paths {
        let meta = match kv.read_metadata(&path).await {
            Ok(m) => m,
            Err(e) if e.kind() == KvErrorKind::NotFound => continue,
            Err(e) => return Err(e.into()),
        };
        let mut versions = Vec::with_capacity(meta.versions.len());
        for (version, state) in &meta.versions {
            let data = if state.destroyed {
                None
            } else {
                match kv.read_version(&path, *version).await {
                    Ok(secret) => Some(secret.data.into_map()),
                    Err(e)
                        if matches!(
                            e.kind(),
                            KvErrorKind::VersionDeleted
                                | KvErrorKind::VersionDestroyed
                                | KvErrorKind::NotFound
                        ) =>
                    {
                        None
                    }
                    Err(e) => return Err(e.into()),
                }
            };
            versions.push(VersionRecord {
                version: *version,
                created_time: state.created_time.clone(),
                deletion_time: state.deletion_time.clone(),
                destroyed: state.destroyed,
                data,
            });
        }
        let record = SecretRecord {
            path: path.clone(),
            cas_required: meta.cas_required,
            max_versions: meta.max_versions,
            delete_version_after: meta.delete_version_after.clone(),
            custom_metadata: meta
                .custom_metadata
                .clone()
                .into_iter()
                .collect::<BTreeMap<_, _>>(),
            current_version: meta.current_version,
            oldest_version: meta.oldest_version,
            versions,
        };
        let bytes = serde_json::to_vec(&record).map_err(|e| {
            BackupError::new(
                BackupErrorKind::Io,
                format!("encode secret {mount}/{path}: {e}"),
            )
        })?;
        count += 1;
        tx.send(Item::Member(format!("secrets/{count:08}.json"), bytes))
            .await
            .map_err(|_| stopped())?;
    }
    Ok(count)
}

/// The blocking side: tar + gzip into the sink; `SHA256SUMS` last.
fn write_archive(
    mut rx: mpsc::Receiver<Item>,
    sink: ChannelSink,
    errors: ErrorSender,
    mtime: u64,
) -> Result<(), BackupError> {
    let result = (|| {
        let gz = flate2::write::GzEncoder::new(sink, flate2::Compression::default());
        let mut tar = tar::Builder::new(gz);
        let mut sums = String::new();
        let io = |e| BackupError::from_io("write the logical export", e);
        while let Some(item) = rx.blocking_recv() {
            match item {
                Item::Member(name, bytes) => {
                    let mut digest = Digest::default();
                    digest.update(&bytes);
                    sums.push_str(&format!("{}  {name}\n", digest.hex()));
                    append(&mut tar, &name, &bytes, mtime).map_err(io)?;
                }
                Item::Failed(why) => return Err(BackupError::new(BackupErrorKind::Vault, why)),
            }
        }
        append(&mut tar, "SHA256SUMS", sums.as_bytes(), mtime).map_err(io)?;
        let gz = tar.into_inner().map_err(io)?;
        let mut sink = gz.finish().map_err(io)?;
        sink.flush().map_err(io)
    })();
    if let Err(e) = &result {
        errors.fail(std::io::Error::other(e.to_string()));
    }
    result
}

fn append<W: Write>(
    tar: &mut tar::Builder<W>,
    name: &str,
    bytes: &[u8],
    mtime: u64,
) -> std::io::Result<()> {
    let mut header = tar::Header::new_ustar();
    header.set_size(bytes.len() as u64);
    header.set_mode(0o600);
    header.set_mtime(mtime);
    header.set_entry_type(tar::EntryType::Regular);
    tar.append_data(&mut header, name, bytes)
}
