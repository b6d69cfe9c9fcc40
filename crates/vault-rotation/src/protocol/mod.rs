//! The rotation protocol for one secret: take the lease, recover an interrupted run, revoke a
//! previous value whose grace period is over, decide whether the secret is due, then run the four
//! steps — create, set, test, finish — or, when set or test fails, roll back.
//!
//! Every step is idempotent and keyed by the pending KV version recorded in the secret's
//! metadata, so a run killed after any step is completed (or rolled back) by the next one.
//!
//! Contents: [`Engine`] (entry point and decisions), `steps` (create, complete, finish),
//! `undo` (rollback and restore), `crash` (the test hook).

mod crash;
mod steps;
mod undo;

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use vault_core::{Notifier, VaultClient};
use vault_kv::{KvError, KvExt, KvV2, MetadataRequest, SecretData};

pub use crash::CrashPoint;
pub(crate) use crash::Crashed;

use crate::history::{self, HistoryEvent, HistoryRecord};
use crate::lease::{Lease, LeaseRefused};
use crate::policy::is_gone;
use crate::state::{RotationState, SecretState, rfc3339};
use crate::{
    AfterGrace, RotationContext, RotationError, RotationOutcome, RotationStep, Rotator,
    SecretRotationPolicy, VaultkitPaths,
};

/// What one run of the protocol for one policy produced.
#[derive(Debug)]
pub(crate) struct RunResult {
    pub(crate) outcome: RotationOutcome,
    /// When the policy next needs a look (`None`: at the next check).
    pub(crate) next_wake: Option<DateTime<Utc>>,
}

impl RunResult {
    fn now(outcome: RotationOutcome) -> Self {
        RunResult {
            outcome,
            next_wake: None,
        }
    }
}

/// A step's failure: `Err(Stop::Fail)` ends the run with [`RotationOutcome::Failed`].
pub(crate) enum Stop {
    Fail(RotationStep, RotationError),
    Skip(String),
    Crash(Crashed),
}

impl From<Crashed> for Stop {
    fn from(c: Crashed) -> Self {
        Stop::Crash(c)
    }
}

/// The settings a run needs, borrowed from the orchestrator.
pub(crate) struct Engine<'a> {
    pub(crate) client: &'a VaultClient,
    pub(crate) paths: &'a VaultkitPaths,
    pub(crate) holder: &'a str,
    pub(crate) lease_ttl: Duration,
    pub(crate) dry_run: bool,
    pub(crate) crash_after: Option<CrashPoint>,
    pub(crate) notifier: Option<&'a dyn Notifier>,
}

/// One policy's run: the secret's handle, its metadata as read, and the rotator.
pub(crate) struct Run<'a> {
    pub(crate) engine: &'a Engine<'a>,
    pub(crate) policy: &'a SecretRotationPolicy,
    pub(crate) rotator: &'a dyn Rotator,
    pub(crate) kv: KvV2,
    pub(crate) vk: KvV2,
    pub(crate) lease: Lease,
    /// The user's custom metadata (our keys are replaced on each write).
    pub(crate) base: HashMap<String, String>,
    pub(crate) state: SecretState,
    /// The latest version's data, when the first read could return it.
    pub(crate) latest_data: Option<(u64, SecretData)>,
    pub(crate) now: DateTime<Utc>,
}

impl Engine<'_> {
    /// Runs the protocol for `policy`. `force` (on-demand) ignores due time, window and
    /// `auto_rotate`.
    pub(crate) async fn run(
        &self,
        policy: &SecretRotationPolicy,
        rotator: &dyn Rotator,
        now: DateTime<Utc>,
        force: bool,
    ) -> RunResult {
        let vk = self.client.kv2(self.paths.mount());
        let lease_path = self.paths.lease(&policy.mount, &policy.path);
        let lease = match Lease::acquire(&vk, lease_path, self.holder, self.lease_ttl).await {
            Ok(l) => l,
            Err(LeaseRefused::Held { holder, until }) => {
                return RunResult::now(RotationOutcome::skipped(format!(
                    "another scheduler ({holder}) holds the rotation lease until {}",
                    rfc3339(until)
                )));
            }
            Err(LeaseRefused::Error(e)) => {
                return RunResult::now(RotationOutcome::Failed {
                    step: RotationStep::Prepare,
                    reason: e.to_string(),
                });
            }
        };
        let kv = self.client.kv2(&policy.mount);
        let (base, latest, latest_data) = match read_latest(&kv, &policy.path).await {
            Ok(found) => found,
            Err(e) => {
                lease.release(&vk).await;
                return RunResult::now(RotationOutcome::Failed {
                    step: RotationStep::Prepare,
                    reason: RotationError::from(e).to_string(),
                });
            }
        };
        let state = SecretState::from_metadata(&base);
        let mut run = Run {
            engine: self,
            policy,
            rotator,
            kv,
            vk,
            lease,
            base,
            state,
            latest_data,
            now,
        };
        let result = run.decide(latest, force).await;
        let Run { lease, vk, .. } = run;
        match result {
            Ok(r) => {
                lease.release(&vk).await;
                r
            }
            Err(Stop::Skip(reason)) => {
                lease.release(&vk).await;
                RunResult::now(RotationOutcome::Skipped { reason })
            }
            Err(Stop::Fail(step, e)) => {
                lease.release(&vk).await;
                RunResult::now(RotationOutcome::Failed {
                    step,
                    reason: e.to_string(),
                })
            }
            Err(Stop::Crash(Crashed(point))) => RunResult::now(RotationOutcome::Failed {
                step: match point {
                    CrashPoint::AfterCreate => RotationStep::Create,
                    CrashPoint::AfterSet => RotationStep::Set,
                    CrashPoint::AfterTest => RotationStep::Test,
                    CrashPoint::AfterFinish => RotationStep::Finish,
                },
                reason: "simulated crash (the lease and state stay as a killed run leaves them)"
                    .to_string(),
            }),
        }
    }
}

impl Run<'_> {
    /// Recovery first, then the grace period, then due-ness, then a fresh rotation.
    async fn decide(
        &mut self,
        latest: Option<(u64, String)>,
        force: bool,
    ) -> Result<RunResult, Stop> {
        let latest_version = latest.as_ref().map_or(0, |(v, _)| *v);
        match (self.state.status, self.state.pending_version) {
            (RotationState::Pending, Some(n)) if latest_version >= n => {
                return self.resume(n).await;
            }
            (RotationState::RollingBack, Some(n)) => return self.resume_rollback(n).await,
            (RotationState::Pending | RotationState::RollingBack, _) => {
                // The pending write never landed: nothing to undo.
                self.state.status = RotationState::Idle;
                self.state.pending_version = None;
                self.state.attempt = None;
            }
            _ => {}
        }
        self.revoke_after_grace().await?;
        if !force {
            if let Some(reason) = self.not_startable() {
                return Err(Stop::Skip(reason));
            }
            let updated = latest
                .as_ref()
                .and_then(|(_, t)| DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.with_timezone(&Utc));
            let last = self.state.last_rotated.or(updated);
            let next = last.and_then(|l| self.policy.next_due_after(l));
            if let Some(next) = next
                && next > self.now
                && self.state.status != RotationState::Failed
            {
                return Ok(RunResult {
                    outcome: RotationOutcome::skipped(format!("not due until {}", rfc3339(next))),
                    next_wake: Some(self.wake(next)),
                });
            }
        }
        if self.engine.dry_run {
            return Err(Stop::Skip(match latest_version {
                0 => "dry run: would create the secret's first value".to_string(),
                v => format!("dry run: would rotate version {v}"),
            }));
        }
        self.create(latest_version).await
    }

    fn not_startable(&self) -> Option<String> {
        if self.policy.rotation_type == crate::RotationType::OnDemand {
            Some("on-demand policy: rotates only when asked".to_string())
        } else if !self.policy.auto_rotate {
            Some("auto_rotate is off: rotates only when asked".to_string())
        } else if !self.policy.may_start_at(self.now) {
            Some("outside the rotation window".to_string())
        } else {
            None
        }
    }

    /// The earlier of `next` and the end of a grace period that still needs a revoke.
    pub(crate) fn wake(&self, next: DateTime<Utc>) -> DateTime<Utc> {
        match (self.state.grace_until, self.state.previous_revoked) {
            (Some(g), false) if self.policy.after_grace != AfterGrace::Keep => g.min(next),
            _ => next,
        }
    }

    pub(crate) fn ctx(
        &self,
        current: Option<u64>,
        pending: Option<u64>,
        attempt: &str,
    ) -> RotationContext {
        RotationContext {
            policy: self.policy.name.clone(),
            mount: self.policy.mount.clone(),
            path: self.policy.path.clone(),
            current_version: current,
            pending_version: pending,
            attempt_id: attempt.to_string(),
        }
    }

    /// Writes the state into the secret's custom metadata.
    pub(crate) async fn save_state(&self) -> Result<(), RotationError> {
        let request = MetadataRequest {
            custom_metadata: Some(self.state.to_metadata(&self.base)),
            ..MetadataRequest::default()
        };
        Ok(self.kv.write_metadata(&self.policy.path, &request).await?)
    }

    /// Reads version `v` (empty for version 0: the secret did not exist).
    pub(crate) async fn read_version(&self, v: u64) -> Result<SecretData, RotationError> {
        if v == 0 {
            return Ok(SecretData::default());
        }
        Ok(self.kv.read_version(&self.policy.path, v).await?.data)
    }

    pub(crate) fn crash_if(&self, point: CrashPoint) -> Result<(), Crashed> {
        match self.engine.crash_after {
            Some(p) if p == point => Err(Crashed(point)),
            _ => Ok(()),
        }
    }

    pub(crate) async fn record(
        &self,
        attempt: &str,
        from: Option<u64>,
        to: Option<u64>,
        event: HistoryEvent,
    ) {
        let record = HistoryRecord {
            attempt_id: attempt.to_string(),
            policy: self.policy.name.clone(),
            at: Utc::now(),
            from_version: from,
            to_version: to,
            event,
            actor: self.engine.holder.to_string(),
        };
        if let Err(e) = history::append(
            &self.vk,
            self.engine.paths,
            &self.policy.mount,
            &self.policy.path,
            record,
        )
        .await
        {
            tracing::warn!(policy = %self.policy.name, error = %e, "recording rotation history failed");
        }
    }

    /// After the grace period: the rotator revokes the previous value, which may then be
    /// soft-deleted.
    async fn revoke_after_grace(&mut self) -> Result<(), Stop> {
        let (Some(prev), Some(until)) = (self.state.previous_version, self.state.grace_until)
        else {
            return Ok(());
        };
        if self.state.previous_revoked
            || until > self.now
            || self.policy.after_grace == AfterGrace::Keep
        {
            return Ok(());
        }
        let attempt = new_attempt_id();
        let ctx = self.ctx(self.state.current_version, None, &attempt);
        match self.kv.read_version(&self.policy.path, prev).await {
            Ok(previous) => {
                if let Err(e) = self.rotator.revoke(&ctx, &previous.data).await {
                    let reason = e.to_string();
                    self.record(
                        &attempt,
                        Some(prev),
                        None,
                        HistoryEvent::Failed {
                            step: RotationStep::Revoke,
                            reason,
                        },
                    )
                    .await;
                    return Err(Stop::Fail(RotationStep::Revoke, e));
                }
                if self.policy.after_grace == AfterGrace::RevokeAndDelete {
                    self.kv
                        .delete_versions(&self.policy.path, &[prev])
                        .await
                        .map_err(|e| Stop::Fail(RotationStep::Revoke, e.into()))?;
                }
            }
            Err(e) if is_gone(&e) => {}
            Err(e) => return Err(Stop::Fail(RotationStep::Revoke, e.into())),
        }
        self.state.previous_revoked = true;
        self.save_state()
            .await
            .map_err(|e| Stop::Fail(RotationStep::Revoke, e))?;
        self.record(&attempt, Some(prev), None, HistoryEvent::Revoked)
            .await;
        Ok(())
    }
}

/// The secret's custom metadata, its latest version with the time it was written, and that
/// version's data — one `GET` for a readable secret; a missing or deleted latest version costs a
/// metadata read too.
async fn read_latest(
    kv: &KvV2,
    path: &str,
) -> Result<
    (
        HashMap<String, String>,
        Option<(u64, String)>,
        Option<(u64, SecretData)>,
    ),
    KvError,
> {
    match kv.read(path).await {
        Ok(s) => {
            let v = s.metadata.version.unwrap_or(0);
            Ok((
                s.metadata.custom_metadata,
                Some((v, s.metadata.created_time)),
                Some((v, s.data)),
            ))
        }
        Err(e) if is_gone(&e) => match kv.read_metadata(path).await {
            Ok(m) => Ok((
                m.custom_metadata,
                Some((m.current_version, m.updated_time)),
                None,
            )),
            Err(e) if is_gone(&e) => Ok((HashMap::new(), None, None)),
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    }
}

/// A fresh attempt id (16 hex digits).
pub(crate) fn new_attempt_id() -> String {
    format!("{:016x}", rand::random::<u64>())
}
