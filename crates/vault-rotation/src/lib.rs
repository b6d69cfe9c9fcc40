//! # vault-rotation
//!
//! Scheduled, crash-safe rotation of secrets kept in a HashiCorp Vault / OpenBao KV v2 mount,
//! with a grace period in which the previous value stays readable.
//!
//! A rotation runs four idempotent steps keyed by the pending KV version: **create** (a new
//! version written with check-and-set on the current one), **set** (the target accepts it),
//! **test** (the new credential works), **finish** (it becomes current, the old one previous).
//! A failure in set or test rolls back; a crashed run is completed or rolled back by the next.
//! The state lives in the secret's own `custom_metadata` (`current_version` is the authoritative
//! pointer); policies, leases and history live under `secret/vaultkit/rotation/`, so several
//! schedulers on several machines share them with no other coordination system.
//!
//! ```no_run
//! use std::time::Duration;
//! use vault_core::VaultClient;
//! use vault_rotation::{
//!     RotationHistoryTracker, RotationOrchestrator, RotationScheduler, SecretRotationPolicy,
//! };
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let client = VaultClient::builder().with_address("http://127.0.0.1:8200").with_token("root").build()?;
//!
//! let mut scheduler = RotationScheduler::new();
//! scheduler.schedule_rotation(
//!     SecretRotationPolicy::new("billing-db", "apps/billing/db")
//!         .with_interval(Duration::from_secs(30 * 86_400)),
//! )?;
//! let orchestrator = RotationOrchestrator::new(client.clone(), scheduler).with_concurrency(4);
//! for outcome in orchestrator.run_rotations().await {
//!     println!("{outcome}"); // e.g. "billing-db (secret/apps/billing/db): rotated: version 3 → 4"
//! }
//!
//! let status = RotationHistoryTracker::new(client).get_rotation_status("apps/billing/db").await?;
//! println!("current v{:?}, next due {:?}", status.current_version, status.next_due);
//! # Ok(()) }
//! ```
//!
//! ## Map
//! - Model: [`SecretRotationPolicy`], [`RotationType`], [`RotationWindow`], [`AfterGrace`],
//!   durations ([`parse_duration`]), policy files ([`load_policies`]), policies in Vault
//!   ([`PolicyStore`]).
//! - Rotators: the [`Rotator`] trait, [`RotatorSpec`] / [`build_rotator`], [`RandomRotator`],
//!   `PostgresRotator` (feature `postgres`: a role's password, one role or two alternating ones)
//!   and [`CommandRotator`] (a user program per step, values on its stdin only).
//! - Running: [`RotationScheduler`] (what is due), [`RotationOrchestrator`] (runs, on demand,
//!   daemon), outcomes ([`PolicyOutcome`], [`RotationOutcome`], [`RotationStep`]).
//! - Records: [`RotationHistoryTracker`], [`HistoryRecord`], [`RotationStatus`],
//!   [`VaultkitPaths`].
//!
//! Architecture Invariant: no outcome, error, history record, status, log line or notification
//! contains a secret value; they name policies, paths, versions and steps.

mod error;
mod history;
mod layout;
mod lease;
mod orchestrator;
mod outcome;
mod policy;
mod protocol;
mod records;
mod rotator;
mod rotators;
mod scheduler;
mod state;

pub use error::{RotationError, RotationErrorKind};
pub use history::{
    HISTORY_LIMIT, HistoryEvent, HistoryRecord, RotationHistoryTracker, RotationStatus,
};
pub use layout::{DEFAULT_VAULTKIT_MOUNT, DEFAULT_VAULTKIT_PREFIX, VaultkitPaths};
pub use orchestrator::{DEFAULT_CONCURRENCY, DEFAULT_LEASE_TTL, RotationOrchestrator};
pub use outcome::{PolicyOutcome, RotationOutcome, RotationStep};
pub use policy::{
    AfterGrace, CronSchedule, DEFAULT_GRACE_PERIOD, DEFAULT_INTERVAL, DEFAULT_SECRET_MOUNT,
    PolicyStore, RotationType, RotationWindow, SecretRotationPolicy, format_duration,
    load_policies, parse_duration, parse_policies,
};
#[doc(hidden)]
pub use protocol::CrashPoint;
pub use rotator::{RotationContext, Rotator};
pub use rotators::command::{
    COMMAND_PASSED_ENV, COMMAND_STEP_ENV, CommandRotator, CommandRotatorConfig,
};
#[cfg(feature = "postgres")]
pub use rotators::postgres::{
    AdminCredentials, PostgresRotator, PostgresRotatorConfig, PostgresStrategy,
};
pub use rotators::{CharClass, RandomRotator, RotatorSpec, build_rotator};
pub use scheduler::{DEFAULT_CHECK_INTERVAL, RotationScheduler};
pub use state::RotationState;
