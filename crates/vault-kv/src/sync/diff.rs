//! [`diff`]: what applying a [`Desired`] set would change, key by key.

use futures_util::{StreamExt, stream};
use serde::Serialize;
use serde_json::Map;

use super::desired::Desired;
use crate::error::{KvError, KvErrorKind};
use crate::ext::KvExt;
use crate::kv::Kv;
use crate::mount::KvVersion;
use crate::secret::SecretData;

/// What applying would do to one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum KeyChange {
    /// Not in Vault yet: it will be added.
    Add,
    /// Vault already holds this value.
    Unchanged,
    /// Vault holds a different value: written only with [`super::ApplyOptions::force`].
    Conflict,
}

/// One desired key compared with Vault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyDiff {
    /// The key name.
    pub key: String,
    /// What applying would do.
    pub change: KeyChange,
}

/// What Vault held for one secret when it was read (kept for the write).
#[derive(Clone, Default)]
pub(crate) struct Base {
    /// The data read (empty for a new secret or a deleted/destroyed latest version).
    pub data: SecretData,
    /// KV v2: the version to check-and-set against (0: does not exist); `None` on KV v1.
    pub cas: Option<u64>,
}

/// One desired secret compared with Vault.
///
/// `Debug` and serialization show the path, version and key names; the values (desired and read)
/// stay inside and are only written by [`super::apply`].
#[derive(Clone, Serialize)]
pub struct SecretDiff {
    /// The path inside the mount.
    pub path: String,
    /// Whether a live secret exists (false: new secret, or a KV v2 secret whose latest version is
    /// soft-deleted or destroyed).
    pub exists: bool,
    /// KV v2: the latest version number (also when that version is deleted or destroyed); `None`
    /// when the secret was never written or the mount is KV v1.
    pub version: Option<u64>,
    /// The desired keys, in key order.
    pub keys: Vec<KeyDiff>,
    /// Keys Vault holds that the desired set does not mention (kept by a write).
    pub extra_keys: Vec<String>,
    #[serde(skip)]
    pub(crate) base: Base,
    #[serde(skip)]
    pub(crate) desired: SecretData,
}

impl SecretDiff {
    /// Vault already holds every desired value: nothing to write.
    pub fn is_unchanged(&self) -> bool {
        self.keys.iter().all(|k| k.change == KeyChange::Unchanged)
    }

    /// The keys whose value differs in Vault.
    pub fn conflicting_keys(&self) -> impl Iterator<Item = &str> {
        self.keys
            .iter()
            .filter(|k| k.change == KeyChange::Conflict)
            .map(|k| k.key.as_str())
    }

    /// Some key differs in Vault.
    pub fn has_conflict(&self) -> bool {
        self.conflicting_keys().next().is_some()
    }

    /// How `key` compares, if it is desired.
    pub fn change(&self, key: &str) -> Option<KeyChange> {
        self.keys.iter().find(|k| k.key == key).map(|k| k.change)
    }

    /// Whether [`super::apply`] would write this secret (with or without `force`).
    pub fn would_write(&self, force: bool) -> bool {
        !self.is_unchanged() && (force || !self.has_conflict())
    }
}

impl std::fmt::Debug for SecretDiff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretDiff")
            .field("path", &self.path)
            .field("exists", &self.exists)
            .field("version", &self.version)
            .field("keys", &self.keys)
            .field("extra_keys", &self.extra_keys)
            .finish_non_exhaustive()
    }
}

/// How many reads [`diff`] keeps in flight.
const READS_IN_FLIGHT: usize = 8;

/// A [`Desired`] set compared with one mount.
#[derive(Debug, Clone, Serialize)]
pub struct SyncDiff {
    /// The mount compared with.
    pub mount: String,
    /// The mount's KV version at the time of the diff.
    #[serde(serialize_with = "version_number")]
    pub kv_version: KvVersion,
    /// One entry per desired secret, in path order.
    pub secrets: Vec<SecretDiff>,
}

fn version_number<S: serde::Serializer>(v: &KvVersion, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u8(match v {
        KvVersion::V1 => 1,
        KvVersion::V2 => 2,
    })
}

impl SyncDiff {
    /// The secret at `path`.
    pub fn get(&self, path: &str) -> Option<&SecretDiff> {
        let path = path.trim_matches('/');
        self.secrets.iter().find(|s| s.path == path)
    }

    /// Secrets with at least one conflicting key.
    pub fn conflicts(&self) -> impl Iterator<Item = &SecretDiff> {
        self.secrets.iter().filter(|s| s.has_conflict())
    }

    /// Number of secrets [`super::apply`] would write.
    pub fn would_write(&self, force: bool) -> usize {
        self.secrets.iter().filter(|s| s.would_write(force)).count()
    }

    /// Vault already holds everything.
    pub fn is_unchanged(&self) -> bool {
        self.secrets.iter().all(SecretDiff::is_unchanged)
    }
}

/// Compare `desired` with what `kv` holds: one read per secret (a few in flight at a time), no
/// write.
///
/// A missing secret, or a KV v2 secret whose latest version is soft-deleted or destroyed, counts
/// as new (every key [`KeyChange::Add`]). Any other read failure (permission, connection, …)
/// stops the diff with that error.
pub async fn diff(kv: &Kv, desired: &Desired) -> Result<SyncDiff, KvError> {
    // A failed version lookup reads as a failure to compare the first secret, not of an
    // internal request.
    let first = desired.paths().next().unwrap_or_default();
    let kv_version = kv.version_for("compare", first).await?;
    let kv = &uncached(kv);
    // Reads go out a few at a time (in order), so a large set does not wait on one round trip
    // per secret.
    // (The futures are made first, so no closure is held across an await and the whole future
    // stays `Send` for `tokio::spawn`.)
    let reads: Vec<_> = desired
        .secrets
        .keys()
        .map(|path| read_base(kv, kv_version, path))
        .collect();
    let bases: Vec<Result<Base, KvError>> = stream::iter(reads)
        .buffered(READS_IN_FLIGHT)
        .collect()
        .await;
    let mut secrets = Vec::with_capacity(desired.secrets.len());
    for ((path, wanted), base) in desired.secrets.iter().zip(bases) {
        let base = base?;
        let exists = !base.data.is_empty();
        let keys = wanted
            .expose()
            .iter()
            .map(|(key, value)| KeyDiff {
                key: key.clone(),
                change: match base.data.get(key) {
                    None => KeyChange::Add,
                    Some(current) if desired.compare.same(current, value) => KeyChange::Unchanged,
                    Some(_) => KeyChange::Conflict,
                },
            })
            .collect();
        let extra_keys = base
            .data
            .keys()
            .filter(|k| !wanted.contains_key(k))
            .map(String::from)
            .collect();
        secrets.push(SecretDiff {
            path: path.clone(),
            exists,
            version: base.cas.filter(|v| *v > 0),
            keys,
            extra_keys,
            base,
            desired: wanted.clone(),
        });
    }
    Ok(SyncDiff {
        mount: kv.mount().to_string(),
        kv_version,
        secrets,
    })
}

/// The same mount without a cache: a diff must see what Vault holds now, not a cached copy.
pub(crate) fn uncached(kv: &Kv) -> Kv {
    kv.v2().client().kv(kv.mount())
}

/// Read what Vault holds at `path`, and the version to check-and-set against.
pub(crate) async fn read_base(kv: &Kv, version: KvVersion, path: &str) -> Result<Base, KvError> {
    let read = match version {
        KvVersion::V2 => kv.v2().read(path).await,
        KvVersion::V1 => kv.v1().read(path).await,
    };
    let v2 = version == KvVersion::V2;
    match read {
        // A read that still returned a deleted or destroyed version carries no data.
        Ok(s) if s.data.is_empty() && (s.metadata.destroyed || s.metadata.is_deleted()) => {
            Ok(Base {
                data: SecretData::new(Map::new()),
                cas: s.metadata.version,
            })
        }
        Ok(s) => Ok(Base {
            cas: if v2 {
                Some(s.metadata.version.unwrap_or(0))
            } else {
                None
            },
            data: s.data,
        }),
        Err(
            KvError::VersionDeleted { version, .. } | KvError::VersionDestroyed { version, .. },
        ) => Ok(Base {
            data: SecretData::default(),
            cas: Some(version),
        }),
        // The latest version is known but not readable (pruned): check-and-set against it.
        Err(KvError::NotFound {
            version: Some(version),
            ..
        }) if v2 => Ok(Base {
            data: SecretData::default(),
            cas: Some(version),
        }),
        Err(e) if e.kind() == KvErrorKind::NotFound => Ok(Base {
            data: SecretData::default(),
            cas: v2.then_some(0),
        }),
        Err(e) => Err(e),
    }
}
