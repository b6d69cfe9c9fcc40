//! [`HttpTransport`]: the reqwest + rustls implementation of [`Transport`].
//!
//! - `mod.rs`: the transport itself (URL building, sending, streaming bodies both ways).
//! - `builder.rs`: [`HttpTransportBuilder`] (timeout, CA, client certificate, skip-verify,
//!   the redirect policy).
//! - `errors.rs`: turning reqwest failures into `Connection` errors that say what broke (TLS,
//!   timeout, refused, cut short).
//!
//! Architecture Invariant: the transport never logs a header value or a body, never sends a path
//! with a `.`/`..` segment, and follows a redirect only to the same scheme, host and port (the
//! token header and the body would otherwise go to whoever the server names).

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures_util::TryStreamExt;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

use super::{Method, RequestBody, ResponseBody, Transport, VaultRequest, VaultResponse};
use crate::error::{VaultError, VaultErrorKind};

mod builder;
mod errors;

pub use builder::HttpTransportBuilder;
use errors::{chain_text, connection_error};

/// Characters escaped inside one path segment (the `/` separators are kept).
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// The per-request timeout given to streaming requests to lift the client-wide one (reqwest
/// cannot unset it per request): far beyond any real transfer.
const NO_TOTAL_TIMEOUT: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// Default per-request timeout (Vault's CLI uses 60 s; the Python module used 30 s).
pub(super) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Sends requests over HTTP(S) with a pooled reqwest client.
///
/// ```no_run
/// # fn main() -> Result<(), vault_core::VaultError> {
/// let transport = vault_core::HttpTransport::builder()
///     .with_address("https://vault.example.com:8200")
///     .with_ca_cert_file("/etc/vault/ca.pem")
///     .with_timeout(std::time::Duration::from_secs(10))
///     .build()?;
/// # let _ = transport; Ok(()) }
/// ```
#[derive(Clone)]
pub struct HttpTransport {
    client: reqwest::Client,
    /// The address as configured, for messages (`base` may carry a TLS server name instead).
    shown: Arc<str>,
    base: url::Url,
    /// `<base path without trailing slash>/v1/`, see [`HttpTransport::v1_path_for`].
    v1_path: Arc<str>,
    timeout: Duration,
}

impl std::fmt::Debug for HttpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpTransport")
            .field("address", &&*self.shown)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl HttpTransport {
    /// A builder; the address is required.
    pub fn builder() -> HttpTransportBuilder {
        HttpTransportBuilder::default()
    }

    /// The path every request path is appended to: the base URL's path without its trailing
    /// slash, then `/v1/`. Computed once, at build time.
    pub(super) fn v1_path_for(base: &url::Url) -> Arc<str> {
        format!("{}/v1/", base.path().trim_end_matches('/')).into()
    }

    /// The full URL for a request path (relative to `/v1/`) and query. Only characters in
    /// [`SEGMENT`] are escaped; `/` is not among them, so escaping the whole path at once equals
    /// escaping each segment, and a path with nothing to escape is borrowed as it is. The base
    /// URL is cloned rather than parsed again (no host parsing per request).
    fn url_for(&self, path: &str, query: &[(String, String)]) -> url::Url {
        let encoded: Cow<'_, str> = utf8_percent_encode(path, SEGMENT).into();
        let mut full = String::with_capacity(self.v1_path.len() + encoded.len());
        full.push_str(&self.v1_path);
        full.push_str(&encoded);
        let mut url = self.base.clone();
        url.set_path(&full);
        if !query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        }
        url
    }
}

/// The `X-Vault-*` headers every request carries, as static names (no parsing, lower-casing or
/// allocation per request).
fn known_header(name: &str) -> Option<reqwest::header::HeaderName> {
    use reqwest::header::HeaderName;
    [
        (super::TOKEN_HEADER, "x-vault-token"),
        (super::REQUEST_HEADER, "x-vault-request"),
        (super::NAMESPACE_HEADER, "x-vault-namespace"),
    ]
    .into_iter()
    .find(|(known, _)| known.eq_ignore_ascii_case(name))
    .map(|(_, lower)| HeaderName::from_static(lower))
}

/// Zeroes header values when dropped (on every return path of `send`).
struct ZeroizeOnDrop<'a>(&'a mut Vec<(String, String)>);

impl Drop for ZeroizeOnDrop<'_> {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        for (_, value) in self.0.iter_mut() {
            value.zeroize();
        }
    }
}

fn to_reqwest_method(m: Method) -> reqwest::Method {
    match m {
        Method::Get => reqwest::Method::GET,
        Method::Post => reqwest::Method::POST,
        Method::Put => reqwest::Method::PUT,
        Method::Patch => reqwest::Method::PATCH,
        Method::Delete => reqwest::Method::DELETE,
        Method::Head => reqwest::Method::HEAD,
        // "LIST" is a valid HTTP token, so `from_bytes` cannot fail here.
        Method::List => reqwest::Method::from_bytes(b"LIST").unwrap_or(reqwest::Method::GET),
    }
}

#[async_trait]
impl Transport for HttpTransport {
    async fn send(&self, request: VaultRequest) -> Result<VaultResponse, VaultError> {
        let VaultRequest {
            method,
            path,
            query,
            mut headers,
            body,
            stream_response,
            ..
        } = request;
        // Header values may hold the token: clear our copies on every way out of `send`.
        let sent = ZeroizeOnDrop(&mut headers);
        // Before anything else: a dot segment would be collapsed by URL building.
        super::check_request_path(&path)?;
        let url = self.url_for(&path, &query);
        let mut has_content_type = false;
        let mut builder = self.client.request(to_reqwest_method(method), url);
        for (name, value) in sent.0.iter() {
            has_content_type |= name.eq_ignore_ascii_case("content-type");
            let hname = known_header(name).map_or_else(
                || reqwest::header::HeaderName::from_bytes(name.as_bytes()),
                Ok,
            );
            let hname = hname.map_err(|_| {
                VaultError::msg(
                    VaultErrorKind::Validation,
                    format!("invalid header name `{name}`"),
                )
                .with_path(&path)
            })?;
            let mut hvalue = reqwest::header::HeaderValue::from_str(value).map_err(|_| {
                // Never echo the value: it may be a token.
                VaultError::msg(
                    VaultErrorKind::Validation,
                    format!("invalid value for header `{name}`"),
                )
                .with_path(&path)
            })?;
            hvalue.set_sensitive(true);
            builder = builder.header(hname, hvalue);
        }
        let streaming_body = matches!(body, RequestBody::Stream(_));
        builder = match body {
            RequestBody::Empty => builder,
            RequestBody::Json(mut value) => {
                let encoded = serde_json::to_vec(&value);
                // The document may hold secret values; the encoded copy goes to reqwest.
                super::zeroize_json(&mut value);
                let bytes = encoded.map_err(|e| {
                    VaultError::msg(
                        VaultErrorKind::Validation,
                        format!("could not encode the JSON body: {e}"),
                    )
                    .with_path(&path)
                })?;
                if !has_content_type {
                    builder = builder.header(reqwest::header::CONTENT_TYPE, "application/json");
                }
                builder.body(bytes)
            }
            RequestBody::Bytes(bytes) => builder.body(bytes),
            RequestBody::Stream(stream) => builder.body(reqwest::Body::wrap_stream(stream)),
        };
        if stream_response || streaming_body {
            // The client-wide total timeout must not cut a long stream short: lift it (the
            // connect and read timeouts still apply).
            builder = builder.timeout(NO_TOTAL_TIMEOUT);
        }
        let response = builder
            .send()
            .await
            .map_err(|e| connection_error(&e, &self.address(), self.timeout))?;
        let status = response.status().as_u16();
        // Header names from `http` are already lowercase.
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .map(|(k, v)| {
                let value = match v.to_str() {
                    Ok(text) => text.to_owned(),
                    Err(_) => String::from_utf8_lossy(v.as_bytes()).into_owned(),
                };
                (k.as_str().to_owned(), value)
            })
            .collect();
        let body = if stream_response && (200..300).contains(&status) {
            let stream = response
                .bytes_stream()
                .map_err(|e| std::io::Error::other(chain_text(&e)));
            ResponseBody::Stream(Box::pin(stream))
        } else {
            let bytes = response
                .bytes()
                .await
                .map_err(|e| connection_error(&e, &self.address(), self.timeout))?;
            ResponseBody::Bytes(bytes)
        };
        Ok(VaultResponse {
            status,
            headers,
            body,
        })
    }

    fn address(&self) -> String {
        self.shown.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transport(addr: &str) -> HttpTransport {
        HttpTransport::builder()
            .with_address(addr)
            .build()
            .expect("valid address")
    }

    #[test]
    fn urls_are_built_under_v1_with_escaped_segments() {
        let t = transport("http://127.0.0.1:8200/");
        let url = t.url_for("secret/data/my app?x", &[("version".into(), "2".into())]);
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:8200/v1/secret/data/my%20app%3Fx?version=2"
        );
        assert_eq!(t.address(), "http://127.0.0.1:8200");
    }

    /// The URL as it was built before the `/v1/` path was precomputed: segment by segment.
    fn per_segment(base: &url::Url, path: &str, query: &[(String, String)]) -> url::Url {
        let encoded: Vec<String> = path
            .split('/')
            .map(|seg| utf8_percent_encode(seg, SEGMENT).to_string())
            .collect();
        let mut url = base.clone();
        let base_path = url.path().trim_end_matches('/').to_string();
        url.set_path(&format!("{base_path}/v1/{}", encoded.join("/")));
        if !query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        }
        url
    }

    #[test]
    fn whole_path_escaping_matches_per_segment_escaping() {
        let paths = [
            "secret/data/app",
            "secret/data/my app?x#y",
            "kv/data/100%/caf\u{e9}/{a}<b>\"c\"`d`",
            "sys/mounts/",
            "a//b",
            "",
        ];
        let queries: [Vec<(String, String)>; 3] = [
            vec![],
            vec![("version".into(), "2".into())],
            vec![
                ("list".into(), "a b&c=d+\u{e9}".into()),
                ("x".into(), String::new()),
            ],
        ];
        for base in [
            "http://127.0.0.1:8200",
            "https://vault.example.com/prefix/",
            "http://127.0.0.1:8200/?x=1",
        ] {
            let t = transport(base);
            for path in paths {
                for query in &queries {
                    assert_eq!(
                        t.url_for(path, query),
                        per_segment(&t.base, path, query),
                        "{base} {path} {query:?}"
                    );
                }
            }
        }
    }

    #[tokio::test]
    async fn refused_connections_are_connection_errors() {
        // A port that was just free: nothing listens there.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        drop(listener);
        let t = transport(&format!("http://{addr}"));
        let e = t
            .send(VaultRequest::new(Method::Get, "sys/health"))
            .await
            .expect_err("closed port");
        assert_eq!(e.kind(), VaultErrorKind::Connection);
        assert!(e.to_string().contains("could not reach"), "{e}");
    }
}
