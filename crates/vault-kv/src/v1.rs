//! KV v1: an unversioned mount (`GET|POST|DELETE <mount>/<path>`, `LIST <mount>/<prefix>/`).

use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};
use vault_core::{Method, VaultErrorKind, VaultRequest};

use crate::cache::{CachedSecret, Handle};
use crate::call::{Target, clean_path, json_request, list_keys, send_data, to_object};
use crate::error::KvError;
use crate::secret::{SecretData, SecretMetadata, VaultSecret};

/// A KV v1 mount seen through one client. Cheap to clone.
#[derive(Clone)]
pub struct KvV1 {
    pub(crate) h: Handle,
}

impl KvV1 {
    pub(crate) fn new(h: Handle) -> Self {
        KvV1 { h }
    }

    /// The mount this handle works on.
    pub fn mount(&self) -> &str {
        &self.h.mount
    }

    fn api_path(&self, path: &str) -> String {
        if path.is_empty() {
            self.h.mount.to_string()
        } else {
            format!("{}/{path}", self.h.mount)
        }
    }

    /// Read `path` (`GET <mount>/<path>`). `metadata.version` is `None`: v1 has no versions.
    pub async fn read(&self, path: &str) -> Result<VaultSecret, KvError> {
        Ok(self.read_shared(path).await?.into_secret())
    }

    pub(crate) async fn read_shared(&self, path: &str) -> Result<CachedSecret, KvError> {
        let path = clean_path("read", &self.h.mount, path, false)?;
        self.h.read_through(path, None, self.fetch(path)).await
    }

    /// Read `path` from Vault, bypassing any cache (for create-only checks).
    pub(crate) async fn fetch_uncached(&self, path: &str) -> Result<VaultSecret, KvError> {
        let path = clean_path("read", &self.h.mount, path, false)?;
        self.fetch(path).await
    }

    async fn fetch(&self, path: &str) -> Result<VaultSecret, KvError> {
        let target = Target {
            op: "read",
            mount: &self.h.mount,
            path,
        };
        let not_found = || KvError::NotFound {
            path: target.logical(),
            version: None,
            existing: Vec::new(),
        };
        match send_data::<Map<String, Value>>(
            &self.h.client,
            target,
            VaultRequest::new(Method::Get, self.api_path(path)),
        )
        .await
        {
            Ok(Some(data)) => Ok(VaultSecret {
                path: path.to_string(),
                data: SecretData::new(data),
                metadata: SecretMetadata::default(),
            }),
            Ok(None) => Err(not_found()),
            Err(e) if e.kind() == VaultErrorKind::SecretNotFound => Err(not_found()),
            Err(e) => Err(target.error(e)),
        }
    }

    /// Replace the secret at `path` with `data` (must be a non-empty object).
    pub async fn write(&self, path: &str, data: &impl Serialize) -> Result<(), KvError> {
        let target = self.h.target("write", path)?;
        let path = target.path;
        let map = to_object("write", &target.logical(), data)?;
        if map.is_empty() {
            return Err(KvError::validation(
                "write",
                &target.logical(),
                "KV v1 refuses an empty secret; give at least one key",
            ));
        }
        let request =
            json_request(Method::Post, self.api_path(path), &map).map_err(|e| target.error(e))?;
        self.h.change(target, request).await
    }

    /// Delete the secret at `path` (a missing secret is not an error).
    pub async fn delete(&self, path: &str) -> Result<(), KvError> {
        let target = self.h.target("delete", path)?;
        let request = VaultRequest::new(Method::Delete, self.api_path(target.path));
        self.h.change(target, request).await
    }

    /// The names under `path`; folders end in `/`. Missing or empty folder: empty list.
    pub async fn list(&self, path: &str) -> Result<Vec<String>, KvError> {
        let target = self.h.listing(path)?;
        list_keys(&self.h.client, target, self.api_path(target.path)).await
    }
}

impl fmt::Debug for KvV1 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.h.debug("KvV1", f)
    }
}
