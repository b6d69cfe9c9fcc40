//! Durations as people write them in policy files: `90d`, `24h`, `30m`, `1h30m`, `2w`, `45s`.

use std::time::Duration;

use crate::RotationError;

const UNITS: [(char, u64); 5] = [
    ('w', 7 * 86_400),
    ('d', 86_400),
    ('h', 3_600),
    ('m', 60),
    ('s', 1),
];

/// Parses `90d`, `24h`, `30m`, `1h30m`, `2w`, `45s` (whole numbers, units `w d h m s`).
pub fn parse_duration(text: &str) -> Result<Duration, RotationError> {
    let bad = |why: &str| {
        RotationError::config(format!("duration `{}`: {why}", text.escape_debug()))
            .with_hint("write a number followed by a unit: `90d`, `24h`, `30m`, `1h30m`, `45s`")
    };
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(bad("empty"));
    }
    let mut total: u64 = 0;
    let mut number: Option<u64> = None;
    for c in trimmed.chars() {
        if let Some(d) = c.to_digit(10) {
            let n = number
                .unwrap_or(0)
                .checked_mul(10)
                .and_then(|n| n.checked_add(u64::from(d)))
                .ok_or_else(|| bad("too large"))?;
            number = Some(n);
        } else if let Some((_, secs)) = UNITS.iter().find(|(u, _)| *u == c) {
            let n = number
                .take()
                .ok_or_else(|| bad("a unit must follow a number"))?;
            total = n
                .checked_mul(*secs)
                .and_then(|s| total.checked_add(s))
                .ok_or_else(|| bad("too large"))?;
        } else {
            return Err(bad(&format!("unknown unit `{}`", c.escape_debug())));
        }
    }
    if number.is_some() {
        return Err(bad("the last number has no unit"));
    }
    Ok(Duration::from_secs(total))
}

/// The shortest text [`parse_duration`] reads back as `d` (whole seconds): `90d`, `1h30m`, `0s`.
pub fn format_duration(d: Duration) -> String {
    let mut secs = d.as_secs();
    if secs == 0 {
        return "0s".to_string();
    }
    let mut out = String::new();
    for (unit, size) in UNITS.iter().skip(1) {
        let n = secs / size;
        if n > 0 {
            out.push_str(&format!("{n}{unit}"));
            secs %= size;
        }
    }
    out
}

/// `#[serde(with = "…")]` for a [`Duration`] written as `90d`.
pub(crate) mod serde_text {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_duration(*d))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let text = String::deserialize(d)?;
        super::parse_duration(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_units_people_write() {
        assert_eq!(
            parse_duration("90d").ok(),
            Some(Duration::from_secs(90 * 86_400))
        );
        assert_eq!(
            parse_duration("24h").ok(),
            Some(Duration::from_secs(86_400))
        );
        assert_eq!(parse_duration("30m").ok(), Some(Duration::from_secs(1_800)));
        assert_eq!(
            parse_duration("1h30m").ok(),
            Some(Duration::from_secs(5_400))
        );
        assert_eq!(
            parse_duration("2w").ok(),
            Some(Duration::from_secs(14 * 86_400))
        );
        assert_eq!(parse_duration(" 45s ").ok(), Some(Duration::from_secs(45)));
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        for bad in ["", "90", "d", "9x", "1.5h", "-1d", "99999999999999999999d"] {
            let e = parse_duration(bad).err();
            assert!(e.is_some(), "`{bad}` was accepted");
        }
        let e = parse_duration("9x")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("unknown unit `x`"), "{e}");
    }

    #[test]
    fn formats_back_to_the_same_duration() {
        for text in ["90d", "1d1h", "1h30m", "45s", "0s"] {
            let d = parse_duration(text).ok();
            assert_eq!(d.map(format_duration).as_deref(), Some(text));
        }
        assert_eq!(format_duration(Duration::from_secs(14 * 86_400)), "14d");
    }
}
