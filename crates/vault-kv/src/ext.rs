//! [`KvExt`]: the KV API as an extension of vault-core's `VaultClient` (not a second client).

use std::future::Future;

use serde::Serialize;
use vault_core::VaultClient;

use crate::cache::Handle;
use crate::error::KvError;
use crate::kv::Kv;
use crate::secret::VaultSecret;
use crate::v1::KvV1;
use crate::v2::KvV2;
use crate::v2::types::VersionMetadata;
use crate::walk::{Walk, WalkOptions};

/// KV calls on a [`VaultClient`]: typed handles per mount, and the seed's calls with their names
/// and shapes (`get_secret(path, mount_point)`, …), which detect the mount's KV version.
///
/// # Contract
/// - Every call goes through the client's `send` (token, namespace, retries, error mapping).
/// - Nothing is cached: wrap the client in [`crate::CachedKv`] for that.
/// - Errors are [`KvError`]s naming the secret as `mount/path`; none carries a secret value.
pub trait KvExt {
    /// A handle for `mount` whose KV version is detected on first use.
    fn kv(&self, mount: &str) -> Kv;
    /// A handle for a KV v1 `mount`.
    fn kv1(&self, mount: &str) -> KvV1;
    /// A handle for a KV v2 `mount`, with every v2 endpoint.
    fn kv2(&self, mount: &str) -> KvV2;

    /// Read the latest value of `path` in `mount_point`.
    fn get_secret(
        &self,
        path: &str,
        mount_point: &str,
    ) -> impl Future<Output = Result<VaultSecret, KvError>> + Send;
    /// Read version `version` of `path` (KV v2).
    fn get_secret_version(
        &self,
        path: &str,
        version: u64,
        mount_point: &str,
    ) -> impl Future<Output = Result<VaultSecret, KvError>> + Send;
    /// Write `data` to `path`; returns the new version's metadata (`version: None` on v1).
    fn write_secret<T: Serialize + Sync>(
        &self,
        path: &str,
        data: &T,
        mount_point: &str,
    ) -> impl Future<Output = Result<VersionMetadata, KvError>> + Send;
    /// Delete `path` (v2: soft-delete the latest version; v1: remove it).
    fn delete_secret(
        &self,
        path: &str,
        mount_point: &str,
    ) -> impl Future<Output = Result<(), KvError>> + Send;
    /// The names under `path` (folders end in `/`).
    fn list_secrets(
        &self,
        path: &str,
        mount_point: &str,
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

    async fn get_secret(&self, path: &str, mount_point: &str) -> Result<VaultSecret, KvError> {
        self.kv(mount_point).get(path).await
    }

    async fn get_secret_version(
        &self,
        path: &str,
        version: u64,
        mount_point: &str,
    ) -> Result<VaultSecret, KvError> {
        self.kv(mount_point).get_version(path, version).await
    }

    async fn write_secret<T: Serialize + Sync>(
        &self,
        path: &str,
        data: &T,
        mount_point: &str,
    ) -> Result<VersionMetadata, KvError> {
        self.kv(mount_point).write(path, data).await
    }

    async fn delete_secret(&self, path: &str, mount_point: &str) -> Result<(), KvError> {
        self.kv(mount_point).delete(path).await
    }

    async fn list_secrets(&self, path: &str, mount_point: &str) -> Result<Vec<String>, KvError> {
        self.kv(mount_point).list(path).await
    }

    fn walk(&self, mount: &str, options: WalkOptions) -> Walk {
        Walk::start(self.kv(mount), options)
    }
}
