//! Retention: which snapshots a [`RetentionPolicy`] keeps (restic-style tiers), as a pure
//! function over catalog entries; the manager's `cleanup_expired` applies it.
//!
//! - [`policy`]: [`RetentionPolicy`], [`CleanupReport`].
//! - [`select`]: the decision.

mod policy;
mod select;

pub use policy::{CleanupReport, DEFAULT_ABANDONED_AFTER_HOURS, RetentionPolicy};
pub(crate) use select::select;
