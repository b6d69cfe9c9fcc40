//! [`RetentionPolicy`] and [`CleanupReport`].

use crate::BackupError;

/// Which snapshots to keep (the Python module's `retention_policy`). A snapshot is kept when
/// any rule keeps it; the newest verified snapshot is always kept. Only `completed` and
/// `verified` snapshots are considered; failed, in-progress and expired entries are left alone.
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
}

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

    /// A policy with no rule would remove every snapshot but one: refused.
    pub fn validate(&self) -> Result<(), BackupError> {
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
}
