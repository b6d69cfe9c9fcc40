use super::*;
use crate::catalog::BackupType;
use chrono::TimeZone;

fn entry(day: &str, status: BackupStatus) -> SnapshotInfo {
    let created_at = Utc
        .with_ymd_and_hms(
            day[0..4].parse().expect("year"),
            day[5..7].parse().expect("month"),
            day[8..10].parse().expect("day"),
            3,
            0,
            0,
        )
        .single()
        .expect("a valid time");
    let mut e = SnapshotInfo::started(
        format!("full-{day}"),
        BackupType::Full,
        created_at,
        String::new(),
    );
    e.status = status;
    e
}

/// 400 daily snapshots, 2025-01-01 to 2026-02-04 at 03:00 UTC; the one of 2025-06-15 is the
/// only verified one; one failed entry in between.
fn history() -> Vec<SnapshotInfo> {
    let start = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).expect("date");
    let mut out: Vec<SnapshotInfo> = (0..400)
        .map(|i| {
            let day = (start + chrono::Days::new(i))
                .format("%Y-%m-%d")
                .to_string();
            let status = if day == "2025-06-15" {
                BackupStatus::Verified
            } else {
                BackupStatus::Completed
            };
            entry(&day, status)
        })
        .collect();
    assert_eq!(out.last().map(|e| e.id.as_str()), Some("full-2026-02-04"));
    let mut failed = entry("2025-03-03", BackupStatus::Failed);
    failed.id = "full-2025-03-03-failed".into();
    out.push(failed);
    out
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 2, 4, 12, 0, 0)
        .single()
        .expect("time")
}

fn ids(days: &[&str]) -> BTreeSet<String> {
    days.iter().map(|d| format!("full-{d}")).collect()
}

#[test]
fn four_hundred_daily_snapshots_pruned_to_the_tiers() {
    let policy = RetentionPolicy::default()
        .with_keep_last(3)
        .with_keep_daily(7)
        .with_keep_weekly(4)
        .with_keep_monthly(6);
    let kept = select(&history(), &policy, now());
    let expected = ids(&[
        // keep_last 3 and keep_daily 7: 2026-01-29 .. 2026-02-04
        "2026-02-04",
        "2026-02-03",
        "2026-02-02",
        "2026-02-01",
        "2026-01-31",
        "2026-01-30",
        "2026-01-29",
        // keep_weekly 4: ISO weeks 6 (Feb 4), 5 (Sun Feb 1), 4 (Sun Jan 25), 3 (Sun Jan 18)
        "2026-01-25",
        "2026-01-18",
        // keep_monthly 6: Feb (Feb 4), Jan (Jan 31), Dec, Nov, Oct, Sep 2025 (last days)
        "2025-12-31",
        "2025-11-30",
        "2025-10-31",
        "2025-09-30",
        // the newest verified snapshot, always
        "2025-06-15",
    ]);
    assert_eq!(kept, expected);
}

#[test]
fn retention_days_keeps_the_window_and_the_newest_verified() {
    let kept = select(&history(), &RetentionPolicy::days(10), now());
    let expected = ids(&[
        "2026-01-26",
        "2026-01-27",
        "2026-01-28",
        "2026-01-29",
        "2026-01-30",
        "2026-01-31",
        "2026-02-01",
        "2026-02-02",
        "2026-02-03",
        "2026-02-04",
        "2025-06-15",
    ]);
    assert_eq!(kept, expected);
}

#[test]
fn a_policy_that_keeps_nothing_is_refused() {
    assert!(RetentionPolicy::default().validate().is_err());
    assert!(
        RetentionPolicy::default()
            .with_keep_last(0)
            .validate()
            .is_err()
    );
    assert!(RetentionPolicy::days(1).validate().is_ok());
}
