use super::*;

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("valid RFC 3339")
        .with_timezone(&Utc)
}

fn next(s: &Schedule, t: &str) -> String {
    s.next_after(utc(t)).expect("a next slot").to_rfc3339()
}

#[test]
fn daily_is_today_or_tomorrow_and_never_the_same_instant() {
    let s = Schedule::daily(2, 0).expect("valid");
    assert_eq!(
        next(&s, "2026-03-10T01:59:59Z"),
        "2026-03-10T02:00:00+00:00"
    );
    assert_eq!(
        next(&s, "2026-03-10T02:00:00Z"),
        "2026-03-11T02:00:00+00:00"
    );
    assert_eq!(
        next(&s, "2026-12-31T23:00:00Z"),
        "2027-01-01T02:00:00+00:00"
    );
}

#[test]
fn weekly_day_zero_is_monday() {
    let s = Schedule::weekly(0, 3, 0).expect("valid");
    // 2026-03-10 is a Tuesday.
    assert_eq!(
        next(&s, "2026-03-10T12:00:00Z"),
        "2026-03-16T03:00:00+00:00"
    );
    assert_eq!(
        next(&s, "2026-03-16T02:59:00Z"),
        "2026-03-16T03:00:00+00:00"
    );
    assert_eq!(
        next(&s, "2026-03-16T03:00:00Z"),
        "2026-03-23T03:00:00+00:00"
    );
    let sunday = Schedule::weekly(6, 0, 30).expect("valid");
    assert_eq!(
        next(&sunday, "2026-03-10T12:00:00Z"),
        "2026-03-15T00:30:00+00:00"
    );
}

#[test]
fn monthly_day_31_runs_on_the_last_day_of_short_months() {
    let s = Schedule::monthly(31, 3, 0).expect("valid");
    assert_eq!(
        next(&s, "2026-01-31T03:00:00Z"),
        "2026-02-28T03:00:00+00:00"
    );
    assert_eq!(
        next(&s, "2028-02-01T00:00:00Z"),
        "2028-02-29T03:00:00+00:00"
    );
    assert_eq!(
        next(&s, "2028-02-29T03:00:00Z"),
        "2028-03-31T03:00:00+00:00"
    );
    assert_eq!(
        next(&s, "2026-04-01T00:00:00Z"),
        "2026-04-30T03:00:00+00:00"
    );
    assert_eq!(
        next(&s, "2026-12-31T04:00:00Z"),
        "2027-01-31T03:00:00+00:00"
    );
    let feb29 = Schedule::monthly(29, 3, 0).expect("valid");
    assert_eq!(
        next(&feb29, "2027-02-01T00:00:00Z"),
        "2027-02-28T03:00:00+00:00"
    );
    let first = Schedule::monthly(1, 3, 0).expect("valid");
    assert_eq!(
        next(&first, "2026-12-01T03:00:00Z"),
        "2027-01-01T03:00:00+00:00"
    );
}

#[test]
fn cron_accepts_five_and_six_fields() {
    let five = Schedule::cron("30 2 * * *").expect("valid");
    assert_eq!(
        next(&five, "2026-03-10T02:30:00Z"),
        "2026-03-11T02:30:00+00:00"
    );
    let six = Schedule::cron("0 0 4 * * Mon").expect("valid");
    assert_eq!(
        next(&six, "2026-03-10T00:00:00Z"),
        "2026-03-16T04:00:00+00:00"
    );
    assert_eq!(
        five.max_interval(utc("2026-03-10T00:00:00Z")),
        Duration::days(1)
    );
    let weekdays = Schedule::cron("0 2 * * Mon-Fri").expect("valid");
    assert_eq!(
        weekdays.max_interval(utc("2026-03-10T00:00:00Z")),
        Duration::days(3)
    );
}

#[test]
fn out_of_range_values_are_config_errors() {
    use crate::BackupErrorKind;
    for e in [
        Schedule::daily(24, 0).expect_err("hour"),
        Schedule::daily(0, 60).expect_err("minute"),
        Schedule::weekly(7, 0, 0).expect_err("weekday"),
        Schedule::monthly(0, 0, 0).expect_err("day 0"),
        Schedule::monthly(32, 0, 0).expect_err("day 32"),
        Schedule::cron("not cron\r\nX").expect_err("cron"),
        Schedule::cron("0 0 0 1 1 * 2001").expect_err("past year"),
    ] {
        assert_eq!(e.kind(), BackupErrorKind::Config, "{e}");
        assert!(!e.to_string().contains('\n'), "{e}");
    }
}

#[test]
fn fixed_intervals() {
    let now = utc("2026-03-10T00:00:00Z");
    assert_eq!(
        Schedule::daily(2, 0).expect("v").max_interval(now),
        Duration::days(1)
    );
    assert_eq!(
        Schedule::weekly(0, 3, 0).expect("v").max_interval(now),
        Duration::days(7)
    );
    assert_eq!(
        Schedule::monthly(1, 3, 0).expect("v").max_interval(now),
        Duration::days(31)
    );
}
