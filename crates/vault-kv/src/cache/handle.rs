//! [`Handle`]: what every KV engine handle ([`crate::Kv`], [`crate::KvV1`], [`crate::KvV2`]) is
//! made of: the client, the mount, and the cache when the handle came from a
//! [`crate::CachedKv`]. The one read-through and the one invalidation live here, so the engines
//! never look at the cache themselves.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use vault_core::{VaultClient, VaultRequest};

use super::{Cache, CachedSecret};
use crate::call::{Target, clean_path, send_data};
use crate::error::KvError;
use crate::secret::VaultSecret;

/// The client, the mount (no slashes) and the optional cache. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Handle {
    pub(crate) client: VaultClient,
    pub(crate) mount: Arc<str>,
    cache: Option<Arc<Cache>>,
}

impl Handle {
    pub(crate) fn new(client: VaultClient, mount: &str, cache: Option<Arc<Cache>>) -> Handle {
        Handle {
            client,
            mount: Arc::from(mount.trim_matches('/')),
            cache,
        }
    }

    /// The call `op` on secret `path` of this mount (normalised; an empty path is an error).
    pub(crate) fn target<'a>(
        &'a self,
        op: &'static str,
        path: &'a str,
    ) -> Result<Target<'a>, KvError> {
        self.at(op, path, false)
    }

    /// The LIST call on folder `path` of this mount (normalised; empty = the mount's root).
    pub(crate) fn listing<'a>(&'a self, path: &'a str) -> Result<Target<'a>, KvError> {
        self.at("list", path, true)
    }

    fn at<'a>(
        &'a self,
        op: &'static str,
        path: &'a str,
        folder: bool,
    ) -> Result<Target<'a>, KvError> {
        let path = clean_path(op, &self.mount, path, folder)?;
        Ok(Target {
            op,
            mount: &self.mount,
            path,
        })
    }

    /// Whether reads go through a cache.
    pub(crate) fn is_cached(&self) -> bool {
        self.cache.is_some()
    }

    /// The one read-through: the cached value of (`path`, `version`) when fresh, else `fetch`
    /// (a future, so it runs only when awaited) once for all concurrent callers (and cache it);
    /// without a cache, just `fetch`.
    pub(crate) async fn read_through(
        &self,
        path: &str,
        version: Option<u64>,
        fetch: impl Future<Output = Result<VaultSecret, KvError>>,
    ) -> Result<CachedSecret, KvError> {
        match &self.cache {
            Some(cache) => {
                let ns = self.client.namespace().unwrap_or("");
                cache
                    .get_or_fetch(ns, &self.mount, path, version, fetch)
                    .await
            }
            None => fetch.await.map(CachedSecret::fresh),
        }
    }

    /// The one invalidation: drop every cached version of `path` (after a write, patch,
    /// delete, destroy or undelete, whatever its outcome).
    pub(crate) fn invalidate(&self, path: &str) {
        if let Some(cache) = &self.cache {
            cache.invalidate(self.client.namespace().unwrap_or(""), &self.mount, path);
        }
    }

    /// Send `request`, which changes the secret at `target` and answers with nothing the caller
    /// needs, then [`invalidate`](Self::invalidate) it whatever the outcome.
    pub(crate) async fn change(
        &self,
        target: Target<'_>,
        request: VaultRequest,
    ) -> Result<(), KvError> {
        let result = send_data::<serde_json::Value>(&self.client, target, request).await;
        self.invalidate(target.path);
        result.map(|_| ()).map_err(|e| target.error(e))
    }

    /// `Debug` for the engine handle named `name` (never the client's token or any value).
    pub(crate) fn debug(&self, name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(name)
            .field("mount", &self.mount)
            .field("cached", &self.cache.is_some())
            .finish()
    }
}
