//! What a read returns: [`VaultSecret`] (the Python module's shape: `path`, `data`, `metadata`), with its
//! values in [`SecretData`], which never prints them.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The key/value pairs of a secret. Cheap to clone (shared); `Debug` shows the key names only.
///
/// Values come out through [`SecretData::get`], [`SecretData::get_str`] or
/// [`SecretData::expose`]: every call site is a place where secret material leaves the wrapper.
#[derive(Clone, Default, PartialEq)]
pub struct SecretData(Arc<Map<String, Value>>);

impl SecretData {
    /// Wrap a JSON object.
    pub fn new(map: Map<String, Value>) -> Self {
        SecretData(Arc::new(map))
    }

    /// The value under `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key)
    }

    /// The value under `key` when it is a JSON string.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(Value::as_str)
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }

    /// The key names, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when the secret has no key.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The whole map, values included.
    pub fn expose(&self) -> &Map<String, Value> {
        &self.0
    }

    /// The map by value (clones only when the data is shared, e.g. with the cache).
    pub fn into_map(self) -> Map<String, Value> {
        Arc::try_unwrap(self.0).unwrap_or_else(|shared| (*shared).clone())
    }
}

impl fmt::Debug for SecretData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretData")
            .field("keys", &self.0.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl From<Map<String, Value>> for SecretData {
    fn from(map: Map<String, Value>) -> Self {
        SecretData::new(map)
    }
}

/// Serializing writes the values: it is an explicit export (e.g. `--format json` output asked for
/// by a person), never done by logging.
impl Serialize for SecretData {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de> Deserialize<'de> for SecretData {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // KV v2 answers `"data": null` for a deleted version; treat it as empty.
        Ok(SecretData::new(
            Option::<Map<String, Value>>::deserialize(d)?.unwrap_or_default(),
        ))
    }
}

/// Metadata of one version, as KV v2 returns it with a read, write or patch
/// (`created_time`, `custom_metadata`, `deletion_time`, `destroyed`, `version`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct SecretMetadata {
    /// RFC 3339 creation time; empty for KV v1.
    #[serde(default)]
    pub created_time: String,
    /// The key-level custom metadata.
    #[serde(default, deserialize_with = "crate::v2::types::null_as_default")]
    pub custom_metadata: HashMap<String, String>,
    /// RFC 3339 time the version was (or will be) soft-deleted; empty when not deleted.
    #[serde(default)]
    pub deletion_time: String,
    /// True once the version was destroyed (its data is gone for good).
    #[serde(default)]
    pub destroyed: bool,
    /// The version number; `None` on KV v1 (no versions).
    #[serde(default)]
    pub version: Option<u64>,
}

impl SecretMetadata {
    /// Soft-deleted (the deletion time is set; a future deletion time from `delete_version_after`
    /// still reads normally until it passes, as Vault does).
    pub fn is_deleted(&self) -> bool {
        !self.deletion_time.is_empty()
    }
}

/// A secret as read: the Python module's `VaultSecret { path, data, metadata }`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VaultSecret {
    /// The path inside the mount, as asked for (`app/db`).
    pub path: String,
    /// The key/value pairs (values never print).
    pub data: SecretData,
    /// Version metadata (`version: None` on KV v1).
    pub metadata: SecretMetadata,
}

impl VaultSecret {
    /// The value under `key` when it is a string.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.data.get_str(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn debug_never_shows_values() {
        let Value::Object(map) = json!({"username": "svc", "password": "planted-Pa55-xyzzy"})
        else {
            panic!("object literal")
        };
        let secret = VaultSecret {
            path: "app/db".into(),
            data: SecretData::new(map),
            metadata: SecretMetadata::default(),
        };
        let shown = format!("{secret:?} {:?}", secret.data);
        assert!(!shown.contains("planted-Pa55-xyzzy"), "{shown}");
        assert!(!shown.contains("svc\""), "{shown}");
        assert!(shown.contains("password"), "{shown}");
        assert_eq!(secret.get_str("password"), Some("planted-Pa55-xyzzy"));
    }

    #[test]
    fn null_data_is_empty() {
        let d: SecretData = serde_json::from_value(Value::Null).expect("null is accepted");
        assert!(d.is_empty());
    }

    #[test]
    fn into_map_does_not_lose_values_when_shared() {
        let Value::Object(map) = json!({"a": 1}) else {
            panic!("object literal")
        };
        let d = SecretData::new(map);
        let shared = d.clone();
        assert_eq!(d.into_map().get("a"), Some(&json!(1)));
        assert_eq!(shared.get("a"), Some(&json!(1)));
    }
}
