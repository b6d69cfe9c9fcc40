//! Retries: [`RetryPolicy`] and the [`RetryingTransport`] wrapper that applies it.
//!
//! Retried: connection errors, 412, 429 (honouring `Retry-After`) and 5xx except 501. Never
//! retried: any other status, and requests whose body is a one-shot stream. Waits grow
//! exponentially with full jitter: `random(0 ..= min(max_delay, base_delay * 2^(attempt-1)))`.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use rand::Rng;

use super::stats::Stats;
use crate::error::VaultError;
use crate::status::parse_retry_after;
use crate::transport::{Transport, VaultRequest, VaultResponse};

/// Longest `Retry-After` wait honoured (a server asking for more gets this much).
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

/// How often and how patiently to retry. `max_attempts` counts every attempt, the first included
/// (1 = no retries).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub base_delay: Duration,
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

    /// The wait before the next attempt: `Retry-After` when the server gave one (capped at
    /// [`MAX_RETRY_AFTER`]), otherwise full jitter below [`RetryPolicy::backoff_cap`].
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(d) = retry_after {
            return d.min(MAX_RETRY_AFTER);
        }
        let cap = self.backoff_cap(attempt);
        if cap.is_zero() {
            return cap;
        }
        let nanos = rand::rng().random_range(0..=cap.as_nanos().min(u128::from(u64::MAX)) as u64);
        Duration::from_nanos(nanos)
    }
}

/// Whether an HTTP status is worth another attempt.
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 412 | 429) || ((500..600).contains(&status) && status != 501)
}

/// A [`Transport`] that sends through another one and retries per a [`RetryPolicy`].
/// Responses with non-retryable statuses (and the last retryable one) are returned as they are.
#[derive(Debug, Clone)]
pub struct RetryingTransport {
    inner: Arc<dyn Transport>,
    policy: RetryPolicy,
    stats: Arc<Stats>,
}

impl RetryingTransport {
    pub fn new(inner: Arc<dyn Transport>, policy: RetryPolicy) -> Self {
        RetryingTransport {
            inner,
            policy,
            stats: Arc::new(Stats::default()),
        }
    }

    pub(crate) fn with_stats(
        inner: Arc<dyn Transport>,
        policy: RetryPolicy,
        stats: Arc<Stats>,
    ) -> Self {
        RetryingTransport {
            inner,
            policy,
            stats,
        }
    }

    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }
}

#[async_trait]
impl Transport for RetryingTransport {
    async fn send(&self, request: VaultRequest) -> Result<VaultResponse, VaultError> {
        let max = self.policy.max_attempts.max(1);
        let mut attempt = 1u32;
        let mut request = Some(request);
        loop {
            let Some(current) = request.take() else {
                // Unreachable by construction: `request` is refilled before every `continue`.
                return Err(VaultError::msg(
                    crate::VaultErrorKind::Server,
                    "internal retry state lost",
                ));
            };
            // Keep a copy for the next attempt; a stream cannot be copied and is sent once.
            let spare = if attempt < max {
                current.try_clone()
            } else {
                None
            };
            let (method, path) = (current.method, current.path.clone());
            self.stats.request();
            let outcome = self.inner.send(current).await;
            let retry_after = match &outcome {
                Ok(resp) if is_retryable_status(resp.status) => {
                    Some(resp.header("retry-after").and_then(parse_retry_after))
                }
                Err(e) if e.is_retryable() => Some(e.retry_after()),
                _ => None,
            };
            let (Some(retry_after), Some(next)) = (retry_after, spare) else {
                return outcome;
            };
            let delay = self.policy.delay(attempt, retry_after);
            match &outcome {
                Ok(resp) => {
                    tracing::warn!(%method, %path, status = resp.status, attempt, ?delay, "retrying")
                }
                Err(e) => {
                    tracing::warn!(%method, %path, kind = %e.kind(), attempt, ?delay, "retrying")
                }
            }
            drop(outcome);
            tokio::time::sleep(delay).await;
            self.stats.retry();
            attempt += 1;
            request = Some(next);
        }
    }

    fn address(&self) -> String {
        self.inner.address()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::VaultErrorKind;
    use crate::transport::{Method, MockTransport};

    fn fast(max_attempts: u32) -> RetryPolicy {
        RetryPolicy {
            max_attempts,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
        }
    }

    fn status(code: u16) -> Result<VaultResponse, VaultError> {
        Ok(VaultResponse::new(code, vec![], "{\"errors\":[]}"))
    }

    /// A mock answering with `answers` in order; returns it and the retrying wrapper.
    fn scripted(
        answers: Vec<Result<VaultResponse, VaultError>>,
        policy: RetryPolicy,
    ) -> RetryingTransport {
        let mut mock = MockTransport::new();
        let mut answers = answers.into_iter();
        let n = answers.len();
        mock.expect_send().times(n).returning(move |_| {
            answers
                .next()
                .unwrap_or_else(|| Err(VaultError::msg(VaultErrorKind::Server, "script ran out")))
        });
        mock.expect_address()
            .return_const("http://mock".to_string());
        RetryingTransport::new(Arc::new(mock), policy)
    }

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
        assert_eq!(
            p.delay(1, Some(Duration::from_secs(7))),
            Duration::from_secs(7)
        );
        assert_eq!(p.delay(1, Some(Duration::from_secs(9999))), MAX_RETRY_AFTER);
    }

    #[tokio::test]
    async fn retries_503_then_succeeds() {
        let t = scripted(vec![status(503), status(503), status(200)], fast(3));
        let r = t
            .send(VaultRequest::new(Method::Get, "x"))
            .await
            .expect("answer");
        assert_eq!(r.status, 200);
        assert_eq!(t.stats.snapshot().requests_sent, 3);
        assert_eq!(t.stats.snapshot().retries, 2);
    }

    #[tokio::test]
    async fn gives_up_after_max_attempts_with_last_answer() {
        let t = scripted(vec![status(502), status(500), status(503)], fast(3));
        let r = t
            .send(VaultRequest::new(Method::Get, "x"))
            .await
            .expect("answer");
        assert_eq!(r.status, 503);
    }

    #[tokio::test]
    async fn never_retries_501_or_other_4xx() {
        for code in [501, 400, 403, 404] {
            let t = scripted(vec![status(code)], fast(5));
            let r = t
                .send(VaultRequest::new(Method::Get, "x"))
                .await
                .expect("answer");
            assert_eq!(r.status, code);
        }
    }

    #[tokio::test]
    async fn retries_connection_errors_but_not_config_errors() {
        let conn = || Err(VaultError::msg(VaultErrorKind::Connection, "reset"));
        let t = scripted(vec![conn(), status(200)], fast(3));
        assert_eq!(
            t.send(VaultRequest::new(Method::Post, "x"))
                .await
                .expect("ok")
                .status,
            200
        );
        let t = scripted(
            vec![Err(VaultError::msg(VaultErrorKind::Config, "bad"))],
            fast(3),
        );
        assert_eq!(
            t.send(VaultRequest::new(Method::Get, "x"))
                .await
                .expect_err("config")
                .kind(),
            VaultErrorKind::Config
        );
    }

    #[tokio::test]
    async fn honours_retry_after_on_429() {
        let limited = Ok(VaultResponse::new(
            429,
            vec![("retry-after".into(), "1".into())],
            "{}",
        ));
        let t = scripted(vec![limited, status(204)], fast(3));
        let started = std::time::Instant::now();
        assert_eq!(
            t.send(VaultRequest::new(Method::Get, "x"))
                .await
                .expect("ok")
                .status,
            204
        );
        assert!(started.elapsed() >= Duration::from_secs(1));
    }

    #[tokio::test]
    async fn streamed_bodies_are_sent_once() {
        let t = scripted(vec![status(503)], fast(5));
        let stream: crate::transport::ByteStream = Box::pin(futures_util::stream::iter(vec![Ok(
            bytes::Bytes::from_static(b"abc"),
        )]));
        let r = t
            .send(VaultRequest::new(Method::Post, "sys/storage/raft/snapshot").with_stream(stream))
            .await;
        assert_eq!(r.expect("answer").status, 503);
    }
}
