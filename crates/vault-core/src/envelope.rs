//! Vault's JSON response envelope ([API overview](https://developer.hashicorp.com/vault/api-docs)).

use serde::{Deserialize, Serialize};

/// The `auth` block of a login or token response.
#[derive(Clone, Default, Deserialize, Serialize)]
pub struct AuthInfo {
    /// The issued token.
    pub client_token: crate::SecretString,
    /// The token's accessor (names the token without granting its use).
    #[serde(default)]
    pub accessor: String,
    /// All policies attached to the token.
    #[serde(default)]
    pub policies: Vec<String>,
    /// Policies attached to the token itself (without identity policies).
    #[serde(default)]
    pub token_policies: Vec<String>,
    /// Metadata of the login (e.g. `role_name`).
    #[serde(default)]
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
    /// Seconds.
    #[serde(default)]
    pub lease_duration: u64,
    /// Whether the token's TTL can be extended.
    #[serde(default)]
    pub renewable: bool,
    /// Identity entity behind the token (empty for root tokens).
    #[serde(default)]
    pub entity_id: String,
    /// `service` or `batch`.
    #[serde(default)]
    pub token_type: String,
    /// True when the token has no parent.
    #[serde(default)]
    pub orphan: bool,
}

impl std::fmt::Debug for AuthInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthInfo")
            .field("client_token", &self.client_token)
            .field("accessor", &self.accessor)
            .field("policies", &self.policies)
            .field("lease_duration", &self.lease_duration)
            .field("renewable", &self.renewable)
            .field("token_type", &self.token_type)
            .finish_non_exhaustive()
    }
}

/// The success envelope every logical endpoint answers with.
#[derive(Clone, Default, Deserialize, Serialize)]
pub struct Envelope {
    /// Vault's id of the request (as in the audit log).
    #[serde(default)]
    pub request_id: String,
    /// Lease of a dynamic secret (empty for KV reads).
    #[serde(default)]
    pub lease_id: String,
    /// Whether the lease can be renewed.
    #[serde(default)]
    pub renewable: bool,
    /// Seconds.
    #[serde(default)]
    pub lease_duration: u64,
    /// The endpoint's payload.
    #[serde(default)]
    pub data: Option<serde_json::Value>,
    /// Response-wrapping details, when the answer was wrapped.
    #[serde(default)]
    pub wrap_info: Option<serde_json::Value>,
    /// Warnings Vault attached to the answer.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub warnings: Vec<String>,
    /// Set by login and token endpoints.
    #[serde(default)]
    pub auth: Option<AuthInfo>,
    /// Type of the mount that answered (e.g. `kv`).
    #[serde(default)]
    pub mount_type: Option<String>,
}

impl std::fmt::Debug for Envelope {
    // `data` may hold secret values: show only its keys.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys: Option<Vec<&String>> = self
            .data
            .as_ref()
            .and_then(|d| d.as_object())
            .map(|m| m.keys().collect());
        f.debug_struct("Envelope")
            .field("request_id", &self.request_id)
            .field("lease_duration", &self.lease_duration)
            .field("data_keys", &keys)
            .field("warnings", &self.warnings)
            .field("auth", &self.auth)
            .finish_non_exhaustive()
    }
}

impl Envelope {
    /// Deserialize `data` into `T`.
    pub fn data_as<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        T::deserialize(self.data.clone().unwrap_or(serde_json::Value::Null))
    }
}

fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(Option::<Vec<String>>::deserialize(d)?.unwrap_or_default())
}
