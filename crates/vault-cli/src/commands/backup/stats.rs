//! `backup stats`: figures over the store's run records, overall and per schedule, and whether a
//! schedule's backup is overdue. Exit code [`EXIT_OVERDUE`] when one is, so that monitoring can
//! run the command as a check.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use vault_backup::{
    BackupError, BackupJob, BackupRequest, BackupRunSummary, BackupScheduler, BackupStats,
    RunRecord,
};

use super::schedule::{open, prefix};
use super::schedule_file::{self as file, LoadedSchedule};
use super::{backup_error, schedule};
use crate::args::backup::StoreArgs;
use crate::commands::Ctx;
use crate::error::CliResult;
use crate::output::Table;

/// The exit code of `backup stats` when a schedule's backup is overdue.
pub(crate) const EXIT_OVERDUE: u8 = 7;

/// Reads the run records only: `stats` never takes a backup, so its scheduler's job refuses to.
#[derive(Debug)]
struct ReadOnly;

#[async_trait]
impl BackupJob for ReadOnly {
    async fn run(&self, _: &BackupRequest) -> Result<BackupRunSummary, BackupError> {
        Err(BackupError::config("`backup stats` does not take backups"))
    }
}

/// One schedule's figures.
struct PerSchedule<'a> {
    schedule: &'a LoadedSchedule,
    stats: BackupStats,
    allowed_gap: Duration,
    overdue: bool,
    next: Option<DateTime<Utc>>,
}

pub(crate) async fn run(ctx: &Ctx, store: &StoreArgs, grace_minutes: u32) -> CliResult<u8> {
    let blobs = open(store).await?;
    let schedules = file::read_all(&*blobs, prefix(store)).await?;
    let scheduler = BackupScheduler::new(Arc::new(ReadOnly), blobs).with_prefix(prefix(store));
    let overall = scheduler.get_backup_stats().await.map_err(backup_error)?;
    let runs = scheduler.runs().await.map_err(backup_error)?;
    let now = Utc::now();
    let grace = Duration::minutes(i64::from(grace_minutes));
    let per: Vec<PerSchedule<'_>> = schedules
        .iter()
        .map(|s| figures(s, &runs, now, grace))
        .collect();
    let overdue = per.iter().any(|p| p.overdue);
    let value = json!({
        "total_runs": overall.total_runs,
        "successful_runs": overall.successful_runs,
        "failed_runs": overall.failed_runs,
        "running": overall.running,
        "total_size_bytes": overall.total_size_bytes,
        "last_success": overall.last_success.map(|t| t.to_rfc3339()),
        "last_failure": overall.last_failure.map(|t| t.to_rfc3339()),
        "last_error": overall.last_error,
        "success_rate": overall.success_rate,
        "min_duration_ms": overall.min_duration_ms,
        "avg_duration_ms": overall.avg_duration_ms,
        "max_duration_ms": overall.max_duration_ms,
        "unreadable_records": overall.unreadable_records,
        "overdue": overdue,
        "schedules": per.iter().map(|p| json!({
            "name": p.schedule.file.name,
            "type": schedule::what(p.schedule),
            "runs": p.stats.total_runs,
            "successful_runs": p.stats.successful_runs,
            "failed_runs": p.stats.failed_runs,
            "last_success": p.stats.last_success.map(|t| t.to_rfc3339()),
            "last_failure": p.stats.last_failure.map(|t| t.to_rfc3339()),
            "next": p.next.map(|t| t.to_rfc3339()),
            "allowed_gap_minutes": p.allowed_gap.num_minutes(),
            "overdue": p.overdue,
        })).collect::<Vec<_>>(),
    });
    ctx.out().print(&value, || {
        let mut t = Table::new([
            "Schedule",
            "Runs",
            "OK",
            "Failed",
            "Last success",
            "Overdue",
        ]);
        t.push([
            "(all)".to_string(),
            overall.total_runs.to_string(),
            overall.successful_runs.to_string(),
            overall.failed_runs.to_string(),
            time(overall.last_success),
            String::new(),
        ]);
        for p in &per {
            t.push([
                p.schedule.file.name.clone(),
                p.stats.total_runs.to_string(),
                p.stats.successful_runs.to_string(),
                p.stats.failed_runs.to_string(),
                time(p.stats.last_success),
                if p.overdue { "OVERDUE" } else { "no" }.to_string(),
            ]);
        }
        t
    })?;
    if !ctx.global.quiet {
        let rate = overall.success_rate * 100.0;
        let size = overall.total_size_bytes;
        let avg = overall.avg_duration_ms.map_or_else(
            || "-".to_string(),
            |ms| format!("{:.1}s", ms as f64 / 1000.0),
        );
        ctx.out().info(&format!(
            "success rate {rate:.0}%, {size} bytes stored, average run {avg}"
        ));
    }
    Ok(if overdue { EXIT_OVERDUE } else { 0 })
}

/// The figures of schedule `s` at `now`: overdue when no run of it succeeded within its longest
/// gap plus `grace` (counting from when it was added if none ever did).
fn figures<'a>(
    s: &'a LoadedSchedule,
    runs: &[RunRecord],
    now: DateTime<Utc>,
    grace: Duration,
) -> PerSchedule<'a> {
    let mine: Vec<RunRecord> = runs
        .iter()
        .filter(|r| r.schedule == s.file.name)
        .cloned()
        .collect();
    let stats = BackupStats::from_records(&mine);
    let allowed_gap = s.schedule.max_interval(now) + grace;
    let since = stats.last_success.unwrap_or(s.file.created_at);
    PerSchedule {
        schedule: s,
        overdue: now - since > allowed_gap,
        allowed_gap,
        next: s.schedule.next_after(now),
        stats,
    }
}

fn time(t: Option<DateTime<Utc>>) -> String {
    t.map_or_else(
        || "never".to_string(),
        |t| t.format("%Y-%m-%d %H:%M UTC").to_string(),
    )
}
