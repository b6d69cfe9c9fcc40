//! Forwarding one request to the upstream server.

use std::sync::Arc;

use bytes::Bytes;
use http::header::{self, HeaderMap, HeaderName};
use http::{Method, StatusCode};

/// Headers that belong to one connection and are never forwarded.
const HOP_BY_HOP: &[HeaderName] = &[
    header::CONNECTION,
    header::HOST,
    header::CONTENT_LENGTH,
    header::TRANSFER_ENCODING,
    header::TE,
    header::TRAILER,
    header::UPGRADE,
    header::PROXY_AUTHORIZATION,
    header::PROXY_AUTHENTICATE,
];

/// Sends requests to the upstream.
#[derive(Debug, Clone)]
pub(super) struct Forwarder {
    upstream: Arc<str>,
    client: reqwest::Client,
}

/// The upstream's complete answer.
#[derive(Debug)]
pub(super) struct Answer {
    pub(super) status: StatusCode,
    pub(super) headers: HeaderMap,
    pub(super) body: Bytes,
}

impl Forwarder {
    pub(super) fn new(upstream: String, client: reqwest::Client) -> Self {
        Self {
            upstream: upstream.into(),
            client,
        }
    }

    /// Forwards `method path_and_query` with `headers` and `body`; the answer is read whole.
    pub(super) async fn forward(
        &self,
        method: Method,
        path_and_query: &str,
        headers: &HeaderMap,
        body: Bytes,
    ) -> Result<Answer, String> {
        let url = format!("{}{}", self.upstream, path_and_query);
        let response = self
            .client
            .request(method.clone(), &url)
            .headers(strip_hop_by_hop(headers))
            .body(body)
            .send()
            .await
            .map_err(|e| format!("{method} {url}: {e}"))?;
        let status = response.status();
        let headers = strip_hop_by_hop(response.headers());
        let body = response
            .bytes()
            .await
            .map_err(|e| format!("{method} {url}: reading the answer: {e}"))?;
        Ok(Answer {
            status,
            headers,
            body,
        })
    }
}

fn strip_hop_by_hop(headers: &HeaderMap) -> HeaderMap {
    let mut out = headers.clone();
    for name in HOP_BY_HOP {
        out.remove(name);
    }
    out.remove("keep-alive");
    out
}
