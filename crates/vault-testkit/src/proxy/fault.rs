//! The faults a [`FaultProxy`](super::FaultProxy) can inject.

use std::time::Duration;

/// What the proxy does with one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Forward the request unchanged.
    Pass,
    /// Wait, then forward.
    Latency(Duration),
    /// Read the request, then close the TCP connection with a reset (RST) without answering.
    Reset,
    /// Answer `code` with `{"errors":["injected fault"]}` (and `Retry-After: N` when
    /// `retry_after` is `Some(N)`) without forwarding.
    Status {
        /// The HTTP status code to answer with.
        code: u16,
        /// Seconds for the `Retry-After` header.
        retry_after: Option<u64>,
    },
    /// Forward, then send the real headers (with the full `Content-Length`) but only the
    /// first half of the body, and close the connection.
    TruncatedBody,
    /// Read the request and never answer (until the proxy is dropped); the client times out.
    NoAnswer,
    /// Forward the request (the server applies it), then drop the answer and reset the
    /// connection: the client sees a lost connection for a request that took effect.
    DropResponse,
    /// Answer `503` with this exact `Retry-After` value (any text, e.g. `1e300` or `NaN`) without
    /// forwarding.
    RawRetryAfter(String),
}

impl Fault {
    /// A status fault without `Retry-After`.
    pub fn status(code: u16) -> Self {
        Fault::Status {
            code,
            retry_after: None,
        }
    }

    /// `429 Too Many Requests` with `Retry-After: seconds`.
    pub fn rate_limited(seconds: u64) -> Self {
        Fault::Status {
            code: 429,
            retry_after: Some(seconds),
        }
    }
}
