//! The [`Transport`] trait: send one request to Vault, get one response back.
//!
//! A transport knows nothing about tokens, namespaces, retries or Vault's envelope; those are
//! [`crate::VaultClient`]'s job. It only moves bytes over the wire.

use std::fmt;
use std::pin::Pin;

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::Stream;

use crate::error::VaultError;

#[cfg(feature = "transport-reqwest")]
mod http;
mod path_guard;

#[cfg(feature = "transport-reqwest")]
pub use http::{HttpTransport, HttpTransportBuilder};
pub use path_guard::check_request_path;

/// HTTP verb of a Vault request. `List` is Vault's own `LIST` method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`.
    Get,
    /// `POST`.
    Post,
    /// `PUT` (Vault treats it like `POST`).
    Put,
    /// `PATCH` (KV v2 JSON merge patch).
    Patch,
    /// `DELETE`.
    Delete,
    /// `LIST`: Vault's own verb for listing a path's children.
    List,
    /// `HEAD`.
    Head,
}

impl Method {
    /// The method as it goes on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::List => "LIST",
            Method::Head => "HEAD",
        }
    }

    /// Requests that may be sent twice without changing the outcome.
    pub fn is_idempotent(self) -> bool {
        !matches!(self, Method::Post | Method::Patch)
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A streamed body chunk source (used for Raft snapshots and other large payloads).
pub type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static>>;

/// The body of a request.
pub enum RequestBody {
    /// No body.
    Empty,
    /// A JSON document (sent with `Content-Type: application/json` unless a header overrides it).
    Json(serde_json::Value),
    /// Raw bytes, sent as they are.
    Bytes(Bytes),
    /// A stream of bytes, sent without buffering the whole payload. Cannot be replayed, so a
    /// request with a streamed body is never retried.
    Stream(ByteStream),
}

impl RequestBody {
    /// Whether the body can be sent a second time (everything except streams).
    pub fn is_replayable(&self) -> bool {
        !matches!(self, RequestBody::Stream(_))
    }

    /// A copy of the body for a retry, if it is replayable.
    pub fn try_clone(&self) -> Option<RequestBody> {
        match self {
            RequestBody::Empty => Some(RequestBody::Empty),
            RequestBody::Json(v) => Some(RequestBody::Json(v.clone())),
            RequestBody::Bytes(b) => Some(RequestBody::Bytes(b.clone())),
            RequestBody::Stream(_) => None,
        }
    }
}

impl fmt::Debug for RequestBody {
    // Bodies routinely carry secret values: never print them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestBody::Empty => f.write_str("Empty"),
            RequestBody::Json(_) => f.write_str("Json(<redacted>)"),
            RequestBody::Bytes(b) => write!(f, "Bytes(<{} bytes>)", b.len()),
            RequestBody::Stream(_) => f.write_str("Stream(..)"),
        }
    }
}

/// The header carrying the client token.
pub(crate) const TOKEN_HEADER: &str = "X-Vault-Token";
/// The header carrying the namespace.
pub(crate) const NAMESPACE_HEADER: &str = "X-Vault-Namespace";
/// The header every vaultkit request carries (Vault's CSRF guard for browser-reachable setups).
pub(crate) const REQUEST_HEADER: &str = "X-Vault-Request";

/// One request to Vault. `path` is relative to `/v1/` (no leading slash), e.g. `secret/data/app`.
///
/// `Debug` prints the method, the path, query and header *names* and the body's kind and length:
/// never a header value (the token travels in one) nor a body.
pub struct VaultRequest {
    /// HTTP verb.
    pub method: Method,
    /// API path relative to `/v1/`, no leading slash.
    pub path: String,
    /// Query parameters, in order.
    pub query: Vec<(String, String)>,
    /// Extra headers. Header values are treated as sensitive and never logged.
    pub headers: Vec<(String, String)>,
    /// Request body.
    pub body: RequestBody,
    /// Ask the transport for a streamed response body ([`ResponseBody::Stream`]) instead of
    /// reading it whole (only honoured for 2xx answers).
    pub stream_response: bool,
    /// A Vault error message that means "not ready yet, ask again shortly" for this request
    /// (e.g. a KV mount upgrading its storage right after it was enabled). The client's replay
    /// loop asks again after a short pause while the answer carries it, for a few seconds at most.
    pub settle_on: Option<&'static str>,
}

impl VaultRequest {
    /// A request with no query, header or body; a leading `/` in `path` is dropped.
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        let mut path: String = path.into();
        if path.starts_with('/') {
            path = path.trim_start_matches('/').to_string();
        }
        VaultRequest {
            method,
            path,
            query: Vec::new(),
            headers: Vec::new(),
            body: RequestBody::Empty,
            stream_response: false,
            settle_on: None,
        }
    }

    /// Adds a query parameter.
    pub fn with_query(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((key.into(), value.into()));
        self
    }

    /// Adds a header (its value is never logged).
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sends `body` as JSON.
    pub fn with_json(mut self, body: serde_json::Value) -> Self {
        self.body = RequestBody::Json(body);
        self
    }

    /// Sends raw bytes (e.g. a snapshot upload).
    pub fn with_bytes(mut self, body: impl Into<Bytes>) -> Self {
        self.body = RequestBody::Bytes(body.into());
        self
    }

    /// Streams the body (large uploads).
    pub fn with_stream(mut self, body: ByteStream) -> Self {
        self.body = RequestBody::Stream(body);
        self
    }

    /// Ask for the response body as a stream (see [`VaultRequest::stream_response`]).
    pub fn with_stream_response(mut self) -> Self {
        self.stream_response = true;
        self
    }

    /// Ask again while Vault answers with `message` (see [`VaultRequest::settle_on`]).
    pub fn with_settle_on(mut self, message: &'static str) -> Self {
        self.settle_on = Some(message);
        self
    }

    /// Set the `X-Vault-*` headers: `X-Vault-Request`, the token (unless the request already
    /// carries one, e.g. a wrapping token) and the namespace (unless already set). The one place
    /// these headers are added; the client, the auth methods and the raw `sys/` calls all use it.
    pub fn set_vault_headers(&mut self, token: Option<&str>, namespace: Option<&str>) {
        let (mut has_token, mut has_ns, mut has_request) = (false, false, false);
        for (name, _) in &self.headers {
            has_token |= name.eq_ignore_ascii_case(TOKEN_HEADER);
            has_ns |= name.eq_ignore_ascii_case(NAMESPACE_HEADER);
            has_request |= name.eq_ignore_ascii_case(REQUEST_HEADER);
        }
        if let Some(token) = token.filter(|_| !has_token) {
            self.headers.push((TOKEN_HEADER.into(), token.to_string()));
        }
        if let Some(ns) = namespace.filter(|n| !has_ns && !n.is_empty()) {
            self.headers.push((NAMESPACE_HEADER.into(), ns.to_string()));
        }
        if !has_request {
            self.headers.push((REQUEST_HEADER.into(), "true".into()));
        }
    }

    /// Overwrite every header value with zeros (they may hold a token) and the JSON body's
    /// strings (they may hold secret values). Called on request copies the client drops without
    /// sending. What a transport copied into its own buffers cannot be reached from here.
    pub fn zeroize(&mut self) {
        use zeroize::Zeroize;
        for (_, value) in &mut self.headers {
            value.zeroize();
        }
        if let RequestBody::Json(value) = &mut self.body {
            zeroize_json(value);
        }
    }

    /// A copy for a retry, or `None` when the body is a one-shot stream.
    pub fn try_clone(&self) -> Option<VaultRequest> {
        Some(VaultRequest {
            method: self.method,
            path: self.path.clone(),
            query: self.query.clone(),
            headers: self.headers.clone(),
            body: self.body.try_clone()?,
            stream_response: self.stream_response,
            settle_on: self.settle_on,
        })
    }

    /// Header lookup, case-insensitive.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Overwrite every string (keys included) in a JSON document with zeros, in place.
pub(crate) fn zeroize_json(value: &mut serde_json::Value) {
    use zeroize::Zeroize;
    match value {
        serde_json::Value::String(s) => s.zeroize(),
        serde_json::Value::Array(items) => items.iter_mut().for_each(zeroize_json),
        serde_json::Value::Object(map) => {
            let taken = std::mem::take(map);
            for (mut key, mut v) in taken {
                key.zeroize();
                zeroize_json(&mut v);
            }
        }
        _ => {}
    }
}

/// Overwrite a fully read body with zeros when nothing else shares its buffer (a `Bytes` still
/// shared with another handle is left as it is).
pub(crate) fn zeroize_bytes(bytes: Bytes) {
    use zeroize::Zeroize;
    if let Ok(mut owned) = bytes.try_into_mut() {
        owned.as_mut().zeroize();
    }
}

/// The body of a response.
pub enum ResponseBody {
    /// Fully read bytes.
    Bytes(Bytes),
    /// A body still arriving (only when the request asked for it with
    /// [`VaultRequest::with_stream_response`]).
    Stream(ByteStream),
}

impl fmt::Debug for ResponseBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResponseBody::Bytes(b) => write!(f, "Bytes(<{} bytes>)", b.len()),
            ResponseBody::Stream(_) => f.write_str("Stream(..)"),
        }
    }
}

/// One response from Vault.
///
/// `Debug` prints the status, the header *names* and the body's length, never a header value or
/// the body (a login answer carries a token in both).
pub struct VaultResponse {
    /// HTTP status code.
    pub status: u16,
    /// Response headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// Response body.
    pub body: ResponseBody,
}

impl VaultResponse {
    /// A response with a fully read body.
    pub fn new(status: u16, headers: Vec<(String, String)>, body: impl Into<Bytes>) -> Self {
        VaultResponse {
            status,
            headers,
            body: ResponseBody::Bytes(body.into()),
        }
    }

    /// Header lookup, case-insensitive.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body bytes, reading a stream to its end if needed.
    pub async fn into_bytes(self) -> Result<Bytes, std::io::Error> {
        match self.body {
            ResponseBody::Bytes(b) => Ok(b),
            ResponseBody::Stream(mut s) => {
                use futures_util::StreamExt;
                let mut buf = bytes::BytesMut::new();
                while let Some(chunk) = s.next().await {
                    buf.extend_from_slice(&chunk?);
                }
                Ok(buf.freeze())
            }
        }
    }
}

/// Header names only, in order, for `Debug` output that must not show values.
struct HeaderNames<'a>(&'a [(String, String)]);

impl fmt::Debug for HeaderNames<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(name, _)| name))
            .finish()
    }
}

impl fmt::Debug for VaultRequest {
    // Hand-written: a derived Debug would print header values (`X-Vault-Token`) and query values.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VaultRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &HeaderNames(&self.query))
            .field("headers", &HeaderNames(&self.headers))
            .field("body", &self.body)
            .field("stream_response", &self.stream_response)
            .field("settle_on", &self.settle_on.is_some())
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for VaultResponse {
    // Hand-written: header values (a wrapping token, cookies) and the body (a login answer's
    // `client_token`, a secret's values) are never printed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VaultResponse")
            .field("status", &self.status)
            .field("headers", &HeaderNames(&self.headers))
            .field("body", &self.body)
            .finish()
    }
}

/// Sends one request to a Vault server and returns its answer.
///
/// # Contract
/// - Any HTTP status is a successful `Ok(VaultResponse)`; only failures to get an answer at all
///   (connect, TLS, timeout, reset, truncated body) are `Err`, of kind
///   [`crate::VaultErrorKind::Connection`].
/// - The transport adds no authentication and no retries; [`crate::VaultClient`] does that.
/// - Request bodies and header values are never logged.
/// - A path with a `.` or `..` segment (also percent-encoded, `%2e%2e`) is refused with a
///   [`crate::VaultErrorKind::Validation`] error before anything is sent: URL building would
///   collapse it and send the token to another API path (`secret/../sys/...`). Call
///   [`check_request_path`] first thing in `send`, as `HttpTransport` does.
/// - A 2xx answer to a request with [`VaultRequest::stream_response`] set comes back as
///   [`ResponseBody::Stream`]; everything else is read whole.
/// - Implementations are `Send + Sync` and used as `Arc<dyn Transport>`.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait Transport: Send + Sync + fmt::Debug {
    /// Send `request` and return the response.
    async fn send(&self, request: VaultRequest) -> Result<VaultResponse, VaultError>;

    /// The base address requests go to (for error messages), e.g. `https://vault:8200`.
    fn address(&self) -> String;
}

#[async_trait]
impl<T: Transport + ?Sized> Transport for std::sync::Arc<T> {
    async fn send(&self, request: VaultRequest) -> Result<VaultResponse, VaultError> {
        (**self).send(request).await
    }
    fn address(&self) -> String {
        (**self).address()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one header function sets each `X-Vault-*` header once and keeps a caller's own.
    #[test]
    fn vault_headers_are_set_once() {
        let mut r = VaultRequest::new(Method::Get, "/secret/data/x");
        assert_eq!(r.path, "secret/data/x");
        r.set_vault_headers(Some("tok"), Some("team-a"));
        r.set_vault_headers(Some("other"), Some("team-b"));
        assert_eq!(r.header(TOKEN_HEADER), Some("tok"));
        assert_eq!(r.header(NAMESPACE_HEADER), Some("team-a"));
        assert_eq!(r.header(REQUEST_HEADER), Some("true"));
        assert_eq!(r.headers.len(), 3);
        let mut wrapped = VaultRequest::new(Method::Post, "sys/wrapping/unwrap")
            .with_header("x-vault-token", "wrapping-token");
        wrapped.set_vault_headers(Some("client-token"), None);
        assert_eq!(wrapped.header(TOKEN_HEADER), Some("wrapping-token"));
        assert_eq!(wrapped.headers.len(), 2);
    }

    /// Copies the client drops unsent are overwritten: header values and every JSON string.
    #[test]
    fn zeroize_clears_header_values_and_json_strings() {
        let mut r = VaultRequest::new(Method::Post, "secret/data/x").with_json(
            serde_json::json!({"data": {"password": "planted-value", "list": ["planted-item"]}}),
        );
        r.set_vault_headers(Some("planted-token"), None);
        r.zeroize();
        assert!(r.headers.iter().all(|(_, v)| v.bytes().all(|b| b == 0)));
        let RequestBody::Json(body) = &r.body else {
            panic!("json body")
        };
        let text = body.to_string();
        assert!(!text.contains("planted"), "{text}");
    }
}
