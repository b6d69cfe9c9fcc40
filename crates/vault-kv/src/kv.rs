//! [`Kv`]: a mount whose KV version is detected on first use, so the same call works on v1 and
//! v2 mounts. The seed's calls (`get_secret`, `write_secret`, …) go through it.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;
use vault_core::VaultClient;

use crate::cache::{Cache, CachedSecret};
use crate::call::clean_mount;
use crate::error::KvError;
use crate::mount::{KvVersion, detect};
use crate::secret::VaultSecret;
use crate::v1::KvV1;
use crate::v2::KvV2;
use crate::v2::types::VersionMetadata;

/// A KV mount of either version. Cheap to clone.
#[derive(Clone)]
pub struct Kv {
    client: VaultClient,
    mount: Arc<str>,
    cache: Option<Arc<Cache>>,
}

impl Kv {
    pub(crate) fn new(client: VaultClient, mount: &str, cache: Option<Arc<Cache>>) -> Self {
        Kv {
            client,
            mount: Arc::from(mount.trim_matches('/')),
            cache,
        }
    }

    /// The mount name (no slashes).
    pub fn mount(&self) -> &str {
        &self.mount
    }

    /// The mount's KV version: asked once per server, namespace and mount, then remembered.
    pub async fn version(&self) -> Result<KvVersion, KvError> {
        let mount = clean_mount(&self.mount)?;
        detect(&self.client, mount).await
    }

    /// [`Kv::version`] for a call `op` (e.g. `read`) on `path`: a failure of the lookup is
    /// reported as a failure of the caller's operation on `mount/path`, not of the internal
    /// `sys/internal/ui/mounts/…` request.
    pub async fn version_for(&self, op: &str, path: &str) -> Result<KvVersion, KvError> {
        self.version().await.map_err(|e| match e {
            KvError::Vault(v) => KvError::Vault(v.with_operation(op).with_path(format!(
                "{}/{}",
                self.mount,
                path.trim_matches('/')
            ))),
            other => other,
        })
    }

    /// This mount as a KV v1 handle (no check).
    pub fn v1(&self) -> KvV1 {
        KvV1::new(self.client.clone(), &self.mount, self.cache.clone())
    }

    /// This mount as a KV v2 handle (no check).
    pub fn v2(&self) -> KvV2 {
        KvV2::new(self.client.clone(), &self.mount, self.cache.clone())
    }

    /// Read the latest value of `path`.
    pub async fn get(&self, path: &str) -> Result<VaultSecret, KvError> {
        Ok(self.get_shared(path, None).await?.into_secret())
    }

    /// Read version `version` of `path` (KV v2 only).
    pub async fn get_version(&self, path: &str, version: u64) -> Result<VaultSecret, KvError> {
        Ok(self.get_shared(path, Some(version)).await?.into_secret())
    }

    pub(crate) async fn get_shared(
        &self,
        path: &str,
        version: Option<u64>,
    ) -> Result<CachedSecret, KvError> {
        match (self.version_for("read", path).await?, version) {
            (KvVersion::V2, v) => self.v2().read_shared(path, v).await,
            (KvVersion::V1, None) => self.v1().read_shared(path).await,
            (KvVersion::V1, Some(v)) => Err(KvError::validation(
                "read",
                &format!("{}/{}", self.mount, path.trim_matches('/')),
                format!(
                    "cannot read version {v}: `{}` is a KV v1 mount, which keeps no versions",
                    self.mount
                ),
            )),
        }
    }

    /// Write `data` (a map or struct) to `path`. On v2 this creates a new version and returns its
    /// metadata; on v1 it replaces the secret and the metadata has `version: None`.
    pub async fn write(
        &self,
        path: &str,
        data: &impl Serialize,
    ) -> Result<VersionMetadata, KvError> {
        match self.version_for("write", path).await? {
            KvVersion::V2 => self.v2().write_data(path, data).await,
            KvVersion::V1 => self
                .v1()
                .write(path, data)
                .await
                .map(|()| VersionMetadata::default()),
        }
    }

    /// Delete `path`: on v2 the latest version is soft-deleted (recoverable with
    /// `undelete_versions`, like `vault kv delete`); on v1 the secret is removed.
    pub async fn delete(&self, path: &str) -> Result<(), KvError> {
        match self.version_for("delete", path).await? {
            KvVersion::V2 => self.v2().delete_latest(path).await,
            KvVersion::V1 => self.v1().delete(path).await,
        }
    }

    /// Delete `path` for good: on v2 every version and the metadata; on v1 the secret.
    pub async fn delete_all(&self, path: &str) -> Result<(), KvError> {
        match self.version_for("delete", path).await? {
            KvVersion::V2 => self.v2().delete_metadata(path).await,
            KvVersion::V1 => self.v1().delete(path).await,
        }
    }

    /// The names under `path` (folders end in `/`).
    pub async fn list(&self, path: &str) -> Result<Vec<String>, KvError> {
        match self.version_for("list", path).await? {
            KvVersion::V2 => self.v2().list(path).await,
            KvVersion::V1 => self.v1().list(path).await,
        }
    }
}

impl fmt::Debug for Kv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Kv")
            .field("mount", &self.mount)
            .field("cached", &self.cache.is_some())
            .finish()
    }
}
