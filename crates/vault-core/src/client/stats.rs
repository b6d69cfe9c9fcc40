//! [`ClientStats`]: counters a [`super::VaultClient`] keeps (requests sent, retries, logins,
//! renewals), for tests and monitoring.

use std::sync::atomic::{AtomicU64, Ordering};

/// A snapshot of a client's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientStats {
    /// Requests handed to the transport (every attempt, logins and renewals included).
    pub requests_sent: u64,
    /// Attempts that were repeats of a failed attempt.
    pub retries: u64,
    /// Successful logins (the first one included).
    pub logins: u64,
    /// Successful token renewals.
    pub renewals: u64,
    /// Replaced tokens revoked after a re-login (`revoke-self`).
    pub revocations: u64,
}

/// The live counters, shared by the client and its retrying transport.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    requests_sent: AtomicU64,
    retries: AtomicU64,
    logins: AtomicU64,
    renewals: AtomicU64,
    revocations: AtomicU64,
}

impl Stats {
    pub(crate) fn request(&self) {
        self.requests_sent.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn retry(&self) {
        self.retries.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn login(&self) {
        self.logins.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn renewal(&self) {
        self.renewals.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn revocation(&self) {
        self.revocations.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn snapshot(&self) -> ClientStats {
        ClientStats {
            requests_sent: self.requests_sent.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            logins: self.logins.load(Ordering::Relaxed),
            renewals: self.renewals.load(Ordering::Relaxed),
            revocations: self.revocations.load(Ordering::Relaxed),
        }
    }
}
