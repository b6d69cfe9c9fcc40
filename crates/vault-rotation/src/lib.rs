//! # vault-rotation
//!
//! Scheduled, crash-safe rotation of secrets kept in a HashiCorp Vault / OpenBao KV v2 mount,
//! with a grace period in which the previous value stays readable.
//!
//! A rotation runs four idempotent steps keyed by the pending KV version: **create** (a new
//! version written with check-and-set on the current one), **set** (the target accepts it),
//! **test** (the new credential works), **finish** (it becomes current, the old one previous).
//! A failure in set or test rolls back; a crashed run is completed or rolled back by the next.

mod error;
mod rotator;

pub use error::{RotationError, RotationErrorKind};
pub use rotator::{RotationContext, Rotator};

/// The rotators of this part of the crate; declared here until the rotator registry exists.
mod rotators {
    pub(crate) mod command;
    #[cfg(feature = "postgres")]
    pub(crate) mod postgres;
    pub(crate) mod redact;
}

pub use rotators::command::{COMMAND_STEP_ENV, CommandRotator, CommandRotatorConfig};
#[cfg(feature = "postgres")]
pub use rotators::postgres::{
    AdminCredentials, PostgresRotator, PostgresRotatorConfig, PostgresStrategy,
};
