//! Timestamps: a fast RFC 3339 reader (audit `time` fields) and conversions to chrono.

use chrono::{DateTime, TimeZone, Utc};

fn num(b: &[u8]) -> Option<i64> {
    let mut v: i64 = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(c - b'0');
    }
    Some(v)
}

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` into Unix nanoseconds (UTC).
/// Returns `None` for anything else. Much faster than a general parser; audit files hold
/// millions of these.
pub(crate) fn parse_rfc3339_nanos(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (y, mo, d) = (num(&b[0..4])?, num(&b[5..7])?, num(&b[8..10])?);
    let (h, mi, sec) = (num(&b[11..13])?, num(&b[14..16])?, num(&b[17..19])?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut i = 19;
    let mut frac: i64 = 0;
    if b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            if i - start < 9 {
                frac = frac * 10 + i64::from(b[i] - b'0');
            }
            i += 1;
        }
        let n = i - start;
        if n == 0 {
            return None;
        }
        for _ in n..9 {
            frac *= 10;
        }
    }
    let offset_secs = match b.get(i)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        sign @ (b'+' | b'-') if i + 6 == b.len() && b[i + 3] == b':' => {
            let v = num(&b[i + 1..i + 3])? * 3600 + num(&b[i + 4..i + 6])? * 60;
            if *sign == b'+' { v } else { -v }
        }
        _ => return None,
    };
    let days = days_from_civil(y, mo, d);
    let secs = days * 86_400 + h * 3600 + mi * 60 + sec - offset_secs;
    secs.checked_mul(1_000_000_000)?.checked_add(frac)
}

/// Unix nanoseconds to a chrono UTC time.
pub(crate) fn nanos_to_datetime(n: i64) -> DateTime<Utc> {
    Utc.timestamp_nanos(n)
}

/// Unix nanoseconds to RFC 3339 text with the fraction Vault writes (trailing zeros trimmed).
pub(crate) fn format_nanos(n: i64) -> String {
    nanos_to_datetime(n).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_chrono() {
        for s in [
            "2020-04-30T14:27:10.6656485Z",
            "2026-11-28T17:49:01.304784084Z",
            "2025-05-26T23:16:27Z",
            "1999-12-31T23:59:59.5+02:00",
            "2024-02-29T00:00:00.000000001-07:30",
        ] {
            let ours = parse_rfc3339_nanos(s).expect(s);
            let theirs = DateTime::parse_from_rfc3339(s)
                .expect(s)
                .timestamp_nanos_opt();
            assert_eq!(Some(ours), theirs, "{s}");
        }
    }

    #[test]
    fn rejects_junk() {
        for s in [
            "",
            "2020-04-30",
            "2020-13-30T14:27:10Z",
            "2020-04-30T14:27:10.Z",
            "2020-04-30T14:27:10",
        ] {
            assert_eq!(parse_rfc3339_nanos(s), None, "{s}");
        }
    }

    #[test]
    fn formats_back() {
        let n = parse_rfc3339_nanos("2020-04-30T14:27:10.6656485Z").expect("parses");
        assert_eq!(format_nanos(n), "2020-04-30T14:27:10.665648500Z");
    }
}
