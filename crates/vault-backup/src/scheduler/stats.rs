//! [`BackupStats`]: the Python module's `get_backup_stats()`, computed from run records.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::record::{RunOutcome, RunRecord};

/// Figures over every finished run the store holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct BackupStats {
    /// Finished runs (successes and failures).
    pub total_runs: u64,
    /// Runs that stored a backup.
    pub successful_runs: u64,
    /// Runs that failed.
    pub failed_runs: u64,
    /// Runs claimed but not finished (running now, or their machine died).
    pub running: u64,
    /// Bytes stored by successful runs.
    pub total_size_bytes: u64,
    /// End of the latest successful run.
    pub last_success: Option<DateTime<Utc>>,
    /// End of the latest failed run.
    pub last_failure: Option<DateTime<Utc>>,
    /// The latest failure's message.
    pub last_error: Option<String>,
    /// `successful_runs / total_runs` (0.0 when there is no finished run).
    pub success_rate: f64,
    /// Shortest successful run, in milliseconds.
    pub min_duration_ms: Option<u64>,
    /// Mean successful run, in milliseconds (rounded down).
    pub avg_duration_ms: Option<u64>,
    /// Longest successful run, in milliseconds.
    pub max_duration_ms: Option<u64>,
    /// Objects under `runs/` that were not readable run records (skipped).
    pub unreadable_records: u64,
}

impl BackupStats {
    /// The figures over `records`.
    pub fn from_records(records: &[RunRecord]) -> Self {
        let mut stats = BackupStats {
            total_runs: 0,
            successful_runs: 0,
            failed_runs: 0,
            running: 0,
            total_size_bytes: 0,
            last_success: None,
            last_failure: None,
            last_error: None,
            success_rate: 0.0,
            min_duration_ms: None,
            avg_duration_ms: None,
            max_duration_ms: None,
            unreadable_records: 0,
        };
        let mut durations: Vec<u64> = Vec::new();
        for r in records {
            let ended = r.finished_at.unwrap_or(r.started_at);
            match r.outcome {
                RunOutcome::Running => stats.running += 1,
                RunOutcome::Success => {
                    stats.successful_runs += 1;
                    stats.total_size_bytes = stats
                        .total_size_bytes
                        .saturating_add(r.size_bytes.unwrap_or(0));
                    if stats.last_success.is_none_or(|t| ended > t) {
                        stats.last_success = Some(ended);
                    }
                    durations.extend(r.duration_ms());
                }
                RunOutcome::Failure => {
                    stats.failed_runs += 1;
                    if stats.last_failure.is_none_or(|t| ended > t) {
                        stats.last_failure = Some(ended);
                        stats.last_error = r.error.clone();
                    }
                }
            }
        }
        stats.total_runs = stats.successful_runs + stats.failed_runs;
        if stats.total_runs > 0 {
            stats.success_rate = stats.successful_runs as f64 / stats.total_runs as f64;
        }
        if !durations.is_empty() {
            let sum: u128 = durations.iter().map(|&d| u128::from(d)).sum();
            let avg = sum / durations.len() as u128;
            stats.avg_duration_ms = Some(u64::try_from(avg).unwrap_or(u64::MAX));
            stats.min_duration_ms = durations.iter().copied().min();
            stats.max_duration_ms = durations.iter().copied().max();
        }
        stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::job::BackupRequest;
    use chrono::Duration;

    fn record(outcome: RunOutcome, start_min: i64, ms: i64, size: Option<u64>) -> RunRecord {
        let started = DateTime::<Utc>::UNIX_EPOCH + Duration::minutes(start_min);
        RunRecord {
            schedule: "daily".into(),
            slot: started,
            instance: "a".into(),
            request: BackupRequest::full(),
            started_at: started,
            finished_at: (outcome != RunOutcome::Running)
                .then(|| started + Duration::milliseconds(ms)),
            outcome,
            snapshot_id: size.map(|_| "snap".into()),
            size_bytes: size,
            error: (outcome == RunOutcome::Failure).then(|| format!("boom at {start_min}")),
        }
    }

    #[test]
    fn counts_sizes_rates_and_durations() {
        let records = [
            record(RunOutcome::Success, 0, 1_000, Some(100)),
            record(RunOutcome::Failure, 10, 50, None),
            record(RunOutcome::Success, 20, 3_000, Some(300)),
            record(RunOutcome::Failure, 30, 70, None),
            record(RunOutcome::Success, 40, 2_001, Some(u64::MAX)),
            record(RunOutcome::Running, 50, 0, None),
        ];
        let s = BackupStats::from_records(&records);
        assert_eq!(
            (s.total_runs, s.successful_runs, s.failed_runs, s.running),
            (5, 3, 2, 1)
        );
        assert_eq!(
            s.total_size_bytes,
            u64::MAX,
            "saturates instead of overflowing"
        );
        assert!((s.success_rate - 0.6).abs() < 1e-9);
        assert_eq!(s.min_duration_ms, Some(1_000));
        assert_eq!(s.avg_duration_ms, Some(2_000));
        assert_eq!(s.max_duration_ms, Some(3_000));
        let epoch = DateTime::<Utc>::UNIX_EPOCH;
        assert_eq!(
            s.last_success,
            Some(epoch + Duration::minutes(40) + Duration::milliseconds(2_001))
        );
        assert_eq!(
            s.last_failure,
            Some(epoch + Duration::minutes(30) + Duration::milliseconds(70))
        );
        assert_eq!(s.last_error.as_deref(), Some("boom at 30"));
    }

    #[test]
    fn no_runs_means_zero_rate_and_no_durations() {
        let s = BackupStats::from_records(&[record(RunOutcome::Running, 0, 0, None)]);
        assert_eq!(s.total_runs, 0);
        assert_eq!(s.success_rate, 0.0);
        assert_eq!(s.avg_duration_ms, None);
        assert_eq!(s.last_success, None);
    }
}
