//! Moving planned secrets into Vault (KV v2 through vault-kv) and proving they arrived.
//!
//! | step | function |
//! |---|---|
//! | compare plan and Vault: new / changed / unchanged keys, masked | [`diff`] |
//! | write with CAS (create) or CAS + merge patch (update); never overwrite a different value without `force`; record source and time in `custom_metadata` | [`apply()`] |
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

use serde::Serialize;
use serde_json::Value;
use vault_core::VaultClient;
use vault_kv::{KvError, KvErrorKind, KvExt};

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
    /// Current version in Vault, if the secret exists.
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

/// Compare every planned secret with what Vault holds.
pub async fn diff(
    client: &VaultClient,
    plan: &Plan,
    values: &SourceValues,
) -> Result<Vec<SecretDiff>, MigrateError> {
    let kv = client.kv2(&plan.mount);
    let mut out = Vec::with_capacity(plan.secrets.len());
    for s in &plan.secrets {
        let current = match kv.read(&s.path).await {
            Ok(secret) if !secret.metadata.is_deleted() && !secret.metadata.destroyed => {
                Some(secret)
            }
            Ok(_) => None,
            Err(e)
                if matches!(
                    e.kind(),
                    KvErrorKind::NotFound
                        | KvErrorKind::VersionDeleted
                        | KvErrorKind::VersionDestroyed
                ) =>
            {
                None
            }
            Err(e) => return Err(kv_error(e)),
        };
        let mut keys = Vec::with_capacity(s.keys.len());
        for k in &s.keys {
            let Some(v) = values.get(&s.path, &k.key) else {
                return Err(MigrateError::new(
                    MigrateErrorKind::Config,
                    format!("no source value for `{}` key `{}`", s.path, k.key),
                )
                .with_hint("load values with SourceValues::load(&plan)"));
            };
            let status = match current.as_ref().and_then(|c| c.data.get(&k.key)) {
                None => KeyStatus::New,
                Some(cur) if value_text(cur) == v.expose() => KeyStatus::Unchanged,
                Some(_) => KeyStatus::Changed,
            };
            keys.push(KeyDiff {
                key: k.key.clone(),
                status,
                preview: mask(v.expose()),
                source: format!("{}:{}", k.source, k.line),
            });
        }
        let extra_keys = current
            .as_ref()
            .map(|c| {
                c.data
                    .keys()
                    .filter(|x| !s.keys.iter().any(|k| k.key == *x))
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default();
        out.push(SecretDiff {
            path: s.path.clone(),
            exists: current.is_some(),
            current_version: current.and_then(|c| c.metadata.version),
            keys,
            extra_keys,
        });
    }
    Ok(out)
}
