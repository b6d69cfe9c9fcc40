//! [`apply`]: write what a [`SyncDiff`] found missing, never over a change.

use serde::Serialize;

use super::diff::{KeyChange, SecretDiff, SyncDiff};
use super::write::{Written, write_if_unchanged};
use crate::error::KvError;
use crate::kv::Kv;

/// Options for [`apply`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApplyOptions {
    /// Also overwrite keys whose value differs in Vault ([`KeyChange::Conflict`]). A secret that
    /// changed after the diff is still never overwritten.
    pub force: bool,
}

impl ApplyOptions {
    /// Overwrite differing values (or not).
    pub fn with_force(mut self, force: bool) -> Self {
        self.force = force;
        self
    }
}

/// What [`apply`] did with one secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Outcome {
    /// A new secret was written (KV v2: with `cas` 0, or on top of a deleted/destroyed latest
    /// version).
    Created,
    /// Missing keys were merged into the existing secret (and, with `force`, differing ones
    /// overwritten).
    Updated,
    /// Vault already held every desired value: nothing written.
    Unchanged,
    /// Some key differs in Vault and `force` was not given: nothing written.
    Conflict,
    /// The secret changed in Vault after the diff: nothing written, the other writer's data
    /// stays. Diff again to see the new state.
    ChangedConcurrently,
}

impl Outcome {
    /// Created or updated.
    pub fn is_written(self) -> bool {
        matches!(self, Outcome::Created | Outcome::Updated)
    }

    /// A conflict of either kind: nothing written for this secret.
    pub fn is_conflict(self) -> bool {
        matches!(self, Outcome::Conflict | Outcome::ChangedConcurrently)
    }
}

/// The result for one secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecretOutcome {
    /// The path inside the mount.
    pub path: String,
    /// What happened.
    pub outcome: Outcome,
    /// KV v2: the version written, when something was written.
    pub version: Option<u64>,
}

/// What [`apply`] did, secret by secret (in the diff's order).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    /// The mount written to.
    pub mount: String,
    /// One entry per secret of the diff.
    pub secrets: Vec<SecretOutcome>,
}

impl SyncReport {
    /// Number of secrets written (created or updated).
    pub fn written(&self) -> usize {
        self.count(Outcome::is_written)
    }

    /// Number of secrets left as they were because they already matched.
    pub fn unchanged(&self) -> usize {
        self.count(|o| o == Outcome::Unchanged)
    }

    /// Secrets not written because of a conflict (differing value or concurrent change).
    pub fn conflicts(&self) -> impl Iterator<Item = &SecretOutcome> {
        self.secrets.iter().filter(|s| s.outcome.is_conflict())
    }

    /// The outcome for `path`.
    pub fn get(&self, path: &str) -> Option<&SecretOutcome> {
        let path = path.trim_matches('/');
        self.secrets.iter().find(|s| s.path == path)
    }

    fn count(&self, f: impl Fn(Outcome) -> bool) -> usize {
        self.secrets.iter().filter(|s| f(s.outcome)).count()
    }
}

/// Write every secret of `diff` that has keys to add (or, with `force`, to overwrite).
///
/// The data written is what [`super::diff`] read, with the added (and forced) keys set; keys
/// only in Vault and unchanged keys keep Vault's value. A secret that changed since the diff is
/// reported as [`Outcome::ChangedConcurrently`] and skipped; the others are still written.
/// `kv` must be a handle on the mount the diff was made against.
///
/// # Errors
/// The first failure other than a concurrent change (permission, connection, …) stops the apply;
/// secrets before it are written, the ones after it are not. Applying again is safe: what was
/// written is then unchanged.
pub async fn apply(
    kv: &Kv,
    diff: &SyncDiff,
    options: &ApplyOptions,
) -> Result<SyncReport, KvError> {
    if kv.mount() != diff.mount {
        return Err(KvError::validation(
            "sync",
            kv.mount(),
            format!(
                "this diff was made against mount `{}`, not `{}`",
                diff.mount,
                kv.mount()
            ),
        ));
    }
    let mut report = SyncReport {
        mount: diff.mount.clone(),
        secrets: Vec::with_capacity(diff.secrets.len()),
    };
    for s in &diff.secrets {
        let (outcome, version) = apply_one(kv, diff, s, options.force).await?;
        report.secrets.push(SecretOutcome {
            path: s.path.clone(),
            outcome,
            version,
        });
    }
    Ok(report)
}

async fn apply_one(
    kv: &Kv,
    diff: &SyncDiff,
    s: &SecretDiff,
    force: bool,
) -> Result<(Outcome, Option<u64>), KvError> {
    if s.is_unchanged() {
        return Ok((Outcome::Unchanged, None));
    }
    if s.has_conflict() && !force {
        return Ok((Outcome::Conflict, None));
    }
    let mut data = s.base.data.expose().clone();
    for k in &s.keys {
        if matches!(k.change, KeyChange::Add | KeyChange::Conflict)
            && let Some(v) = s.desired.get(&k.key)
        {
            data.insert(k.key.clone(), v.clone());
        }
    }
    match write_if_unchanged(kv, diff.kv_version, &s.path, &data, &s.base).await? {
        Written::Done(version) if s.exists => Ok((Outcome::Updated, version)),
        Written::Done(version) => Ok((Outcome::Created, version)),
        Written::ChangedSince => Ok((Outcome::ChangedConcurrently, None)),
    }
}
