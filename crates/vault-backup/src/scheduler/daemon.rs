//! Daemon mode: sleep until the next slot, run what is due, check for overdue backups, stop
//! cleanly when asked.

use std::future::Future;

use chrono::{DateTime, Duration, Utc};

use super::core::BackupScheduler;
use crate::BackupError;

/// The longest single sleep: the clock is looked at again at least this often, so a changed
/// system clock or a suspended machine delays a slot by at most this much.
const MAX_SLEEP: Duration = Duration::minutes(1);

impl BackupScheduler {
    /// Runs until `shutdown` completes: sleeps until the next slot of any schedule, runs every
    /// schedule due then (claiming the slot, so schedulers sharing a store take turns), and
    /// checks for an overdue backup after each slot and at least every ten minutes.
    ///
    /// Shutdown is graceful: a signal that arrives while a backup runs lets that backup finish
    /// and record its outcome, then the loop ends. Slots that pass while a backup runs are
    /// skipped (logged), never run late in a burst. No schedule is a `Config` error.
    ///
    /// ```no_run
    /// # async fn demo(scheduler: vault_backup::BackupScheduler) -> Result<(), vault_backup::BackupError> {
    /// scheduler.run_daemon(async { let _ = tokio::signal::ctrl_c().await; }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn run_daemon(&self, shutdown: impl Future<Output = ()>) -> Result<(), BackupError> {
        if self.schedules.is_empty() {
            return Err(
                BackupError::config("the scheduler has no schedule to run").with_hint(
                    "add one with schedule_daily, schedule_weekly, schedule_monthly or schedule",
                ),
            );
        }
        tokio::pin!(shutdown);
        let mut cursor = Utc::now();
        let mut next_stale_check = cursor;
        loop {
            let Some((slot, _)) = self.next_slot(cursor) else {
                tracing::info!("no schedule fires again; the scheduler stops");
                return Ok(());
            };
            let now = Utc::now();
            if now >= next_stale_check {
                self.stale_check(now).await;
                next_stale_check = now + Duration::minutes(10);
            }
            if now < slot {
                let wake = slot.min(next_stale_check).min(now + MAX_SLEEP);
                let nap = (wake - now).to_std().unwrap_or_default();
                tokio::select! {
                    () = &mut shutdown => return Ok(()),
                    () = tokio::time::sleep(nap) => continue,
                }
            }
            self.run_due(slot).await;
            // Slots that passed while the backups ran are skipped, not run late in a burst.
            cursor = slot.max(Utc::now());
            self.stale_check(Utc::now()).await;
            // A shutdown requested during the run ends the loop now.
            if futures_util::FutureExt::now_or_never(&mut shutdown).is_some() {
                return Ok(());
            }
        }
    }

    /// Runs every schedule due at `slot`, one after the other.
    async fn run_due(&self, slot: DateTime<Utc>) {
        let due: Vec<_> = self
            .next_slot(slot - Duration::nanoseconds(1))
            .map(|(_, due)| due.into_iter().cloned().collect())
            .unwrap_or_default();
        for entry in &due {
            match self.run_slot(entry, slot).await {
                Ok(Some(record)) => tracing::info!(
                    schedule = %entry.name, %slot, outcome = ?record.outcome, "scheduled backup ran"
                ),
                Ok(None) => {}
                Err(e) => {
                    tracing::error!(schedule = %entry.name, %slot, error = %e, "scheduled backup not recorded")
                }
            }
        }
    }

    async fn stale_check(&self, now: DateTime<Utc>) {
        if let Err(e) = self.alert_if_stale(now).await {
            tracing::warn!(error = %e, "cannot check for overdue backups");
        }
    }
}
