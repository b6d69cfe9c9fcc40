//! KV v1: an unversioned mount (`GET|POST|DELETE <mount>/<path>`, `LIST <mount>/<prefix>/`).

use std::fmt;
use std::sync::Arc;

use serde::Serialize;
use serde_json::{Map, Value};
use vault_core::{Method, VaultClient, VaultErrorKind, VaultRequest};

use crate::cache::{Cache, CachedSecret};
use crate::call::{Target, clean_path, json_request, send_data, to_object};
use crate::error::KvError;
use crate::secret::{SecretData, SecretMetadata, VaultSecret};
use crate::v2::types::ListResponse;

/// A KV v1 mount seen through one client. Cheap to clone.
#[derive(Clone)]
pub struct KvV1 {
    pub(crate) client: VaultClient,
    pub(crate) mount: Arc<str>,
    pub(crate) cache: Option<Arc<Cache>>,
}

impl KvV1 {
    pub(crate) fn new(client: VaultClient, mount: &str, cache: Option<Arc<Cache>>) -> Self {
        KvV1 {
            client,
            mount: Arc::from(mount.trim_matches('/')),
            cache,
        }
    }

    /// The mount this handle works on.
    pub fn mount(&self) -> &str {
        &self.mount
    }

    fn api_path(&self, path: &str) -> String {
        if path.is_empty() {
            self.mount.to_string()
        } else {
            format!("{}/{path}", self.mount)
        }
    }

    fn invalidate(&self, path: &str) {
        if let Some(cache) = &self.cache {
            cache.invalidate(self.client.namespace().unwrap_or(""), &self.mount, path);
        }
    }

    /// Read `path` (`GET <mount>/<path>`). `metadata.version` is `None`: v1 has no versions.
    pub async fn read(&self, path: &str) -> Result<VaultSecret, KvError> {
        Ok(self.read_shared(path).await?.into_secret())
    }

    pub(crate) async fn read_shared(&self, path: &str) -> Result<CachedSecret, KvError> {
        let path = clean_path("read", &self.mount, path, false)?;
        match &self.cache {
            Some(cache) => {
                let ns = self.client.namespace().unwrap_or("");
                cache
                    .get_or_fetch(ns, &self.mount, path, None, || self.fetch(path))
                    .await
            }
            None => self.fetch(path).await.map(CachedSecret::fresh),
        }
    }

    /// Read `path` from Vault, bypassing any cache (for create-only checks).
    pub(crate) async fn fetch_uncached(&self, path: &str) -> Result<VaultSecret, KvError> {
        let path = clean_path("read", &self.mount, path, false)?;
        self.fetch(path).await
    }

    async fn fetch(&self, path: &str) -> Result<VaultSecret, KvError> {
        let target = Target {
            op: "read",
            mount: &self.mount,
            path,
        };
        let not_found = || KvError::NotFound {
            path: target.logical(),
            version: None,
            existing: Vec::new(),
        };
        match send_data::<Map<String, Value>>(
            &self.client,
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
        let path = clean_path("write", &self.mount, path, false)?;
        let target = Target {
            op: "write",
            mount: &self.mount,
            path,
        };
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
        let result = send_data::<Value>(&self.client, target, request).await;
        self.invalidate(path);
        result.map(|_| ()).map_err(|e| target.error(e))
    }

    /// Delete the secret at `path` (a missing secret is not an error).
    pub async fn delete(&self, path: &str) -> Result<(), KvError> {
        let path = clean_path("delete", &self.mount, path, false)?;
        let target = Target {
            op: "delete",
            mount: &self.mount,
            path,
        };
        let result = send_data::<Value>(
            &self.client,
            target,
            VaultRequest::new(Method::Delete, self.api_path(path)),
        )
        .await;
        self.invalidate(path);
        result.map(|_| ()).map_err(|e| target.error(e))
    }

    /// The names under `path`; folders end in `/`. Missing or empty folder: empty list.
    pub async fn list(&self, path: &str) -> Result<Vec<String>, KvError> {
        let path = clean_path("list", &self.mount, path, true)?;
        let target = Target {
            op: "list",
            mount: &self.mount,
            path,
        };
        let mut api_path = self.api_path(path);
        api_path.push('/');
        match send_data::<ListResponse>(
            &self.client,
            target,
            VaultRequest::new(Method::List, api_path),
        )
        .await
        {
            Ok(list) => Ok(list.map(|l| l.keys).unwrap_or_default()),
            Err(e) if e.kind() == VaultErrorKind::SecretNotFound => Ok(Vec::new()),
            Err(e) => Err(target.error(e)),
        }
    }
}

impl fmt::Debug for KvV1 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KvV1")
            .field("mount", &self.mount)
            .field("cached", &self.cache.is_some())
            .finish()
    }
}
