//! Secrets-engine mounts (`sys/mounts`) and auth-method mounts (`sys/auth`):
//! [mounts API](https://developer.hashicorp.com/vault/api-docs/system/mounts), [auth API](https://developer.hashicorp.com/vault/api-docs/system/auth).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::{VaultClient, VaultError, VaultErrorKind};

/// Tuning of a mount as `sys/mounts` reports it (TTLs in seconds, 0 = system default).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MountTuning {
    /// Default lease TTL in seconds (0: system default).
    #[serde(default)]
    pub default_lease_ttl: u64,
    /// Maximum lease TTL in seconds (0: system default).
    #[serde(default)]
    pub max_lease_ttl: u64,
    /// Responses from this mount are never cached by Vault.
    #[serde(default)]
    pub force_no_cache: bool,
    /// Auth mounts: `default-service`, `service`, `batch`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    /// Whether the mount is listed in the UI (`unauth`, `hidden`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listing_visibility: Option<String>,
}

/// One mounted secrets engine or auth method.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MountInfo {
    /// Engine type: `kv`, `approle`, `token`, …
    #[serde(rename = "type")]
    pub mount_type: String,
    /// Free-text description.
    #[serde(default)]
    pub description: String,
    /// The mount's accessor (stable id, e.g. `kv_1a2b3c4d`).
    #[serde(default)]
    pub accessor: String,
    /// Engine options; for KV, `version` is `"1"` or `"2"` (absent or null on old v1 mounts).
    #[serde(default, deserialize_with = "null_as_empty_map")]
    pub options: BTreeMap<String, String>,
    /// Tuning (TTLs, caching).
    #[serde(default)]
    pub config: MountTuning,
    /// Not replicated to other clusters (Vault Enterprise).
    #[serde(default)]
    pub local: bool,
    /// Seal wrapping on (Vault Enterprise).
    #[serde(default)]
    pub seal_wrap: bool,
    /// The mount's UUID.
    #[serde(default)]
    pub uuid: String,
    /// Plugin version running the engine (e.g. `v0.20.0+builtin`).
    #[serde(default)]
    pub running_plugin_version: String,
}

impl MountInfo {
    /// The KV version of a `kv` mount (1 when no version option is set), `None` for other types.
    pub fn kv_version(&self) -> Option<u8> {
        if self.mount_type != "kv" && self.mount_type != "generic" {
            return None;
        }
        match self.options.get("version").map(String::as_str) {
            Some("2") => Some(2),
            _ => Some(1),
        }
    }
}

fn null_as_empty_map<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, String>, D::Error> {
    // Options values are strings in practice; tolerate other scalars by printing them.
    let raw = Option::<BTreeMap<String, Value>>::deserialize(d)?.unwrap_or_default();
    Ok(raw
        .into_iter()
        .map(|(k, v)| {
            let v = match v {
                Value::String(s) => s,
                other => other.to_string(),
            };
            (k, v)
        })
        .collect())
}

/// What to mount: type, description, options (e.g. `version = "2"` for KV).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MountConfig {
    /// Engine type (`kv`, `transit`, `approle`, …).
    #[serde(rename = "type")]
    pub mount_type: String,
    /// Free-text description.
    #[serde(default)]
    pub description: String,
    /// Engine options (for KV: `version` = `1` or `2`).
    #[serde(default)]
    pub options: BTreeMap<String, String>,
}

impl MountConfig {
    /// Mount an engine of `mount_type` (`kv`, `transit`, `approle`, …).
    pub fn new(mount_type: impl Into<String>) -> Self {
        MountConfig {
            mount_type: mount_type.into(),
            description: String::new(),
            options: BTreeMap::new(),
        }
    }
    /// A KV version 2 engine.
    pub fn kv_v2() -> Self {
        MountConfig::new("kv").with_option("version", "2")
    }
    /// A KV version 1 engine.
    pub fn kv_v1() -> Self {
        MountConfig::new("kv").with_option("version", "1")
    }
    /// Sets the description.
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }
    /// Adds an engine option.
    pub fn with_option(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.options.insert(key.into(), value.into());
        self
    }

    fn body(&self) -> Value {
        json!({ "type": self.mount_type, "description": self.description, "options": self.options })
    }
}

/// A mount path without slashes at either end; rejects empty, `..` and control characters.
fn mount_path<'a>(operation: &str, path: &'a str) -> Result<&'a str, VaultError> {
    let trimmed = path.trim_matches('/');
    let problem = if trimmed.is_empty() {
        Some("the mount path is empty")
    } else if trimmed
        .split('/')
        .any(|s| s.is_empty() || s == "." || s == "..")
    {
        Some("the mount path has an empty, `.` or `..` segment")
    } else if trimmed.chars().any(|c| c.is_control() || c.is_whitespace()) {
        Some("the mount path contains whitespace or a control character")
    } else {
        None
    };
    match problem {
        Some(message) => Err(VaultError::new(VaultErrorKind::Validation)
            .with_operation(operation.to_string())
            .with_path(path.to_string())
            .with_message(message)
            .with_hint("use a path such as `secret` or `team/kv`")),
        None => Ok(trimmed),
    }
}

impl VaultClient {
    /// Mounted secrets engines, keyed by path with a trailing `/` (`"secret/"`, `"sys/"`, …).
    pub async fn list_mounts(&self) -> Result<BTreeMap<String, MountInfo>, VaultError> {
        self.read_mount_table("list mounts", "sys/mounts").await
    }

    /// Enabled auth methods, keyed by path with a trailing `/` (`"token/"`, `"approle/"`, …).
    pub async fn list_auth_mounts(&self) -> Result<BTreeMap<String, MountInfo>, VaultError> {
        self.read_mount_table("list auth methods", "sys/auth").await
    }

    /// Mount a secrets engine at `path`. A path already in use is an error (HTTP 409 or 400).
    pub async fn enable_mount(&self, path: &str, config: &MountConfig) -> Result<(), VaultError> {
        self.enable_at("enable mount", "sys/mounts", path, config)
            .await
    }

    /// Unmount the secrets engine at `path` (its data and leases are gone).
    pub async fn disable_mount(&self, path: &str) -> Result<(), VaultError> {
        self.disable_at("disable mount", "sys/mounts", path).await
    }

    /// Enable auth method `auth_type` at `path` (needs `sudo` on `sys/auth/*`).
    pub async fn enable_auth(&self, path: &str, auth_type: &str) -> Result<(), VaultError> {
        self.enable_auth_with(path, &MountConfig::new(auth_type))
            .await
    }

    /// Enable an auth method with a description and options.
    pub async fn enable_auth_with(
        &self,
        path: &str,
        config: &MountConfig,
    ) -> Result<(), VaultError> {
        self.enable_at("enable auth method", "sys/auth", path, config)
            .await
    }

    /// Disable the auth method at `path` (its tokens are revoked).
    pub async fn disable_auth(&self, path: &str) -> Result<(), VaultError> {
        self.disable_at("disable auth method", "sys/auth", path)
            .await
    }

    /// Check `path` and write `config` to `<table>/<path>` (`table` is `sys/mounts` or
    /// `sys/auth`): the one body of [`Self::enable_mount`] and [`Self::enable_auth_with`].
    async fn enable_at(
        &self,
        operation: &str,
        table: &str,
        path: &str,
        config: &MountConfig,
    ) -> Result<(), VaultError> {
        let path = mount_path(operation, path)?;
        self.write(&format!("{table}/{path}"), config.body())
            .await?;
        Ok(())
    }

    /// Check `path` and delete `<table>/<path>`: the one body of [`Self::disable_mount`] and
    /// [`Self::disable_auth`].
    async fn disable_at(&self, operation: &str, table: &str, path: &str) -> Result<(), VaultError> {
        let path = mount_path(operation, path)?;
        self.delete(&format!("{table}/{path}")).await?;
        Ok(())
    }

    async fn read_mount_table(
        &self,
        operation: &str,
        path: &str,
    ) -> Result<BTreeMap<String, MountInfo>, VaultError> {
        let envelope = self.read(path).await?.ok_or_else(|| {
            VaultError::new(VaultErrorKind::Server)
                .with_operation(operation.to_string())
                .with_path(path.to_string())
                .with_message("the server answered 404 for its own mount table")
        })?;
        parse_mount_table(envelope.data.unwrap_or(Value::Null)).map_err(|e| {
            VaultError::new(VaultErrorKind::Server)
                .with_operation(operation.to_string())
                .with_path(path.to_string())
                .with_message("the mount table is not in the expected shape")
                .with_source(e)
        })
    }
}

/// The mount table in `data`: entries whose key ends in `/` (the top-level copy Vault also injects
/// carries the same keys; anything else, such as request metadata, is skipped).
fn parse_mount_table(
    data: Value,
) -> Result<BTreeMap<String, MountInfo>, crate::json_body::JsonBodyError> {
    let Value::Object(map) = data else {
        return Ok(BTreeMap::new());
    };
    let mut out = BTreeMap::new();
    for (key, value) in map {
        if key.ends_with('/') && value.is_object() {
            out.insert(key, crate::json_body::from_value(value)?);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mount_table_parses_with_null_and_numeric_options() {
        let data = json!({
            "secret/": {"type":"kv","description":"key/value secret storage","accessor":"kv_1",
                        "options":{"version":"2"},"config":{"default_lease_ttl":0,"max_lease_ttl":0,"force_no_cache":false},
                        "local":false,"seal_wrap":false,"uuid":"u1","running_plugin_version":"v0.1.0+builtin"},
            "legacy/": {"type":"kv","options":null,"accessor":"kv_2"},
            "odd/": {"type":"transit","options":{"n":3}},
            "request_id": "not a mount"
        });
        let t = parse_mount_table(data).expect("parses");
        assert_eq!(t.len(), 3);
        assert_eq!(t["secret/"].kv_version(), Some(2));
        assert_eq!(t["secret/"].accessor, "kv_1");
        assert_eq!(t["legacy/"].kv_version(), Some(1));
        assert!(t["legacy/"].options.is_empty());
        assert_eq!(t["odd/"].kv_version(), None);
        assert_eq!(t["odd/"].options["n"], "3");
    }

    #[test]
    fn mount_paths_are_checked() {
        assert_eq!(mount_path("x", "/team/kv/").ok(), Some("team/kv"));
        for bad in ["", "/", "a//b", "../sys", "a b", "a/./b"] {
            let e = mount_path("enable mount", bad).err().map(|e| e.kind());
            assert_eq!(e, Some(VaultErrorKind::Validation), "{bad:?}");
        }
    }

    #[test]
    fn mount_config_body() {
        let c = MountConfig::kv_v2().with_description("team secrets");
        assert_eq!(
            c.body(),
            json!({"type":"kv","description":"team secrets","options":{"version":"2"}})
        );
    }
}
