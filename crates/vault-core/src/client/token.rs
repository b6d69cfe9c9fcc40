//! The token's state and its transitions: login, renewal, a failed renewal, expiry, and what
//! the renewal task should do next. Pure (no I/O): `session.rs` performs the calls and applies
//! these transitions; `renewal.rs` only schedules them.
//!
//! Architecture Invariant: all instant arithmetic is checked and clamped; no lease a server
//! sends (up to `u64::MAX` seconds) can overflow an `Instant`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::SecretString;
use crate::auth::AuthToken;

/// Leases shorter than this are not worth renewing: let them lapse (or log in again).
pub(crate) const MIN_LEASE: Duration = Duration::from_secs(1);

/// The longest a lease is taken to last: longer ones (up to `u64::MAX` seconds from a broken or
/// hostile server) are clamped to it, so that every deadline stays a valid `Instant` and a valid
/// tokio timer (tokio's timer wheel reaches about two years).
pub(crate) const MAX_LEASE: Duration = Duration::from_secs(365 * 24 * 3600);

/// The token in use and what the client knows about its lifetime.
pub(crate) struct TokenState {
    pub(crate) token: SecretString,
    /// Increases at every login; lets concurrent callers see that someone else logged in.
    pub(crate) generation: u64,
    /// Remaining lifetime as of `refreshed_at` (clamped to [`MAX_LEASE`]); `None` or zero =
    /// does not expire / unknown.
    pub(crate) lease: Option<Duration>,
    /// The TTL asked for at renewal (the token's TTL at login).
    pub(crate) increment: Option<Duration>,
    pub(crate) refreshed_at: Instant,
    pub(crate) renewable: bool,
    /// Renewal no longer extends the lease (max TTL reached): log in again instead.
    pub(crate) capped: bool,
    /// The token's policies include `default` (or `root`), so it may look itself up: a denied
    /// `lookup-self` then means the token is dead. Without them (`token_no_default_policy`), a
    /// denied `lookup-self` says nothing.
    pub(crate) may_lookup_self: bool,
}

/// What the request path needs of the token slot, published for a lock-free read.
#[derive(Clone)]
pub(crate) struct Current {
    /// Shared, so that a read is a reference-count bump.
    pub(crate) token: Arc<SecretString>,
    pub(crate) generation: u64,
    /// When the lease runs out, if it is known to.
    pub(crate) expires_at: Option<Instant>,
    pub(crate) may_lookup_self: bool,
}

impl Current {
    /// Evidence that the token is dead without asking the server: its known TTL has run out.
    pub(crate) fn is_known_expired(&self, now: Instant) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
    }
}

/// The subset of `lookup-self` data the client needs.
#[derive(Deserialize)]
pub(crate) struct LookupData {
    #[serde(default)]
    pub(crate) ttl: u64,
    #[serde(default)]
    pub(crate) creation_ttl: u64,
    #[serde(default)]
    pub(crate) renewable: bool,
    #[serde(default)]
    pub(crate) policies: Vec<String>,
}

/// A lease in seconds as the server sent it, clamped to [`MAX_LEASE`].
pub(crate) fn lease_from_secs(secs: u64) -> Duration {
    Duration::from_secs(secs).min(MAX_LEASE)
}

/// `at + d`, clamped to `at + MAX_LEASE` (and to `at` itself if even that does not fit).
pub(crate) fn add_clamped(at: Instant, d: Duration) -> Instant {
    at.checked_add(d)
        .or_else(|| at.checked_add(MAX_LEASE))
        .unwrap_or(at)
}

fn allows_lookup_self(policies: &[String]) -> bool {
    policies.iter().any(|p| p == "default" || p == "root")
}

impl TokenState {
    /// The state after a login that produced `auth`; `lookup` is what `lookup-self` said about a
    /// bare token (whose login result carries no lifetime).
    pub(crate) fn logged_in(auth: AuthToken, generation: u64, lookup: Option<LookupData>) -> Self {
        let mut state = TokenState {
            lease: auth.lease_duration.map(|d| d.min(MAX_LEASE)),
            increment: auth.lease_duration.map(|d| d.min(MAX_LEASE)),
            renewable: auth.renewable,
            may_lookup_self: allows_lookup_self(&auth.policies),
            token: auth.token,
            generation,
            refreshed_at: Instant::now(),
            capped: false,
        };
        if let Some(data) = lookup {
            state.lease = Some(lease_from_secs(data.ttl));
            state.increment = Some(lease_from_secs(data.creation_ttl.max(data.ttl)));
            state.renewable = data.renewable;
            state.may_lookup_self |= allows_lookup_self(&data.policies);
        }
        state
    }

    /// What the request path reads.
    pub(crate) fn current(&self) -> Current {
        Current {
            token: Arc::new(self.token.clone()),
            generation: self.generation,
            expires_at: self.expires_at(),
            may_lookup_self: self.may_lookup_self,
        }
    }

    /// When the lease runs out, if it expires at all.
    pub(crate) fn expires_at(&self) -> Option<Instant> {
        let lease = self.lease.filter(|l| !l.is_zero())?;
        Some(add_clamped(self.refreshed_at, lease))
    }

    /// What is left of the lease at `now` (`None`: does not expire or unknown).
    pub(crate) fn remaining(&self, now: Instant) -> Option<Duration> {
        self.expires_at()
            .map(|at| at.saturating_duration_since(now))
    }

    /// A renewal granted `lease`: it hit the max TTL when it granted less than asked for.
    pub(crate) fn renewed(&mut self, lease: Duration) {
        let lease = lease.min(MAX_LEASE);
        self.capped = self.increment.is_some_and(|i| lease < i) || lease.is_zero();
        self.lease = Some(lease);
        self.refreshed_at = Instant::now();
    }

    /// A renewal or background re-login failed with `remaining` left: act again at ⅔ of what
    /// remains; stop once too little is left.
    pub(crate) fn retry_later(&mut self, remaining: Option<Duration>) {
        self.refreshed_at = Instant::now();
        match remaining {
            Some(r) if r >= MIN_LEASE => self.lease = Some(r),
            _ => {
                self.lease = None;
                self.renewable = false;
            }
        }
    }

    /// Whether the next step is a renewal (rather than a fresh login).
    pub(crate) fn should_renew(&self) -> bool {
        self.renewable && !self.capped
    }

    /// What the renewal task should do next.
    pub(crate) fn plan(&self, can_relogin: bool) -> Plan {
        plan(
            self.lease,
            self.refreshed_at,
            self.renewable,
            self.capped,
            can_relogin,
        )
    }
}

/// When to act after a lease of `lease` was granted: two thirds of it.
pub(crate) fn renewal_delay(lease: Duration) -> Duration {
    lease.min(MAX_LEASE).mul_f64(2.0 / 3.0)
}

/// What the renewal task should do next.
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
    Plan::At(add_clamped(refreshed_at, renewal_delay(lease)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(lease: Option<Duration>) -> TokenState {
        TokenState {
            token: "t".into(),
            generation: 1,
            lease,
            increment: lease,
            refreshed_at: Instant::now(),
            renewable: true,
            capped: false,
            may_lookup_self: true,
        }
    }

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

    /// A lease near `u64::MAX` seconds (from a broken or hostile server) used to overflow
    /// `Instant + Duration` in the renewal task and kill it; every step is clamped now.
    #[test]
    fn huge_leases_never_overflow() {
        let t0 = Instant::now();
        let huge = Duration::from_secs(u64::MAX);
        match plan(Some(huge), t0, true, false, true) {
            Plan::At(at) => assert!(at > t0 && at <= t0 + MAX_LEASE),
            Plan::Idle => panic!("a renewable token with a lease is planned"),
        }
        let auth = AuthToken {
            token: "t".into(),
            lease_duration: Some(huge),
            renewable: true,
            accessor: None,
            policies: vec!["default".into()],
        };
        let mut s = TokenState::logged_in(auth, 1, None);
        assert_eq!(s.lease, Some(MAX_LEASE));
        assert!(s.remaining(Instant::now()).is_some());
        assert!(s.expires_at().is_some());
        s.renewed(huge);
        assert_eq!(s.lease, Some(MAX_LEASE));
        let lookup = LookupData {
            ttl: u64::MAX,
            creation_ttl: u64::MAX,
            renewable: true,
            policies: vec![],
        };
        let s = TokenState::logged_in(
            AuthToken {
                token: "t".into(),
                lease_duration: None,
                renewable: false,
                accessor: None,
                policies: vec![],
            },
            2,
            Some(lookup),
        );
        assert_eq!(s.lease, Some(MAX_LEASE));
        assert!(!s.may_lookup_self);
        assert_eq!(add_clamped(t0, Duration::MAX), t0 + MAX_LEASE);
    }

    #[test]
    fn failures_reschedule_at_two_thirds_of_the_rest() {
        let mut s = state(Some(Duration::from_secs(60)));
        s.retry_later(Some(Duration::from_secs(20)));
        assert_eq!(s.lease, Some(Duration::from_secs(20)));
        s.retry_later(Some(Duration::from_millis(10)));
        assert_eq!(s.lease, None);
        assert!(!s.renewable);
    }

    #[test]
    fn expiry_is_evidence_only_once_the_ttl_ran_out() {
        let s = state(Some(Duration::from_secs(60)));
        let c = s.current();
        assert!(!c.is_known_expired(Instant::now()));
        assert!(c.is_known_expired(Instant::now() + Duration::from_secs(61)));
        assert!(!state(None).current().is_known_expired(Instant::now()));
    }
}
