//! Conformance suites (feature `testing`): every implementation of a vault-core plug-in trait runs
//! the same checks from its own tests, the way every object_store backend runs its integration
//! functions.
//!
//! - [`blob_store_suite`]: any [`BlobStore`](crate::blob::BlobStore).
//! - [`auth_method_suite`]: any [`AuthMethod`](crate::auth::AuthMethod) against a real server.
//! - [`transport_suite`]: any [`Transport`](crate::Transport) pointed at a real server.
//! - [`notifier_suite`]: any [`Notifier`](crate::notify::Notifier), given a channel that accepts,
//!   one that refuses, and a way to read what the accepting one received.
//!
//! Each suite is a flat `pub async fn` over `&dyn Trait` that panics with a message naming the
//! failed check. Suites work inside their own key prefix or path (or tag their messages) and
//! clean up after themselves.

mod auth_suite;
mod blob_suite;
mod notifier_suite;
mod transport_suite;

pub use auth_suite::auth_method_suite;
pub use blob_suite::blob_store_suite;
pub use notifier_suite::{Received, notifier_suite};
pub use transport_suite::transport_suite;

/// An environment for the `from_env_with` readers (e.g.
/// [`VaultConnectionConfig::from_env_with`](crate::VaultConnectionConfig::from_env_with)): the
/// variables in `pairs`, and nothing else.
pub fn env_from(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let map: std::collections::HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| map.get(name).cloned()
}

/// A short random hex tag, so concurrent suite runs never share keys or paths.
pub(crate) fn run_tag() -> String {
    format!("{:08x}", rand::random::<u32>())
}
