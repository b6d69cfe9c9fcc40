//! What a rotation run reports: one [`PolicyOutcome`] per policy with its [`RotationOutcome`].
//!
//! Architecture Invariant: outcomes carry versions, steps and reasons; never a secret value.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A step of the rotation protocol (and the steps around it), as named in outcomes and history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RotationStep {
    /// Taking the rotation lease or reading the secret's state.
    Prepare,
    /// Generating the new value and writing it as the pending KV version.
    Create,
    /// Making the target accept the new value.
    Set,
    /// Proving the new value works.
    Test,
    /// Making the pending version current.
    Finish,
    /// Undoing a failed set or test.
    Rollback,
    /// Revoking the previous value after the grace period.
    Revoke,
}

impl RotationStep {
    /// Lower-case name (`create`, `set`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            RotationStep::Prepare => "prepare",
            RotationStep::Create => "create",
            RotationStep::Set => "set",
            RotationStep::Test => "test",
            RotationStep::Finish => "finish",
            RotationStep::Rollback => "rollback",
            RotationStep::Revoke => "revoke",
        }
    }
}

impl fmt::Display for RotationStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How one policy's rotation went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
#[non_exhaustive]
pub enum RotationOutcome {
    /// A new value is current: KV version `to` replaced `from` (`None`: the secret was new).
    Rotated {
        /// The version that was current before.
        from: Option<u64>,
        /// The version now current.
        to: u64,
    },
    /// Nothing was rotated, for `reason` (not due, outside the window, another scheduler holds
    /// or won it, dry run).
    Skipped {
        /// Why.
        reason: String,
    },
    /// The rotation failed at `step` and was rolled back (or will be by the next run).
    Failed {
        /// Where it failed.
        step: RotationStep,
        /// What went wrong (no secret values).
        reason: String,
    },
}

impl RotationOutcome {
    pub(crate) fn skipped(reason: impl Into<String>) -> Self {
        RotationOutcome::Skipped {
            reason: reason.into(),
        }
    }

    /// True for [`RotationOutcome::Rotated`].
    pub fn is_rotated(&self) -> bool {
        matches!(self, RotationOutcome::Rotated { .. })
    }

    /// True for [`RotationOutcome::Failed`].
    pub fn is_failed(&self) -> bool {
        matches!(self, RotationOutcome::Failed { .. })
    }
}

impl fmt::Display for RotationOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RotationOutcome::Rotated { from: Some(v), to } => {
                write!(f, "rotated: version {v} → {to}")
            }
            RotationOutcome::Rotated { from: None, to } => {
                write!(f, "rotated: created version {to}")
            }
            RotationOutcome::Skipped { reason } => write!(f, "skipped: {reason}"),
            RotationOutcome::Failed { step, reason } => write!(f, "failed at {step}: {reason}"),
        }
    }
}

/// The outcome for one policy of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyOutcome {
    /// The policy's name.
    pub policy: String,
    /// The KV v2 mount of its secret.
    pub mount: String,
    /// The secret's path.
    pub path: String,
    /// What happened.
    pub outcome: RotationOutcome,
}

impl fmt::Display for PolicyOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}/{}): {}",
            self.policy, self.mount, self.path, self.outcome
        )
    }
}
