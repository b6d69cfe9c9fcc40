//! Moving planned secrets into Vault (KV v1 or v2, through vault-kv's [`vault_kv::sync`]) and
//! proving they arrived.
//!
//! | step | function |
//! |---|---|
//! | compare plan and Vault: new / changed / unchanged keys, masked | [`diff`] |
//! | write with check-and-set (KV v2) or read-compare-write (KV v1); never overwrite a different value without `force`, nor a change made after the diff; on KV v2 record source and time in `custom_metadata` | [`apply()`] |
//! | check each path: exists, readable, keys present, values equal to the plan's keyed hashes | [`validate()`], [`validate_paths`] |
//!
//! Architecture Invariant: values are compared in memory (source against Vault) or against the
//! plan's HMAC-SHA256 hashes, never written as unsalted hashes, and shown only as masked previews;
//! a second `apply` of the same plan writes nothing (no new versions).

mod apply;
mod render;
mod validate;

pub use apply::{Action, ApplyOptions, ApplyReport, SecretOutcome, apply, write_to_vault};
pub use render::{apply_table, diff_table, validation_table};
pub use validate::{Validation, validate, validate_paths};

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};
use vault_core::VaultClient;
use vault_kv::sync::{self, Compare, Desired, KeyChange, SyncDiff};
use vault_kv::{Kv, KvError, KvErrorKind, KvExt};

use crate::error::{MigrateError, MigrateErrorKind};
use crate::finding::mask;
use crate::plan::{Plan, SourceValues};

/// How one planned key compares with Vault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyStatus {
    /// Not in Vault yet.
    New,
    /// In Vault with a different value.
    Changed,
    /// In Vault with the same value.
    Unchanged,
}

/// One key of a [`SecretDiff`].
#[derive(Debug, Clone, Serialize)]
pub struct KeyDiff {
    /// The key inside the secret.
    pub key: String,
    /// New, changed or unchanged compared with Vault.
    pub status: KeyStatus,
    /// Masked preview of the source value.
    pub preview: String,
    /// `file:line` of the source.
    pub source: String,
}

/// How one planned secret compares with Vault.
#[derive(Debug, Clone, Serialize)]
pub struct SecretDiff {
    /// The secret's path inside the mount.
    pub path: String,
    /// True when Vault holds a live version of the secret.
    pub exists: bool,
    /// Current version in Vault, if the secret exists (always `None` on KV v1).
    pub current_version: Option<u64>,
    /// The planned keys and how each compares.
    pub keys: Vec<KeyDiff>,
    /// Keys in Vault that the plan does not mention (left alone).
    pub extra_keys: Vec<String>,
}

impl SecretDiff {
    /// Nothing to write.
    pub fn is_unchanged(&self) -> bool {
        self.keys.iter().all(|k| k.status == KeyStatus::Unchanged)
    }

    /// Keys whose Vault value differs from the source.
    pub fn changed_keys(&self) -> Vec<&str> {
        self.keys
            .iter()
            .filter(|k| k.status == KeyStatus::Changed)
            .map(|k| k.key.as_str())
            .collect()
    }
}

/// The text form of a KV value, for comparing (strings as-is, other JSON as JSON).
pub(crate) fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub(crate) fn kv_error(e: KvError) -> MigrateError {
    let kind = if e.kind() == KvErrorKind::CasMismatch {
        MigrateErrorKind::Conflict
    } else {
        MigrateErrorKind::Vault
    };
    MigrateError::new(kind, e.to_string()).with_source(e)
}

/// The plan's secrets with their source values, as [`vault_kv::sync`] wants them (compared as
/// text: a `.env` value `5432` equals a number 5432 in Vault).
fn desired(plan: &Plan, values: &SourceValues) -> Result<Desired, MigrateError> {
    let mut by_path: BTreeMap<&str, Map<String, Value>> = BTreeMap::new();
    for s in &plan.secrets {
        for k in &s.keys {
            let Some(v) = values.get(&s.path, &k.key) else {
                return Err(MigrateError::new(
                    MigrateErrorKind::Config,
                    format!("no source value for `{}` key `{}`", s.path, k.key),
                )
                .with_hint("load values with SourceValues::load(&plan)"));
            };
            by_path
                .entry(s.path.as_str())
                .or_default()
                .insert(k.key.clone(), Value::String(v.expose().to_string()));
        }
    }
    let mut desired = Desired::new().with_compare(Compare::Text);
    for (path, data) in by_path {
        desired.insert(path, data).map_err(kv_error)?;
    }
    Ok(desired)
}

/// The plan compared with Vault, by [`vault_kv::sync::diff`] (KV v1 or v2, detected).
pub(crate) async fn sync_diff(
    client: &VaultClient,
    plan: &Plan,
    values: &SourceValues,
) -> Result<(Kv, SyncDiff), MigrateError> {
    let kv = client.kv(&plan.mount);
    let d = sync::diff(&kv, &desired(plan, values)?)
        .await
        .map_err(kv_error)?;
    Ok((kv, d))
}

/// A key's change as vault-migrate names it.
pub(crate) fn key_status(change: KeyChange) -> KeyStatus {
    match change {
        KeyChange::Unchanged => KeyStatus::Unchanged,
        KeyChange::Conflict => KeyStatus::Changed,
        _ => KeyStatus::New,
    }
}

/// One [`SecretDiff`] per planned secret, in plan order, from the sync diff.
pub(crate) fn secret_diffs(plan: &Plan, values: &SourceValues, d: &SyncDiff) -> Vec<SecretDiff> {
    plan.secrets
        .iter()
        .map(|s| {
            let found = d.get(&s.path);
            let keys = s
                .keys
                .iter()
                .map(|k| KeyDiff {
                    key: k.key.clone(),
                    status: found
                        .and_then(|f| f.change(&k.key))
                        .map_or(KeyStatus::New, key_status),
                    preview: values
                        .get(&s.path, &k.key)
                        .map(|v| mask(v.expose()))
                        .unwrap_or_default(),
                    source: format!("{}:{}", k.source, k.line),
                })
                .collect();
            SecretDiff {
                path: s.path.clone(),
                exists: found.is_some_and(|f| f.exists),
                current_version: found.filter(|f| f.exists).and_then(|f| f.version),
                keys,
                extra_keys: found.map(|f| f.extra_keys.clone()).unwrap_or_default(),
            }
        })
        .collect()
}

/// Compare every planned secret with what Vault holds (KV v1 or v2). Values are compared in
/// memory and shown only as masked previews.
pub async fn diff(
    client: &VaultClient,
    plan: &Plan,
    values: &SourceValues,
) -> Result<Vec<SecretDiff>, MigrateError> {
    let (_, d) = sync_diff(client, plan, values).await?;
    Ok(secret_diffs(plan, values, &d))
}
