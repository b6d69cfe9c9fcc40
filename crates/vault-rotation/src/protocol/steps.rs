//! The forward steps: create (generate, mark pending, write with `cas`), set, test, finish —
//! and the resumption of a run that stopped between them.

use chrono::Utc;
use vault_kv::{KvErrorKind, SecretData, WriteSecretRequest};

use super::{CrashPoint, Run, RunResult, Stop, new_attempt_id};
use crate::history::HistoryEvent;
use crate::state::RotationState;
use crate::{RotationContext, RotationError, RotationOutcome, RotationStep};

impl Run<'_> {
    /// Step 1: a new value, written as KV version `cur + 1` with `cas = cur`, marked pending.
    pub(super) async fn create(&mut self, cur: u64) -> Result<RunResult, Stop> {
        let fail = |e: RotationError| Stop::Fail(RotationStep::Create, e);
        let n = cur.checked_add(1).ok_or_else(|| {
            fail(RotationError::config(format!(
                "secret `{}/{}` is at the highest version number",
                self.policy.mount, self.policy.path
            )))
        })?;
        let known = match self.latest_data.take() {
            Some((v, data)) if v == cur => Some(data),
            _ => None,
        };
        let current = match known {
            Some(data) => Ok(data),
            None => self.read_version(cur).await,
        };
        let current = current.map_err(|e| {
            fail(e.with_hint(
                "the current version cannot be read; undelete it or write a new value first",
            ))
        })?;
        let attempt = new_attempt_id();
        let current_version = (cur > 0).then_some(cur);
        let ctx = self.ctx(current_version, None, &attempt);
        let new = match self.rotator.generate(&ctx, &current).await {
            Ok(new) => new,
            Err(e) => {
                let reason = e.to_string();
                self.record(
                    &attempt,
                    current_version,
                    None,
                    HistoryEvent::Failed {
                        step: RotationStep::Create,
                        reason,
                    },
                )
                .await;
                self.notify_failure(RotationStep::Create, &e, current_version)
                    .await;
                return Err(fail(e));
            }
        };
        self.lease
            .keep(&self.vk)
            .await
            .map_err(|e| Stop::Skip(e.to_string()))?;
        let before = self.state.clone();
        self.state.status = RotationState::Pending;
        self.state.current_version = current_version;
        self.state.pending_version = Some(n);
        self.state.attempt = Some(attempt.clone());
        self.save_state().await.map_err(fail)?;

        let request = WriteSecretRequest::new(new.expose().clone()).with_cas(cur);
        match self.kv.write(&self.policy.path, &request).await {
            Ok(_) => {}
            Err(e) => {
                let cas = e.kind() == KvErrorKind::CasMismatch;
                // Put the state back unless the winner already replaced it.
                self.state = before;
                if let Ok(m) = self.kv.read_metadata(&self.policy.path).await
                    && m.custom_metadata.get("rotation_attempt") == Some(&attempt)
                {
                    let _ = self.save_state().await;
                }
                if cas {
                    return Err(Stop::Skip(format!(
                        "another scheduler rotated it (check-and-set on version {cur} failed)"
                    )));
                }
                return Err(fail(e.into()));
            }
        }
        self.crash_if(CrashPoint::AfterCreate)?;
        let ctx = self.ctx(current_version, Some(n), &attempt);
        self.complete(ctx, current, new).await
    }

    /// Continues a run that stopped after create, set or test: same attempt, same value.
    pub(super) async fn resume(&mut self, n: u64) -> Result<RunResult, Stop> {
        let cur = self.state.current_version.unwrap_or(0);
        let attempt = self.state.attempt.clone().unwrap_or_else(new_attempt_id);
        tracing::info!(policy = %self.policy.name, pending = n, "completing an interrupted rotation");
        let current = self
            .read_version(cur)
            .await
            .map_err(|e| Stop::Fail(RotationStep::Prepare, e))?;
        let ctx = self.ctx(self.state.current_version, Some(n), &attempt);
        let new = match self.read_version(n).await {
            Ok(new) => new,
            Err(e) => {
                return self
                    .fail(RotationStep::Create, e, ctx, current, SecretData::default())
                    .await;
            }
        };
        self.complete(ctx, current, new).await
    }

    /// Steps 2–4: set, test, finish; a failure in set or test rolls back.
    async fn complete(
        &mut self,
        ctx: RotationContext,
        current: SecretData,
        new: SecretData,
    ) -> Result<RunResult, Stop> {
        if let Err(e) = self.lease.keep(&self.vk).await {
            return Err(Stop::Skip(e.to_string()));
        }
        if let Err(e) = self.rotator.set(&ctx, &current, &new).await {
            return self.fail(RotationStep::Set, e, ctx, current, new).await;
        }
        self.crash_if(CrashPoint::AfterSet)?;
        if let Err(e) = self.rotator.test(&ctx, &new).await {
            return self.fail(RotationStep::Test, e, ctx, current, new).await;
        }
        self.crash_if(CrashPoint::AfterTest)?;
        self.finish(ctx).await
    }

    /// Step 4: history first (idempotent per attempt), then the state that makes it current.
    async fn finish(&mut self, ctx: RotationContext) -> Result<RunResult, Stop> {
        let n = ctx.pending_version.unwrap_or_default();
        self.record(
            &ctx.attempt_id,
            ctx.current_version,
            Some(n),
            HistoryEvent::Rotated,
        )
        .await;
        let now = self.now.max(Utc::now());
        let grace =
            chrono::Duration::from_std(self.policy.grace_period).unwrap_or(chrono::Duration::MAX);
        self.state.status = RotationState::Idle;
        self.state.previous_version = ctx.current_version;
        self.state.current_version = Some(n);
        self.state.pending_version = None;
        self.state.failed_version = None;
        self.state.attempt = None;
        self.state.last_rotated = Some(self.now);
        self.state.next_due = self.policy.next_due_after(self.now);
        self.state.grace_until = ctx
            .current_version
            .and_then(|_| now.checked_add_signed(grace));
        self.state.previous_revoked = false;
        self.state.last_error = None;
        self.save_state()
            .await
            .map_err(|e| Stop::Fail(RotationStep::Finish, e))?;
        self.crash_if(CrashPoint::AfterFinish)?;
        tracing::info!(policy = %self.policy.name, from = ?ctx.current_version, to = n, "rotated");
        Ok(RunResult {
            outcome: RotationOutcome::Rotated {
                from: ctx.current_version,
                to: n,
            },
            next_wake: self.state.next_due.map(|d| self.wake(d)),
        })
    }
}
