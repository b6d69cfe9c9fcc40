//! # vault-core
//!
//! The foundation of vaultkit: talk to HashiCorp Vault or OpenBao over HTTP with authentication
//! (token, AppRole, Kubernetes), token renewal, retries and clear errors; plus the plug-in traits
//! the feature crates share.
//!
//! ```no_run
//! # async fn demo() -> Result<(), vault_core::VaultError> {
//! use vault_core::{VaultClient, VaultConnectionConfig};
//!
//! // VAULT_ADDR, VAULT_TOKEN or VAULT_ROLE_ID + VAULT_SECRET_ID, VAULT_NAMESPACE, VAULT_CACERT, …
//! let config = VaultConnectionConfig::from_env()?;
//! let client = VaultClient::from_config(&config)?;
//! match client.read("secret/data/app/db").await? {
//!     Some(envelope) => println!("found, lease {} s", envelope.lease_duration),
//!     None => println!("nothing at secret/data/app/db"),
//! }
//! # Ok(()) }
//! ```
//!
//! Layers: a [`Transport`] moves one request (no auth, no retries); [`VaultClient`] adds the
//! token, namespace, retries ([`RetryPolicy`]) and the token lifecycle; [`AuthMethod`]s turn
//! credentials into tokens; [`error_from_response`] maps statuses to [`VaultErrorKind`]s.
//!
//! Architecture Invariant: no secret value or token appears in a log line, an error, a `Debug`
//! or `Display` output; secrets travel as [`SecretString`].
//!
//! Architecture Invariant: vault-core knows HTTP, Vault's envelope, auth and `sys/` basics, and
//! no secrets engine.
//!
//! Architecture Invariant: the HTTP stack is optional (feature `transport-reqwest`); with it off,
//! the client runs over any user-supplied [`Transport`].

pub mod auth;
pub mod blob;
pub mod client;
pub mod config;
pub mod envelope;
pub mod error;
pub mod notify;
pub mod secret;
pub mod status;
pub mod sys;
#[cfg(feature = "testing")]
pub mod testing;
pub mod transport;

pub use auth::{AppRoleAuth, AuthMethod, AuthToken, KubernetesAuth, TokenAuth};
pub use blob::{BlobMeta, BlobStore, BlobStoreExt, LocalDirStore};
pub use client::{ClientStats, RetryPolicy, VaultClient, VaultClientBuilder};
pub use config::{AuthMethodKind, VaultConnectionConfig};
pub use envelope::{AuthInfo, Envelope};
pub use error::{VaultError, VaultErrorKind, clean_vault_error};
pub use notify::{Notifier, NotifyMessage, Severity};
pub use secret::SecretString;
pub use status::error_from_response;
pub use sys::{AccessPolicy, Capability, PolicyRule, VaultHealth, VaultHealthStatus};
pub use transport::{Method, RequestBody, ResponseBody, Transport, VaultRequest, VaultResponse};

#[cfg(test)]
mod tests {
    /// The plug-in traits stay dyn-compatible.
    fn _object_safe(_: &dyn crate::Transport, _: &dyn crate::AuthMethod) {}
}
