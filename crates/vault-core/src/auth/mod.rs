//! [`AuthMethod`]: turn credentials into a Vault token.
//!
//! Shipped: [`TokenAuth`], [`AppRoleAuth`], [`KubernetesAuth`].

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;

use crate::{SecretString, Transport, VaultError};

mod approle;
mod kubernetes;
mod login;
mod token;

pub use approle::AppRoleAuth;
pub use kubernetes::KubernetesAuth;
pub use token::TokenAuth;

/// A token obtained by logging in.
#[derive(Clone, Debug)]
pub struct AuthToken {
    /// The client token (`X-Vault-Token`).
    pub token: SecretString,
    /// The token's accessor, when the login response gave one.
    pub accessor: Option<String>,
    /// The token's TTL, when the login response told it (`None` for a bare token).
    pub lease_duration: Option<Duration>,
    /// Whether the token's TTL can be extended with `auth/token/renew-self`.
    pub renewable: bool,
    /// Policies attached to the token.
    pub policies: Vec<String>,
}

/// Turns credentials into a token.
///
/// # Contract
/// - `login` performs the login request(s) through `transport` (adding `X-Vault-Namespace` when
///   `namespace` is set) and returns the token; it never logs a credential.
/// - `can_relogin` is false when logging in again cannot produce a new token (a static token):
///   then an expired token is a final `Authentication` error.
/// - Errors from a rejected login are of kind `Authentication`.
///
/// (No mockall mock: `Option<&str>` in an async method defeats automock; tests use the real
/// methods over a mocked [`Transport`].)
#[async_trait]
pub trait AuthMethod: Send + Sync + fmt::Debug {
    /// Logs in through `transport` (in `namespace`, if set) and returns the token.
    async fn login(
        &self,
        transport: &dyn Transport,
        namespace: Option<&str>,
    ) -> Result<AuthToken, VaultError>;
    /// False when logging in again cannot yield a new token (a static token).
    fn can_relogin(&self) -> bool;
    /// Short name, e.g. `token`, `approle`, `kubernetes`.
    fn name(&self) -> &str;
}
