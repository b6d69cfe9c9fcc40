//! The [`Rotator`] trait: what a target system implements so that vaultkit can rotate its
//! credential with the four-step protocol (create → set → test → finish).
//!
//! The orchestrator owns the protocol and the state in Vault; a rotator only knows its target.
//! Every method must be idempotent for the same `(ctx.attempt_id, new)`: after a crash the
//! orchestrator calls the same step again with the same pending value.

use std::fmt;

use async_trait::async_trait;
use vault_kv::SecretData;

use crate::RotationError;

/// What a rotator is told about the rotation it serves. Carries no secret values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotationContext {
    /// The policy's name.
    pub policy: String,
    /// The KV v2 mount of the rotated secret.
    pub mount: String,
    /// The secret's path inside the mount.
    pub path: String,
    /// The KV version holding the current value (`None` before the first rotation).
    pub current_version: Option<u64>,
    /// The KV version holding the pending value (`None` while generating it).
    pub pending_version: Option<u64>,
    /// A unique id of this attempt; a retry after a failure gets a new one.
    pub attempt_id: String,
}

/// A target system whose credential vaultkit rotates.
///
/// `current` is the secret's current value in Vault (empty before the first rotation); `new` is
/// the pending value this attempt generated. Implementations must never put either into an error,
/// a log line or `Debug` output.
#[async_trait]
pub trait Rotator: Send + Sync + fmt::Debug {
    /// Short name for logs, history and the policy file (`random`, `postgres`, `command`).
    fn kind(&self) -> &str;

    /// Step 1 (create): a fresh value. Called again for every retry; must never reuse a value.
    /// Keys of `current` the rotator does not own should be carried over unchanged.
    async fn generate(
        &self,
        ctx: &RotationContext,
        current: &SecretData,
    ) -> Result<SecretData, RotationError>;

    /// Step 2 (set): make the target accept `new`. Idempotent.
    async fn set(
        &self,
        ctx: &RotationContext,
        current: &SecretData,
        new: &SecretData,
    ) -> Result<(), RotationError>;

    /// Step 3 (test): prove `new` works against the target (e.g. log in with it).
    async fn test(&self, ctx: &RotationContext, new: &SecretData) -> Result<(), RotationError>;

    /// Undo a failed `set`/`test`: the target keeps, or gets back, `current`. Idempotent, and
    /// called also when `set` never ran or failed half-way.
    async fn rollback(
        &self,
        ctx: &RotationContext,
        current: &SecretData,
        failed: &SecretData,
    ) -> Result<(), RotationError>;

    /// Optional step after the grace period: invalidate `previous` on the target. The default
    /// does nothing (the old credential stops working when `set` replaced it).
    async fn revoke(
        &self,
        ctx: &RotationContext,
        previous: &SecretData,
    ) -> Result<(), RotationError> {
        let _ = (ctx, previous);
        Ok(())
    }
}
