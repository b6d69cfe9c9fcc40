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
//! Pieces that need no server, runnable as they are:
//!
//! ```
//! use vault_core::{AccessPolicy, Capability, PolicyRule, SecretString, VaultConnectionConfig};
//!
//! // Secrets never print.
//! let token = SecretString::new("hvs.planted-example-token");
//! assert_eq!(format!("{token:?} {token}"), "SecretString(***) ***");
//!
//! // Config from Vault's own environment variables (here from a map instead of the process env).
//! let env = |name: &str| match name {
//!     "VAULT_ADDR" => Some("https://vault.example.com:8200".to_string()),
//!     "VAULT_ROLE_ID" => Some("pipeline-role".to_string()),
//!     "VAULT_SECRET_ID" => Some("planted-secret-id".to_string()),
//!     _ => None,
//! };
//! let config = VaultConnectionConfig::from_env_with(env)?;
//! assert!(!format!("{config:?}").contains("planted-secret-id"));
//!
//! // Policies as data, rendered to Vault's HCL.
//! let policy = AccessPolicy::new("dagster-secrets")
//!     .with_rule(PolicyRule::new("secret/data/bike-data-flow/*", [Capability::Read, Capability::List]));
//! policy.validate()?;
//! assert!(policy.to_hcl().contains(r#"path "secret/data/bike-data-flow/*""#));
//! # Ok::<(), vault_core::VaultError>(())
//! ```
//!
//! Layers: a [`Transport`] moves one request (no auth, no retries); [`VaultClient`] adds the
//! token, namespace, retries ([`RetryPolicy`]) and the token lifecycle; [`AuthMethod`]s turn
//! credentials into tokens; [`error_from_response`] maps statuses to [`VaultErrorKind`]s.
//!
//! Two tables every vaultkit crate shares: [`Classify`] / [`ErrorClass`] answer, for any crate's
//! error, which of the Python module's exceptions it is (the CLI's exit codes come from it);
//! [`SETTINGS`] names each configuration setting's environment variable, CLI flag and profile key.
//!
//! ## The public API
//!
//! Every public item lives at the crate root and is reachable by that one path
//! (`vault_core::VaultClient`, `vault_core::HttpTransport`, `vault_core::Table`, …); the modules
//! that implement them are private. The one public module is `testing` (feature `testing`):
//! the conformance suites a user's own [`Transport`], [`AuthMethod`], [`BlobStore`] or
//! [`Notifier`] must pass. By concern:
//!
//! - client: [`VaultClient`], [`VaultClientBuilder`], [`ClientStats`], [`VaultConnectionConfig`],
//!   [`AuthMethodKind`], [`RetryPolicy`], [`Envelope`], [`AuthInfo`], [`SETTINGS`];
//! - transport: [`Transport`], [`VaultRequest`], [`VaultResponse`], [`Method`], [`RequestBody`],
//!   [`ResponseBody`], [`ByteStream`], [`check_request_path`], `HttpTransport` and its builder
//!   (feature `transport-reqwest`); the [`http`] crate itself, whose `HeaderMap` holds a
//!   response's headers;
//! - auth: [`AuthMethod`], [`AuthToken`], [`TokenAuth`], [`AppRoleAuth`], [`KubernetesAuth`];
//! - errors: [`VaultError`], [`VaultErrorKind`], [`Classify`], [`ErrorClass`],
//!   [`class_of_chain`], [`error_from_response`], [`parse_retry_after`], [`clean_vault_error`];
//! - `sys/`: [`VaultHealth`], [`VaultHealthStatus`], [`SealStatus`], [`LeaderStatus`],
//!   [`AccessPolicy`], [`PolicyRule`], [`Capability`], [`MountInfo`], [`MountConfig`],
//!   [`MountTuning`];
//! - storage and notification plug-ins: [`BlobStore`], [`BlobStoreExt`], [`BlobMeta`],
//!   [`LocalDirStore`], [`validate_blob_key`], [`validate_blob_prefix`], [`MAX_BLOB_KEY_LEN`];
//!   [`Notifier`], [`NotifyMessage`], [`NotifySeverity`], `WebhookNotifier` (feature
//!   `notify-webhook`), `SmtpNotifier` (feature `notify-smtp`);
//! - output for people: [`Table`], [`escape_text`], [`csv_cell`], [`csv_line`];
//!   [`SecretString`], [`write_private`].
//!
//! Architecture Invariant: no secret value or token appears in a log line, an error, a `Debug`
//! or `Display` output; secrets travel as [`SecretString`].
//!
//! Architecture Invariant: vault-core knows HTTP, Vault's envelope, auth and `sys/` basics, and
//! no secrets engine.
//!
//! Architecture Invariant: the HTTP stack is optional (feature `transport-reqwest`); with it off,
//! the client runs over any user-supplied [`Transport`].

mod auth;
mod blob;
mod class;
mod client;
mod config;
mod config_tls;
mod envelope;
mod error;
mod json_body;
mod notify;
mod private_file;
mod render;
mod retry;
mod secret;
mod settings;
mod status;
mod sys;
#[cfg(feature = "testing")]
pub mod testing;
mod transport;

pub use auth::{AppRoleAuth, AuthMethod, AuthToken, KubernetesAuth, TokenAuth};
pub use blob::{
    BlobMeta, BlobStore, BlobStoreExt, LocalDirStore, MAX_BLOB_KEY_LEN, validate_blob_key,
    validate_blob_prefix,
};
pub use class::{Classify, ErrorClass, class_of_chain};
pub use client::{ClientStats, VaultClient, VaultClientBuilder};
pub use config::{AuthMethodKind, VaultConnectionConfig};
pub use envelope::{AuthInfo, Envelope};
pub use error::{VaultError, VaultErrorKind, clean_vault_error};
pub use notify::{Notifier, NotifyMessage, NotifySeverity};
#[cfg(feature = "notify-smtp")]
pub use notify::{SmtpNotifier, SmtpNotifierBuilder, SmtpSecurity};
#[cfg(feature = "notify-webhook")]
pub use notify::{WebhookFormat, WebhookNotifier, WebhookNotifierBuilder};
pub use private_file::write_private;
pub use render::{Table, csv_cell, csv_line, escape_text};
pub use retry::RetryPolicy;
pub use secret::SecretString;
pub use settings::{SETTINGS, Setting, SettingSpec};
pub use status::{error_from_response, parse_retry_after};
pub use sys::{
    AccessPolicy, Capability, LeaderStatus, MountConfig, MountInfo, MountTuning, PolicyRule,
    SealStatus, VaultHealth, VaultHealthStatus,
};
pub use transport::{
    ByteStream, Method, RequestBody, ResponseBody, Transport, VaultRequest, VaultResponse,
    check_request_path,
};
#[cfg(feature = "transport-reqwest")]
pub use transport::{HttpTransport, HttpTransportBuilder};

/// The `http` crate, whose [`http::HeaderMap`] holds [`VaultResponse::headers`] (re-exported so
/// that a custom [`Transport`] builds responses with the same version).
pub use http;

#[cfg(test)]
mod tests {
    /// The plug-in traits stay dyn-compatible.
    fn _object_safe(_: &dyn crate::Transport, _: &dyn crate::AuthMethod) {}
}

/// The examples of this crate's README.md, compiled and run with the doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
