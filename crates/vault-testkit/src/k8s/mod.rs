//! A Kubernetes TokenReview responder, so OpenBao's `kubernetes` auth method runs for real.
//!
//! [`TokenReviewer::start`] serves `POST /apis/authentication.k8s.io/v1/tokenreviews` on
//! loopback like a Kubernetes API server: tokens it issued ([`TokenReviewer::issue_jwt`])
//! review as authenticated service accounts, anything else as not authenticated.
//! [`OpenBao::enable_kubernetes_auth`](crate::OpenBao::enable_kubernetes_auth) points an
//! auth mount at it.
//!
//! Files: `jwt.rs` (service-account-shaped JWTs), `serve.rs` (the HTTP endpoint),
//! `enable.rs` (configuring OpenBao).

mod enable;
mod jwt;
mod serve;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// A service account identity behind an issued token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Identity {
    pub(crate) namespace: String,
    pub(crate) name: String,
    pub(crate) uid: String,
}

#[derive(Default)]
pub(crate) struct Registry {
    tokens: HashMap<String, Identity>,
    reviews: usize,
}

impl Registry {
    /// The identity behind `token` if it was issued and not revoked; counts the review.
    pub(crate) fn review(&mut self, token: &str) -> Option<Identity> {
        self.reviews += 1;
        self.tokens.get(token).cloned()
    }
}

pub(crate) type SharedRegistry = Arc<Mutex<Registry>>;

/// A Kubernetes TokenReview endpoint on `127.0.0.1` (plain HTTP).
///
/// It is a real HTTP server answering the real API shape; only the token store is local.
/// `Debug` shows the address and counts, never an issued token.
pub struct TokenReviewer {
    addr: SocketAddr,
    pki: crate::tls::TestPki,
    registry: SharedRegistry,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for TokenReviewer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let registry = self.lock();
        f.debug_struct("TokenReviewer")
            .field("addr", &self.addr)
            .field("issued", &registry.tokens.len())
            .field("reviews", &registry.reviews)
            .finish_non_exhaustive()
    }
}

impl TokenReviewer {
    /// Starts the responder on a free loopback port.
    ///
    /// # Panics
    /// When the listener cannot be bound.
    pub async fn start() -> TokenReviewer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("TokenReviewer: bind 127.0.0.1:0 failed: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("TokenReviewer: local address unknown: {e}"));
        let registry = SharedRegistry::default();
        let task = tokio::spawn(serve::accept_loop(listener, Arc::clone(&registry)));
        TokenReviewer {
            addr,
            pki: crate::tls::TestPki::generate(),
            registry,
            task,
        }
    }

    /// The API server address, `http://127.0.0.1:PORT` (use it as `kubernetes_host`).
    pub fn addr(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The CA certificate (PEM) to configure as `kubernetes_ca_cert`.
    pub fn ca_cert_pem(&self) -> String {
        self.pki.ca_cert_pem()
    }

    /// Issues a service-account JWT for `namespace`/`sa_name` that this responder will
    /// review as authenticated. Each call returns a new token (and a stable UID per account).
    pub fn issue_jwt(&self, namespace: &str, sa_name: &str) -> String {
        let mut registry = self.lock();
        let uid = registry
            .tokens
            .values()
            .find(|id| id.namespace == namespace && id.name == sa_name)
            .map(|id| id.uid.clone())
            .unwrap_or_else(jwt::random_uid);
        let identity = Identity {
            namespace: namespace.to_string(),
            name: sa_name.to_string(),
            uid,
        };
        let token = jwt::service_account_jwt(&identity);
        registry.tokens.insert(token.clone(), identity);
        token
    }

    /// Forgets `jwt`: later reviews answer "not authenticated", as for a deleted account.
    pub fn revoke(&self, jwt: &str) {
        self.lock().tokens.remove(jwt);
    }

    /// How many TokenReview requests arrived (authenticated or not).
    pub fn review_count(&self) -> usize {
        self.lock().reviews
    }

    fn lock(&self) -> MutexGuard<'_, Registry> {
        self.registry.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for TokenReviewer {
    fn drop(&mut self) {
        self.task.abort();
    }
}
