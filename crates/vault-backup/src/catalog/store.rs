//! [`Catalog`]: catalog entries in a [`BlobStore`].

use std::sync::Arc;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use vault_core::{BlobStore, BlobStoreExt};

use super::{BackupType, SnapshotInfo};
use crate::BackupError;

/// Longest snapshot id accepted.
const MAX_ID_LEN: usize = 80;
/// Largest catalog entry read (entries are a few hundred bytes).
const MAX_ENTRY_LEN: usize = 64 * 1024;

/// A new snapshot id: type, UTC time, 6 random hex digits (`full-20261206T015223Z-3fa9c1`).
pub(crate) fn new_id(backup_type: BackupType, at: DateTime<Utc>) -> String {
    let random: u32 = rand::random::<u32>() & 0x00ff_ffff;
    format!(
        "{}-{}-{random:06x}",
        backup_type.as_str(),
        at.format("%Y%m%dT%H%M%SZ")
    )
}

/// Ids name store keys: lower-case letters, digits and `-` only.
pub(crate) fn validate_id(id: &str) -> Result<(), BackupError> {
    let ok = !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'T' || b == b'Z'
        });
    if ok {
        Ok(())
    } else {
        let shown: String = id.chars().take(40).collect();
        Err(BackupError::new(
            crate::BackupErrorKind::NotFound,
            format!("{shown:?} is not a snapshot id"),
        )
        .with_hint("list the snapshots to see their ids"))
    }
}

/// The catalog under a prefix of a store.
#[derive(Debug, Clone)]
pub(crate) struct Catalog {
    store: Arc<dyn BlobStore>,
    prefix: String,
}

impl Catalog {
    pub(crate) fn new(store: Arc<dyn BlobStore>, prefix: String) -> Self {
        Catalog { store, prefix }
    }

    fn key(&self, id: &str) -> String {
        format!("{}catalog/{id}.json", self.prefix)
    }

    /// The object key of snapshot `id`.
    pub(crate) fn object_key(&self, id: &str, encrypted: bool) -> String {
        let suffix = if encrypted { ".snap.pgp" } else { ".snap" };
        format!("{}snapshots/{id}{suffix}", self.prefix)
    }

    /// Write (or replace) an entry.
    pub(crate) async fn put(&self, entry: &SnapshotInfo) -> Result<(), BackupError> {
        let key = self.key(&entry.id);
        let json = serde_json::to_vec_pretty(entry).map_err(|e| {
            BackupError::new(
                crate::BackupErrorKind::Io,
                format!("encode catalog entry {key}: {e}"),
            )
        })?;
        self.store
            .put_bytes(&key, Bytes::from(json))
            .await
            .map(|_| ())
            .map_err(|e| BackupError::store(&format!("write catalog entry {key}"), e))
    }

    /// Write the first entry of a new snapshot; refused when the id is taken.
    pub(crate) async fn create(&self, entry: &SnapshotInfo) -> Result<(), BackupError> {
        let key = self.key(&entry.id);
        let json = serde_json::to_vec_pretty(entry).map_err(|e| {
            BackupError::new(
                crate::BackupErrorKind::Io,
                format!("encode catalog entry {key}: {e}"),
            )
        })?;
        let stream: vault_core::ByteStream =
            Box::pin(futures_util::stream::once(
                async move { Ok(Bytes::from(json)) },
            ));
        match self.store.put_if_absent(&key, stream).await {
            Ok(Some(_)) => Ok(()),
            Ok(None) => Err(BackupError::new(
                crate::BackupErrorKind::Refused,
                format!("write catalog entry {key}: the snapshot id is taken"),
            )
            .with_hint("take the snapshot again (it gets a new id)")),
            Err(e) => Err(BackupError::store(&format!("write catalog entry {key}"), e)),
        }
    }

    /// Read the entry of `id`.
    pub(crate) async fn get(&self, id: &str) -> Result<SnapshotInfo, BackupError> {
        validate_id(id)?;
        let key = self.key(id);
        let bytes = self.store.get_bytes(&key).await.map_err(|e| {
            BackupError::store(&format!("read catalog entry {key}"), e)
                .with_hint("list the snapshots to see which ids exist")
        })?;
        parse(&key, &bytes, id)
    }

    /// Every readable entry, oldest first; unreadable ones are logged and skipped.
    pub(crate) async fn list(&self) -> Result<Vec<SnapshotInfo>, BackupError> {
        let prefix = format!("{}catalog/", self.prefix);
        let objects = self
            .store
            .list(&prefix)
            .await
            .map_err(|e| BackupError::store(&format!("list catalog {prefix}"), e))?;
        let mut entries = Vec::with_capacity(objects.len());
        for object in objects {
            let Some(id) = object
                .key
                .strip_prefix(&prefix)
                .and_then(|k| k.strip_suffix(".json"))
            else {
                continue;
            };
            if validate_id(id).is_err() {
                continue;
            }
            match self.store.get_bytes(&object.key).await {
                Ok(bytes) => match parse(&object.key, &bytes, id) {
                    Ok(entry) => entries.push(entry),
                    Err(e) => {
                        tracing::warn!(key = %object.key, error = %e, "skipping catalog entry")
                    }
                },
                Err(e) if e.is_not_found() => {}
                Err(e) => {
                    return Err(BackupError::store(
                        &format!("read catalog entry {}", object.key),
                        e,
                    ));
                }
            }
        }
        entries.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        Ok(entries)
    }
}

fn parse(key: &str, bytes: &Bytes, id: &str) -> Result<SnapshotInfo, BackupError> {
    if bytes.len() > MAX_ENTRY_LEN {
        return Err(BackupError::integrity(format!(
            "catalog entry {key} is larger than {MAX_ENTRY_LEN} bytes"
        )));
    }
    let entry: SnapshotInfo = serde_json::from_slice(bytes)
        .map_err(|e| BackupError::integrity(format!("catalog entry {key} is not valid: {e}")))?;
    if entry.id != id {
        return Err(BackupError::integrity(format!(
            "catalog entry {key} names another snapshot id"
        )));
    }
    Ok(entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_key_safe() {
        let id = new_id(BackupType::Full, Utc::now());
        validate_id(&id).expect("a new id is valid");
        assert!(id.starts_with("full-"));
        for bad in ["", "../x", "a/b", "A b", &"x".repeat(100)] {
            assert!(validate_id(bad).is_err(), "{bad:?}");
        }
    }
}
