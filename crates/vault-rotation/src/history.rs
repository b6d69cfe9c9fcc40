//! Rotation history and status: the Python module's `RotationHistoryTracker(vault_client)
//! .get_rotation_history(secret_path)` / `.get_rotation_status(secret_path)`.
//!
//! History lives at `<prefix>/history/<mount>/<path>` of vaultkit's KV v2 mount: a bounded list
//! (newest [`HISTORY_LIMIT`] records), appended with check-and-set so that schedulers on several
//! machines never lose each other's records. Status is read from the secret's own metadata.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use vault_core::VaultClient;
use vault_kv::{KvErrorKind, KvExt, KvV2};

use crate::records::read_record;
use crate::state::{RotationState, SecretState};
use crate::{RotationError, RotationErrorKind, RotationStep, VaultkitPaths};

/// Records kept per secret.
pub const HISTORY_LIMIT: usize = 100;

/// What a history record says happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum HistoryEvent {
    /// The value was rotated.
    Rotated,
    /// The rotation failed at `step` and was rolled back.
    Failed {
        /// Where it failed.
        step: RotationStep,
        /// Why (no secret values).
        reason: String,
    },
    /// The previous value was revoked after its grace period.
    Revoked,
}

/// One rotation (or revocation) of a secret. Holds no secret value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryRecord {
    /// The attempt's id (a retry has a new one).
    pub attempt_id: String,
    /// The policy's name.
    pub policy: String,
    /// When it ended.
    pub at: DateTime<Utc>,
    /// The version current before.
    pub from_version: Option<u64>,
    /// The version written (the pending one; for a failure, the failed one).
    pub to_version: Option<u64>,
    /// What happened.
    pub event: HistoryEvent,
    /// Who did it: the scheduler's holder id.
    pub actor: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct HistoryList {
    #[serde(default)]
    records: Vec<HistoryRecord>,
}

/// Appends `record` to the history of `mount/path` (idempotent per attempt and event kind).
pub(crate) async fn append(
    kv: &KvV2,
    paths: &VaultkitPaths,
    mount: &str,
    path: &str,
    record: HistoryRecord,
) -> Result<(), RotationError> {
    let at = paths.history(mount, path);
    for _ in 0..8 {
        let (mut list, version) = read_list(kv, &at).await?;
        let same = |r: &HistoryRecord| {
            r.attempt_id == record.attempt_id
                && std::mem::discriminant(&r.event) == std::mem::discriminant(&record.event)
        };
        if list.records.iter().any(same) {
            return Ok(());
        }
        list.records.push(record.clone());
        let excess = list.records.len().saturating_sub(HISTORY_LIMIT);
        list.records.drain(..excess);
        match kv.write_cas(&at, &list, version).await {
            Ok(_) => return Ok(()),
            Err(e) if e.kind() == KvErrorKind::CasMismatch => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(RotationError::new(
        RotationErrorKind::Conflict,
        format!(
            "append to rotation history `{}/{at}`: too many concurrent writers",
            kv.mount()
        ),
    ))
}

async fn read_list(kv: &KvV2, at: &str) -> Result<(HistoryList, u64), RotationError> {
    let (list, version) = read_record::<HistoryList>(kv, at).await?;
    Ok((list.unwrap_or_default(), version))
}

/// Where a secret's rotation stands: the Python module's `get_rotation_status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotationStatus {
    /// The KV v2 mount.
    pub mount: String,
    /// The secret's path.
    pub path: String,
    /// Idle, pending, rolling back or failed.
    pub state: RotationState,
    /// The version in force (the authoritative pointer).
    pub current_version: Option<u64>,
    /// The version being rotated to, while one is pending.
    pub pending_version: Option<u64>,
    /// The version before the current one (readable during the grace period).
    pub previous_version: Option<u64>,
    /// The version of the last failed attempt.
    pub failed_version: Option<u64>,
    /// When it last rotated.
    pub last_rotated: Option<DateTime<Utc>>,
    /// When it is next due.
    pub next_due: Option<DateTime<Utc>>,
    /// Due and not rotated yet.
    pub overdue: bool,
    /// When the previous value's grace period ends.
    pub grace_until: Option<DateTime<Utc>>,
    /// The previous value is still within its grace period.
    pub in_grace: bool,
    /// A rotation is in progress (or was interrupted and awaits the next run).
    pub pending: bool,
    /// The last rotation failed.
    pub failed: bool,
    /// The last error (no secret values).
    pub last_error: Option<String>,
}

impl RotationStatus {
    pub(crate) fn from_state(mount: &str, path: &str, s: &SecretState, now: DateTime<Utc>) -> Self {
        RotationStatus {
            mount: mount.to_string(),
            path: path.to_string(),
            state: s.status,
            current_version: s.current_version,
            pending_version: s.pending_version,
            previous_version: s.previous_version,
            failed_version: s.failed_version,
            last_rotated: s.last_rotated,
            next_due: s.next_due,
            overdue: s.next_due.is_some_and(|d| d <= now),
            grace_until: s.grace_until,
            in_grace: s.previous_version.is_some() && s.grace_until.is_some_and(|g| g > now),
            pending: matches!(
                s.status,
                RotationState::Pending | RotationState::RollingBack
            ),
            failed: s.status == RotationState::Failed,
            last_error: s.last_error.clone(),
        }
    }
}

/// Reads rotation history and status: the Python module's `RotationHistoryTracker`.
#[derive(Debug, Clone)]
pub struct RotationHistoryTracker {
    client: VaultClient,
    paths: VaultkitPaths,
    mount: String,
}

impl RotationHistoryTracker {
    /// A tracker for secrets in the `secret` mount, with records under the default paths.
    pub fn new(client: VaultClient) -> Self {
        RotationHistoryTracker {
            client,
            paths: VaultkitPaths::default(),
            mount: crate::DEFAULT_SECRET_MOUNT.to_string(),
        }
    }

    /// Secrets live in KV v2 mount `mount`.
    pub fn with_mount(mut self, mount: impl Into<String>) -> Self {
        self.mount = mount.into().trim_matches('/').to_string();
        self
    }

    /// Records are kept in `paths`.
    pub fn with_paths(mut self, paths: VaultkitPaths) -> Self {
        self.paths = paths;
        self
    }

    /// Every recorded rotation of `path`, oldest first (at most [`HISTORY_LIMIT`]).
    pub async fn get_rotation_history(
        &self,
        path: &str,
    ) -> Result<Vec<HistoryRecord>, RotationError> {
        let kv = self.client.kv2(self.paths.mount());
        let at = self.paths.history(&self.mount, path.trim_matches('/'));
        Ok(read_list(&kv, &at).await?.0.records)
    }

    /// Where the rotation of `path` stands now.
    pub async fn get_rotation_status(&self, path: &str) -> Result<RotationStatus, RotationError> {
        let path = path.trim_matches('/');
        let meta = self.client.kv2(&self.mount).read_metadata(path).await?;
        let state = SecretState::from_metadata(&meta.custom_metadata);
        Ok(RotationStatus::from_state(
            &self.mount,
            path,
            &state,
            Utc::now(),
        ))
    }
}
