//! [`BackupScheduler`]: schedules, runs (manual and per slot), statistics and the stale check.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Duration, Utc};
use vault_core::{BlobStore, ByteStream, Notifier};

use super::alert;
use super::job::{BackupJob, BackupRequest};
use super::record::{self, RUNS_DIR, RunOutcome, RunRecord};
use super::schedule::Schedule;
use super::stats::BackupStats;
use crate::BackupError;

/// One named schedule and the backup it takes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ScheduledBackup {
    /// A short name (`daily`, `weekly`, …): the folder of its run records.
    pub name: String,
    /// When it runs.
    pub schedule: Schedule,
    /// What it takes.
    pub request: BackupRequest,
}

/// Why no recent backup exists: the stale-backup alert.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StaleBackup {
    /// End of the latest successful run, if any.
    pub last_success: Option<DateTime<Utc>>,
    /// The longest gap the schedules allow, plus the grace period.
    pub allowed_gap: Duration,
    /// When the check ran.
    pub checked_at: DateTime<Utc>,
}

/// Runs backups on schedules, records every run in the backup store, reports statistics, and
/// notifies people of failures and of overdue backups.
///
/// The Python module's `BackupScheduler(snapshot_manager, notify_on_failure=True,
/// notify_emails=[...])`: the snapshot engine is any [`BackupJob`] (the `SnapshotManager`
/// implements it), and `notify_emails` becomes an [`SmtpNotifier`](vault_core::SmtpNotifier)
/// added with [`with_notifier`](Self::with_notifier), beside webhooks or any other
/// [`Notifier`].
///
/// ```no_run
/// # async fn demo(client: vault_core::VaultClient) -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// use vault_backup::{BackupRequest, BackupScheduler, Recipients, Schedule, SnapshotManager};
/// use vault_core::{LocalDirStore, SmtpNotifier, SmtpSecurity};
///
/// let store = Arc::new(LocalDirStore::new("/var/backups/vault")?);
/// let manager = SnapshotManager::builder(client, store.clone())
///     .with_recipients(Recipients::from_files(&["/etc/vault-backup/ops.asc".into()])?)
///     .build()?;
/// let email = SmtpNotifier::builder("smtp.example.com")
///     .with_security(SmtpSecurity::StartTls)
///     .with_credentials_from_env("SMTP_USER", "SMTP_PASSWORD")
///     .with_from("vaultkit <backup@example.com>")
///     .with_to("ops@example.com")
///     .build()?;
/// let mut scheduler = BackupScheduler::new(Arc::new(manager), store).with_notifier(Arc::new(email));
/// scheduler.schedule_daily(2, 0)?;
/// scheduler.schedule_weekly(0, 3)?;
/// scheduler.schedule_monthly(1, 3)?;
/// scheduler.schedule("kv-hourly", Schedule::cron("15 * * * *")?, BackupRequest::logical("secret"))?;
///
/// let stats = scheduler.get_backup_stats().await?;
/// println!("{} runs, {:.0}% succeeded", stats.total_runs, stats.success_rate * 100.0);
/// scheduler.run_daemon(async { let _ = tokio::signal::ctrl_c().await; }).await?;
/// # Ok(()) }
/// ```
pub struct BackupScheduler {
    pub(super) job: Arc<dyn BackupJob>,
    pub(super) store: Arc<dyn BlobStore>,
    pub(super) prefix: String,
    pub(super) instance: String,
    pub(super) schedules: Vec<ScheduledBackup>,
    pub(super) notifiers: Vec<Arc<dyn Notifier>>,
    pub(super) notify_on_failure: bool,
    pub(super) stale_grace: Duration,
    pub(super) started_at: DateTime<Utc>,
    pub(super) last_stale_alert: Mutex<Option<DateTime<Utc>>>,
}

impl fmt::Debug for BackupScheduler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BackupScheduler")
            .field("job", &self.job)
            .field("store", &self.store)
            .field("prefix", &self.prefix)
            .field("instance", &self.instance)
            .field("schedules", &self.schedules)
            .field("notifiers", &self.notifiers)
            .field("notify_on_failure", &self.notify_on_failure)
            .finish_non_exhaustive()
    }
}

/// Schedule names: 1–64 of `a-z 0-9 - _`, not `manual`.
fn check_name(name: &str) -> Result<(), BackupError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name != "manual"
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(BackupError::config(format!(
            "schedule name `{}` is not allowed",
            name.escape_debug()
        ))
        .with_hint("use 1–64 of a-z, 0-9, `-`, `_` (and not `manual`)"))
    }
}

impl BackupScheduler {
    /// A scheduler running `job`, recording runs in `store`; no schedule yet, failure
    /// notifications on, a one-hour grace before a backup counts as overdue.
    pub fn new(job: Arc<dyn BackupJob>, store: Arc<dyn BlobStore>) -> Self {
        let instance = std::env::var("HOSTNAME")
            .ok()
            .filter(|h| !h.is_empty() && h.len() <= 64 && !h.contains(char::is_control))
            .unwrap_or_else(|| "scheduler".to_string());
        BackupScheduler {
            job,
            store,
            prefix: String::new(),
            instance,
            schedules: Vec::new(),
            notifiers: Vec::new(),
            notify_on_failure: true,
            stale_grace: Duration::hours(1),
            started_at: Utc::now(),
            last_stale_alert: Mutex::new(None),
        }
    }

    /// Keeps run records under `prefix` (e.g. `prod/`, the snapshot manager's prefix).
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// The name this scheduler writes into its run records (default: `$HOSTNAME`).
    pub fn with_instance_name(mut self, name: impl Into<String>) -> Self {
        self.instance = name.into();
        self
    }

    /// Adds a channel told about failures and overdue backups.
    pub fn with_notifier(mut self, notifier: Arc<dyn Notifier>) -> Self {
        self.notifiers.push(notifier);
        self
    }

    /// Whether failed runs are notified (default `true`); overdue alerts are sent either way.
    pub fn notify_on_failure(mut self, on: bool) -> Self {
        self.notify_on_failure = on;
        self
    }

    /// How long past the schedules' longest gap a backup may be late before the stale-backup
    /// alert (default one hour: a backup's own run time).
    pub fn with_stale_grace(mut self, grace: std::time::Duration) -> Self {
        self.stale_grace = Duration::from_std(grace).unwrap_or(Duration::hours(1));
        self
    }

    /// Adds a named schedule taking `request`; a name already in use is a `Config` error.
    pub fn schedule(
        &mut self,
        name: &str,
        schedule: Schedule,
        request: BackupRequest,
    ) -> Result<&mut Self, BackupError> {
        check_name(name)?;
        if self.schedules.iter().any(|s| s.name == name) {
            return Err(BackupError::config(format!(
                "a schedule named `{name}` exists already"
            )));
        }
        self.schedules.push(ScheduledBackup {
            name: name.to_string(),
            schedule,
            request,
        });
        Ok(self)
    }

    /// `daily`: a full backup every day at `hour:minute` UTC (Python default 02:00).
    pub fn schedule_daily(&mut self, hour: u32, minute: u32) -> Result<&mut Self, BackupError> {
        self.schedule(
            "daily",
            Schedule::daily(hour, minute)?,
            BackupRequest::full(),
        )
    }

    /// `weekly`: a full backup every week on `day_of_week` (0 = Monday) at `hour:00` UTC
    /// (Python default Monday 03:00).
    pub fn schedule_weekly(
        &mut self,
        day_of_week: u32,
        hour: u32,
    ) -> Result<&mut Self, BackupError> {
        self.schedule(
            "weekly",
            Schedule::weekly(day_of_week, hour, 0)?,
            BackupRequest::full(),
        )
    }

    /// `monthly`: a full backup every month on `day_of_month` at `hour:00` UTC (Python default
    /// the 1st at 03:00; days past a month's end run on its last day).
    pub fn schedule_monthly(
        &mut self,
        day_of_month: u32,
        hour: u32,
    ) -> Result<&mut Self, BackupError> {
        self.schedule(
            "monthly",
            Schedule::monthly(day_of_month, hour, 0)?,
            BackupRequest::full(),
        )
    }

    /// The configured schedules.
    pub fn schedules(&self) -> &[ScheduledBackup] {
        &self.schedules
    }

    /// The earliest slot strictly after `t` and the schedules due then.
    pub fn next_slot(&self, t: DateTime<Utc>) -> Option<(DateTime<Utc>, Vec<&ScheduledBackup>)> {
        let next = self
            .schedules
            .iter()
            .filter_map(|s| s.schedule.next_after(t))
            .min()?;
        let due = self
            .schedules
            .iter()
            .filter(|s| s.schedule.next_after(t) == Some(next))
            .collect();
        Some((next, due))
    }

    fn runs_dir(&self) -> String {
        format!("{}{RUNS_DIR}", self.prefix)
    }

    fn record_key(&self, schedule: &str, name: &str) -> String {
        format!("{}{schedule}/{name}.json", self.runs_dir())
    }

    /// Runs `request` now (the Python module's `run_backup`), records it under
    /// `runs/manual/`, and notifies on failure. A failed backup is an `Ok` record with outcome
    /// `Failure`; `Err` means the run could not be recorded.
    pub async fn run_backup(&self, request: &BackupRequest) -> Result<RunRecord, BackupError> {
        let now = Utc::now();
        let name = format!(
            "{}-{:08x}",
            now.format("%Y%m%dT%H%M%S%.3fZ"),
            rand::random::<u32>()
        );
        let key = self.record_key("manual", &name);
        let record = self.start_record("manual", now, request);
        vault_core::BlobStoreExt::put_bytes(&*self.store, &key, record::to_json(&record)?)
            .await
            .map_err(|e| record::store_error("write", &key, e))?;
        self.finish(record, &key).await
    }

    /// Runs schedule `entry` for `slot` unless another scheduler claimed that slot first
    /// (`Ok(None)`). The claim is the slot's run record, created with
    /// [`BlobStore::put_if_absent`]: of several schedulers sharing a store, exactly one runs
    /// each slot.
    pub async fn run_slot(
        &self,
        entry: &ScheduledBackup,
        slot: DateTime<Utc>,
    ) -> Result<Option<RunRecord>, BackupError> {
        let key = self.record_key(&entry.name, &record::slot_name(slot));
        let record = self.start_record(&entry.name, slot, &entry.request);
        let bytes = record::to_json(&record)?;
        let stream: ByteStream = Box::pin(futures_util::stream::once(async move { Ok(bytes) }));
        let claimed = self
            .store
            .put_if_absent(&key, stream)
            .await
            .map_err(|e| record::store_error("claim", &key, e))?;
        if claimed.is_none() {
            tracing::info!(schedule = %entry.name, %slot, "slot already claimed by another scheduler");
            return Ok(None);
        }
        self.finish(record, &key).await.map(Some)
    }

    fn start_record(
        &self,
        schedule: &str,
        slot: DateTime<Utc>,
        request: &BackupRequest,
    ) -> RunRecord {
        RunRecord {
            schedule: schedule.to_string(),
            slot,
            instance: self.instance.clone(),
            request: request.clone(),
            started_at: Utc::now(),
            finished_at: None,
            outcome: RunOutcome::Running,
            snapshot_id: None,
            size_bytes: None,
            error: None,
        }
    }

    /// Runs the job for a claimed record, stores the outcome, notifies on failure.
    async fn finish(&self, mut record: RunRecord, key: &str) -> Result<RunRecord, BackupError> {
        let result = self.job.run(&record.request).await;
        record.finished_at = Some(Utc::now());
        match result {
            Ok(summary) => {
                record.outcome = RunOutcome::Success;
                record.snapshot_id = Some(summary.snapshot_id);
                record.size_bytes = Some(summary.size_bytes);
            }
            Err(e) => {
                tracing::warn!(schedule = %record.schedule, error = %e, "backup failed");
                record.outcome = RunOutcome::Failure;
                record.error = Some(e.to_string());
            }
        }
        let stored =
            vault_core::BlobStoreExt::put_bytes(&*self.store, key, record::to_json(&record)?)
                .await
                .map_err(|e| record::store_error("write", key, e));
        if record.outcome == RunOutcome::Failure && self.notify_on_failure {
            alert::send(&self.notifiers, &alert::failure(&record)).await;
        }
        stored?;
        Ok(record)
    }

    /// Every run record in the store (all schedulers sharing it), oldest slot first.
    pub async fn runs(&self) -> Result<Vec<RunRecord>, BackupError> {
        let (mut records, _) = record::read_all(&*self.store, &self.runs_dir()).await?;
        records.sort_by_key(|r| (r.slot, r.started_at));
        Ok(records)
    }

    /// The Python module's `get_backup_stats()`: counts, sizes, last success and failure,
    /// success rate and durations over every run record in the store.
    pub async fn get_backup_stats(&self) -> Result<BackupStats, BackupError> {
        let (records, unreadable) = record::read_all(&*self.store, &self.runs_dir()).await?;
        let mut stats = BackupStats::from_records(&records);
        stats.unreadable_records = unreadable as u64;
        Ok(stats)
    }

    /// The gap after which a backup is overdue: the shortest of the schedules' longest gaps
    /// plus the grace period; `None` without schedules.
    pub fn allowed_gap(&self, now: DateTime<Utc>) -> Option<Duration> {
        self.schedules
            .iter()
            .map(|s| s.schedule.max_interval(now))
            .min()
            .map(|gap| gap + self.stale_grace)
    }

    /// `Some` when no run succeeded within [`allowed_gap`](Self::allowed_gap) before `now`
    /// (counting from the scheduler's creation when no run ever succeeded).
    pub async fn check_stale(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Option<StaleBackup>, BackupError> {
        let Some(allowed_gap) = self.allowed_gap(now) else {
            return Ok(None);
        };
        let last_success = self.get_backup_stats().await?.last_success;
        let since = last_success.unwrap_or(self.started_at);
        Ok((now - since > allowed_gap).then_some(StaleBackup {
            last_success,
            allowed_gap,
            checked_at: now,
        }))
    }

    /// Runs [`check_stale`](Self::check_stale) and notifies every channel when a backup is
    /// overdue, at most once per allowed gap. Returns the alert when one was sent.
    pub async fn alert_if_stale(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Option<StaleBackup>, BackupError> {
        let Some(stale) = self.check_stale(now).await? else {
            return Ok(None);
        };
        {
            let mut last = self
                .last_stale_alert
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if last.is_some_and(|t| now - t < stale.allowed_gap) {
                return Ok(None);
            }
            *last = Some(now);
        }
        alert::send(&self.notifiers, &alert::stale(&stale, &self.instance)).await;
        Ok(Some(stale))
    }
}
