//! [`apply()`]: write a plan into KV (v1 or v2), safely and idempotently, through
//! [`vault_kv::sync`]; [`write_to_vault`], the Python module's call.

use std::collections::HashMap;

use serde::Serialize;
use vault_core::{SecretString, VaultClient};
use vault_kv::sync::{self, Outcome};
use vault_kv::{Kv, KvExt, KvVersion, MetadataRequest};

use super::{SecretDiff, kv_error};
use crate::error::{MigrateError, MigrateErrorKind};
use crate::plan::{Plan, PlannedSecret, SourceValues};

/// Options for [`apply()`].
#[derive(Debug, Clone, Default)]
pub struct ApplyOptions {
    /// Overwrite keys whose Vault value differs from the source.
    pub force: bool,
    /// Compute what would happen, write nothing.
    pub dry_run: bool,
}

/// What happened to one secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Written as a new secret (CAS 0: only if it did not exist).
    Created,
    /// New or changed keys merged in (CAS on the version read).
    Updated,
    /// Vault already has every value: nothing written.
    Unchanged,
    /// Some key differs in Vault and `force` was not given: nothing written.
    Conflict,
    /// The secret changed in Vault between the comparison and the write: nothing written, the
    /// other writer's value stays. Applying again compares with the new state.
    ChangedConcurrently,
    /// Dry run: would be created or updated.
    WouldWrite,
}

/// The outcome for one secret.
#[derive(Debug, Clone, Serialize)]
pub struct SecretOutcome {
    /// The secret's path inside the mount.
    pub path: String,
    /// What was (or, in a dry run, would be) done.
    pub action: Action,
    /// The version written, if any.
    pub version: Option<u64>,
    /// How the secret compared with Vault before the write.
    pub diff: SecretDiff,
}

/// The outcome of an apply.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ApplyReport {
    /// The KV mount written to.
    pub mount: String,
    /// One outcome per planned secret, in plan order.
    pub outcomes: Vec<SecretOutcome>,
}

impl ApplyReport {
    /// Secrets left alone because of a conflict: a different value in Vault, or a change made
    /// in Vault while applying.
    pub fn conflicts(&self) -> Vec<&SecretOutcome> {
        self.outcomes
            .iter()
            .filter(|o| matches!(o.action, Action::Conflict | Action::ChangedConcurrently))
            .collect()
    }

    /// Number of secrets written (created or updated).
    pub fn written(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| matches!(o.action, Action::Created | Action::Updated))
            .count()
    }

    /// `Err(Conflict)` naming the conflicting paths and keys, if any.
    pub fn into_result(self) -> Result<ApplyReport, MigrateError> {
        let c: Vec<String> = self
            .conflicts()
            .iter()
            .map(|o| match o.action {
                Action::ChangedConcurrently => format!("`{}` (changed while applying)", o.path),
                _ => format!("`{}` ({})", o.path, o.diff.changed_keys().join(", ")),
            })
            .collect();
        if c.is_empty() {
            Ok(self)
        } else {
            Err(MigrateError::new(
                MigrateErrorKind::Conflict,
                format!("Vault holds different values for {}", c.join("; ")),
            )
            .with_hint("compare with `vaultkit migrate plan --diff`; use --force to overwrite"))
        }
    }
}

/// Apply `plan` with `values` (from [`SourceValues::load`]) through [`vault_kv::sync`], on a KV
/// v1 or v2 mount (detected). Per secret: unchanged → nothing; missing (or a KV v2 secret whose
/// latest version is soft-deleted or destroyed) → created; new keys → merged in; a key with a
/// different value → [`Action::Conflict`] unless `force`; a secret changed in Vault between the
/// comparison and the write → [`Action::ChangedConcurrently`], never overwritten (KV v2: CAS on
/// the version read; KV v1: read again and compared just before the write). On KV v2, after a
/// write, `custom_metadata` records `vaultkit-source` (files and lines) and
/// `vaultkit-migrated-at` (UTC time).
///
/// Conflicts are reported, not errors: see [`ApplyReport::into_result`].
pub async fn apply(
    client: &VaultClient,
    plan: &Plan,
    values: &SourceValues,
    opts: &ApplyOptions,
) -> Result<ApplyReport, MigrateError> {
    plan.check()?;
    let (kv, sd) = super::sync_diff(client, plan, values).await?;
    let diffs = super::secret_diffs(plan, values, &sd);
    let written = if opts.dry_run {
        None
    } else {
        let options = sync::ApplyOptions::default().with_force(opts.force);
        Some(sync::apply(&kv, &sd, &options).await.map_err(kv_error)?)
    };
    let mut report = ApplyReport {
        mount: plan.mount.clone(),
        outcomes: Vec::with_capacity(plan.secrets.len()),
    };
    for (s, d) in plan.secrets.iter().zip(diffs) {
        let (action, version) = match written.as_ref().and_then(|w| w.get(&s.path)) {
            Some(o) => (action_of(o.outcome), o.version),
            None if d.is_unchanged() => (Action::Unchanged, None),
            None if !d.changed_keys().is_empty() && !opts.force => (Action::Conflict, None),
            None => (Action::WouldWrite, None),
        };
        if matches!(action, Action::Created | Action::Updated) && sd.kv_version == KvVersion::V2 {
            record_source(&kv, &s.path, sources(s)).await?;
        }
        report.outcomes.push(SecretOutcome {
            path: s.path.clone(),
            action,
            version,
            diff: d,
        });
    }
    Ok(report)
}

fn action_of(o: Outcome) -> Action {
    match o {
        Outcome::Created => Action::Created,
        Outcome::Updated => Action::Updated,
        Outcome::Conflict => Action::Conflict,
        Outcome::ChangedConcurrently => Action::ChangedConcurrently,
        _ => Action::Unchanged,
    }
}

/// `file:line` of every key, within KV's 512-byte limit for a metadata value.
fn sources(s: &PlannedSecret) -> String {
    let mut out = String::new();
    for k in &s.keys {
        let item = format!("{}:{}", k.source, k.line);
        if out.len() + item.len() + 2 > 500 {
            out.push_str(", …");
            break;
        }
        if !out.is_empty() {
            out.push_str(", ");
        }
        out.push_str(&item);
    }
    out
}

/// The Python module's `write_to_vault(client, path, secrets={…}, mount_point)`: write
/// `secrets` to one path of a KV v1 or v2 mount with the same rules as [`apply()`] (idempotent,
/// check-and-set, no silent overwrite unless `force`).
///
/// # Errors
/// Besides Vault failures: when nothing could be written because Vault holds different values
/// (or the secret changed while writing), an error of kind [`MigrateErrorKind::Conflict`]
/// naming the keys, as the module raised. [`apply()`] reports the same case in its
/// [`ApplyReport`] instead.
pub async fn write_to_vault(
    client: &VaultClient,
    path: &str,
    secrets: &HashMap<String, SecretString>,
    mount_point: &str,
    force: bool,
) -> Result<ApplyReport, MigrateError> {
    let path = path.trim_matches('/').to_string();
    let data: serde_json::Map<String, serde_json::Value> = secrets
        .iter()
        .map(|(k, v)| (k.clone(), serde_json::Value::String(v.expose().to_string())))
        .collect();
    let mut desired = sync::Desired::new().with_compare(sync::Compare::Text);
    desired.insert(&path, data).map_err(kv_error)?;
    let kv = client.kv(mount_point);
    let sd = sync::diff(&kv, &desired).await.map_err(kv_error)?;
    let options = sync::ApplyOptions::default().with_force(force);
    let written = sync::apply(&kv, &sd, &options).await.map_err(kv_error)?;
    let mut report = ApplyReport {
        mount: sd.mount.clone(),
        outcomes: Vec::new(),
    };
    for (o, d) in written.secrets.iter().zip(&sd.secrets) {
        let action = action_of(o.outcome);
        if matches!(action, Action::Created | Action::Updated) && sd.kv_version == KvVersion::V2 {
            record_source(&kv, &o.path, "write_to_vault".into()).await?;
        }
        let mut keys: Vec<super::KeyDiff> = d
            .keys
            .iter()
            .map(|k| super::KeyDiff {
                key: k.key.clone(),
                status: super::key_status(k.change),
                preview: secrets
                    .get(&k.key)
                    .map(|v| crate::finding::mask(v.expose()))
                    .unwrap_or_default(),
                source: "write_to_vault".into(),
            })
            .collect();
        keys.sort_by(|a, b| a.key.cmp(&b.key));
        report.outcomes.push(SecretOutcome {
            path: o.path.clone(),
            action,
            version: o.version,
            diff: SecretDiff {
                path: d.path.clone(),
                exists: d.exists,
                current_version: d.version.filter(|_| d.exists),
                keys,
                extra_keys: d.extra_keys.clone(),
            },
        });
    }
    if report.written() == 0 && !report.conflicts().is_empty() {
        return report.into_result();
    }
    Ok(report)
}

/// Record where a migrated secret came from, and when (KV v2 `custom_metadata`).
async fn record_source(kv: &Kv, path: &str, source: String) -> Result<(), MigrateError> {
    let md = MetadataRequest::builder()
        .with_custom_metadata("vaultkit-source", source)
        .with_custom_metadata(
            "vaultkit-migrated-at",
            chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        );
    kv.v2()
        .patch_metadata(path, &md)
        .await
        .map(|_| ())
        .map_err(kv_error)
}
