//! [`apply()`]: write a plan into KV v2, safely and idempotently.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::{Map, Value};
use vault_core::{SecretString, VaultClient};
use vault_kv::{KvExt, MetadataRequest};

use super::{KeyStatus, SecretDiff, diff, kv_error};
use crate::error::{MigrateError, MigrateErrorKind};
use crate::plan::{Plan, PlannedKey, PlannedSecret, SourceValues};

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
    /// The KV v2 mount written to.
    pub mount: String,
    /// One outcome per planned secret, in plan order.
    pub outcomes: Vec<SecretOutcome>,
}

impl ApplyReport {
    /// Secrets left alone because of a conflict.
    pub fn conflicts(&self) -> Vec<&SecretOutcome> {
        self.outcomes
            .iter()
            .filter(|o| o.action == Action::Conflict)
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
            .map(|o| format!("`{}` ({})", o.path, o.diff.changed_keys().join(", ")))
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

/// Apply `plan` with `values` (from [`SourceValues::load`]). Per secret: unchanged → nothing;
/// missing → write with CAS 0; new keys → merge patch with CAS on the version read; a key with a
/// different value → conflict unless `force`. After a write, `custom_metadata` records
/// `vaultkit-source` (files and lines) and `vaultkit-migrated-at` (UTC time).
pub async fn apply(
    client: &VaultClient,
    plan: &Plan,
    values: &SourceValues,
    opts: &ApplyOptions,
) -> Result<ApplyReport, MigrateError> {
    plan.check()?;
    let kv = client.kv2(&plan.mount);
    let diffs = diff(client, plan, values).await?;
    let mut report = ApplyReport {
        mount: plan.mount.clone(),
        outcomes: Vec::new(),
    };
    for (s, d) in plan.secrets.iter().zip(diffs) {
        let action = if d.is_unchanged() {
            Action::Unchanged
        } else if !d.changed_keys().is_empty() && !opts.force {
            Action::Conflict
        } else if opts.dry_run {
            Action::WouldWrite
        } else if d.exists {
            Action::Updated
        } else {
            Action::Created
        };
        let mut version = None;
        if matches!(action, Action::Created | Action::Updated) {
            let mut data = Map::new();
            for k in &s.keys {
                let write = d
                    .keys
                    .iter()
                    .any(|x| x.key == k.key && x.status != KeyStatus::Unchanged);
                if (write || action == Action::Created)
                    && let Some(v) = values.get(&s.path, &k.key)
                {
                    data.insert(k.key.clone(), Value::String(v.expose().to_string()));
                }
            }
            let meta = if action == Action::Created {
                kv.write_cas(&s.path, &data, 0).await.map_err(kv_error)?
            } else {
                kv.patch(&s.path, &data, d.current_version)
                    .await
                    .map_err(kv_error)?
            };
            version = meta.version;
            let md = MetadataRequest::builder()
                .with_custom_metadata("vaultkit-source", sources(s))
                .with_custom_metadata(
                    "vaultkit-migrated-at",
                    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                );
            kv.patch_metadata(&s.path, &md).await.map_err(kv_error)?;
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

/// The Python module's `write_to_vault(client, path, secrets={…}, mount_point)`: write `secrets` to one
/// path with the same rules as [`apply()`] (idempotent, CAS, no silent overwrite unless `force`).
pub async fn write_to_vault(
    client: &VaultClient,
    path: &str,
    secrets: &HashMap<String, SecretString>,
    mount_point: &str,
    force: bool,
) -> Result<ApplyReport, MigrateError> {
    let path = path.trim_matches('/').to_string();
    let mut keys: Vec<&String> = secrets.keys().collect();
    keys.sort();
    let hkey = crate::keyed::ValueKey::generate();
    let plan = Plan {
        version: crate::plan::PLAN_VERSION,
        value_hmac_key: hkey.clone(),
        mount: mount_point.to_string(),
        prefix: String::new(),
        base_dir: ".".into(),
        secrets: vec![PlannedSecret {
            path: path.clone(),
            keys: keys
                .iter()
                .map(|k| PlannedKey {
                    key: (*k).clone(),
                    env: (*k).clone(),
                    source: "write_to_vault".into(),
                    line: 0,
                    value_hmac: hkey.tag(secrets[*k].expose().as_bytes()),
                    secret: true,
                })
                .collect(),
        }],
        unplanned: Vec::new(),
    };
    let values = SourceValues::from_map(
        secrets
            .iter()
            .map(|(k, v)| ((path.clone(), k.clone()), v.clone()))
            .collect(),
    );
    apply(
        client,
        &plan,
        &values,
        &ApplyOptions {
            force,
            dry_run: false,
        },
    )
    .await
}
