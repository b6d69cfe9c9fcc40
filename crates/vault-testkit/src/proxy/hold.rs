//! Holding one request at the proxy until the test releases it: the way to make a race happen
//! at an exact point ("a writer changes the secret between the diff and the write") without
//! guessing at timings.

use std::sync::Arc;

use tokio::sync::watch;

/// A request held by the proxy ([`super::FaultProxy::hold`]). Dropping the handle releases it.
#[derive(Debug)]
pub struct Hold {
    gate: Arc<Gate>,
}

/// The shared state of one hold.
#[derive(Debug)]
pub(crate) struct Gate {
    arrived: watch::Sender<bool>,
    released: watch::Sender<bool>,
}

/// Which request to hold: the `nth` (1-based) request with `method` whose path starts with
/// `path_prefix`.
#[derive(Debug)]
pub(crate) struct Rule {
    pub method: String,
    pub path_prefix: String,
    /// Matching requests still to let through before the held one.
    pub skip: usize,
    pub gate: Arc<Gate>,
}

impl Rule {
    pub(crate) fn new(method: &str, path_prefix: &str, nth: usize) -> (Rule, Hold) {
        let gate = Arc::new(Gate {
            arrived: watch::Sender::new(false),
            released: watch::Sender::new(false),
        });
        let rule = Rule {
            method: method.to_ascii_uppercase(),
            path_prefix: path_prefix.to_string(),
            skip: nth.saturating_sub(1),
            gate: Arc::clone(&gate),
        };
        (rule, Hold { gate })
    }

    pub(crate) fn matches(&self, method: &str, path: &str) -> bool {
        method.eq_ignore_ascii_case(&self.method) && path.starts_with(&self.path_prefix)
    }
}

impl Gate {
    /// Called by the proxy for the held request: signal arrival, wait for the release.
    pub(crate) async fn wait(&self) {
        self.arrived.send_replace(true);
        let mut released = self.released.subscribe();
        // An error means the sender is gone, which cannot happen while `self` lives.
        let _ = released.wait_for(|r| *r).await;
    }
}

impl Hold {
    /// Wait until the request reached the proxy (it is then held, not yet forwarded).
    pub async fn arrived(&self) {
        let mut arrived = self.gate.arrived.subscribe();
        let _ = arrived.wait_for(|a| *a).await;
    }

    /// Whether the request has reached the proxy.
    pub fn has_arrived(&self) -> bool {
        *self.gate.arrived.borrow()
    }

    /// Let the held request go on (to its fault, or to the server).
    pub fn release(&self) {
        self.gate.released.send_replace(true);
    }
}

impl Drop for Hold {
    fn drop(&mut self) {
        self.release();
    }
}
