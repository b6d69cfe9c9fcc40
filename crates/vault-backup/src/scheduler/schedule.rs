//! [`Schedule`]: when a backup runs, in UTC, and the next slot after a given time.
//!
//! Daily, weekly and monthly schedules are computed directly; cron expressions go through the
//! `cron` crate. Every time is UTC, so there are no daylight-saving gaps or repeats.
//!
//! Monthly schedules on a day the month lacks (day 29–31) run on the month's last day instead:
//! `day_of_month = 31` runs on 31 January, 28 February (29 in a leap year), 31 March, 30 April.
//! A backup is never skipped for a month.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};

use crate::BackupError;

/// When a scheduled backup runs (UTC).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Schedule {
    /// Every day at `hour:minute`.
    Daily {
        /// 0–23.
        hour: u32,
        /// 0–59.
        minute: u32,
    },
    /// Every week on `weekday` at `hour:minute`.
    Weekly {
        /// The day of the week.
        weekday: Weekday,
        /// 0–23.
        hour: u32,
        /// 0–59.
        minute: u32,
    },
    /// Every month on `day` (1–31; clamped to the month's last day) at `hour:minute`.
    Monthly {
        /// 1–31.
        day: u32,
        /// 0–23.
        hour: u32,
        /// 0–59.
        minute: u32,
    },
    /// A cron expression (see [`Schedule::cron`]).
    Cron(CronSchedule),
}

/// A parsed cron expression and its text.
#[derive(Clone)]
pub struct CronSchedule {
    text: String,
    parsed: Box<cron::Schedule>,
}

impl fmt::Debug for CronSchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CronSchedule").field(&self.text).finish()
    }
}

impl PartialEq for CronSchedule {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}
impl Eq for CronSchedule {}

impl CronSchedule {
    /// The expression as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Debug for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Schedule::Daily { hour, minute } => write!(f, "daily at {hour:02}:{minute:02} UTC"),
            Schedule::Weekly {
                weekday,
                hour,
                minute,
            } => write!(f, "weekly on {weekday} at {hour:02}:{minute:02} UTC"),
            Schedule::Monthly { day, hour, minute } => {
                write!(f, "monthly on day {day} at {hour:02}:{minute:02} UTC")
            }
            Schedule::Cron(c) => write!(f, "cron `{}` (UTC)", c.text),
        }
    }
}

fn check_time(hour: u32, minute: u32) -> Result<(), BackupError> {
    if hour > 23 || minute > 59 {
        return Err(
            BackupError::config(format!("schedule time {hour}:{minute} is out of range"))
                .with_hint("hour is 0–23 and minute 0–59 (UTC)"),
        );
    }
    Ok(())
}

impl Schedule {
    /// Every day at `hour:minute` UTC (the Python module's default is 02:00).
    pub fn daily(hour: u32, minute: u32) -> Result<Self, BackupError> {
        check_time(hour, minute)?;
        Ok(Schedule::Daily { hour, minute })
    }

    /// Every week on `day_of_week` (0 = Monday … 6 = Sunday) at `hour:minute` UTC.
    pub fn weekly(day_of_week: u32, hour: u32, minute: u32) -> Result<Self, BackupError> {
        check_time(hour, minute)?;
        let weekday = match day_of_week {
            0 => Weekday::Mon,
            1 => Weekday::Tue,
            2 => Weekday::Wed,
            3 => Weekday::Thu,
            4 => Weekday::Fri,
            5 => Weekday::Sat,
            6 => Weekday::Sun,
            _ => {
                return Err(BackupError::config(format!(
                    "day_of_week {day_of_week} is out of range"
                ))
                .with_hint("0 = Monday … 6 = Sunday"));
            }
        };
        Ok(Schedule::Weekly {
            weekday,
            hour,
            minute,
        })
    }

    /// Every month on `day_of_month` (1–31) at `hour:minute` UTC; in a month without that
    /// day, on its last day.
    pub fn monthly(day_of_month: u32, hour: u32, minute: u32) -> Result<Self, BackupError> {
        check_time(hour, minute)?;
        if !(1..=31).contains(&day_of_month) {
            return Err(BackupError::config(format!(
                "day_of_month {day_of_month} is out of range"
            ))
            .with_hint("1–31; days past a month's end run on its last day"));
        }
        Ok(Schedule::Monthly {
            day: day_of_month,
            hour,
            minute,
        })
    }

    /// A cron expression in UTC: five fields (`minute hour day month weekday`, as crontab) or
    /// six/seven with seconds first (and a year last), e.g. `0 2 * * *` or `0 0 2 * * Mon-Fri`.
    pub fn cron(expression: &str) -> Result<Self, BackupError> {
        let text = expression.trim().to_string();
        let fields = text.split_whitespace().count();
        let full = if fields == 5 {
            format!("0 {text}")
        } else {
            text.clone()
        };
        let parsed = cron::Schedule::from_str(&full).map_err(|e| {
            BackupError::config(format!(
                "`{}` is not a valid cron expression: {}",
                text.escape_debug(),
                // The parser's message quotes the input over several lines; keep its first.
                e.to_string().lines().next().unwrap_or("parse error")
            ))
            .with_hint("five fields `minute hour day month weekday`, e.g. `0 2 * * *`")
        })?;
        if parsed.upcoming(Utc).next().is_none() {
            return Err(BackupError::config(format!(
                "cron expression `{}` never fires again",
                text.escape_debug()
            )));
        }
        Ok(Schedule::Cron(CronSchedule {
            text,
            parsed: Box::new(parsed),
        }))
    }

    /// The first slot strictly after `t`, or `None` when a cron expression has no more.
    pub fn next_after(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Schedule::Daily { hour, minute } => {
                let today = at(t.date_naive(), *hour, *minute)?;
                Some(if today > t {
                    today
                } else {
                    at(t.date_naive().succ_opt()?, *hour, *minute)?
                })
            }
            Schedule::Weekly {
                weekday,
                hour,
                minute,
            } => {
                let ahead =
                    (7 + weekday.num_days_from_monday() - t.weekday().num_days_from_monday()) % 7;
                let day = t.date_naive() + Duration::days(i64::from(ahead));
                let candidate = at(day, *hour, *minute)?;
                Some(if candidate > t {
                    candidate
                } else {
                    candidate + Duration::days(7)
                })
            }
            Schedule::Monthly { day, hour, minute } => {
                let (mut year, mut month) = (t.year(), t.month());
                for _ in 0..3 {
                    let candidate = at(clamped_day(year, month, *day)?, *hour, *minute)?;
                    if candidate > t {
                        return Some(candidate);
                    }
                    (year, month) = if month == 12 {
                        (year + 1, 1)
                    } else {
                        (year, month + 1)
                    };
                }
                None
            }
            Schedule::Cron(c) => c.parsed.after(&t).next(),
        }
    }

    /// The longest gap between two consecutive slots: what "a backup is overdue" is measured
    /// against. Daily 24 h, weekly 7 days, monthly 31 days; for cron, the longest gap among the
    /// next 1,000 slots after `from`.
    pub fn max_interval(&self, from: DateTime<Utc>) -> Duration {
        match self {
            Schedule::Daily { .. } => Duration::days(1),
            Schedule::Weekly { .. } => Duration::days(7),
            Schedule::Monthly { .. } => Duration::days(31),
            Schedule::Cron(c) => {
                let slots: Vec<DateTime<Utc>> = c.parsed.after(&from).take(1000).collect();
                slots
                    .windows(2)
                    .map(|w| w[1] - w[0])
                    .max()
                    .unwrap_or(Duration::days(366))
            }
        }
    }
}

/// `date` at `hour:minute:00` UTC.
fn at(date: NaiveDate, hour: u32, minute: u32) -> Option<DateTime<Utc>> {
    Utc.from_local_datetime(&date.and_hms_opt(hour, minute, 0)?)
        .single()
}

/// `day` of `year-month`, or the month's last day when it has fewer days.
fn clamped_day(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    (1..=day)
        .rev()
        .find_map(|d| NaiveDate::from_ymd_opt(year, month, d))
}

#[cfg(test)]
#[path = "schedule_tests.rs"]
mod tests;
