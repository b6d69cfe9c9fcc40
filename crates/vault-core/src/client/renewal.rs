//! The background renewal task: it only schedules. At about ⅔ of the token's TTL it renews the
//! token while it is renewable, and logs in again (when the auth method can) once renewal stops
//! extending the lease; the state changes themselves are `TokenState`'s (`token.rs`).
//!
//! Architecture Invariant: the task holds only a `Weak` reference to the client; it ends when
//! the last clone of the client is dropped.
//!
//! Architecture Invariant: the slot's lock is never held while a renewal is on the wire (a renew
//! that is being retried must not block a re-login from the request path); the outcome is applied
//! afterwards, and only if the token is still the one that was renewed.

use std::sync::{Arc, Weak};
use std::time::Instant;

use super::Inner;
use super::token::Plan;

/// Start the task for `inner` (called once, at the first login).
pub(crate) fn spawn(inner: &Arc<Inner>) {
    let weak = Arc::downgrade(inner);
    let changed = inner.changed.clone();
    tokio::spawn(async move {
        loop {
            let next = match weak.upgrade() {
                Some(inner) => inner.next_plan().await,
                None => return,
            };
            match next {
                Plan::Idle => changed.notified().await,
                Plan::At(when) => {
                    tokio::select! {
                        _ = tokio::time::sleep_until(when.into()) => run_once(&weak).await,
                        _ = changed.notified() => {}
                    }
                }
            }
        }
    });
}

async fn run_once(weak: &Weak<Inner>) {
    if let Some(inner) = weak.upgrade() {
        inner.renew_or_relogin().await;
    }
}

impl Inner {
    async fn next_plan(&self) -> Plan {
        let slot = self.slot.lock().await;
        match slot.as_ref() {
            Some(s) => s.plan(self.auth.can_relogin()),
            None => Plan::Idle,
        }
    }

    /// Renew the token, or log in again when renewal is over; failures are logged and the next
    /// attempt is scheduled at ⅔ of what remains.
    pub(crate) async fn renew_or_relogin(self: &Arc<Self>) {
        // Take what the renewal needs, then let go of the lock before going to the network.
        let (token, increment, generation, remaining, renew) = {
            let slot = self.slot.lock().await;
            let Some(state) = slot.as_ref() else { return };
            (
                state.token.clone(),
                state.increment,
                state.generation,
                state.remaining(Instant::now()),
                state.should_renew(),
            )
        };
        if renew {
            let outcome = self.renew_self(&token, increment).await;
            let mut slot = self.slot.lock().await;
            let Some(state) = slot.as_mut().filter(|s| s.generation == generation) else {
                // Someone logged in meanwhile: the renewal is moot.
                return;
            };
            match outcome {
                Ok(lease) => {
                    self.stats.renewal();
                    state.renewed(lease);
                    tracing::debug!(?lease, capped = state.capped, "token renewed");
                    self.publish(&slot);
                    return;
                }
                Err(e) => tracing::warn!(kind = %e.kind(), error = %e, "token renewal failed"),
            }
        }
        if self.auth.can_relogin() {
            if let Err(e) = self.relogin(generation).await {
                tracing::warn!(kind = %e.kind(), error = %e, "background re-login failed");
                self.reschedule(generation, remaining).await;
            }
        } else {
            self.reschedule(generation, remaining).await;
        }
    }

    async fn reschedule(&self, generation: u64, remaining: Option<std::time::Duration>) {
        let mut slot = self.slot.lock().await;
        if let Some(state) = slot.as_mut().filter(|s| s.generation == generation) {
            state.retry_later(remaining);
            self.publish(&slot);
        }
    }
}
