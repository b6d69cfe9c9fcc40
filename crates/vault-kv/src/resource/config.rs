//! [`SecretsResourceConfig`]: the Python module's resource configuration (`vault_addr`, `namespace`,
//! `role_id`, `secret_id`, `cache_ttl`, `timeout`, `verify`) on top of vault-core's
//! [`VaultConnectionConfig`].
//!
//! | field | env var | default |
//! | --- | --- | --- |
//! | connection (address, auth, namespace, TLS) | `VAULT_ADDR`, `VAULT_ROLE_ID`, `VAULT_SECRET_ID`, `VAULT_TOKEN`, `VAULT_NAMESPACE`, `VAULT_SKIP_VERIFY`, … | see vault-core |
//! | `cache_ttl` | `VAULT_CACHE_TTL` (seconds; 0 disables) | 300 s |
//! | `timeout` | `VAULT_CLIENT_TIMEOUT` (seconds) | 30 s |
//! | `mount` | `VAULT_KV_MOUNT` | `secret` |
//! | `stale_on_error` | `VAULT_CACHE_STALE_MAX` (seconds) | off |
//! | `cache_capacity` | — | 10 000 |
//!
//! `VAULT_ADDR` is required. The variable names come from vault-core's
//! [`SETTINGS`](vault_core::SETTINGS) table.

use std::time::Duration;

use vault_core::{Setting, VaultConnectionConfig, VaultError, VaultErrorKind};

use crate::cache::CacheConfig;
use crate::error::KvError;

/// Everything a [`super::SecretsResource`] needs.
#[derive(Debug, Clone)]
pub struct SecretsResourceConfig {
    /// Address, auth, namespace, TLS, `cache_ttl`, `timeout`, `verify`.
    pub connection: VaultConnectionConfig,
    /// The mount calls use when they name none.
    pub mount: String,
    /// Serve stale values up to this long past the TTL when Vault is unreachable.
    pub stale_on_error: Option<Duration>,
    /// Most secrets kept in the cache (default 10 000).
    pub cache_capacity: usize,
}

impl Default for SecretsResourceConfig {
    /// Everything at its default except `connection.vault_addr`, which is empty: the address is
    /// required (the Python module's `vault_addr`), never a silent `https://127.0.0.1:8200`.
    fn default() -> Self {
        SecretsResourceConfig {
            connection: VaultConnectionConfig {
                vault_addr: String::new(),
                ..VaultConnectionConfig::default()
            },
            mount: "secret".into(),
            stale_on_error: None,
            cache_capacity: CacheConfig::default().capacity,
        }
    }
}

impl SecretsResourceConfig {
    /// Read the environment (see the module table).
    pub fn from_env() -> Result<Self, KvError> {
        Self::from_env_with(|name| std::env::var(name).ok())
    }

    /// Like [`SecretsResourceConfig::from_env`], reading variables through `get`.
    pub fn from_env_with(get: impl Fn(&str) -> Option<String>) -> Result<Self, KvError> {
        let var = |setting: Setting| setting.read(&get);
        if var(Setting::Address).is_none() {
            return Err(KvError::Vault(
                VaultError::msg(
                    VaultErrorKind::Config,
                    "VAULT_ADDR is not set: the resource needs the Vault address",
                )
                .with_hint("export VAULT_ADDR=https://vault.example.com:8200"),
            ));
        }
        let mut config = SecretsResourceConfig {
            connection: VaultConnectionConfig::from_env_with(&get)?,
            ..Default::default()
        };
        if let Some(v) = var(Setting::CacheTtl) {
            config.connection.cache_ttl = seconds(Setting::CacheTtl.env(), &v)?;
        }
        if let Some(v) = var(Setting::Timeout) {
            config.connection.timeout = seconds(Setting::Timeout.env(), &v)?;
        }
        if let Some(v) = var(Setting::StaleOnError) {
            config.stale_on_error = Some(seconds(Setting::StaleOnError.env(), &v)?);
        }
        if let Some(v) = var(Setting::KvMount) {
            config.mount = v.trim_matches('/').to_string();
        }
        Ok(config)
    }

    /// The cache settings this configuration asks for.
    pub fn cache(&self) -> CacheConfig {
        CacheConfig {
            ttl: self.connection.cache_ttl,
            capacity: self.cache_capacity,
            stale_on_error: self.stale_on_error,
        }
    }
}

/// Whole seconds, optionally with an `s` suffix.
fn seconds(name: &str, value: &str) -> Result<Duration, KvError> {
    value
        .trim_end_matches('s')
        .parse::<u64>()
        .map(Duration::from_secs)
        .map_err(|_| {
            KvError::Vault(
                VaultError::msg(
                    VaultErrorKind::Config,
                    format!("{name}=`{value}` is not a number of seconds"),
                )
                .with_hint("use a whole number such as 300"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use vault_core::testing::env_from as env;

    #[test]
    fn reads_the_python_modules_fields() {
        let c = SecretsResourceConfig::from_env_with(env(&[
            ("VAULT_ADDR", "http://127.0.0.1:8200"),
            ("VAULT_ROLE_ID", "role"),
            ("VAULT_SECRET_ID", "planted-secret-id"),
            ("VAULT_NAMESPACE", "team-a"),
            ("VAULT_CACHE_TTL", "60"),
            ("VAULT_CLIENT_TIMEOUT", "5s"),
            ("VAULT_SKIP_VERIFY", "true"),
        ]))
        .expect("valid environment");
        assert_eq!(c.connection.vault_addr, "http://127.0.0.1:8200");
        assert_eq!(c.connection.namespace.as_deref(), Some("team-a"));
        assert_eq!(c.cache().ttl, Duration::from_secs(60));
        assert_eq!(c.connection.timeout, Duration::from_secs(5));
        assert!(!c.connection.verify);
        assert_eq!(c.mount, "secret");
        assert!(!format!("{c:?}").contains("planted-secret-id"));
    }

    #[test]
    fn the_address_is_required() {
        let e = SecretsResourceConfig::from_env_with(env(&[("VAULT_TOKEN", "t")]))
            .expect_err("no VAULT_ADDR");
        assert_eq!(e.kind(), crate::KvErrorKind::Validation);
        assert!(e.to_string().contains("VAULT_ADDR is not set"), "{e}");
        let e = super::super::SecretsResource::from_config(SecretsResourceConfig {
            connection: VaultConnectionConfig {
                token: Some("t".into()),
                ..SecretsResourceConfig::default().connection
            },
            ..SecretsResourceConfig::default()
        })
        .expect_err("empty address");
        assert!(e.to_string().contains("VAULT_ADDR"), "{e}");
    }

    #[test]
    fn bad_numbers_are_named() {
        let e = SecretsResourceConfig::from_env_with(env(&[
            ("VAULT_ADDR", "http://127.0.0.1:8200"),
            ("VAULT_CACHE_TTL", "five"),
        ]))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(
            e.contains("VAULT_CACHE_TTL=`five` is not a number of seconds"),
            "{e}"
        );
    }
}
