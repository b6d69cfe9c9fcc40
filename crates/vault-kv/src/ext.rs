//! [`KvExt`]: the KV API as an extension of vault-core's `VaultClient` (not a second client).

use std::future::Future;
use std::sync::Arc;

use serde::Serialize;
use vault_core::VaultClient;

use crate::cache::{Cache, CacheConfig, Handle};
use crate::error::KvError;
use crate::kv::Kv;
use crate::secret::VaultSecret;
use crate::v1::KvV1;
use crate::v2::KvV2;
use crate::v2::types::VersionMetadata;
use crate::walk::{Walk, WalkOptions};

/// The mount the Python module's five calls use when they are given none (`mount_point=None`).
pub const DEFAULT_MOUNT: &str = "secret";

/// KV calls on a [`VaultClient`]: typed handles per mount, and the Python module's five calls with
/// their names and shapes (`get_secret(path, mount_point)`, …), which detect the mount's KV
/// version.
///
/// `mount_point` takes a mount name or `None` for [`DEFAULT_MOUNT`] (`"secret"`), as the module's
/// `mount_point='secret'` default: `client.get_secret("app/db", None)` reads `secret/app/db`.
///
/// # Caching
/// A client built with [`VaultClient::from_config`] from a configuration whose `cache_ttl` is
/// above zero serves the five calls through one read cache per client (TTL `cache_ttl`, the
/// default capacity, no stale-on-error): `get_secret` and `get_secret_version` are answered from
/// it while fresh; `write_secret` and `delete_secret` drop the path's cached versions;
/// `list_secrets` goes to Vault every time (listings change as others write). `cache_ttl = 0`,
/// a client made with the builder, and the typed handles (`kv`, `kv1`, `kv2`, `walk`) are
/// uncached; [`crate::CachedKv`] gives full control.
///
/// # Contract
/// - Every call goes through the client's `send` (token, namespace, retries, error mapping).
/// - Errors are [`KvError`]s naming the secret as `mount/path`; none carries a secret value.
pub trait KvExt {
    /// A handle for `mount` whose KV version is detected on first use.
    fn kv(&self, mount: &str) -> Kv;
    /// A handle for a KV v1 `mount`.
    fn kv1(&self, mount: &str) -> KvV1;
    /// A handle for a KV v2 `mount`, with every v2 endpoint.
    fn kv2(&self, mount: &str) -> KvV2;

    /// Read the latest value of `path` in `mount_point`.
    fn get_secret<'m>(
        &self,
        path: &str,
        mount_point: impl Into<Option<&'m str>> + Send,
    ) -> impl Future<Output = Result<VaultSecret, KvError>> + Send;
    /// Read version `version` of `path` (KV v2).
    fn get_secret_version<'m>(
        &self,
        path: &str,
        version: u64,
        mount_point: impl Into<Option<&'m str>> + Send,
    ) -> impl Future<Output = Result<VaultSecret, KvError>> + Send;
    /// Write `data` to `path`; returns the new version's metadata (`version: None` on v1).
    fn write_secret<'m, T: Serialize + Sync>(
        &self,
        path: &str,
        data: &T,
        mount_point: impl Into<Option<&'m str>> + Send,
    ) -> impl Future<Output = Result<VersionMetadata, KvError>> + Send;
    /// Delete `path` (v2: soft-delete the latest version; v1: remove it).
    fn delete_secret<'m>(
        &self,
        path: &str,
        mount_point: impl Into<Option<&'m str>> + Send,
    ) -> impl Future<Output = Result<(), KvError>> + Send;
    /// The names under `path` (folders end in `/`).
    fn list_secrets<'m>(
        &self,
        path: &str,
        mount_point: impl Into<Option<&'m str>> + Send,
    ) -> impl Future<Output = Result<Vec<String>, KvError>> + Send;
    /// Walk `mount` recursively, streaming secret paths as they are found.
    fn walk(&self, mount: &str, options: WalkOptions) -> Walk;
}

impl KvExt for VaultClient {
    fn kv(&self, mount: &str) -> Kv {
        Kv::new(Handle::new(self.clone(), mount, None))
    }

    fn kv1(&self, mount: &str) -> KvV1 {
        KvV1::new(Handle::new(self.clone(), mount, None))
    }

    fn kv2(&self, mount: &str) -> KvV2 {
        KvV2::new(Handle::new(self.clone(), mount, None))
    }

    async fn get_secret<'m>(
        &self,
        path: &str,
        mount_point: impl Into<Option<&'m str>> + Send,
    ) -> Result<VaultSecret, KvError> {
        module_kv(self, mount_point.into()).get(path).await
    }

    async fn get_secret_version<'m>(
        &self,
        path: &str,
        version: u64,
        mount_point: impl Into<Option<&'m str>> + Send,
    ) -> Result<VaultSecret, KvError> {
        module_kv(self, mount_point.into())
            .get_version(path, version)
            .await
    }

    async fn write_secret<'m, T: Serialize + Sync>(
        &self,
        path: &str,
        data: &T,
        mount_point: impl Into<Option<&'m str>> + Send,
    ) -> Result<VersionMetadata, KvError> {
        module_kv(self, mount_point.into()).write(path, data).await
    }

    async fn delete_secret<'m>(
        &self,
        path: &str,
        mount_point: impl Into<Option<&'m str>> + Send,
    ) -> Result<(), KvError> {
        module_kv(self, mount_point.into()).delete(path).await
    }

    async fn list_secrets<'m>(
        &self,
        path: &str,
        mount_point: impl Into<Option<&'m str>> + Send,
    ) -> Result<Vec<String>, KvError> {
        module_kv(self, mount_point.into()).list(path).await
    }

    fn walk(&self, mount: &str, options: WalkOptions) -> Walk {
        Walk::start(self.kv(mount), options)
    }
}

/// The read cache a client built from a configuration with `cache_ttl > 0` keeps for the five
/// module calls (a client extension; it holds no client). Created on the first call, with the
/// configuration's TTL.
#[derive(Default)]
struct ModuleCache(std::sync::OnceLock<Arc<Cache>>);

/// The handle the five module calls use: `mount` or [`DEFAULT_MOUNT`], through the client's cache
/// when its configuration asks for one.
fn module_kv(client: &VaultClient, mount: Option<&str>) -> Kv {
    let cache = client
        .get_connection_config()
        .map(|c| c.cache_ttl)
        .filter(|ttl| !ttl.is_zero())
        .map(|ttl| {
            let kept = client.extension::<ModuleCache>();
            kept.0
                .get_or_init(|| {
                    Arc::new(Cache::new(CacheConfig {
                        ttl,
                        ..CacheConfig::default()
                    }))
                })
                .clone()
        });
    Kv::new(Handle::new(
        client.clone(),
        mount.unwrap_or(DEFAULT_MOUNT),
        cache,
    ))
}
