//! The background renewal task: renews the token at about ⅔ of its TTL while it is renewable,
//! and logs in again (when the auth method can) once renewal stops extending the lease.
//!
//! Architecture Invariant: the task holds only a `Weak` reference to the client; it ends when
//! the last clone of the client is dropped.

use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use super::Inner;

/// Leases shorter than this are not worth renewing: let them lapse (or log in again).
const MIN_LEASE: Duration = Duration::from_secs(1);

/// When to act after a lease of `lease` was granted: two thirds of it.
pub(crate) fn renewal_delay(lease: Duration) -> Duration {
    lease.mul_f64(2.0 / 3.0)
}

/// What the task should do next.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Plan {
    /// Nothing to do until the token changes (no expiry, or nothing can be done about it).
    Idle,
    /// Act at this instant.
    At(Instant),
}

/// The plan for a token with `lease` granted at `refreshed_at`.
pub(crate) fn plan(
    lease: Option<Duration>,
    refreshed_at: Instant,
    renewable: bool,
    capped: bool,
    can_relogin: bool,
) -> Plan {
    let Some(lease) = lease.filter(|l| !l.is_zero()) else {
        return Plan::Idle;
    };
    let can_renew = renewable && !capped && lease >= MIN_LEASE;
    if !can_renew && !can_relogin {
        return Plan::Idle;
    }
    Plan::At(refreshed_at + renewal_delay(lease))
}

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
            Some(s) => plan(
                s.lease,
                s.refreshed_at,
                s.renewable,
                s.capped,
                self.auth.can_relogin(),
            ),
            None => Plan::Idle,
        }
    }

    /// Renew the token, or log in again when renewal is over; failures are logged and the next
    /// attempt is scheduled at ⅔ of what remains.
    async fn renew_or_relogin(self: &Arc<Self>) {
        let mut slot = self.slot.lock().await;
        let Some(state) = slot.as_mut() else { return };
        let now = Instant::now();
        let remaining = state
            .lease
            .map(|l| (state.refreshed_at + l).saturating_duration_since(now));
        if state.renewable && !state.capped {
            match self.renew_self(&state.token, state.increment).await {
                Ok(lease) => {
                    self.stats.renewal();
                    // Renewal hit the max TTL when it granted less than asked for.
                    state.capped = state.increment.is_some_and(|i| lease < i) || lease.is_zero();
                    state.lease = Some(lease);
                    state.refreshed_at = Instant::now();
                    tracing::debug!(?lease, capped = state.capped, "token renewed");
                    return;
                }
                Err(e) => tracing::warn!(kind = %e.kind(), error = %e, "token renewal failed"),
            }
        }
        if self.auth.can_relogin() {
            if let Err(e) = self.login_locked(&mut slot).await {
                tracing::warn!(kind = %e.kind(), error = %e, "background re-login failed");
                retry_later(slot.as_mut(), remaining);
            }
        } else {
            retry_later(slot.as_mut(), remaining);
        }
    }
}

/// Reschedule after a failure: act again at ⅔ of what remains; stop once too little is left.
fn retry_later(state: Option<&mut super::token::TokenState>, remaining: Option<Duration>) {
    if let Some(state) = state {
        state.refreshed_at = Instant::now();
        match remaining {
            Some(r) if r >= MIN_LEASE => state.lease = Some(r),
            _ => {
                state.lease = None;
                state.renewable = false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renews_at_two_thirds() {
        assert_eq!(
            renewal_delay(Duration::from_secs(6)),
            Duration::from_secs(4)
        );
        assert_eq!(
            renewal_delay(Duration::from_secs(3600)),
            Duration::from_secs(2400)
        );
        assert_eq!(renewal_delay(Duration::ZERO), Duration::ZERO);
    }

    #[test]
    fn plans_follow_the_token() {
        let t0 = Instant::now();
        let six = Some(Duration::from_secs(6));
        assert_eq!(
            plan(six, t0, true, false, false),
            Plan::At(t0 + Duration::from_secs(4))
        );
        // Non-expiring (root) or unknown lifetime: nothing to do.
        assert_eq!(
            plan(Some(Duration::ZERO), t0, true, false, true),
            Plan::Idle
        );
        assert_eq!(plan(None, t0, true, false, true), Plan::Idle);
        // Not renewable, or capped: only a method that can log in again acts.
        assert_eq!(plan(six, t0, false, false, false), Plan::Idle);
        assert_eq!(plan(six, t0, true, true, false), Plan::Idle);
        assert_eq!(
            plan(six, t0, false, false, true),
            Plan::At(t0 + Duration::from_secs(4))
        );
        assert_eq!(
            plan(six, t0, true, true, true),
            Plan::At(t0 + Duration::from_secs(4))
        );
    }

    #[test]
    fn failures_reschedule_at_two_thirds_of_the_rest() {
        let mut s = super::super::token::TokenState {
            token: "t".into(),
            generation: 1,
            lease: Some(Duration::from_secs(60)),
            increment: Some(Duration::from_secs(60)),
            refreshed_at: Instant::now(),
            renewable: true,
            capped: false,
        };
        retry_later(Some(&mut s), Some(Duration::from_secs(20)));
        assert_eq!(s.lease, Some(Duration::from_secs(20)));
        retry_later(Some(&mut s), Some(Duration::from_millis(10)));
        assert_eq!(s.lease, None);
        assert!(!s.renewable);
    }
}
