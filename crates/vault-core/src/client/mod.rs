//! [`VaultClient`]: authenticated, retrying access to Vault's logical API.
//!
//! - `builder.rs`: [`VaultClientBuilder`] and [`VaultClient::from_config`].
//! - `call.rs`: the one typed call helper ([`VaultClient::call`], [`VaultClient::send`], …).
//! - `send.rs`: the request pipeline behind it (headers, lazy login, re-login once).
//! - `retry.rs`: the one replay loop, [`RetryingTransport`] (the policy is [`crate::retry`]).
//! - `ops.rs`: raw logical operations `read`, `write`, `list`, `delete`.
//! - `token.rs`: the token's state and its transitions (pure).
//! - `session.rs`: the token's I/O: login, lookup-self, renew-self, revoke-self, dead-token evidence.
//! - `renewal.rs`: the background task that schedules renewals at about ⅔ of the TTL.
//! - `stats.rs`: [`ClientStats`] counters.
//!
//! Architecture Invariant: the token lives only in the client's token slot and in the
//! `X-Vault-Token` header of outgoing requests; it is never logged or put into an error.
//!
//! # Secrets in memory
//! What vaultkit owns is cleared after use: the token in the slot is a
//! [`crate::SecretString`] (zeroed on drop); the `X-Vault-Token` header string of a request is
//! zeroed by [`crate::transport::HttpTransport`] once reqwest has its copy, and request copies the
//! replay loop keeps for a retry are zeroed when they are not sent
//! ([`crate::VaultRequest::zeroize`]); JSON request bodies are zeroed after encoding; a response
//! body is zeroed after [`VaultClient::call`] has parsed it, when nothing else shares its buffer.
//!
//! What cannot be cleared from here: the copies inside reqwest, hyper and rustls (the header
//! value, the encoded request body, socket and TLS buffers, the response bytes while they are
//! read), the allocator's freed pages, and whatever the caller does with the values it receives
//! (parsed `serde_json` strings, `vault_kv::SecretData`). A custom [`Transport`] must clear its
//! own copies.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::{Mutex, Notify};

use crate::auth::AuthMethod;
use crate::transport::Transport;

mod builder;
pub(crate) mod call;
mod ops;
mod renewal;
mod retry;
mod send;
mod session;
mod stats;
mod token;

use crate::RetryPolicy;
pub use builder::VaultClientBuilder;
use retry::RetryingTransport;
pub use stats::ClientStats;

/// A client for one Vault server (and namespace). Cheap to clone: clones share the connection
/// pool, the token and the counters.
///
/// ```no_run
/// # async fn demo() -> Result<(), vault_core::VaultError> {
/// use vault_core::VaultClient;
/// let client = VaultClient::builder()
///     .with_address("http://127.0.0.1:8200")
///     .with_token("root")
///     .build()?;
/// if let Some(envelope) = client.read("secret/data/app").await? {
///     println!("keys: {:?}", envelope.data);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct VaultClient {
    inner: Arc<Inner>,
}

/// The shared state behind every clone of a client.
pub(crate) struct Inner {
    /// The transport as given (no retries): for health checks and raw calls.
    transport: Arc<dyn Transport>,
    /// The same transport wrapped with the retry policy: used for everything the client sends.
    retrying: RetryingTransport,
    auth: Arc<dyn AuthMethod>,
    namespace: Option<String>,
    policy: RetryPolicy,
    /// The current token; `None` until the first login. Locked while logging in, renewing and
    /// logging in again, so that concurrent re-logins collapse into one.
    slot: Mutex<Option<token::TokenState>>,
    /// A copy of the slot's token and generation for the request path to read without the
    /// async lock; written (under `slot`'s lock) at every login, see [`Inner::publish`].
    current: std::sync::RwLock<Option<token::Current>>,
    stats: Arc<stats::Stats>,
    /// Wakes the renewal task when the token changes or the client is dropped.
    changed: Arc<Notify>,
    renewal_started: std::sync::atomic::AtomicBool,
    /// The configuration the client was built from (secrets removed), see
    /// [`VaultClient::get_connection_config`].
    config: std::sync::OnceLock<crate::config::VaultConnectionConfig>,
    /// State that layers above keep per client (see [`VaultClient::extension`]).
    extensions: std::sync::Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Let the renewal task notice that the client is gone.
        self.changed.notify_one();
    }
}

impl VaultClient {
    /// A builder with no address and no authentication yet.
    pub fn builder() -> VaultClientBuilder {
        VaultClientBuilder::default()
    }

    /// The transport as given to the builder (no retries, no token).
    pub fn transport(&self) -> &Arc<dyn Transport> {
        &self.inner.transport
    }

    /// The namespace sent as `X-Vault-Namespace`, if any.
    pub fn namespace(&self) -> Option<&str> {
        self.inner.namespace.as_deref()
    }

    /// The server address, e.g. `https://vault:8200`.
    pub fn address(&self) -> String {
        self.inner.transport.address()
    }

    /// The retry policy in force.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.policy
    }

    /// The auth method's short name (`token`, `approle`, `kubernetes`, …).
    pub fn auth_method(&self) -> &str {
        self.inner.auth.name()
    }

    /// Whether an expired or revoked token can be replaced by logging in again.
    pub fn can_relogin(&self) -> bool {
        self.inner.auth.can_relogin()
    }

    /// Counters: requests sent, retries, logins, renewals.
    pub fn stats(&self) -> ClientStats {
        self.inner.stats.snapshot()
    }

    /// The client's instance of `T`, created with `T::default()` on first use and shared by
    /// every clone of this client (not by [`VaultClient::with_namespace`] clients, which are
    /// other clients). Lets layers above keep per-client state, such as vault-kv's memo of
    /// mount versions, without a process-wide map.
    pub fn extension<T: Any + Send + Sync + Default>(&self) -> Arc<T> {
        let mut map = self
            .inner
            .extensions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let entry = map
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Arc::new(T::default()));
        match Arc::clone(entry).downcast::<T>() {
            Ok(value) => value,
            // Unreachable: the entry under `TypeId::of::<T>()` is always a `T`.
            Err(_) => {
                let fresh = Arc::new(T::default());
                *entry = fresh.clone();
                fresh
            }
        }
    }

    /// A client for another namespace over the same transport, auth method and retry policy.
    /// It logs in on its own (tokens belong to a namespace) and keeps its own counters.
    pub fn with_namespace(&self, namespace: Option<&str>) -> VaultClient {
        let client = VaultClient::from_parts(
            self.inner.transport.clone(),
            self.inner.auth.clone(),
            namespace.filter(|n| !n.is_empty()).map(str::to_string),
            self.inner.policy,
        );
        if let Some(config) = self.inner.config.get() {
            client.keep_config(config);
        }
        client
    }

    pub(crate) fn from_parts(
        transport: Arc<dyn Transport>,
        auth: Arc<dyn AuthMethod>,
        namespace: Option<String>,
        policy: RetryPolicy,
    ) -> VaultClient {
        let stats = Arc::new(stats::Stats::default());
        let retrying = RetryingTransport::with_stats(transport.clone(), policy, stats.clone());
        VaultClient {
            inner: Arc::new(Inner {
                transport,
                retrying,
                auth,
                namespace,
                policy,
                slot: Mutex::new(None),
                current: std::sync::RwLock::new(None),
                stats,
                changed: Arc::new(Notify::new()),
                renewal_started: std::sync::atomic::AtomicBool::new(false),
                config: std::sync::OnceLock::new(),
                extensions: std::sync::Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The [`VaultConnectionConfig`](crate::VaultConnectionConfig) this client was built from
    /// by [`VaultClient::from_config`] (the Python module's `get_connection_config()`), with
    /// `token` and `secret_id` removed; `None` for a client made with the builder.
    pub fn get_connection_config(&self) -> Option<&crate::config::VaultConnectionConfig> {
        self.inner.config.get()
    }

    /// Remember the configuration (once), without its secrets.
    pub(crate) fn keep_config(&self, config: &crate::config::VaultConnectionConfig) {
        let mut kept = config.clone();
        kept.token = None;
        kept.secret_id = None;
        kept.namespace = self.inner.namespace.clone();
        let _ = self.inner.config.set(kept);
    }
}

impl std::fmt::Debug for VaultClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VaultClient")
            .field("address", &self.address())
            .field("namespace", &self.inner.namespace)
            .field("auth", &self.inner.auth)
            .field("retry", &self.inner.policy)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
