//! [`VaultClient`]: authenticated, retrying access to Vault's logical API.
//!
//! - `builder.rs`: [`VaultClientBuilder`] and [`VaultClient::from_config`].
//! - `send.rs`: the request pipeline (headers, lazy login, retries, re-login once, error mapping).
//! - `ops.rs`: raw logical operations `read`, `write`, `list`, `delete`.
//! - `token.rs`: the token's state and the login / lookup-self / renew-self calls.
//! - `renewal.rs`: the background task that renews the token at about ⅔ of its TTL.
//! - `retry.rs`: [`RetryPolicy`] and the [`RetryingTransport`] wrapper.
//! - `stats.rs`: [`ClientStats`] counters.
//!
//! Architecture Invariant: the token lives only in the client's token slot and in the
//! `X-Vault-Token` header of outgoing requests; it is never logged or put into an error.

use std::sync::Arc;

use tokio::sync::{Mutex, Notify};

use crate::auth::AuthMethod;
use crate::transport::Transport;

mod builder;
mod extensions;
mod ops;
mod renewal;
mod retry;
mod send;
mod stats;
mod token;

pub use builder::VaultClientBuilder;
pub use retry::{MAX_RETRY_AFTER, RetryPolicy, RetryingTransport, is_retryable_status};
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
    /// Per-client state of feature crates (vault-kv's cache).
    extensions: extensions::Extensions,
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Let the renewal task notice that the client is gone.
        self.changed.notify_one();
    }
}

impl VaultClient {
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
                extensions: extensions::Extensions::default(),
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

    /// Per-client state of type `T` for feature crates, created with `make` on first use and
    /// shared by every clone of this client (not by [`VaultClient::with_namespace`] clients).
    /// `T` must not hold a clone of this client.
    pub fn extension<T: std::any::Any + Send + Sync>(&self, make: impl FnOnce() -> T) -> Arc<T> {
        self.inner.extensions.get_or_insert_with(make)
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
