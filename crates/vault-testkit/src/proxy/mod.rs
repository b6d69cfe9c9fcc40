//! A loopback HTTP proxy that injects faults between a client and a server.
//!
//! Each request takes the next fault from a FIFO queue ([`FaultProxy::push`],
//! [`FaultProxy::script`]); when the queue is empty the default ([`FaultProxy::set_default`])
//! applies, and without a default the request passes. Every request that reaches the proxy is
//! counted and recorded, faulted or not.
//!
//! Files: `fault.rs` (the [`Fault`] enum), `serve.rs` (accepting connections and applying a
//! fault to a request), `forward.rs` (forwarding to the upstream).

mod fault;
mod forward;
mod hold;
mod serve;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

pub use fault::Fault;
pub use hold::Hold;

/// The proxy's shared, mutable state.
#[derive(Debug, Default)]
pub(crate) struct State {
    queue: VecDeque<Fault>,
    default: Option<Fault>,
    requests: Vec<(String, String)>,
    holds: Vec<hold::Rule>,
}

impl State {
    /// Records a request and picks its fault.
    pub(crate) fn admit(&mut self, method: &str, path_and_query: &str) -> Fault {
        self.requests
            .push((method.to_string(), path_and_query.to_string()));
        self.queue
            .pop_front()
            .or_else(|| self.default.clone())
            .unwrap_or(Fault::Pass)
    }

    /// The gate to wait at if this request is one to hold (the rule is then used up).
    pub(crate) fn hold_for(&mut self, method: &str, path: &str) -> Option<Arc<hold::Gate>> {
        let i = self.holds.iter().position(|r| r.matches(method, path))?;
        if self.holds[i].skip > 0 {
            self.holds[i].skip -= 1;
            return None;
        }
        Some(self.holds.remove(i).gate)
    }
}

pub(crate) type Shared = Arc<Mutex<State>>;

/// A running fault proxy; stops (and drops every open connection) when dropped.
#[derive(Debug)]
pub struct FaultProxy {
    addr: SocketAddr,
    upstream: String,
    state: Shared,
    task: tokio::task::JoinHandle<()>,
}

impl FaultProxy {
    /// Starts a proxy on `127.0.0.1:0` forwarding to `upstream` (e.g. `bao.addr()`).
    ///
    /// # Panics
    /// When the loopback listener cannot be bound.
    pub async fn start(upstream: &str) -> FaultProxy {
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_else(|e| panic!("building the proxy's HTTP client failed: {e}"));
        Self::start_with_client(upstream, client).await
    }

    /// Like [`FaultProxy::start`] with a client of your own (e.g. one that trusts a test CA
    /// for an HTTPS upstream).
    pub async fn start_with_client(upstream: &str, client: reqwest::Client) -> FaultProxy {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("FaultProxy: bind 127.0.0.1:0 failed: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("FaultProxy: local address unknown: {e}"));
        let state = Shared::default();
        let upstream = upstream.trim_end_matches('/').to_string();
        let forwarder = forward::Forwarder::new(upstream.clone(), client);
        let task = tokio::spawn(serve::accept_loop(listener, Arc::clone(&state), forwarder));
        FaultProxy {
            addr,
            upstream,
            state,
            task,
        }
    }

    /// The proxy's address, `http://127.0.0.1:PORT`.
    pub fn addr(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The upstream this proxy forwards to.
    pub fn upstream(&self) -> &str {
        &self.upstream
    }

    /// Queues `fault` for one request (FIFO, after anything already queued).
    pub fn push(&self, fault: Fault) {
        self.lock().queue.push_back(fault);
    }

    /// Replaces the queue with `faults`, applied to the next requests in order.
    pub fn script(&self, faults: Vec<Fault>) {
        self.lock().queue = faults.into();
    }

    /// The fault for every request while the queue is empty (`None`: pass).
    pub fn set_default(&self, fault: Option<Fault>) {
        self.lock().default = fault;
    }

    /// How many requests reached the proxy since start (or the last [`FaultProxy::reset_counts`]).
    pub fn request_count(&self) -> usize {
        self.lock().requests.len()
    }

    /// `(method, path and query)` of every request that reached the proxy, in order.
    pub fn requests(&self) -> Vec<(String, String)> {
        self.lock().requests.clone()
    }

    /// Forgets the recorded requests (the queue and default stay).
    pub fn reset_counts(&self) {
        self.lock().requests.clear();
    }

    /// Hold the `nth` (1-based) request with `method` (`GET`, `POST`, `LIST`, …) whose path
    /// starts with `path_prefix` (e.g. `/v1/secret/data/app/db`) at the proxy until the returned
    /// [`Hold`] is released or dropped. Wait for it with [`Hold::arrived`], act (e.g. write
    /// directly to the server), then release: a race at an exact point, no timing involved.
    /// The held request then gets its fault as usual.
    pub fn hold(&self, method: &str, path_prefix: &str, nth: usize) -> Hold {
        let (rule, hold) = hold::Rule::new(method, path_prefix, nth);
        self.lock().holds.push(rule);
        hold
    }

    /// How many queued faults are still waiting for a request.
    pub fn pending_faults(&self) -> usize {
        self.lock().queue.len()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        // The accept task owns every connection task; aborting it drops them all.
        self.task.abort();
    }
}
