//! [`SecretsResource`]: the Python module's Dagster `VaultSecretsResource` for Rust pipelines: one cached
//! client, built from the environment or a config struct, with typed helpers.
//!
//! - [`config`]: [`SecretsResourceConfig`] and the environment variables it reads.
//! - [`credentials`]: [`DatabaseCredentials`] with validation and `connection_url()`.
//! - [`api_key`]: `get_api_key`'s two layouts.

use std::time::Duration;

use vault_core::{VaultClient, VaultHealth};

use crate::cache::{CacheConfig, CachedKv, CachedSecret};
use crate::error::KvError;

mod api_key;
mod config;
mod credentials;

pub use api_key::DEFAULT_API_KEYS_PATH;
pub use config::SecretsResourceConfig;
pub use credentials::DatabaseCredentials;

/// Secrets for a pipeline: cached reads (`cache_ttl`, default 300 s), typed credentials, API
/// keys, listing and a health check.
///
/// ```no_run
/// # async fn demo() -> Result<(), vault_kv::KvError> {
/// // VAULT_ADDR, VAULT_ROLE_ID, VAULT_SECRET_ID (or VAULT_TOKEN), VAULT_NAMESPACE, …
/// let vault = vault_kv::SecretsResource::from_env()?;
/// let db = vault.get_database_credentials("bike-data-flow/production/database").await?;
/// let url = db.connection_url(); // a SecretString: expose() only where it is used
/// let key = vault.get_api_key("openweather", Some("bike-data-flow/production/api-keys")).await?;
/// # let _ = (url, key); Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct SecretsResource {
    kv: CachedKv,
    mount: String,
}

impl SecretsResource {
    /// Build from the environment (see [`SecretsResourceConfig::from_env`]).
    #[cfg(feature = "transport-reqwest")]
    pub fn from_env() -> Result<Self, KvError> {
        Self::from_config(SecretsResourceConfig::from_env()?)
    }

    /// Build from a configuration struct (validated first).
    #[cfg(feature = "transport-reqwest")]
    pub fn from_config(config: SecretsResourceConfig) -> Result<Self, KvError> {
        config.connection.validate()?;
        let client = VaultClient::from_config(&config.connection)?;
        Ok(Self::from_client(client, config.cache(), &config.mount))
    }

    /// Build around an existing client (any transport).
    pub fn from_client(client: VaultClient, cache: CacheConfig, default_mount: &str) -> Self {
        let kv = CachedKv::builder(client).with_config(cache).build();
        SecretsResource {
            kv,
            mount: default_mount.trim_matches('/').to_string(),
        }
    }

    /// The cached KV client underneath (for every other KV call).
    pub fn kv(&self) -> &CachedKv {
        &self.kv
    }

    /// The mount used when a call names none (default `secret`).
    pub fn default_mount(&self) -> &str {
        &self.mount
    }

    /// Read a secret (cached).
    pub async fn get_secret(
        &self,
        path: &str,
        mount_point: Option<&str>,
    ) -> Result<CachedSecret, KvError> {
        self.kv
            .get_secret(path, mount_point.unwrap_or(&self.mount))
            .await
    }

    /// Read `path` as [`DatabaseCredentials`]; the error lists every missing or malformed key.
    pub async fn get_database_credentials(
        &self,
        path: &str,
    ) -> Result<DatabaseCredentials, KvError> {
        self.get_database_credentials_in(path, &self.mount).await
    }

    /// Like [`SecretsResource::get_database_credentials`] in another mount.
    pub async fn get_database_credentials_in(
        &self,
        path: &str,
        mount_point: &str,
    ) -> Result<DatabaseCredentials, KvError> {
        let secret = self.kv.get_secret(path, mount_point).await?;
        let logical = format!(
            "{}/{}",
            mount_point.trim_matches('/'),
            path.trim_matches('/')
        );
        DatabaseCredentials::from_data(&logical, &secret.data)
    }

    /// The names under `path`.
    pub async fn list_secrets(
        &self,
        path: &str,
        mount_point: Option<&str>,
    ) -> Result<Vec<String>, KvError> {
        self.kv
            .list_secrets(path, mount_point.unwrap_or(&self.mount))
            .await
    }

    /// Vault's health (`sys/health`); an unreachable server is an error, a sealed or standby one
    /// is a [`VaultHealth`] that says so.
    pub async fn health_check(&self) -> Result<VaultHealth, KvError> {
        Ok(self.kv.client().get_health().await?)
    }

    /// Cache TTL in force.
    pub fn cache_ttl(&self) -> Duration {
        self.kv.config().ttl
    }
}
