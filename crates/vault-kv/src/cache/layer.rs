//! [`CachedKv`]: a `VaultClient` wrapped with the read cache.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use vault_core::VaultClient;

use super::{Cache, CacheConfig, CacheStats, CachedSecret, Handle};
use crate::call::{clean_mount, clean_path};
use crate::error::KvError;
use crate::kv::Kv;
use crate::v1::KvV1;
use crate::v2::KvV2;
use crate::v2::types::VersionMetadata;
use crate::walk::{Walk, WalkOptions};

/// A `VaultClient` with a KV read cache in front. Cheap to clone (clones share the cache).
///
/// Reads through it (the Python module's calls here, or the handles from [`CachedKv::kv`],
/// [`CachedKv::kv1`], [`CachedKv::kv2`]) are cached; writes, patches, deletes, destroys,
/// undeletes and metadata deletes through it invalidate the secret at once. Calls made on the
/// bare client ([`CachedKv::client`]) bypass the cache and do not invalidate it.
///
/// ```no_run
/// # async fn demo(client: vault_core::VaultClient) -> Result<(), vault_kv::KvError> {
/// use std::time::Duration;
/// use vault_kv::CachedKv;
/// let kv = CachedKv::builder(client)
///     .with_ttl(Duration::from_secs(300))
///     .with_stale_on_error(Duration::from_secs(3600))
///     .build();
/// let db = kv.get_secret("app/db", "secret").await?;
/// if db.is_stale() { /* Vault is down: this is the last good value */ }
/// println!("{:?}", kv.stats());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct CachedKv {
    client: VaultClient,
    cache: Arc<Cache>,
}

/// Builder for [`CachedKv`].
#[derive(Debug, Clone)]
pub struct CachedKvBuilder {
    client: VaultClient,
    config: CacheConfig,
}

impl CachedKvBuilder {
    /// How long values are served without asking Vault (default 300 s; zero disables).
    pub fn with_ttl(mut self, ttl: Duration) -> Self {
        self.config.ttl = ttl;
        self
    }

    /// Maximum number of entries (default 10 000).
    pub fn with_capacity(mut self, capacity: usize) -> Self {
        self.config.capacity = capacity;
        self
    }

    /// Serve values up to `max_staleness` past their TTL when Vault is unreachable or sealed.
    pub fn with_stale_on_error(mut self, max_staleness: Duration) -> Self {
        self.config.stale_on_error = Some(max_staleness);
        self
    }

    /// All settings at once.
    pub fn with_config(mut self, config: CacheConfig) -> Self {
        self.config = config;
        self
    }

    /// The cached handle, with an empty cache.
    pub fn build(self) -> CachedKv {
        CachedKv {
            client: self.client,
            cache: Arc::new(Cache::new(self.config)),
        }
    }
}

impl CachedKv {
    /// A builder over `client` with the default [`CacheConfig`].
    pub fn builder(client: VaultClient) -> CachedKvBuilder {
        CachedKvBuilder {
            client,
            config: CacheConfig::default(),
        }
    }

    /// The wrapped client (uncached; writes made on it do not invalidate the cache).
    pub fn client(&self) -> &VaultClient {
        &self.client
    }

    /// The same cache over the same server in another namespace (entries are keyed by
    /// namespace, so the two never mix).
    pub fn with_namespace(&self, namespace: Option<&str>) -> CachedKv {
        CachedKv {
            client: self.client.with_namespace(namespace),
            cache: self.cache.clone(),
        }
    }

    /// The cache settings.
    pub fn config(&self) -> CacheConfig {
        *self.cache.config()
    }

    /// Hit, miss, stale, eviction and invalidation counters.
    pub fn stats(&self) -> CacheStats {
        self.cache.stats()
    }

    /// Drop every cached value.
    pub fn clear(&self) {
        self.cache.clear();
    }

    /// The one cached handle every engine handle below is made of.
    fn handle(&self, mount: &str) -> Handle {
        Handle::new(self.client.clone(), mount, Some(self.cache.clone()))
    }

    /// A cached handle for `mount` (KV version detected on first use).
    pub fn kv(&self, mount: &str) -> Kv {
        Kv::new(self.handle(mount))
    }

    /// A cached handle for a KV v1 mount.
    pub fn kv1(&self, mount: &str) -> KvV1 {
        KvV1::new(self.handle(mount))
    }

    /// A cached handle for a KV v2 mount.
    pub fn kv2(&self, mount: &str) -> KvV2 {
        KvV2::new(self.handle(mount))
    }

    /// Read the latest value of `path` (from the cache when fresh).
    pub async fn get_secret(&self, path: &str, mount_point: &str) -> Result<CachedSecret, KvError> {
        self.get(path, None, mount_point).await
    }

    /// Read version `version` of `path` (from the cache when fresh).
    pub async fn get_secret_version(
        &self,
        path: &str,
        version: u64,
        mount_point: &str,
    ) -> Result<CachedSecret, KvError> {
        self.get(path, Some(version), mount_point).await
    }

    /// The fast path: a fresh hit is answered before any handle is built or the mount version
    /// is looked up.
    async fn get(
        &self,
        path: &str,
        version: Option<u64>,
        mount_point: &str,
    ) -> Result<CachedSecret, KvError> {
        let mount = clean_mount(mount_point)?;
        let clean = clean_path("read", mount, path, false)?;
        if let Some(hit) =
            self.cache
                .lookup(self.client.namespace().unwrap_or(""), mount, clean, version)
        {
            return Ok(hit);
        }
        self.kv(mount).get_shared(clean, version).await
    }

    /// Write `data` to `path` and drop its cached versions.
    pub async fn write_secret<T: Serialize + Sync>(
        &self,
        path: &str,
        data: &T,
        mount_point: &str,
    ) -> Result<VersionMetadata, KvError> {
        self.kv(mount_point).write(path, data).await
    }

    /// Delete `path` (v2: latest version, soft) and drop its cached versions.
    pub async fn delete_secret(&self, path: &str, mount_point: &str) -> Result<(), KvError> {
        self.kv(mount_point).delete(path).await
    }

    /// The names under `path` (not cached: listings change as others write).
    pub async fn list_secrets(
        &self,
        path: &str,
        mount_point: &str,
    ) -> Result<Vec<String>, KvError> {
        self.kv(mount_point).list(path).await
    }

    /// Walk `mount` recursively (listings are never cached).
    pub fn walk(&self, mount: &str, options: WalkOptions) -> Walk {
        Walk::start(
            Kv::new(Handle::new(self.client.clone(), mount, None)),
            options,
        )
    }
}

impl fmt::Debug for CachedKv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedKv")
            .field("client", &self.client)
            .field("config", self.cache.config())
            .finish()
    }
}
