//! [`HttpTransportBuilder`]: address, timeout, trust (CA file or PEM, skip-verify), client
//! certificate, and the redirect policy (one hop at most, same origin only).

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{DEFAULT_TIMEOUT, HttpTransport, chain_text};
use crate::error::{VaultError, VaultErrorKind};

/// Builder for [`HttpTransport`].
#[derive(Debug, Default, Clone)]
pub struct HttpTransportBuilder {
    address: Option<String>,
    timeout: Option<Duration>,
    ca_cert_file: Option<PathBuf>,
    ca_cert_pem: Option<Vec<u8>>,
    ca_path: Option<PathBuf>,
    tls_server_name: Option<String>,
    client_cert: Option<(PathBuf, PathBuf)>,
    skip_verify: bool,
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
    /// Trust only the CA certificates in the PEM files of this folder (`VAULT_CAPATH`; every
    /// regular file holding at least one PEM certificate, others skipped). Adds to
    /// [`with_ca_cert_file`](Self::with_ca_cert_file) when both are given.
    pub fn with_ca_path(mut self, dir: impl Into<PathBuf>) -> Self {
        self.ca_path = Some(dir.into());
        self
    }
    /// Verify the server certificate for this name, and send it as SNI, instead of the
    /// address's host (`VAULT_TLS_SERVER_NAME`). The connection still goes to the address's
    /// host (resolved once, when the transport is built) and port.
    pub fn with_tls_server_name(mut self, name: impl Into<String>) -> Self {
        self.tls_server_name = Some(name.into());
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

    /// Builds the transport. `Config` error when the address is missing, is not an `http://` or
    /// `https://` URL, or a CA or client certificate file cannot be read or used.
    pub fn build(self) -> Result<HttpTransport, VaultError> {
        let config = |m: String| VaultError::msg(VaultErrorKind::Config, m);
        let address = self.address.ok_or_else(|| {
            config("no Vault address given".into())
                .with_hint("set VAULT_ADDR or call with_address(..)")
        })?;
        let mut base = url::Url::parse(address.trim()).map_err(|e| {
            config(format!("invalid Vault address `{address}`: {e}"))
                .with_hint("use a URL such as https://vault.example.com:8200")
        })?;
        if base.scheme() != "http" && base.scheme() != "https" {
            return Err(config(format!(
                "Vault address `{address}` must start with http:// or https://"
            )));
        }
        let timeout = self.timeout.unwrap_or(DEFAULT_TIMEOUT);
        let mut roots = Vec::new();
        if let Some(path) = &self.ca_cert_file {
            let pem = read_file(path, "CA certificate", "VAULT_CACERT")?;
            roots.extend(parse_ca(&pem, &path.display().to_string())?);
        }
        if let Some(pem) = &self.ca_cert_pem {
            roots.extend(parse_ca(pem, "the given PEM")?);
        }
        if let Some(dir) = &self.ca_path {
            roots.extend(read_ca_dir(dir)?);
        }
        let shown = base.as_str().trim_end_matches('/').to_string();
        let pinned = match &self.tls_server_name {
            Some(name) => Some(server_name_override(&mut base, name)?),
            None => None,
        };
        let identity = match &self.client_cert {
            Some((cert, key)) => {
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
                Some(identity)
            }
            None => None,
        };
        // Two clients with the same connection settings and trust, differing only in their
        // timeouts (see `HttpTransport::streaming`).
        let client_for = |streaming: bool| {
            let mut builder = reqwest::Client::builder()
                .connect_timeout(timeout)
                .pool_idle_timeout(Duration::from_secs(90))
                .redirect(redirect_policy())
                .no_proxy()
                .user_agent(concat!("vaultkit/", env!("CARGO_PKG_VERSION")));
            builder = if streaming {
                builder.read_timeout(timeout)
            } else {
                builder.timeout(timeout)
            };
            if let Some((name, addrs)) = &pinned {
                builder = builder.resolve_to_addrs(name, addrs);
            }
            if !roots.is_empty() {
                builder = builder.tls_certs_only(roots.clone());
            }
            if let Some(identity) = &identity {
                builder = builder.identity(identity.clone());
            }
            if self.skip_verify {
                builder = builder.tls_danger_accept_invalid_certs(true);
            }
            builder.build().map_err(|e| {
                config(format!(
                    "could not build the HTTP client: {}",
                    chain_text(&e)
                ))
            })
        };
        let client = client_for(false)?;
        let streaming = client_for(true)?;
        Ok(HttpTransport {
            client,
            streaming,
            shown: shown.into(),
            v1_path: HttpTransport::v1_path_for(&base),
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

/// The certificates of every PEM file in `dir` (sorted by name; files without a certificate
/// are skipped, as OpenSSL's hashed CA folders hold other files too).
fn read_ca_dir(dir: &Path) -> Result<Vec<reqwest::Certificate>, VaultError> {
    let config = |m: String| VaultError::msg(VaultErrorKind::Config, m);
    let entries = std::fs::read_dir(dir).map_err(|e| {
        config(format!("could not read CA folder `{}`: {e}", dir.display()))
            .with_hint("check the folder given in VAULT_CAPATH")
    })?;
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let mut certs = Vec::new();
    for file in files {
        let Ok(pem) = std::fs::read(&file) else {
            continue;
        };
        if let Ok(found) = reqwest::Certificate::from_pem_bundle(&pem) {
            certs.extend(found);
        }
    }
    if certs.is_empty() {
        return Err(config(format!(
            "no PEM certificate found in CA folder `{}`",
            dir.display()
        ))
        .with_hint(
            "VAULT_CAPATH must name a folder of PEM files with -----BEGIN CERTIFICATE----- blocks",
        ));
    }
    Ok(certs)
}

/// Point `base` at `name` and return `name` with the addresses of the original host, to pin
/// in the client (`resolve_to_addrs`), so TLS verifies (and sends SNI for) `name` while the
/// connection goes where the address says.
fn server_name_override(
    base: &mut url::Url,
    name: &str,
) -> Result<(String, Vec<std::net::SocketAddr>), VaultError> {
    use std::net::ToSocketAddrs;
    let config = |m: String| VaultError::msg(VaultErrorKind::Config, m);
    let name = name.trim();
    if name.is_empty() || name.contains(['/', ':', '@', ' ']) {
        return Err(config(format!(
            "VAULT_TLS_SERVER_NAME `{}` is not a host name",
            name.escape_debug()
        )));
    }
    let port = base.port_or_known_default().unwrap_or(443);
    let addrs: Vec<std::net::SocketAddr> = match base.host() {
        Some(url::Host::Ipv4(ip)) => vec![(ip, port).into()],
        Some(url::Host::Ipv6(ip)) => vec![(ip, port).into()],
        Some(url::Host::Domain(host)) => (host, port)
            .to_socket_addrs()
            .map_err(|e| {
                config(format!(
                    "could not resolve `{host}` for VAULT_TLS_SERVER_NAME: {e}"
                ))
            })?
            .collect(),
        None => Vec::new(),
    };
    if addrs.is_empty() {
        return Err(config(format!(
            "the Vault address `{base}` has no host to connect to"
        )));
    }
    base.set_host(Some(name)).map_err(|e| {
        config(format!(
            "VAULT_TLS_SERVER_NAME `{}` is not a host name: {e}",
            name.escape_debug()
        ))
    })?;
    Ok((name.to_string(), addrs))
}

/// At most one redirect, and only to the same scheme, host and port as the original request.
///
/// reqwest strips `Authorization` on a cross-host redirect but not `X-Vault-Token`, and a 307/308
/// re-sends the body: following a redirect elsewhere would hand the token and the secret values
/// to whichever host the server (or anyone able to answer for it) names.
fn redirect_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        match redirect_refusal(attempt.url(), attempt.previous()) {
            Some(reason) => attempt.error(reason),
            None => attempt.follow(),
        }
    })
}

/// `scheme://host:port` of a URL (port made explicit), for comparison and messages.
fn origin_text(url: &url::Url) -> String {
    let host = url.host_str().unwrap_or("");
    match url.port_or_known_default() {
        Some(port) => format!("{}://{host}:{port}", url.scheme()),
        None => format!("{}://{host}", url.scheme()),
    }
}

/// Why a redirect to `next` after the requests to `previous` must not be followed, if so.
fn redirect_refusal(next: &url::Url, previous: &[url::Url]) -> Option<String> {
    let first = previous.first()?;
    let (from, to) = (origin_text(first), origin_text(next));
    if from != to {
        Some(format!(
            "refused to follow a redirect from {from} to another origin, {to}: the token and the request body would be sent there"
        ))
    } else if previous.len() > 1 {
        Some("refused to follow more than one redirect".to_string())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `Config` error `builder` fails with, as text.
    fn config_error(builder: HttpTransportBuilder, case: &str) -> String {
        let e = builder.build().expect_err(case);
        assert_eq!(e.kind(), VaultErrorKind::Config, "{case}");
        e.to_string()
    }

    #[test]
    fn bad_addresses_and_ca_files_are_config_errors() {
        let https = || HttpTransport::builder().with_address("https://x");
        let cases = [
            (
                "invalid",
                HttpTransport::builder().with_address("not a url"),
                "not a url",
            ),
            (
                "invalid scheme",
                HttpTransport::builder().with_address("ftp://x"),
                "ftp://x",
            ),
            ("missing", HttpTransport::builder(), "VAULT_ADDR"),
            (
                "missing file",
                https().with_ca_cert_file("/nonexistent/ca.pem"),
                "/nonexistent/ca.pem",
            ),
            (
                "not a certificate",
                https().with_ca_cert_pem(b"not pem".to_vec()),
                "",
            ),
        ];
        for (case, builder, named) in cases {
            let message = config_error(builder, case);
            assert!(message.contains(named), "{case}: {message}");
        }
    }

    #[test]
    fn redirects_one_hop_same_origin_only() {
        let u = |s: &str| url::Url::parse(s).expect("url");
        let node = u("https://vault:8200/v1/x");
        assert_eq!(
            redirect_refusal(&u("https://vault:8200/v1/y"), std::slice::from_ref(&node)),
            None
        );
        // The default port written out is the same origin.
        assert_eq!(
            redirect_refusal(&u("https://vault:443/v1/y"), &[u("https://vault/v1/x")]),
            None
        );
        for elsewhere in [
            "https://active:8200/v1/x",
            "http://vault:8200/v1/x",
            "https://vault:8201/v1/x",
            "https://vault.attacker.example:8200/v1/x",
        ] {
            let why = redirect_refusal(&u(elsewhere), std::slice::from_ref(&node))
                .unwrap_or_else(|| panic!("{elsewhere} must be refused"));
            assert!(why.contains("https://vault:8200"), "{why}");
            assert!(why.contains(&origin_text(&u(elsewhere))), "{why}");
        }
        assert!(
            redirect_refusal(
                &u("https://vault:8200/v1/z"),
                &[node.clone(), u("https://vault:8200/v1/y")]
            )
            .is_some()
        );
    }
}
