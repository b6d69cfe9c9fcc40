//! [`RotationType`]: when a secret is due (every interval, on a cron schedule, or only on demand).

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::RotationError;

/// When rotations happen.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RotationType {
    /// Every `interval` after the last rotation (the default).
    #[default]
    TimeBased,
    /// At the next time of a cron schedule after the last rotation.
    Cron(CronSchedule),
    /// Never by the scheduler; only through `rotate_now`.
    OnDemand,
}

impl RotationType {
    /// A cron rotation; see [`CronSchedule::parse`].
    pub fn cron(expr: &str) -> Result<Self, RotationError> {
        Ok(RotationType::Cron(CronSchedule::parse(expr)?))
    }

    /// When a secret last rotated at `last` is next due; `None` for on-demand rotations.
    pub fn next_due(&self, last: DateTime<Utc>, interval: Duration) -> Option<DateTime<Utc>> {
        match self {
            RotationType::TimeBased => chrono::Duration::from_std(interval)
                .ok()
                .and_then(|d| last.checked_add_signed(d)),
            RotationType::Cron(c) => c.schedule.after(&last).next(),
            RotationType::OnDemand => None,
        }
    }

    /// The name used in policy files: `time_based`, `cron`, `on_demand`.
    pub fn as_str(&self) -> &'static str {
        match self {
            RotationType::TimeBased => "time_based",
            RotationType::Cron(_) => "cron",
            RotationType::OnDemand => "on_demand",
        }
    }
}

/// A parsed cron expression (UTC). Five fields (`min hour day month weekday`, as in crontab) or
/// the six or seven of the `cron` crate (with seconds first, optional year last).
#[derive(Clone)]
pub struct CronSchedule {
    expr: String,
    schedule: Arc<cron::Schedule>,
}

impl CronSchedule {
    /// Parses `expr`, e.g. `0 3 * * Sun` (03:00 UTC every Sunday).
    pub fn parse(expr: &str) -> Result<Self, RotationError> {
        let trimmed = expr.trim();
        let full = if trimmed.split_whitespace().count() == 5 {
            format!("0 {trimmed}")
        } else {
            trimmed.to_string()
        };
        let schedule = cron::Schedule::from_str(&full).map_err(|e| {
            RotationError::config(format!("cron expression `{}`: {e}", expr.escape_debug()))
                .with_hint("five fields `min hour day month weekday`, e.g. `0 3 * * Sun`")
        })?;
        Ok(CronSchedule {
            expr: trimmed.to_string(),
            schedule: Arc::new(schedule),
        })
    }

    /// The expression as written.
    pub fn as_str(&self) -> &str {
        &self.expr
    }
}

impl PartialEq for CronSchedule {
    fn eq(&self, other: &Self) -> bool {
        self.expr == other.expr
    }
}

impl Eq for CronSchedule {}

impl fmt::Debug for CronSchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CronSchedule").field(&self.expr).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn cron_gives_the_next_time_after_the_last_rotation() -> Result<(), RotationError> {
        let sunday_3am = RotationType::cron("0 3 * * Sun")?;
        // 2026-12-02 is a Wednesday; the next Sunday is 2026-12-06.
        let last = Utc.with_ymd_and_hms(2026, 12, 2, 10, 0, 0).single();
        let next = last.and_then(|l| sunday_3am.next_due(l, Duration::ZERO));
        assert_eq!(next, Utc.with_ymd_and_hms(2026, 12, 6, 3, 0, 0).single());
        Ok(())
    }

    #[test]
    fn time_based_adds_the_interval_and_on_demand_is_never_due() {
        let last = Utc
            .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .unwrap_or_default();
        let day = Duration::from_secs(86_400);
        assert_eq!(
            RotationType::TimeBased.next_due(last, day),
            Utc.with_ymd_and_hms(2026, 1, 2, 0, 0, 0).single()
        );
        assert_eq!(RotationType::OnDemand.next_due(last, day), None);
    }

    #[test]
    fn bad_cron_is_a_config_error() {
        let e = RotationType::cron("every sunday").err();
        assert_eq!(e.map(|e| e.kind()), Some(crate::RotationErrorKind::Config));
    }
}
