//! The failure path: the rotator rolls the target back, the current value is written again as
//! the latest KV version (`cas` = the failed version), the state records the failure, history
//! and the notifier hear of it.
//!
//! The failed version is not deleted: a KV v2 read of "latest" does not fall back to an older
//! version when the latest is soft-deleted, so deleting it would break readers of "latest".

use vault_core::{NotifyMessage, NotifySeverity};
use vault_kv::{KvErrorKind, SecretData, WriteSecretRequest};

use super::{Run, RunResult, Stop};
use crate::history::HistoryEvent;
use crate::state::RotationState;
use crate::{RotationContext, RotationError, RotationStep};

impl Run<'_> {
    /// Set or test (or reading the pending value) failed at `step`.
    pub(super) async fn fail(
        &mut self,
        step: RotationStep,
        error: RotationError,
        ctx: RotationContext,
        current: SecretData,
        failed: SecretData,
    ) -> Result<RunResult, Stop> {
        tracing::warn!(policy = %self.policy.name, %step, error = %error, "rotation failed; rolling back");
        let n = ctx.pending_version.unwrap_or_default();
        self.state.status = RotationState::RollingBack;
        self.state.failed_version = Some(n);
        self.state.last_error = Some(format!("{step}: {error}"));
        if let Err(e) = self.save_state().await {
            tracing::warn!(policy = %self.policy.name, error = %e, "recording the rollback failed");
        }
        let mut reason = error.to_string();
        if let Err(e) = self.rollback_and_restore(&ctx, &current, &failed, n).await {
            reason = format!("{reason}; rollback incomplete (the next run retries it): {e}");
            self.notify_failure(
                step,
                &RotationError::rotator(reason.clone()),
                ctx.current_version,
            )
            .await;
            return Err(Stop::Fail(step, RotationError::rotator(reason)));
        }
        self.record(
            &ctx.attempt_id,
            ctx.current_version,
            Some(n),
            HistoryEvent::Failed {
                step,
                reason: reason.clone(),
            },
        )
        .await;
        self.notify_failure(step, &error, ctx.current_version).await;
        Err(Stop::Fail(step, error))
    }

    /// A run that stopped while rolling back: roll back again (idempotent) and restore.
    pub(super) async fn resume_rollback(&mut self, n: u64) -> Result<RunResult, Stop> {
        let cur = self.state.current_version.unwrap_or(0);
        let attempt = self
            .state
            .attempt
            .clone()
            .unwrap_or_else(super::new_attempt_id);
        let ctx = self.ctx(self.state.current_version, Some(n), &attempt);
        let current = self
            .read_version(cur)
            .await
            .map_err(|e| Stop::Fail(RotationStep::Rollback, e))?;
        let failed = self.read_version(n).await.unwrap_or_default();
        self.rollback_and_restore(&ctx, &current, &failed, n)
            .await
            .map_err(|e| Stop::Fail(RotationStep::Rollback, e))?;
        let reason = self
            .state
            .last_error
            .clone()
            .unwrap_or_else(|| "interrupted rotation rolled back".to_string());
        self.record(
            &attempt,
            ctx.current_version,
            Some(n),
            HistoryEvent::Failed {
                step: RotationStep::Rollback,
                reason: reason.clone(),
            },
        )
        .await;
        Err(Stop::Fail(
            RotationStep::Rollback,
            RotationError::rotator(format!("an interrupted rotation was rolled back: {reason}")),
        ))
    }

    /// Rotator rollback, then the current value again as the latest version, then the state.
    async fn rollback_and_restore(
        &mut self,
        ctx: &RotationContext,
        current: &SecretData,
        failed: &SecretData,
        n: u64,
    ) -> Result<(), RotationError> {
        self.rotator.rollback(ctx, current, failed).await?;
        let restored = match ctx.current_version {
            None => {
                // There was no value before: nothing to restore, the failed one must not be read.
                self.kv.delete_versions(&self.policy.path, &[n]).await?;
                None
            }
            Some(_) => Some(self.restore(current, n).await?),
        };
        self.state.status = RotationState::Failed;
        self.state.current_version = restored.or(self.state.current_version);
        self.state.pending_version = None;
        self.state.failed_version = Some(n);
        self.state.attempt = None;
        self.save_state().await
    }

    /// Writes `current` with `cas = n`; a replay that already landed (version `n + 1` holds it)
    /// counts as done.
    async fn restore(&self, current: &SecretData, n: u64) -> Result<u64, RotationError> {
        // `n` comes from custom_metadata, which anyone with write access can edit.
        let next = n.checked_add(1).ok_or_else(|| {
            RotationError::new(
                crate::RotationErrorKind::Conflict,
                format!(
                    "{}: the recorded pending version {n} is not a KV version",
                    self.policy.path
                ),
            )
        })?;
        let request = WriteSecretRequest::new(current.expose().clone()).with_cas(n);
        match self.kv.write(&self.policy.path, &request).await {
            Ok(meta) => Ok(meta.version.unwrap_or(next)),
            Err(e) if e.kind() == KvErrorKind::CasMismatch => {
                let again = self.kv.read_version(&self.policy.path, next).await?;
                if again.data == *current {
                    Ok(next)
                } else {
                    Err(RotationError::new(
                        crate::RotationErrorKind::Conflict,
                        format!(
                            "restore `{}/{}`: a version after the failed version {n} was written by someone else",
                            self.policy.mount, self.policy.path
                        ),
                    )
                    .with_hint("check the secret's versions and set `custom_metadata.current_version` by hand")
                    .with_source(e))
                }
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Tells the notifier (if any) that a rotation failed; a notifier failure is only logged.
    pub(super) async fn notify_failure(
        &self,
        step: RotationStep,
        error: &RotationError,
        current: Option<u64>,
    ) {
        let Some(notifier) = self.engine.notifier else {
            return;
        };
        let in_force = current.map_or("no previous value".to_string(), |v| {
            format!("the value of version {v} stays in force")
        });
        let message = NotifyMessage::new(
            NotifySeverity::Error,
            format!(
                "vaultkit: rotation of {}/{} failed at {step}",
                self.policy.mount, self.policy.path
            ),
            format!("{error}. It was rolled back; {in_force}."),
        )
        .with_field("policy", &self.policy.name)
        .with_field("step", step.as_str())
        .with_field("actor", self.engine.holder);
        if let Err(e) = notifier.notify(&message).await {
            tracing::warn!(policy = %self.policy.name, error = %e, "sending the rotation failure notice failed");
        }
    }
}
