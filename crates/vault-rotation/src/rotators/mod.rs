//! The rotators vaultkit ships and [`RotatorSpec`], their serializable settings in a policy.
//!
//! - [`RandomRotator`] (`type = "random"`): a fresh random string for each listed key; the
//!   secret lives only in Vault, so set, test and rollback have no target to talk to.

pub(crate) mod command;
#[cfg(feature = "postgres")]
pub(crate) mod postgres;
mod random;
pub(crate) mod redact;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use random::{CharClass, RandomRotator};

use crate::{RotationError, Rotator};

/// Which rotator a policy uses, with its settings (`rotator = { type = "random", … }`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum RotatorSpec {
    /// A random string per key ([`RandomRotator`]).
    Random {
        /// Characters per value (default 32).
        #[serde(default = "random::default_length")]
        length: usize,
        /// The character classes to draw from; each appears at least once (default: all four).
        #[serde(default = "random::default_classes")]
        classes: Vec<CharClass>,
        /// The keys that get new values (default `["password"]`); other keys are kept.
        #[serde(default = "random::default_keys")]
        keys: Vec<String>,
    },
}

impl Default for RotatorSpec {
    /// A random 32-character `password` from all four classes.
    fn default() -> Self {
        RotatorSpec::Random {
            length: random::default_length(),
            classes: random::default_classes(),
            keys: random::default_keys(),
        }
    }
}

impl RotatorSpec {
    /// Checks the settings without building anything.
    pub fn validate(&self) -> Result<(), RotationError> {
        build_rotator(self).map(|_| ())
    }
}

/// The rotator a spec describes.
pub fn build_rotator(spec: &RotatorSpec) -> Result<Arc<dyn Rotator>, RotationError> {
    match spec {
        RotatorSpec::Random {
            length,
            classes,
            keys,
        } => Ok(Arc::new(RandomRotator::new(*length, classes, keys)?)),
    }
}
