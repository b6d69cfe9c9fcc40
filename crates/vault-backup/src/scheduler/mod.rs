//! The backup scheduler: the Python module's `BackupScheduler`.
//!
//! - [`Schedule`] (`schedule.rs`): daily, weekly, monthly and cron schedules in UTC; the next
//!   slot after a time, the longest gap between slots.
//! - [`BackupJob`], [`BackupRequest`], [`BackupRunSummary`] (`job.rs`): what runs at a slot.
//! - [`RunRecord`], [`RunOutcome`] (`record.rs`): each run, stored as JSON under `runs/` in the
//!   backup store.
//! - [`BackupStats`] (`stats.rs`): `get_backup_stats()`.
//! - [`BackupScheduler`], [`ScheduledBackup`], [`StaleBackup`] (`core.rs`): schedules, manual
//!   and per-slot runs, the slot claim, statistics, the stale-backup check.
//! - `daemon.rs`: [`BackupScheduler::run_daemon`], the tick loop.
//! - `engine.rs`: `BackupJob for SnapshotManager`.
//! - `alert.rs`: the failure and overdue messages sent to every notifier.
//!
//! Architecture Invariant: of several schedulers sharing one store and one schedule, exactly
//! one runs each slot: the slot's run record is created with `BlobStore::put_if_absent`, and
//! only the scheduler whose record was stored runs the backup.

mod alert;
mod core;
mod daemon;
mod engine;
mod job;
mod record;
mod schedule;
mod stats;

pub use self::core::{BackupScheduler, ScheduledBackup, StaleBackup};
pub use job::{BackupJob, BackupKind, BackupRequest, BackupRunSummary};
pub use record::{RunOutcome, RunRecord};
pub use schedule::{CronSchedule, Schedule};
pub use stats::BackupStats;
