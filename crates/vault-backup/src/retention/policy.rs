//! [`RetentionPolicy`] and [`CleanupReport`].

use crate::BackupError;

/// Which snapshots to keep (the Python module's `retention_policy`). A snapshot is kept when
/// any rule keeps it; the newest verified snapshot is always kept. Only `completed` and
/// `verified` snapshots are considered; failed and expired entries are left alone, and an
/// `in-progress` entry is left alone until it is older than [`abandoned_after_hours`]: then its
/// writer is taken to have died, and the entry is marked `failed` ("abandoned").
///
/// [`abandoned_after_hours`]: RetentionPolicy::abandoned_after_hours
///
/// The tiers work like restic's `forget`: `keep_daily = 7` keeps the newest snapshot of each of
/// the 7 most recent days that have snapshots (not of the last 7 calendar days); weeks are ISO
/// weeks, all in UTC.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetentionPolicy {
    /// Keep everything younger than this many days.
    pub retention_days: Option<u32>,
    /// Keep the newest N snapshots.
    pub keep_last: Option<u32>,
    /// Keep the newest snapshot of each of the last N days with snapshots.
    pub keep_daily: Option<u32>,
    /// Keep the newest snapshot of each of the last N ISO weeks with snapshots.
    pub keep_weekly: Option<u32>,
    /// Keep the newest snapshot of each of the last N months with snapshots.
    pub keep_monthly: Option<u32>,
    /// Hours after its start at which an `in-progress` entry counts as abandoned (default
    /// [`DEFAULT_ABANDONED_AFTER_HOURS`]; 0 is refused).
    pub abandoned_after_hours: Option<u32>,
}

/// Hours after which an `in-progress` entry counts as abandoned unless the policy says otherwise.
pub const DEFAULT_ABANDONED_AFTER_HOURS: u32 = 24;

impl RetentionPolicy {
    /// Keep everything younger than `days` days (the Python module's `retention_days`).
    pub fn days(days: u32) -> Self {
        RetentionPolicy {
            retention_days: Some(days),
            ..RetentionPolicy::default()
        }
    }

    /// Also keep the newest `n`.
    pub fn with_keep_last(mut self, n: u32) -> Self {
        self.keep_last = Some(n);
        self
    }

    /// Also keep one a day for `n` days.
    pub fn with_keep_daily(mut self, n: u32) -> Self {
        self.keep_daily = Some(n);
        self
    }

    /// Also keep one a week for `n` weeks.
    pub fn with_keep_weekly(mut self, n: u32) -> Self {
        self.keep_weekly = Some(n);
        self
    }

    /// Also keep one a month for `n` months.
    pub fn with_keep_monthly(mut self, n: u32) -> Self {
        self.keep_monthly = Some(n);
        self
    }

    /// Count an `in-progress` entry as abandoned `hours` after its start.
    pub fn with_abandoned_after_hours(mut self, hours: u32) -> Self {
        self.abandoned_after_hours = Some(hours);
        self
    }

    /// How long an `in-progress` entry may stay so before it counts as abandoned.
    pub fn abandoned_after(&self) -> chrono::TimeDelta {
        chrono::TimeDelta::hours(i64::from(
            self.abandoned_after_hours
                .unwrap_or(DEFAULT_ABANDONED_AFTER_HOURS),
        ))
    }

    /// A policy with no rule would remove every snapshot but one: refused; so is an
    /// abandonment threshold of 0 hours (it would fail snapshots still being written).
    pub fn validate(&self) -> Result<(), BackupError> {
        if self.abandoned_after_hours == Some(0) {
            return Err(BackupError::config(
                "retention policy: abandoned_after_hours is 0, which would fail snapshots still \
                 being written",
            )
            .with_hint("set it above the longest snapshot run, e.g. 24"));
        }
        let rules = [
            self.retention_days,
            self.keep_last,
            self.keep_daily,
            self.keep_weekly,
            self.keep_monthly,
        ];
        if rules.iter().all(|r| r.unwrap_or(0) == 0) {
            return Err(BackupError::config(
                "retention policy keeps nothing: every rule is unset or 0",
            )
            .with_hint(
                "set retention_days or one of keep_last/keep_daily/keep_weekly/keep_monthly",
            ));
        }
        Ok(())
    }
}

/// What `cleanup_expired` did, or would do on a dry run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CleanupReport {
    /// Whether nothing was removed.
    pub dry_run: bool,
    /// Snapshots kept, oldest first.
    pub kept: Vec<String>,
    /// Snapshots removed (object deleted, entry marked `expired`), oldest first.
    pub removed: Vec<String>,
    /// `in-progress` entries older than the policy's threshold: their writer died. Marked
    /// `failed` ("abandoned: no progress since …") and their partial object deleted, oldest
    /// first.
    pub abandoned: Vec<String>,
}
