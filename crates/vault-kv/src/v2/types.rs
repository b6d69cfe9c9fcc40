//! One request/response struct per KV v2 endpoint ([KV v2 API](https://developer.hashicorp.com/vault/api-docs/secret/kv/kv-v2)).
//!
//! Unknown response fields are ignored (newer plugins add attribution fields), missing ones take
//! their defaults, and `null` maps read as empty.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::secret::{SecretData, SecretMetadata};

pub(crate) fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// `GET <mount>/data/<path>[?version=n]` → `data`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ReadSecretResponse {
    /// The secret's key/value pairs.
    #[serde(default)]
    pub data: SecretData,
    /// The version read.
    #[serde(default)]
    pub metadata: SecretMetadata,
}

/// `options` of a create/update or patch: `cas` is the version the key must be at
/// (0 = the key must not exist yet).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct WriteOptions {
    /// Version the key must be at for the write to succeed (0: must not exist yet).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cas: Option<u64>,
}

/// `POST <mount>/data/<path>` body: `{"data": {…}, "options": {"cas": n}}`.
/// Answer: [`VersionMetadata`]. `PATCH` uses the same body as a JSON merge patch.
#[derive(Clone, Serialize)]
pub struct WriteSecretRequest {
    /// The secret's key/value pairs (the whole new version, or the patch).
    pub data: Map<String, Value>,
    /// Check-and-set, if wanted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<WriteOptions>,
}

impl WriteSecretRequest {
    /// A write of `data` without check-and-set.
    pub fn new(data: Map<String, Value>) -> Self {
        WriteSecretRequest {
            data,
            options: None,
        }
    }

    /// Only succeed if the key is at `version` (0: only if it does not exist).
    pub fn with_cas(mut self, version: u64) -> Self {
        self.options = Some(WriteOptions { cas: Some(version) });
        self
    }

    pub(crate) fn cas(&self) -> Option<u64> {
        self.options.and_then(|o| o.cas)
    }
}

impl std::fmt::Debug for WriteSecretRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteSecretRequest")
            .field("keys", &self.data.keys().collect::<Vec<_>>())
            .field("options", &self.options)
            .finish()
    }
}

/// The flat version metadata a write or patch answers with (same fields as
/// [`SecretMetadata`]); this is the Python module's "write response with version info".
pub type VersionMetadata = SecretMetadata;

/// `POST <mount>/delete|undelete|destroy/<path>` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionsRequest {
    /// The version numbers to act on.
    pub versions: Vec<u64>,
}

/// The state of one retained version in [`KeyMetadata::versions`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct VersionState {
    /// RFC 3339 time the version was written.
    #[serde(default)]
    pub created_time: String,
    /// RFC 3339 time of the soft delete; empty when not deleted.
    #[serde(default)]
    pub deletion_time: String,
    /// True once the version was destroyed.
    #[serde(default)]
    pub destroyed: bool,
}

impl VersionState {
    /// Readable: neither destroyed nor soft-deleted.
    pub fn is_live(&self) -> bool {
        !self.destroyed && self.deletion_time.is_empty()
    }
}

/// `GET <mount>/metadata/<path>` → `data`: key-level metadata and every retained version.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct KeyMetadata {
    /// Writes to this key must give `cas`.
    #[serde(default)]
    pub cas_required: bool,
    /// RFC 3339 time the key was first written.
    #[serde(default)]
    pub created_time: String,
    /// The newest version number.
    #[serde(default)]
    pub current_version: u64,
    /// Free-form string metadata on the key (not versioned).
    #[serde(default, deserialize_with = "null_as_default")]
    pub custom_metadata: HashMap<String, String>,
    /// Go duration string (`"0s"`, `"3h25m19s"`).
    #[serde(default)]
    pub delete_version_after: String,
    /// Versions kept for this key (0: the mount's setting).
    #[serde(default)]
    pub max_versions: u64,
    /// The oldest version still retained.
    #[serde(default)]
    pub oldest_version: u64,
    /// RFC 3339 time of the last write.
    #[serde(default)]
    pub updated_time: String,
    /// Retained versions by number.
    #[serde(default, deserialize_with = "versions_by_number")]
    pub versions: BTreeMap<u64, VersionState>,
}

impl KeyMetadata {
    /// Versions that can be read (not deleted, not destroyed), ascending.
    pub fn live_versions(&self) -> Vec<u64> {
        self.versions
            .iter()
            .filter(|(_, s)| s.is_live())
            .map(|(v, _)| *v)
            .collect()
    }
}

fn versions_by_number<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<u64, VersionState>, D::Error> {
    let raw: Option<HashMap<String, VersionState>> = Option::deserialize(d)?;
    let mut out = BTreeMap::new();
    for (k, v) in raw.unwrap_or_default() {
        let n = k
            .parse::<u64>()
            .map_err(|_| serde::de::Error::custom(format!("version key `{k}` is not a number")))?;
        out.insert(n, v);
    }
    Ok(out)
}

/// `POST <mount>/metadata/<path>` (and, as a merge patch, `PATCH`): fields left `None` are not
/// sent, so they keep their current value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MetadataRequest {
    /// Versions to keep (0: the mount's setting).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_versions: Option<u64>,
    /// Require `cas` on writes to this key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cas_required: Option<bool>,
    /// Go duration string, e.g. `"1h"`; `"0s"` clears it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delete_version_after: Option<String>,
    /// Replaces the key's custom metadata as a whole.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_metadata: Option<HashMap<String, String>>,
}

impl MetadataRequest {
    /// An empty request (changes nothing until a field is set).
    pub fn builder() -> Self {
        MetadataRequest::default()
    }
    /// Sets the number of versions to keep.
    pub fn with_max_versions(mut self, n: u64) -> Self {
        self.max_versions = Some(n);
        self
    }
    /// Requires (or stops requiring) `cas` on writes.
    pub fn with_cas_required(mut self, required: bool) -> Self {
        self.cas_required = Some(required);
        self
    }
    /// Sets the Go duration after which versions are soft-deleted (`"0s"` clears it).
    pub fn with_delete_version_after(mut self, duration: impl Into<String>) -> Self {
        self.delete_version_after = Some(duration.into());
        self
    }
    /// Adds one custom metadata entry.
    pub fn with_custom_metadata(
        mut self,
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        self.custom_metadata
            .get_or_insert_with(HashMap::new)
            .insert(key.into(), value.into());
        self
    }
}

/// `LIST <mount>/metadata/<path>/` → `data`: names, folders end in `/`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ListResponse {
    /// Child names; folders end in `/`.
    #[serde(default)]
    pub keys: Vec<String>,
}

/// `GET <mount>/subkeys/<path>[?version=n&depth=d]` → `data`: the key structure with every leaf
/// replaced by `null` (so no secret values), plus the version metadata.
#[derive(Debug, Clone, Deserialize)]
pub struct SubkeysResponse {
    /// The key structure; every leaf is `null`.
    #[serde(default)]
    pub subkeys: Value,
    /// The version described.
    #[serde(default)]
    pub metadata: SecretMetadata,
}

/// `GET <mount>/subkeys/<path>` query parameters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SubkeysRequest {
    /// Read this version instead of the latest.
    pub version: Option<u64>,
    /// Stop after this many levels (0 = all).
    pub depth: Option<u32>,
}

/// `GET|POST <mount>/config`: the mount-wide defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct KvV2Config {
    /// Versions kept per key (0: Vault's default of 10).
    #[serde(default)]
    pub max_versions: u64,
    /// Writes to every key must give `cas`.
    #[serde(default)]
    pub cas_required: bool,
    /// Go duration string.
    #[serde(default)]
    pub delete_version_after: String,
}

/// `POST <mount>/config` body: fields left `None` are not changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct KvV2ConfigRequest {
    /// Versions to keep per key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_versions: Option<u64>,
    /// Require `cas` on every write.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cas_required: Option<bool>,
    /// Go duration after which versions are soft-deleted (`"0s"` clears it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delete_version_after: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn metadata_parses_the_documented_shape() {
        let m: KeyMetadata = serde_json::from_value(json!({
            "cas_required": false, "created_time": "2025-01-31T10:00:00Z", "current_version": 3,
            "custom_metadata": null, "delete_version_after": "0s", "max_versions": 0, "oldest_version": 0,
            "updated_time": "2025-01-31T10:00:00Z", "last_updated_by": {"actor": "x"},
            "versions": {"1": {"created_time": "t", "deletion_time": "", "destroyed": false},
                         "2": {"created_time": "t", "deletion_time": "", "destroyed": true},
                         "3": {"created_time": "t", "deletion_time": "2025-02-01T00:00:00Z", "destroyed": false}}
        }))
        .expect("documented shape parses");
        assert_eq!(m.current_version, 3);
        assert_eq!(m.live_versions(), vec![1]);
        assert!(m.custom_metadata.is_empty());
    }

    #[test]
    fn requests_send_only_what_is_set() {
        let r = MetadataRequest::builder()
            .with_max_versions(5)
            .with_custom_metadata("owner", "data-team");
        assert_eq!(
            serde_json::to_value(&r).expect("serializes"),
            json!({"max_versions": 5, "custom_metadata": {"owner": "data-team"}})
        );
        let Value::Object(data) = json!({"k": "v"}) else {
            panic!("object literal")
        };
        let w = WriteSecretRequest::new(data).with_cas(0);
        assert_eq!(
            serde_json::to_value(&w).expect("serializes"),
            json!({"data": {"k": "v"}, "options": {"cas": 0}})
        );
        assert!(!format!("{w:?}").contains("\"v\""));
    }
}
