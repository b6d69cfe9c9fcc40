//! [`select`]: the snapshots a policy keeps.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration, Utc};

use super::RetentionPolicy;
use crate::catalog::{BackupStatus, SnapshotInfo};

/// The calendar bucket (day, ISO week or month) of a time.
type Bucket = fn(&DateTime<Utc>) -> (i32, u32);

/// The ids `policy` keeps among the usable entries of `entries`, at time `now`. Entries that are
/// not usable (failed, in progress, expired) are never in the answer and never removed.
pub(crate) fn select(
    entries: &[SnapshotInfo],
    policy: &RetentionPolicy,
    now: DateTime<Utc>,
) -> BTreeSet<String> {
    let mut usable: Vec<&SnapshotInfo> = entries.iter().filter(|e| e.status.is_usable()).collect();
    usable.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
    let mut keep = BTreeSet::new();
    if let Some(n) = policy.keep_last {
        keep.extend(usable.iter().take(n as usize).map(|e| e.id.clone()));
    }
    let tiers: [(Option<u32>, Bucket); 3] = [
        (policy.keep_daily, |t| (t.year(), t.ordinal())),
        (policy.keep_weekly, |t| {
            let w = t.iso_week();
            (w.year(), w.week())
        }),
        (policy.keep_monthly, |t| (t.year(), t.month())),
    ];
    for (n, bucket) in tiers {
        let Some(n) = n else { continue };
        let mut last = None;
        let mut count = 0;
        for e in &usable {
            if count >= n {
                break;
            }
            let b = bucket(&e.created_at);
            if last != Some(b) {
                last = Some(b);
                count += 1;
                keep.insert(e.id.clone());
            }
        }
    }
    if let Some(days) = policy.retention_days {
        let cutoff = now - Duration::days(i64::from(days));
        keep.extend(
            usable
                .iter()
                .filter(|e| e.created_at >= cutoff)
                .map(|e| e.id.clone()),
        );
    }
    if let Some(newest_verified) = usable.iter().find(|e| e.status == BackupStatus::Verified) {
        keep.insert(newest_verified.id.clone());
    }
    keep
}

#[cfg(test)]
#[path = "select_tests.rs"]
mod tests;
