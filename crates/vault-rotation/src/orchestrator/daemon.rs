//! The daemon loop: run the due rotations every check interval (plus jitter) until told to stop.

use std::time::Duration;

use tokio::sync::watch;

use super::RotationOrchestrator;

impl RotationOrchestrator {
    /// Runs [`RotationOrchestrator::run_rotations`] every check interval of the scheduler (plus
    /// up to its jitter) until `shutdown` turns `true` or its sender is dropped. A run in
    /// progress finishes first: shutdown never stops a rotation between two steps. Returns the
    /// number of runs.
    pub async fn run_daemon(&self, mut shutdown: watch::Receiver<bool>) -> u64 {
        let mut runs = 0;
        loop {
            if *shutdown.borrow_and_update() {
                break;
            }
            let outcomes = self.run_rotations().await;
            runs += 1;
            let rotated = outcomes.iter().filter(|o| o.outcome.is_rotated()).count();
            let failed = outcomes.iter().filter(|o| o.outcome.is_failed()).count();
            tracing::info!(
                policies = outcomes.len(),
                rotated,
                failed,
                "rotation check done"
            );
            let wait = {
                let s = self.scheduler();
                let jitter_ms = u64::try_from(s.jitter().as_millis()).unwrap_or(u64::MAX);
                let extra = if jitter_ms == 0 {
                    0
                } else {
                    rand::random::<u64>() % jitter_ms
                };
                s.check_interval() + Duration::from_millis(extra)
            };
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                changed = shutdown.changed() => {
                    if changed.is_err() || *shutdown.borrow() {
                        break;
                    }
                }
            }
        }
        runs
    }
}
