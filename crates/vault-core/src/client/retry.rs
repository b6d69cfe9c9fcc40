//! [`RetryingTransport`]: the one replay loop. It applies a [`RetryPolicy`] and the one retry
//! decision ([`crate::retry::is_retryable_status`] for answers, [`VaultError::is_retryable`] for
//! failures to get one), and waits while Vault says a request's target is still settling
//! ([`VaultRequest::settle_on`]). Requests whose body is a one-shot stream are sent once.
//!
//! As in Vault's Go client, writes are replayed like reads: a write that got a 5xx or lost its
//! connection may have been applied by the first attempt. The loop reports how many attempts a
//! call took ([`RetryingTransport::send_counted`]) so that a caller can tell a replayed write's
//! outcome from a first one's (KV v2 check-and-set does).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::stats::Stats;
use crate::error::VaultError;
use crate::status::parse_retry_after;
use crate::transport::{Transport, VaultRequest, VaultResponse};

use crate::retry::{RetryPolicy, is_retryable_status};

/// How often a request is asked again while Vault answers with its
/// [`VaultRequest::settle_on`] message, and the pause in between (about 3 s in all).
const SETTLE_ATTEMPTS: u32 = 30;
const SETTLE_PAUSE: Duration = Duration::from_millis(100);

/// A [`Transport`] that sends through another one and retries per a [`RetryPolicy`].
/// Responses with non-retryable statuses (and the last retryable one) are returned as they are.
#[derive(Debug, Clone)]
pub(crate) struct RetryingTransport {
    inner: Arc<dyn Transport>,
    policy: RetryPolicy,
    stats: Arc<Stats>,
}

/// What the loop does after one attempt.
enum Next {
    Done,
    Retry(Duration),
    Settle,
}

impl RetryingTransport {
    /// Wraps `inner`, retrying what `policy` allows (test helper with fresh counters).
    #[cfg(test)]
    pub(crate) fn new(inner: Arc<dyn Transport>, policy: RetryPolicy) -> Self {
        Self::with_stats(inner, policy, Arc::new(Stats::default()))
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

    /// Send with retries; also returns how many attempts were made (1 = no replay). Every
    /// attempt sends `request` itself (transports borrow it, see [`Transport`]'s contract), so
    /// no copy is kept; a request whose body is a stream is sent once.
    pub(crate) async fn send_counted(
        &self,
        request: &mut VaultRequest,
    ) -> (Result<VaultResponse, VaultError>, u32) {
        let max = self.policy.max_attempts.max(1);
        let (mut attempt, mut settled) = (1u32, 0u32);
        loop {
            // Checked before sending: the transport takes a streamed body out.
            let replayable = request.body.is_replayable();
            let may_settle = request.settle_on.is_some() && settled < SETTLE_ATTEMPTS;
            self.stats.request();
            let mut outcome = self.inner.send(request).await;
            let next = match &outcome {
                _ if !replayable => Next::Done,
                Ok(resp) if is_retryable_status(resp.status) && attempt < max => {
                    Next::Retry(self.policy.delay(
                        attempt,
                        resp.header("retry-after").and_then(parse_retry_after),
                    ))
                }
                Ok(resp) if resp.status == 400 && may_settle => Next::Settle,
                Err(e) if e.is_retryable() && attempt < max => {
                    Next::Retry(self.policy.delay(attempt, e.retry_after()))
                }
                _ => Next::Done,
            };
            let next = match (next, outcome) {
                (Next::Settle, Ok(resp)) => {
                    // Read the (short) error body to see whether Vault says "not ready yet".
                    let (answer, settling) = settling(resp, request.settle_on).await;
                    outcome = answer;
                    if settling { Next::Settle } else { Next::Done }
                }
                (next, o) => {
                    outcome = o;
                    next
                }
            };
            let delay = match next {
                Next::Done => return (outcome, attempt + settled),
                Next::Retry(delay) => {
                    match &outcome {
                        Ok(resp) => {
                            tracing::warn!(method = %request.method, path = %request.path, status = resp.status, attempt, ?delay, "retrying")
                        }
                        Err(e) => {
                            tracing::warn!(method = %request.method, path = %request.path, kind = %e.kind(), attempt, ?delay, "retrying")
                        }
                    }
                    attempt += 1;
                    self.stats.retry();
                    delay
                }
                Next::Settle => {
                    tracing::debug!(path = %request.path, settled, "the target is still settling; asking again");
                    settled += 1;
                    SETTLE_PAUSE
                }
            };
            drop(outcome);
            tokio::time::sleep(delay).await;
        }
    }
}

/// Read a 400 answer's body and tell whether it carries `message`; the answer is rebuilt from
/// the bytes read (a body cut short is the usual connection error).
async fn settling(
    response: VaultResponse,
    message: Option<&'static str>,
) -> (Result<VaultResponse, VaultError>, bool) {
    let VaultResponse {
        status, headers, ..
    } = &response;
    let (status, headers) = (*status, headers.clone());
    match response.into_bytes().await {
        Ok(body) => {
            let found = message.is_some_and(|m| memchr_contains(&body, m.as_bytes()));
            (Ok(VaultResponse::new(status, headers, body)), found)
        }
        Err(e) => (
            Err(VaultError::msg(
                crate::VaultErrorKind::Connection,
                format!("error response was cut short: {e}"),
            )
            .with_status(status)),
            false,
        ),
    }
}

fn memchr_contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

#[async_trait]
impl Transport for RetryingTransport {
    async fn send(&self, request: &mut VaultRequest) -> Result<VaultResponse, VaultError> {
        self.send_counted(request).await.0
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
    use http::header::{HeaderMap, HeaderValue, RETRY_AFTER};

    fn fast(max_attempts: u32) -> RetryPolicy {
        RetryPolicy {
            max_attempts,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
        }
    }

    fn status(code: u16) -> Result<VaultResponse, VaultError> {
        Ok(VaultResponse::new(
            code,
            HeaderMap::new(),
            "{\"errors\":[]}",
        ))
    }

    /// One request to path `x` through the retrying wrapper.
    async fn call(t: &RetryingTransport, method: Method) -> Result<VaultResponse, VaultError> {
        t.send(&mut VaultRequest::new(method, "x")).await
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

    #[tokio::test]
    async fn retries_503_then_succeeds() {
        let t = scripted(vec![status(503), status(503), status(200)], fast(3));
        let r = call(&t, Method::Get).await.expect("answer");
        assert_eq!(r.status, 200);
        assert_eq!(t.stats.snapshot().requests_sent, 3);
        assert_eq!(t.stats.snapshot().retries, 2);
    }

    #[tokio::test]
    async fn gives_up_after_max_attempts_with_last_answer() {
        let t = scripted(vec![status(502), status(500), status(503)], fast(3));
        let r = call(&t, Method::Get).await.expect("answer");
        assert_eq!(r.status, 503);
    }

    #[tokio::test]
    async fn never_retries_501_or_other_4xx() {
        for code in [501, 400, 403, 404] {
            let t = scripted(vec![status(code)], fast(5));
            let r = call(&t, Method::Get).await.expect("answer");
            assert_eq!(r.status, code);
        }
    }

    #[tokio::test]
    async fn retries_connection_errors_but_not_config_errors() {
        let conn = || Err(VaultError::msg(VaultErrorKind::Connection, "reset"));
        let t = scripted(vec![conn(), status(200)], fast(3));
        assert_eq!(call(&t, Method::Post).await.expect("ok").status, 200);
        let t = scripted(
            vec![Err(VaultError::msg(VaultErrorKind::Config, "bad"))],
            fast(3),
        );
        assert_eq!(
            call(&t, Method::Get).await.expect_err("config").kind(),
            VaultErrorKind::Config
        );
    }

    #[tokio::test(start_paused = true)]
    async fn honours_retry_after_on_429() {
        let limited = Ok(VaultResponse::new(
            429,
            HeaderMap::from_iter([(RETRY_AFTER, HeaderValue::from_static("1"))]),
            "{}",
        ));
        let policy = RetryPolicy {
            max_delay: Duration::from_secs(5),
            ..fast(3)
        };
        let t = scripted(vec![limited, status(204)], policy);
        let started = tokio::time::Instant::now();
        assert_eq!(call(&t, Method::Get).await.expect("ok").status, 204);
        assert_eq!(started.elapsed(), Duration::from_secs(1));
    }

    /// Hostile `Retry-After` values: the call neither panics (`1e300` used to panic in
    /// `Duration::from_secs_f64`) nor waits longer than `max_delay` (`999999` used to wait the
    /// old 300 s cap). Paused time: the waits are measured, not slept.
    #[tokio::test(start_paused = true)]
    async fn hostile_retry_after_waits_at_most_max_delay() {
        for value in [
            "1e300",
            "999999",
            "NaN",
            "-5",
            "inf",
            "Fri, 31 Dec 9999 23:59:59 GMT",
        ] {
            let hostile = Ok(VaultResponse::new(
                503,
                HeaderMap::from_iter([(RETRY_AFTER, HeaderValue::from_static(value))]),
                "{}",
            ));
            let policy = RetryPolicy {
                max_attempts: 2,
                base_delay: Duration::from_millis(10),
                max_delay: Duration::from_secs(2),
            };
            let t = scripted(vec![hostile, status(200)], policy);
            let started = tokio::time::Instant::now();
            let r = call(&t, Method::Get).await.expect("answer");
            assert_eq!(r.status, 200, "{value}");
            assert!(
                started.elapsed() <= policy.max_delay,
                "Retry-After: {value} waited {:?}",
                started.elapsed()
            );
        }
    }

    /// A request that names a "not ready yet" message is asked again while Vault answers with it,
    /// through the same loop; other 400s are final.
    #[tokio::test(start_paused = true)]
    async fn settling_answers_are_asked_again() {
        let upgrading = || {
            Ok(VaultResponse::new(
                400,
                HeaderMap::new(),
                r#"{"errors":["Upgrading from non-versioned to versioned data. This may take some time"]}"#,
            ))
        };
        let t = scripted(vec![upgrading(), upgrading(), status(200)], fast(1));
        let r = t
            .send(&mut VaultRequest::new(Method::Get, "kv/data/x").with_settle_on("Upgrading from"))
            .await
            .expect("answer");
        assert_eq!(r.status, 200);
        let t = scripted(vec![upgrading()], fast(3));
        let r = t
            .send(&mut VaultRequest::new(Method::Get, "kv/data/x"))
            .await
            .expect("answer");
        assert_eq!(r.status, 400, "without settle_on a 400 is final");
        let bytes = r.into_bytes().await.expect("body");
        assert!(bytes.starts_with(b"{\"errors\""));
    }

    /// The attempt count tells a caller that a write was replayed.
    #[tokio::test(start_paused = true)]
    async fn attempts_are_counted() {
        let conn = || Err(VaultError::msg(VaultErrorKind::Connection, "reset"));
        let t = scripted(vec![conn(), status(400)], fast(3));
        let (outcome, attempts) = t
            .send_counted(&mut VaultRequest::new(Method::Post, "x"))
            .await;
        assert_eq!(outcome.expect("answer").status, 400);
        assert_eq!(attempts, 2);
    }

    /// Every attempt sends the caller's request itself, headers and body intact (no copy).
    #[tokio::test]
    async fn replays_send_the_same_request() {
        let mut mock = MockTransport::new();
        let mut n = 0;
        mock.expect_send().times(3).returning(move |req| {
            assert_eq!(req.header("X-Vault-Token"), Some("t0k"));
            assert!(matches!(&req.body, crate::RequestBody::Json(v) if v["k"] == "v"));
            n += 1;
            if n < 3 { status(502) } else { status(200) }
        });
        mock.expect_address()
            .return_const("http://mock".to_string());
        let t = RetryingTransport::new(Arc::new(mock), fast(3));
        let mut request =
            VaultRequest::new(Method::Put, "x").with_json(serde_json::json!({"k": "v"}));
        request.set_vault_headers(Some("t0k"), None);
        let (outcome, attempts) = t.send_counted(&mut request).await;
        assert_eq!(outcome.expect("answer").status, 200);
        assert_eq!(attempts, 3);
        assert_eq!(request.header("X-Vault-Token"), Some("t0k"));
    }

    #[tokio::test]
    async fn streamed_bodies_are_sent_once() {
        let t = scripted(vec![status(503)], fast(5));
        let stream: crate::transport::ByteStream = Box::pin(futures_util::stream::iter(vec![Ok(
            bytes::Bytes::from_static(b"abc"),
        )]));
        let r = t
            .send(
                &mut VaultRequest::new(Method::Post, "sys/storage/raft/snapshot")
                    .with_stream(stream),
            )
            .await;
        assert_eq!(r.expect("answer").status, 503);
    }
}
