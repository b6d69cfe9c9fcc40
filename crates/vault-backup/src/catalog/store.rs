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

    /// An entry read back from the store: at most [`MAX_ENTRY_LEN`] bytes, naming `id`, and
    /// pointing at `id`'s own object (or none). The store is not trusted: an edited entry must
    /// not make cleanup delete, or verify read, another object of the store.
    fn parse(&self, key: &str, bytes: &Bytes, id: &str) -> Result<SnapshotInfo, BackupError> {
        if bytes.len() > MAX_ENTRY_LEN {
            return Err(BackupError::integrity(format!(
                "catalog entry {key} is larger than {MAX_ENTRY_LEN} bytes"
            )));
        }
        let entry: SnapshotInfo = serde_json::from_slice(bytes).map_err(|e| {
            BackupError::integrity(format!("catalog entry {key} is not valid: {e}"))
        })?;
        if entry.id != id {
            return Err(BackupError::integrity(format!(
                "catalog entry {key} names another snapshot id"
            )));
        }
        if !entry.object_key.is_empty() && entry.object_key != self.object_key(id, entry.encrypted)
        {
            return Err(BackupError::integrity(format!(
                "catalog entry {key} points at an object that is not its own snapshot"
            ))
            .with_hint("the entry was edited or comes from another tool; remove it by hand"));
        }
        Ok(entry)
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
        let bytes = self
            .store
            .get_bytes_limited(&key, MAX_ENTRY_LEN)
            .await
            .map_err(|e| {
                BackupError::store(&format!("read catalog entry {key}"), e)
                    .with_hint("list the snapshots to see which ids exist")
            })?;
        self.parse(&key, &bytes, id)
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
            match self
                .store
                .get_bytes_limited(&object.key, MAX_ENTRY_LEN)
                .await
            {
                Ok(bytes) => match self.parse(&object.key, &bytes, id) {
                    Ok(entry) => entries.push(entry),
                    Err(e) => {
                        tracing::warn!(key = %object.key, error = %e, "skipping catalog entry")
                    }
                },
                Err(e) if e.is_not_found() => {}
                Err(e) if e.kind() == vault_core::VaultErrorKind::Validation => {
                    tracing::warn!(key = %object.key, error = %e, "skipping catalog entry")
                }
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

    #[tokio::test]
    async fn an_entry_pointing_at_another_object_or_too_big_is_refused() {
        use vault_core::{BlobStoreExt, LocalDirStore};
        let dir = tempfile::tempdir().expect("temp dir");
        let store: Arc<dyn BlobStore> = Arc::new(LocalDirStore::new(dir.path()).expect("store"));
        let catalog = Catalog::new(store.clone(), "vault/".into());
        let id = new_id(BackupType::Full, Utc::now());
        let own = catalog.object_key(&id, false);
        let entry = SnapshotInfo::started(id.clone(), BackupType::Full, Utc::now(), own);
        catalog.put(&entry).await.expect("put");
        assert_eq!(catalog.get(&id).await.expect("own object"), entry);

        // An edited entry aimed at another team's object (or at a catalog entry) would make
        // cleanup delete it.
        for other in ["otherteam/snapshots/x.snap", "vault/catalog/x.json"] {
            let mut forged = entry.clone();
            forged.object_key = other.into();
            let key = format!("vault/catalog/{id}.json");
            let json = serde_json::to_vec(&forged).expect("json");
            store
                .put_bytes(&key, Bytes::from(json))
                .await
                .expect("plant");
            let err = catalog.get(&id).await.expect_err("refused");
            assert!(err.to_string().contains("not its own snapshot"), "{err}");
            assert!(catalog.list().await.expect("list skips it").is_empty());
        }

        let key = format!("vault/catalog/{id}.json");
        store
            .put_bytes(&key, Bytes::from(vec![b' '; MAX_ENTRY_LEN + 1]))
            .await
            .expect("plant");
        assert!(catalog.get(&id).await.is_err());
        assert!(catalog.list().await.expect("list skips it").is_empty());
    }
}
