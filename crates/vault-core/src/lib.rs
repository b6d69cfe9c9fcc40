//! # vault-core
//!
//! The foundation of vaultkit: talk to HashiCorp Vault or OpenBao over HTTP with authentication,
//! token renewal, retries and clear errors; plus the plug-in traits the feature crates share.
//!
//! (Crate docs with a runnable example are completed in `docs`.)

pub mod error;
pub mod secret;
pub mod transport;

pub use error::{VaultError, VaultErrorKind};
pub use secret::SecretString;
pub use transport::{Method, RequestBody, ResponseBody, Transport, VaultRequest, VaultResponse};
