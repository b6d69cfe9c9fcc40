//! The read cache (the Python module's `cache_ttl`), as a wrapper: [`CachedKv`] wraps a `VaultClient`
//! and hands out KV handles whose reads go through the cache and whose writes invalidate it.
//!
//! - `store`: sharded, bounded, LRU storage with allocation-free hits.
//! - `flight`: single-flight: concurrent misses for one key make one request.
//! - `layer`: [`CachedKv`], its builder and the Python module's calls.
//! - `handle`: the one handle the KV engines are made of (one read-through, one invalidation).
//!
//! Keys are (namespace, mount, path, version; latest = no version). A TTL of zero disables the
//! cache. Stale-on-error is opt-in: when the server cannot be reached, is sealed or answers 5xx,
//! a value at most `max_staleness` past its TTL is served with [`CachedSecret::is_stale`] set and
//! a `tracing` warning.

use std::future::Future;
use std::ops::Deref;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::error::KvError;
use crate::secret::VaultSecret;

mod flight;
mod handle;
mod layer;
mod store;

pub(crate) use handle::Handle;

pub use layer::{CachedKv, CachedKvBuilder};

/// A secret read through the cache: shared (an `Arc`), with a flag that says whether it was
/// served stale because Vault could not be reached. Derefs to [`VaultSecret`].
#[derive(Debug, Clone)]
pub struct CachedSecret {
    secret: Arc<VaultSecret>,
    stale: bool,
    age: Duration,
}

impl CachedSecret {
    pub(crate) fn fresh(secret: VaultSecret) -> Self {
        CachedSecret {
            secret: Arc::new(secret),
            stale: false,
            age: Duration::ZERO,
        }
    }

    /// True when Vault failed and this is the last good value, past its TTL.
    pub fn is_stale(&self) -> bool {
        self.stale
    }

    /// How long ago the value was fetched from Vault.
    pub fn age(&self) -> Duration {
        self.age
    }

    /// The shared secret.
    pub fn shared(&self) -> &Arc<VaultSecret> {
        &self.secret
    }

    /// The secret by value (clones the path and metadata if the cache still holds it; the data
    /// map itself is shared, never copied).
    pub fn into_secret(self) -> VaultSecret {
        Arc::try_unwrap(self.secret).unwrap_or_else(|shared| (*shared).clone())
    }
}

impl Deref for CachedSecret {
    type Target = VaultSecret;
    fn deref(&self) -> &VaultSecret {
        &self.secret
    }
}

/// Cache settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheConfig {
    /// How long a value is served without asking Vault. Zero disables the cache.
    pub ttl: Duration,
    /// At most this many entries (each version of a secret is one entry); LRU eviction.
    pub capacity: usize,
    /// Serve a value up to this long past its TTL when Vault cannot be reached (`None`: never).
    pub stale_on_error: Option<Duration>,
}

impl Default for CacheConfig {
    fn default() -> Self {
        CacheConfig {
            ttl: Duration::from_secs(300),
            capacity: 10_000,
            stale_on_error: None,
        }
    }
}

/// Counters, readable at any time with [`CachedKv::stats`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Reads answered from the cache.
    pub hits: u64,
    /// Reads that went to Vault.
    pub misses: u64,
    /// Reads answered with a stale value because Vault failed.
    pub stale: u64,
    /// Entries dropped to stay within capacity (or past their usefulness).
    pub evictions: u64,
    /// Secrets removed by a write, patch, delete, destroy or undelete.
    pub invalidations: u64,
    /// Entries held now.
    pub entries: usize,
}

/// The shared cache state behind a [`CachedKv`] and its handles.
pub(crate) struct Cache {
    config: CacheConfig,
    store: store::Store,
    flights: flight::Flights,
    hits: AtomicU64,
    misses: AtomicU64,
    stale: AtomicU64,
    invalidations: AtomicU64,
}

impl Cache {
    pub(crate) fn new(config: CacheConfig) -> Cache {
        Cache {
            config,
            store: store::Store::new(config.capacity.max(1)),
            flights: flight::Flights::default(),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            stale: AtomicU64::new(0),
            invalidations: AtomicU64::new(0),
        }
    }

    pub(crate) fn config(&self) -> &CacheConfig {
        &self.config
    }

    fn enabled(&self) -> bool {
        !self.config.ttl.is_zero() && self.config.capacity > 0
    }

    /// How long past insertion an entry is still worth keeping.
    fn keep(&self) -> Duration {
        self.config
            .ttl
            .saturating_add(self.config.stale_on_error.unwrap_or_default())
    }

    /// A fresh hit, if there is one (the fast path: no await, no allocation).
    pub(crate) fn lookup(
        &self,
        ns: &str,
        mount: &str,
        path: &str,
        version: Option<u64>,
    ) -> Option<CachedSecret> {
        if !self.enabled() {
            return None;
        }
        let hash = self.store.hash(ns, mount, path);
        match self.store.get(
            hash,
            ns,
            mount,
            path,
            version,
            self.config.ttl,
            Instant::now(),
        ) {
            store::Found::Fresh(secret, age) => {
                self.hits.fetch_add(1, Ordering::Relaxed);
                Some(CachedSecret {
                    secret,
                    stale: false,
                    age,
                })
            }
            _ => None,
        }
    }

    /// Return the cached value, or run `fetch` (a future does nothing until awaited) once for
    /// all concurrent callers and cache it.
    pub(crate) async fn get_or_fetch(
        &self,
        ns: &str,
        mount: &str,
        path: &str,
        version: Option<u64>,
        fetch: impl Future<Output = Result<VaultSecret, KvError>>,
    ) -> Result<CachedSecret, KvError> {
        if !self.enabled() {
            self.misses.fetch_add(1, Ordering::Relaxed);
            return fetch.await.map(CachedSecret::fresh);
        }
        if let Some(hit) = self.lookup(ns, mount, path, version) {
            return Ok(hit);
        }
        let hash = self.store.hash(ns, mount, path);
        let _flight = self.flights.join(hash, version).await;
        // Someone else may have fetched it while we waited for our turn.
        let now = Instant::now();
        let previous = match self
            .store
            .get(hash, ns, mount, path, version, self.config.ttl, now)
        {
            store::Found::Fresh(secret, age) => {
                self.hits.fetch_add(1, Ordering::Relaxed);
                return Ok(CachedSecret {
                    secret,
                    stale: false,
                    age,
                });
            }
            store::Found::Expired(secret, age) => Some((secret, age)),
            store::Found::Missing => None,
        };
        self.misses.fetch_add(1, Ordering::Relaxed);
        let generation = self.store.generation(hash);
        match fetch.await {
            Ok(secret) => {
                let secret = Arc::new(secret);
                let key = (ns, mount, path, version);
                self.store.insert(
                    hash,
                    generation,
                    key,
                    secret.clone(),
                    Instant::now(),
                    self.keep(),
                );
                Ok(CachedSecret {
                    secret,
                    stale: false,
                    age: Duration::ZERO,
                })
            }
            Err(e) => match (self.config.stale_on_error, previous) {
                (Some(max), Some((secret, age)))
                    if serves_stale(&e) && age <= self.config.ttl.saturating_add(max) =>
                {
                    self.stale.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(
                        mount,
                        path,
                        version,
                        age_ms = u64::try_from(age.as_millis()).unwrap_or(u64::MAX),
                        error = %e,
                        "Vault could not be reached; serving the last good value of the secret from the cache"
                    );
                    Ok(CachedSecret {
                        secret,
                        stale: true,
                        age,
                    })
                }
                (Some(max), Some((_, age))) if serves_stale(&e) => {
                    Err(stale_limit(e, path, version, age, self.config.ttl + max))
                }
                _ => Err(e),
            },
        }
    }

    /// Drop every cached version of a secret.
    pub(crate) fn invalidate(&self, ns: &str, mount: &str, path: &str) {
        let path = path.trim_matches('/');
        let hash = self.store.hash(ns, mount, path);
        self.store.remove_secret(hash, ns, mount, path);
        self.invalidations.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn clear(&self) {
        self.store.clear();
    }

    pub(crate) fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            stale: self.stale.load(Ordering::Relaxed),
            evictions: self.store.evictions.load(Ordering::Relaxed),
            invalidations: self.invalidations.load(Ordering::Relaxed),
            entries: self.store.len(),
        }
    }
}

/// Vault failed and the only cached value is too old to serve: the module's `VaultCacheError`.
fn stale_limit(
    e: KvError,
    path: &str,
    version: Option<u64>,
    age: Duration,
    limit: Duration,
) -> KvError {
    KvError::StaleLimitExceeded {
        operation: if version.is_some() {
            "get version"
        } else {
            "get"
        },
        path: e.path().unwrap_or(path).to_string(),
        age_secs: age.as_secs(),
        limit_secs: limit.as_secs(),
        source: Box::new(e),
    }
}

/// Failures where an old value beats no value: the server is unreachable, sealed, overloaded or
/// failing (vault-core's one retry decision, plus sealed and other server failures). Never for
/// "not found" or "permission denied": those are answers.
fn serves_stale(e: &KvError) -> bool {
    match e {
        KvError::Vault(v) => e.is_retryable() || v.kind() == vault_core::VaultErrorKind::Server,
        _ => false,
    }
}

#[cfg(test)]
mod stale_doc_tests;
