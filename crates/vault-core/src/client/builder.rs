//! [`VaultClientBuilder`] and [`VaultClient::from_config`].

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::VaultClient;
use crate::RetryPolicy;
use crate::SecretString;
use crate::auth::{AppRoleAuth, AuthMethod, KubernetesAuth, TokenAuth};
use crate::config::{AuthMethodKind, VaultConnectionConfig};
use crate::error::{VaultError, VaultErrorKind};
use crate::transport::Transport;

/// Builds a [`VaultClient`]. Needs an address (or a transport) and a way to authenticate.
#[derive(Default)]
pub struct VaultClientBuilder {
    address: Option<String>,
    auth: Option<Arc<dyn AuthMethod>>,
    namespace: Option<String>,
    transport: Option<Arc<dyn Transport>>,
    retry: Option<RetryPolicy>,
    timeout: Option<Duration>,
    ca_cert_file: Option<PathBuf>,
    ca_path: Option<PathBuf>,
    tls_server_name: Option<String>,
    client_cert: Option<(PathBuf, PathBuf)>,
    skip_verify: bool,
}

impl std::fmt::Debug for VaultClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VaultClientBuilder")
            .field("address", &self.address)
            .field("auth", &self.auth)
            .field("namespace", &self.namespace)
            .field("transport", &self.transport)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl VaultClientBuilder {
    /// Server address (used to build an [`crate::transport::HttpTransport`] when no transport is given).
    pub fn with_address(mut self, address: impl Into<String>) -> Self {
        self.address = Some(address.into());
        self
    }
    /// Authenticate with a static token (cannot log in again when it expires).
    pub fn with_token(mut self, token: impl Into<SecretString>) -> Self {
        self.auth = Some(Arc::new(TokenAuth::new(token)));
        self
    }
    /// Authenticate with any auth method.
    pub fn with_auth(mut self, auth: Arc<dyn AuthMethod>) -> Self {
        self.auth = Some(auth);
        self
    }
    /// Namespace sent as `X-Vault-Namespace` (empty = root).
    pub fn with_namespace(mut self, namespace: impl Into<String>) -> Self {
        let ns = namespace.into();
        self.namespace = Some(ns).filter(|n| !n.trim().is_empty());
        self
    }
    /// Use this transport instead of building an HTTP one.
    pub fn with_transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.transport = Some(transport);
        self
    }
    /// Retry policy for failed requests (default [`RetryPolicy::default`]).
    pub fn with_retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }
    /// Per-request timeout of the HTTP transport.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }
    /// CA certificate (PEM) for the HTTP transport.
    pub fn with_ca_cert_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_cert_file = Some(path.into());
        self
    }
    /// Client certificate and key (PEM) for the HTTP transport.
    /// Trust the CA certificates in this folder of PEM files (`VAULT_CAPATH`).
    pub fn with_ca_path(mut self, dir: impl Into<PathBuf>) -> Self {
        self.ca_path = Some(dir.into());
        self
    }

    /// Verify the server certificate for this name (`VAULT_TLS_SERVER_NAME`).
    pub fn with_tls_server_name(mut self, name: impl Into<String>) -> Self {
        self.tls_server_name = Some(name.into());
        self
    }

    /// Present this client certificate and key (PEM files) for TLS client authentication
    /// (`VAULT_CLIENT_CERT`, `VAULT_CLIENT_KEY`). Only the built-in HTTP transport uses it.
    pub fn with_client_cert(mut self, cert: impl Into<PathBuf>, key: impl Into<PathBuf>) -> Self {
        self.client_cert = Some((cert.into(), key.into()));
        self
    }
    /// Skip TLS verification in the HTTP transport (tests only).
    pub fn with_skip_verify(mut self, skip: bool) -> Self {
        self.skip_verify = skip;
        self
    }

    /// Builds the client. `Config` error when no authentication is set, when the address is missing
    /// or invalid, or when HTTP-only options (timeout, CA, client certificate) come with a custom
    /// transport.
    pub fn build(self) -> Result<VaultClient, VaultError> {
        let auth = self.auth.clone().ok_or_else(|| {
            VaultError::msg(VaultErrorKind::Config, "no authentication configured")
                .with_hint("call with_token(..) or with_auth(..), or set VAULT_TOKEN / VAULT_ROLE_ID + VAULT_SECRET_ID")
        })?;
        let transport = match self.transport.clone() {
            Some(t) => {
                self.refuse_http_options()?;
                t
            }
            None => self.http_transport()?,
        };
        let policy = self.retry.unwrap_or_default();
        Ok(VaultClient::from_parts(
            transport,
            auth,
            self.namespace,
            policy,
        ))
    }

    /// Options only the built-in HTTP transport understands are an error next to a transport of
    /// the caller's own: silently ignoring a CA file or a client certificate would be worse.
    fn refuse_http_options(&self) -> Result<(), VaultError> {
        let mut given = Vec::new();
        if self.timeout.is_some() {
            given.push("with_timeout");
        }
        if self.ca_cert_file.is_some() {
            given.push("with_ca_cert_file");
        }
        if self.client_cert.is_some() {
            given.push("with_client_cert");
        }
        if self.ca_path.is_some() {
            given.push("with_ca_path");
        }
        if self.tls_server_name.is_some() {
            given.push("with_tls_server_name");
        }
        if self.skip_verify {
            given.push("with_skip_verify");
        }
        if given.is_empty() {
            return Ok(());
        }
        Err(VaultError::msg(
            VaultErrorKind::Config,
            format!(
                "{} configure the built-in HTTP transport, but a transport of your own was given with with_transport",
                given.join(", ")
            ),
        )
        .with_hint("set these options on your transport, or drop with_transport to use the built-in HTTP one"))
    }

    #[cfg(feature = "transport-reqwest")]
    fn http_transport(&self) -> Result<Arc<dyn Transport>, VaultError> {
        let mut b = crate::transport::HttpTransport::builder().with_skip_verify(self.skip_verify);
        if let Some(a) = &self.address {
            b = b.with_address(a);
        }
        if let Some(t) = self.timeout {
            b = b.with_timeout(t);
        }
        if let Some(ca) = &self.ca_cert_file {
            b = b.with_ca_cert_file(ca);
        }
        if let Some((cert, key)) = &self.client_cert {
            b = b.with_client_cert(cert, key);
        }
        if let Some(dir) = &self.ca_path {
            b = b.with_ca_path(dir);
        }
        if let Some(name) = &self.tls_server_name {
            b = b.with_tls_server_name(name);
        }
        Ok(Arc::new(b.build()?))
    }

    #[cfg(not(feature = "transport-reqwest"))]
    fn http_transport(&self) -> Result<Arc<dyn Transport>, VaultError> {
        Err(VaultError::msg(
            VaultErrorKind::Config,
            "no transport given and feature `transport-reqwest` is off",
        )
        .with_hint("call with_transport(..) or enable the `transport-reqwest` feature"))
    }
}

impl VaultClient {
    /// A client from a [`VaultConnectionConfig`] (HTTP transport, auth method, namespace, retries).
    pub fn from_config(config: &VaultConnectionConfig) -> Result<VaultClient, VaultError> {
        config.validate()?;
        let mount = |default: &str| {
            config
                .auth_mount
                .clone()
                .unwrap_or_else(|| default.to_string())
        };
        let auth: Arc<dyn AuthMethod> = match config.auth_method {
            AuthMethodKind::Token => {
                Arc::new(TokenAuth::new(config.token.clone().unwrap_or_default()))
            }
            AuthMethodKind::AppRole => Arc::new(
                AppRoleAuth::new(
                    config.role_id.clone().unwrap_or_default(),
                    config.secret_id.clone().unwrap_or_default(),
                )
                .with_mount(mount("approle")),
            ),
            AuthMethodKind::Kubernetes => {
                let mut k = KubernetesAuth::new(config.kubernetes_role.clone().unwrap_or_default())
                    .with_mount(mount("kubernetes"));
                if let Some(p) = &config.kubernetes_jwt_path {
                    k = k.with_jwt_path(p);
                }
                Arc::new(k)
            }
        };
        let mut b = VaultClient::builder()
            .with_address(&config.vault_addr)
            .with_auth(auth)
            .with_timeout(config.timeout)
            .with_skip_verify(!config.verify)
            .with_retry(config.retry);
        if let Some(ns) = &config.namespace {
            b = b.with_namespace(ns);
        }
        if let Some(ca) = &config.ca_cert {
            b = b.with_ca_cert_file(ca);
        }
        if let (Some(cert), Some(key)) = (&config.client_cert, &config.client_key) {
            b = b.with_client_cert(cert, key);
        }
        b = b.with_tls_from(config);
        let client = b.build()?;
        client.keep_config(config);
        Ok(client)
    }
}
