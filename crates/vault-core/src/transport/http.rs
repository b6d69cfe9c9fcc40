//! [`HttpTransport`]: the reqwest + rustls implementation of [`Transport`].
//!
//! Architecture Invariant: the transport never logs a header value or a body, and never follows a
//! redirect from https to http (a token must not travel in clear text).

use std::path::{Path, PathBuf};
use std::time::Duration;

use async_trait::async_trait;
use futures_util::TryStreamExt;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

use super::{
    Method, RequestBody, ResponseBody, STREAM_RESPONSE_HEADER, Transport, VaultRequest,
    VaultResponse,
};
use crate::error::{VaultError, VaultErrorKind};

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

/// Default per-request timeout (Vault's CLI uses 60 s; the Python module used 30 s).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Sends requests over HTTP(S) with a pooled reqwest client.
///
/// ```no_run
/// # fn main() -> Result<(), vault_core::VaultError> {
/// let transport = vault_core::transport::HttpTransport::builder()
///     .with_address("https://vault.example.com:8200")
///     .with_ca_cert_file("/etc/vault/ca.pem")
///     .with_timeout(std::time::Duration::from_secs(10))
///     .build()?;
/// # let _ = transport; Ok(()) }
/// ```
#[derive(Clone)]
pub struct HttpTransport {
    client: reqwest::Client,
    base: url::Url,
    timeout: Duration,
}

impl std::fmt::Debug for HttpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpTransport")
            .field("address", &self.base.as_str())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// Builder for [`HttpTransport`].
#[derive(Debug, Default, Clone)]
pub struct HttpTransportBuilder {
    address: Option<String>,
    timeout: Option<Duration>,
    ca_cert_file: Option<PathBuf>,
    ca_cert_pem: Option<Vec<u8>>,
    client_cert: Option<(PathBuf, PathBuf)>,
    skip_verify: bool,
}

impl HttpTransport {
    pub fn builder() -> HttpTransportBuilder {
        HttpTransportBuilder::default()
    }

    /// The full URL for a request path (relative to `/v1/`) and query.
    fn url_for(&self, path: &str, query: &[(String, String)]) -> url::Url {
        let encoded: Vec<String> = path
            .split('/')
            .map(|seg| utf8_percent_encode(seg, SEGMENT).to_string())
            .collect();
        let mut url = self.base.clone();
        let base_path = url.path().trim_end_matches('/').to_string();
        url.set_path(&format!("{base_path}/v1/{}", encoded.join("/")));
        if !query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        }
        url
    }
}

impl HttpTransportBuilder {
    /// Server address, e.g. `https://vault.example.com:8200` (required).
    pub fn with_address(mut self, address: impl Into<String>) -> Self {
        self.address = Some(address.into());
        self
    }
    /// Timeout for connecting and for each request (streamed bodies: for each read).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }
    /// Trust only the CA certificate(s) in this PEM file (`VAULT_CACERT`).
    pub fn with_ca_cert_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_cert_file = Some(path.into());
        self
    }
    /// Trust only the CA certificate(s) in these PEM bytes.
    pub fn with_ca_cert_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.ca_cert_pem = Some(pem.into());
        self
    }
    /// Present a client certificate (`VAULT_CLIENT_CERT`, `VAULT_CLIENT_KEY`; PEM files).
    pub fn with_client_cert(mut self, cert: impl Into<PathBuf>, key: impl Into<PathBuf>) -> Self {
        self.client_cert = Some((cert.into(), key.into()));
        self
    }
    /// Do not verify the server certificate (`VAULT_SKIP_VERIFY`). For tests only.
    pub fn with_skip_verify(mut self, skip: bool) -> Self {
        self.skip_verify = skip;
        self
    }

    pub fn build(self) -> Result<HttpTransport, VaultError> {
        let config = |m: String| VaultError::msg(VaultErrorKind::Config, m);
        let address = self.address.ok_or_else(|| {
            config("no Vault address given".into())
                .with_hint("set VAULT_ADDR or call with_address(..)")
        })?;
        let base = url::Url::parse(address.trim()).map_err(|e| {
            config(format!("invalid Vault address `{address}`: {e}"))
                .with_hint("use a URL such as https://vault.example.com:8200")
        })?;
        if base.scheme() != "http" && base.scheme() != "https" {
            return Err(config(format!(
                "Vault address `{address}` must start with http:// or https://"
            )));
        }
        let timeout = self.timeout.unwrap_or(DEFAULT_TIMEOUT);
        let mut builder = reqwest::Client::builder()
            .connect_timeout(timeout)
            .read_timeout(timeout)
            .pool_idle_timeout(Duration::from_secs(90))
            .redirect(redirect_policy())
            .no_proxy()
            .user_agent(concat!("vaultkit/", env!("CARGO_PKG_VERSION")));

        let mut roots = Vec::new();
        if let Some(path) = &self.ca_cert_file {
            let pem = read_file(path, "CA certificate", "VAULT_CACERT")?;
            roots.extend(parse_ca(&pem, &path.display().to_string())?);
        }
        if let Some(pem) = &self.ca_cert_pem {
            roots.extend(parse_ca(pem, "the given PEM")?);
        }
        if !roots.is_empty() {
            builder = builder.tls_certs_only(roots);
        }
        if let Some((cert, key)) = &self.client_cert {
            let mut pem = read_file(cert, "client certificate", "VAULT_CLIENT_CERT")?;
            pem.push(b'\n');
            pem.extend(read_file(key, "client key", "VAULT_CLIENT_KEY")?);
            let identity = reqwest::Identity::from_pem(&pem).map_err(|e| {
                config(format!(
                    "could not use client certificate `{}` with key `{}`: {e}",
                    cert.display(),
                    key.display()
                ))
                .with_hint("both files must be PEM; the key PKCS#8, PKCS#1 or SEC1")
            })?;
            builder = builder.identity(identity);
        }
        if self.skip_verify {
            builder = builder.tls_danger_accept_invalid_certs(true);
        }
        let client = builder.build().map_err(|e| {
            config(format!(
                "could not build the HTTP client: {}",
                chain_text(&e)
            ))
        })?;
        Ok(HttpTransport {
            client,
            base,
            timeout,
        })
    }
}

fn read_file(path: &Path, what: &str, var: &str) -> Result<Vec<u8>, VaultError> {
    std::fs::read(path).map_err(|e| {
        VaultError::msg(
            VaultErrorKind::Config,
            format!("could not read {what} `{}`: {e}", path.display()),
        )
        .with_hint(format!("check the path given in {var}"))
    })
}

fn parse_ca(pem: &[u8], origin: &str) -> Result<Vec<reqwest::Certificate>, VaultError> {
    let certs = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| {
        VaultError::msg(
            VaultErrorKind::Config,
            format!("invalid CA certificate in {origin}: {e}"),
        )
    })?;
    if certs.is_empty() {
        return Err(VaultError::msg(
            VaultErrorKind::Config,
            format!("no PEM certificate found in {origin}"),
        )
        .with_hint("VAULT_CACERT must name a PEM file with -----BEGIN CERTIFICATE----- blocks"));
    }
    Ok(certs)
}

/// At most one redirect, never from https to http.
fn redirect_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        match redirect_refusal(attempt.url(), attempt.previous()) {
            Some(reason) => attempt.error(reason),
            None => attempt.follow(),
        }
    })
}

/// Why a redirect to `next` after the requests to `previous` must not be followed, if so.
fn redirect_refusal(next: &url::Url, previous: &[url::Url]) -> Option<&'static str> {
    if next.scheme() != "https" && previous.iter().any(|u| u.scheme() == "https") {
        Some("refused to follow a redirect from https to http")
    } else if previous.len() > 1 {
        Some("refused to follow more than one redirect")
    } else {
        None
    }
}

/// Every message in an error's source chain, joined (deduplicated).
fn chain_text(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        let s = e.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
        cur = e.source();
    }
    parts.join(": ")
}

/// True when the chain says the failure was in TLS (handshake, certificate, protocol).
fn is_tls_failure(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    [
        "certificate",
        "tls",
        "ssl",
        "handshake",
        "unknownissuer",
        "peer sent",
        "invalid peer",
    ]
    .iter()
    .any(|w| t.contains(w))
}

fn connection_error(err: &reqwest::Error, address: &str, timeout: Duration) -> VaultError {
    let chain = chain_text(err);
    let (kind, message, hint) = if err.is_redirect() {
        // A refused redirect is a deployment problem, not a flaky network: not retryable.
        (
            VaultErrorKind::Server,
            format!("redirect not followed: {chain}"),
            "a Vault standby redirected the request; use the active node's https address",
        )
    } else if is_tls_failure(&chain) {
        (
            VaultErrorKind::Connection,
            format!(
                "TLS handshake with {address} failed (certificate not trusted or invalid): {chain}"
            ),
            "check VAULT_CACERT (the CA that signed the server certificate), VAULT_CLIENT_CERT/VAULT_CLIENT_KEY, or set VAULT_SKIP_VERIFY for tests",
        )
    } else if err.is_timeout() {
        (
            VaultErrorKind::Connection,
            format!("no answer from {address} within {timeout:?}: {chain}"),
            "the server is overloaded or unreachable; raise the timeout or retry later",
        )
    } else if err.is_body() || err.is_decode() {
        (
            VaultErrorKind::Connection,
            format!("response from {address} was cut short: {chain}"),
            "the connection dropped mid-response; retry",
        )
    } else {
        (
            VaultErrorKind::Connection,
            format!("could not reach {address}: {chain}"),
            "check VAULT_ADDR and that the server is running",
        )
    };
    VaultError::msg(kind, message).with_hint(hint)
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
            headers,
            body,
        } = request;
        let url = self.url_for(&path, &query);
        let mut stream_response = false;
        let mut has_content_type = false;
        let mut builder = self.client.request(to_reqwest_method(method), url);
        for (name, value) in &headers {
            if name.eq_ignore_ascii_case(STREAM_RESPONSE_HEADER) {
                stream_response = value.trim().eq_ignore_ascii_case("true");
                continue;
            }
            has_content_type |= name.eq_ignore_ascii_case("content-type");
            let hname = reqwest::header::HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
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
            RequestBody::Json(value) => {
                let bytes = serde_json::to_vec(&value).map_err(|e| {
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
        if !stream_response && !streaming_body {
            builder = builder.timeout(self.timeout);
        }
        let address = self.address();
        let response = builder
            .send()
            .await
            .map_err(|e| connection_error(&e, &address, self.timeout))?;
        let status = response.status().as_u16();
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
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
                .map_err(|e| connection_error(&e, &address, self.timeout))?;
            ResponseBody::Bytes(bytes)
        };
        Ok(VaultResponse {
            status,
            headers,
            body,
        })
    }

    fn address(&self) -> String {
        self.base.as_str().trim_end_matches('/').to_string()
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

    #[test]
    fn bad_addresses_are_config_errors() {
        let e = HttpTransport::builder()
            .with_address("not a url")
            .build()
            .expect_err("invalid");
        assert_eq!(e.kind(), VaultErrorKind::Config);
        assert!(e.to_string().contains("not a url"));
        let e = HttpTransport::builder()
            .with_address("ftp://x")
            .build()
            .expect_err("invalid scheme");
        assert_eq!(e.kind(), VaultErrorKind::Config);
        let e = HttpTransport::builder().build().expect_err("missing");
        assert!(e.to_string().contains("VAULT_ADDR"));
    }

    #[test]
    fn missing_or_empty_ca_files_are_config_errors() {
        let e = HttpTransport::builder()
            .with_address("https://x")
            .with_ca_cert_file("/nonexistent/ca.pem")
            .build()
            .expect_err("missing file");
        assert_eq!(e.kind(), VaultErrorKind::Config);
        assert!(e.to_string().contains("/nonexistent/ca.pem"));
        let e = HttpTransport::builder()
            .with_address("https://x")
            .with_ca_cert_pem(b"not pem".to_vec())
            .build()
            .expect_err("not a certificate");
        assert_eq!(e.kind(), VaultErrorKind::Config);
    }

    #[test]
    fn redirects_one_hop_and_never_downgrade() {
        let u = |s: &str| url::Url::parse(s).expect("url");
        let (standby, active) = (
            u("https://standby:8200/v1/x"),
            u("https://active:8200/v1/x"),
        );
        assert_eq!(
            redirect_refusal(&active, std::slice::from_ref(&standby)),
            None
        );
        assert_eq!(
            redirect_refusal(
                &u("http://active:8200/v1/x"),
                std::slice::from_ref(&standby)
            )
            .map(|r| r.contains("https to http")),
            Some(true)
        );
        assert_eq!(
            redirect_refusal(&u("http://b/v1/x"), &[u("http://a/v1/x")]),
            None
        );
        assert!(redirect_refusal(&active, &[u("https://a/v1/x"), standby]).is_some());
    }

    #[test]
    fn tls_failures_are_recognised_in_chains() {
        assert!(is_tls_failure("invalid peer certificate: UnknownIssuer"));
        assert!(is_tls_failure("received fatal alert: HandshakeFailure"));
        assert!(!is_tls_failure("Connection refused (os error 111)"));
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
