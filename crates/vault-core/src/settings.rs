//! [`SETTINGS`]: the one table of configuration names — each setting's field, environment
//! variable, `vaultkit` flag and config-file profile key. vault-core's
//! [`VaultConnectionConfig::from_env`](crate::VaultConnectionConfig::from_env), vault-kv's
//! resource configuration and the CLI all read their names from here.
//!
//! | setting | field | env var | flag | profile key |
//! | --- | --- | --- | --- | --- |
//! | `Address` | `vault_addr` | `VAULT_ADDR` | `--address` | `address` |
//! | `Token` | `token` | `VAULT_TOKEN` | — | — |
//! | `Namespace` | `namespace` | `VAULT_NAMESPACE` | `--namespace` | `namespace` |
//! | `CaCert` | `ca_cert` | `VAULT_CACERT` | `--ca-cert` | `ca_cert` |
//! | `ClientCert` | `client_cert` | `VAULT_CLIENT_CERT` | `--client-cert` | `client_cert` |
//! | `ClientKey` | `client_key` | `VAULT_CLIENT_KEY` | `--client-key` | `client_key` |
//! | `SkipVerify` | `verify` (inverted) | `VAULT_SKIP_VERIFY` | `--tls-skip-verify` | `skip_verify` |
//! | `RoleId` | `role_id` | `VAULT_ROLE_ID` | — | — |
//! | `SecretId` | `secret_id` | `VAULT_SECRET_ID` | — | — |
//! | `AuthMethod` | `auth_method` | `VAULT_AUTH_METHOD` | — | — |
//! | `CacheTtl` | `cache_ttl` | `VAULT_CACHE_TTL` | — | — |
//! | `Timeout` | `timeout` | `VAULT_CLIENT_TIMEOUT` | — | — |
//! | `KvMount` | `mount` (resource) | `VAULT_KV_MOUNT` | — | — |
//! | `StaleOnError` | `stale_on_error` (resource) | `VAULT_CACHE_STALE_MAX` | — | — |
//!
//! Credentials have no flag and no profile key on purpose: they never travel in argv or in the
//! config file (a profile names a token *file* or a secret-id *file* instead).

/// One configurable setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Setting {
    /// The server address.
    Address,
    /// A token to authenticate with.
    Token,
    /// The Vault Enterprise / OpenBao namespace.
    Namespace,
    /// PEM file of CA certificates to trust.
    CaCert,
    /// Client certificate (PEM) for TLS client authentication.
    ClientCert,
    /// Client key (PEM) for TLS client authentication.
    ClientKey,
    /// Skip TLS verification.
    SkipVerify,
    /// AppRole role id.
    RoleId,
    /// AppRole secret id.
    SecretId,
    /// Which auth method to use (`token`, `approle`, `kubernetes`).
    AuthMethod,
    /// How long secrets may be cached (seconds; 0 disables).
    CacheTtl,
    /// Per-request timeout (seconds).
    Timeout,
    /// The KV mount the resource uses when a call names none.
    KvMount,
    /// How long past its TTL the resource may serve a cached value when Vault fails (seconds).
    StaleOnError,
}

/// The names of one [`Setting`] in each place it can be given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettingSpec {
    /// The setting.
    pub setting: Setting,
    /// Its field in `VaultConnectionConfig` (or in vault-kv's resource configuration).
    pub field: &'static str,
    /// The environment variable.
    pub env: &'static str,
    /// The `vaultkit` long flag, without the leading dashes.
    pub flag: Option<&'static str>,
    /// The key in a `vaultkit` config-file profile.
    pub profile_key: Option<&'static str>,
}

const fn spec(
    setting: Setting,
    field: &'static str,
    env: &'static str,
    flag: Option<&'static str>,
    profile_key: Option<&'static str>,
) -> SettingSpec {
    SettingSpec {
        setting,
        field,
        env,
        flag,
        profile_key,
    }
}

/// Every setting, in [`Setting`]'s declaration order (a test checks it).
pub const SETTINGS: [SettingSpec; 14] = [
    spec(
        Setting::Address,
        "vault_addr",
        "VAULT_ADDR",
        Some("address"),
        Some("address"),
    ),
    spec(Setting::Token, "token", "VAULT_TOKEN", None, None),
    spec(
        Setting::Namespace,
        "namespace",
        "VAULT_NAMESPACE",
        Some("namespace"),
        Some("namespace"),
    ),
    spec(
        Setting::CaCert,
        "ca_cert",
        "VAULT_CACERT",
        Some("ca-cert"),
        Some("ca_cert"),
    ),
    spec(
        Setting::ClientCert,
        "client_cert",
        "VAULT_CLIENT_CERT",
        Some("client-cert"),
        Some("client_cert"),
    ),
    spec(
        Setting::ClientKey,
        "client_key",
        "VAULT_CLIENT_KEY",
        Some("client-key"),
        Some("client_key"),
    ),
    spec(
        Setting::SkipVerify,
        "verify",
        "VAULT_SKIP_VERIFY",
        Some("tls-skip-verify"),
        Some("skip_verify"),
    ),
    spec(Setting::RoleId, "role_id", "VAULT_ROLE_ID", None, None),
    spec(
        Setting::SecretId,
        "secret_id",
        "VAULT_SECRET_ID",
        None,
        None,
    ),
    spec(
        Setting::AuthMethod,
        "auth_method",
        "VAULT_AUTH_METHOD",
        None,
        None,
    ),
    spec(
        Setting::CacheTtl,
        "cache_ttl",
        "VAULT_CACHE_TTL",
        None,
        None,
    ),
    spec(
        Setting::Timeout,
        "timeout",
        "VAULT_CLIENT_TIMEOUT",
        None,
        None,
    ),
    spec(Setting::KvMount, "mount", "VAULT_KV_MOUNT", None, None),
    spec(
        Setting::StaleOnError,
        "stale_on_error",
        "VAULT_CACHE_STALE_MAX",
        None,
        None,
    ),
];

impl Setting {
    /// This setting's row of [`SETTINGS`].
    pub const fn spec(self) -> &'static SettingSpec {
        &SETTINGS[self as usize]
    }

    /// The environment variable, e.g. `VAULT_ADDR`.
    pub const fn env(self) -> &'static str {
        self.spec().env
    }

    /// This setting's environment variable read through `get` (e.g. `|n| std::env::var(n).ok()`),
    /// trimmed; an empty or all-blank value counts as unset. The one reading rule of every
    /// `from_env_with` (vault-core's connection config, vault-kv's resource config).
    pub fn read(self, get: impl Fn(&str) -> Option<String>) -> Option<String> {
        get(self.env())
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    /// The `vaultkit` long flag without dashes (e.g. `address`), if the setting has one.
    pub const fn flag(self) -> Option<&'static str> {
        self.spec().flag
    }

    /// The config-file profile key (e.g. `ca_cert`), if the setting has one.
    pub const fn profile_key(self) -> Option<&'static str> {
        self.spec().profile_key
    }

    /// The setting read from environment variable `name`, if any.
    pub fn from_env_name(name: &str) -> Option<Setting> {
        SETTINGS.iter().find(|s| s.env == name).map(|s| s.setting)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_in_declaration_order_and_names_are_unique() {
        for (i, spec) in SETTINGS.iter().enumerate() {
            assert_eq!(spec.setting as usize, i, "{spec:?}");
            assert_eq!(Setting::from_env_name(spec.env), Some(spec.setting));
        }
        let mut envs: Vec<&str> = SETTINGS.iter().map(|s| s.env).collect();
        envs.sort_unstable();
        envs.dedup();
        assert_eq!(envs.len(), SETTINGS.len());
    }

    #[test]
    fn the_module_doc_table_matches() {
        let doc = include_str!("settings.rs");
        for s in SETTINGS {
            let row = format!("| `{:?}` | `{}`", s.setting, s.field);
            assert!(doc.contains(&row), "missing doc row for {row}");
            let flag = s.flag.map_or("—".to_string(), |f| format!("`--{f}`"));
            let key = s.profile_key.map_or("—".to_string(), |k| format!("`{k}`"));
            let tail = format!("| `{}` | {flag} | {key} |", s.env);
            assert!(
                doc.contains(&tail),
                "doc row for {:?} should end {tail}",
                s.setting
            );
        }
    }

    #[test]
    fn credentials_have_no_flag_and_no_profile_key() {
        for s in [Setting::Token, Setting::SecretId] {
            assert!(s.flag().is_none() && s.profile_key().is_none());
        }
    }
}
