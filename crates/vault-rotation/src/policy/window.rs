//! [`RotationWindow`]: the hours and weekdays in which a rotation may start, in a time zone, so
//! that rotations avoid busy hours.

use std::str::FromStr;

use chrono::{DateTime, Datelike, Timelike, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::RotationError;

/// When a due rotation may start: from hour `hours.0` (inclusive) to hour `hours.1` (exclusive)
/// on `days`, local time in `time_zone`. `(22, 4)` wraps past midnight (the day is the one the
/// hour falls on); `(0, 24)` is the whole day; no `days` means every day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "WindowFields", into = "WindowFields")]
pub struct RotationWindow {
    /// Start hour (0–23) and end hour (1–24), local time.
    pub hours: (u8, u8),
    /// The weekdays on which the window opens (empty: every day).
    pub days: Vec<Weekday>,
    /// The time zone of `hours` and `days` (e.g. `Europe/Berlin`, `UTC`).
    pub time_zone: Tz,
}

impl RotationWindow {
    /// A window open from `start` to `end` o'clock every day, in UTC.
    pub fn hours(start: u8, end: u8) -> Result<Self, RotationError> {
        let w = RotationWindow {
            hours: (start, end),
            days: Vec::new(),
            time_zone: Tz::UTC,
        };
        w.validate()?;
        Ok(w)
    }

    /// Only on these weekdays.
    pub fn with_days(mut self, days: impl IntoIterator<Item = Weekday>) -> Self {
        self.days = days.into_iter().collect();
        self
    }

    /// Hours and days in this time zone.
    pub fn with_time_zone(mut self, tz: Tz) -> Self {
        self.time_zone = tz;
        self
    }

    /// Checks the hours (start 0–23, end 1–24, start ≠ end).
    pub fn validate(&self) -> Result<(), RotationError> {
        let (start, end) = self.hours;
        if start > 23 || end == 0 || end > 24 || start == end {
            return Err(RotationError::config(format!(
                "rotation window hours ({start}, {end}): the start must be 0–23, the end 1–24, and they must differ"
            ))
            .with_hint("e.g. `hours = [2, 5]` for 02:00–05:00, `[22, 4]` across midnight"));
        }
        Ok(())
    }

    /// Whether a rotation may start at `now`.
    pub fn contains(&self, now: DateTime<Utc>) -> bool {
        let local = now.with_timezone(&self.time_zone);
        let hour = local.hour();
        let (start, end) = (u32::from(self.hours.0), u32::from(self.hours.1));
        let in_hours = if start < end {
            hour >= start && hour < end
        } else {
            hour >= start || hour < end
        };
        in_hours && (self.days.is_empty() || self.days.contains(&local.weekday()))
    }
}

/// The stored and file form: `{ hours = [2, 5], days = ["sat", "sun"], time_zone = "UTC" }`.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WindowFields {
    hours: (u8, u8),
    #[serde(default)]
    days: Vec<Weekday>,
    #[serde(default = "utc_name")]
    time_zone: String,
}

fn utc_name() -> String {
    "UTC".to_string()
}

impl TryFrom<WindowFields> for RotationWindow {
    type Error = RotationError;

    fn try_from(f: WindowFields) -> Result<Self, RotationError> {
        let time_zone = Tz::from_str(&f.time_zone).map_err(|_| {
            RotationError::config(format!(
                "rotation window: unknown time zone `{}`",
                f.time_zone.escape_debug()
            ))
            .with_hint("use an IANA name such as `UTC`, `Europe/Berlin`, `America/New_York`")
        })?;
        let w = RotationWindow {
            hours: f.hours,
            days: f.days,
            time_zone,
        };
        w.validate()?;
        Ok(w)
    }
}

impl From<RotationWindow> for WindowFields {
    fn from(w: RotationWindow) -> Self {
        WindowFields {
            hours: w.hours,
            days: w.days,
            time_zone: w.time_zone.name().to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, mo: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, 0, 0)
            .single()
            .unwrap_or_default()
    }

    #[test]
    fn hours_days_and_midnight_wrap() -> Result<(), RotationError> {
        let w = RotationWindow::hours(2, 5)?;
        assert!(w.contains(at(2026, 12, 7, 2)));
        assert!(w.contains(at(2026, 12, 7, 4)));
        assert!(!w.contains(at(2026, 12, 7, 5)));
        assert!(!w.contains(at(2026, 12, 7, 1)));

        let night = RotationWindow::hours(22, 4)?;
        assert!(night.contains(at(2026, 12, 7, 23)));
        assert!(night.contains(at(2026, 12, 7, 3)));
        assert!(!night.contains(at(2026, 12, 7, 12)));

        // 2026-12-05 is a Saturday.
        let weekend = RotationWindow::hours(0, 24)?.with_days([Weekday::Sat, Weekday::Sun]);
        assert!(weekend.contains(at(2026, 12, 5, 12)));
        assert!(!weekend.contains(at(2026, 12, 7, 12)));
        Ok(())
    }

    #[test]
    fn the_time_zone_moves_the_hours() -> Result<(), RotationError> {
        // 02:00–05:00 in Berlin is 01:00–04:00 UTC in winter.
        let w = RotationWindow::hours(2, 5)?.with_time_zone(chrono_tz::Europe::Berlin);
        assert!(w.contains(at(2026, 12, 7, 1)));
        assert!(!w.contains(at(2026, 12, 7, 4)));
        Ok(())
    }

    #[test]
    fn refuses_bad_hours_and_zones() {
        assert!(RotationWindow::hours(3, 3).is_err());
        assert!(RotationWindow::hours(24, 3).is_err());
        assert!(RotationWindow::hours(1, 25).is_err());
        let bad: Result<RotationWindow, _> =
            serde_json::from_str(r#"{"hours": [1, 2], "time_zone": "Mars/Olympus"}"#);
        let e = bad.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("unknown time zone `Mars/Olympus`"), "{e}");
    }
}
