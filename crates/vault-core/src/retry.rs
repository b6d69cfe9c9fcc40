//! [`RetryPolicy`] and the one retry decision of vaultkit ([`is_retryable_status`]), in a leaf
//! module that depends on nothing else of the crate, so that configuration, errors and the
//! client can all use it without depending on each other.
//!
//! The decision follows Vault's Go client (`api/client.go`, `DefaultRetryPolicy`): connection
//! errors, `412` (a performance standby has not caught up), `429` and every `5xx` except `501`
//! are retried, whatever the method. A write that got a `5xx` or lost its connection after it was
//! sent may therefore have been applied once already; callers for which a replay is not harmless
//! (KV v2 check-and-set) check the outcome themselves.
//!
//! Waits grow exponentially with full jitter: `random(0 ..= min(max_delay, base_delay *
//! 2^(attempt-1)))`. A server's `Retry-After` replaces the jitter but is capped by `max_delay` too,
//! so no answer can stall a call for longer than the policy allows.

use std::time::Duration;

use rand::Rng;

/// How often and how patiently to retry. `max_attempts` counts every attempt, the first included
/// (1 = no retries).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included; at least 1.
    pub max_attempts: u32,
    /// The cap of the first jittered wait; doubles at every further attempt.
    pub base_delay: Duration,
    /// The longest wait between two attempts, `Retry-After` included.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// 3 attempts, 1 s base delay, 30 s cap (the Python module's defaults).
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The upper bound of the jittered wait after failed attempt number `attempt` (1-based).
    pub fn backoff_cap(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }

    /// The wait before the next attempt: the server's `Retry-After` when it gave one, otherwise
    /// full jitter below [`RetryPolicy::backoff_cap`]; never more than `max_delay`.
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(d) = retry_after {
            return d.min(self.max_delay);
        }
        let cap = self.backoff_cap(attempt);
        if cap.is_zero() {
            return cap;
        }
        let top = u64::try_from(cap.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(rand::rng().random_range(0..=top))
    }
}

/// Whether an HTTP status is worth another attempt: `412`, `429` and `5xx` except `501`.
/// [`crate::VaultError::is_retryable`] and the client's replay loop both decide through it.
pub(crate) fn is_retryable_status(status: u16) -> bool {
    matches!(status, 412 | 429) || ((500..600).contains(&status) && status != 501)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_decisions() {
        for s in [412, 429, 500, 502, 503, 504, 599] {
            assert!(is_retryable_status(s), "{s}");
        }
        for s in [200, 204, 307, 400, 401, 403, 404, 405, 409, 501] {
            assert!(!is_retryable_status(s), "{s}");
        }
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
        };
        assert_eq!(p.backoff_cap(1), Duration::from_millis(100));
        assert_eq!(p.backoff_cap(2), Duration::from_millis(200));
        assert_eq!(p.backoff_cap(4), Duration::from_millis(800));
        assert_eq!(p.backoff_cap(5), Duration::from_secs(1));
        assert_eq!(p.backoff_cap(60), Duration::from_secs(1));
        for attempt in 1..8 {
            let d = p.delay(attempt, None);
            assert!(d <= p.backoff_cap(attempt));
        }
    }

    /// A server's `Retry-After` is honoured up to `max_delay` and no further (there used to be a
    /// separate 300 s cap, so `Retry-After: 999999` stalled a call for five minutes per attempt).
    #[test]
    fn retry_after_is_capped_by_max_delay() {
        let p = RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(10),
        };
        assert_eq!(
            p.delay(1, Some(Duration::from_secs(7))),
            Duration::from_secs(7)
        );
        assert_eq!(
            p.delay(1, Some(Duration::from_secs(999_999))),
            Duration::from_secs(10)
        );
        assert_eq!(p.delay(1, Some(Duration::MAX)), Duration::from_secs(10));
    }
}
