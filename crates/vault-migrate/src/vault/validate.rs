//! [`validate()`]: after a migration, prove each planned secret is in Vault (KV v1 or v2, the
//! mount's version detected).

use serde::Serialize;
use vault_core::VaultClient;
use vault_kv::{KvErrorKind, KvExt};

use super::value_text;
use crate::plan::Plan;

/// The check of one path.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Validation {
    /// The secret's path inside the mount.
    pub path: String,
    /// A live (not deleted) version exists.
    pub exists: bool,
    /// The current token may read it.
    pub readable: bool,
    /// Current version, if the secret exists and is readable.
    pub version: Option<u64>,
    /// Planned keys not in Vault.
    pub missing_keys: Vec<String>,
    /// Planned keys whose Vault value differs from the source (checked against the plan's keyed
    /// hash).
    pub mismatched_keys: Vec<String>,
    /// Why it could not be read, if it could not.
    pub error: Option<String>,
}

impl Validation {
    /// Exists, readable, every key present with the expected value.
    pub fn ok(&self) -> bool {
        self.exists
            && self.readable
            && self.missing_keys.is_empty()
            && self.mismatched_keys.is_empty()
            && self.error.is_none()
    }
}

/// Check every secret of `plan` against the plan's value hashes.
pub async fn validate(client: &VaultClient, plan: &Plan) -> Vec<Validation> {
    let kv = client.kv(&plan.mount);
    let mut out = Vec::with_capacity(plan.secrets.len());
    for s in &plan.secrets {
        let mut v = Validation {
            path: s.path.clone(),
            ..Validation::default()
        };
        match kv.get(&s.path).await {
            Ok(secret) => {
                v.readable = true;
                v.exists = !secret.metadata.is_deleted() && !secret.metadata.destroyed;
                v.version = secret.metadata.version;
                for k in &s.keys {
                    match secret.data.get(&k.key) {
                        None => v.missing_keys.push(k.key.clone()),
                        Some(val)
                            if !plan
                                .value_hmac_key
                                .matches(value_text(val).as_bytes(), &k.value_hmac) =>
                        {
                            v.mismatched_keys.push(k.key.clone())
                        }
                        Some(_) => {}
                    }
                }
            }
            Err(e) => {
                // Not found: readable, nothing there. Permission denied (Vault answers 403 whether
                // or not the path exists) or any other failure: neither is known.
                if matches!(
                    e.kind(),
                    KvErrorKind::NotFound
                        | KvErrorKind::VersionDeleted
                        | KvErrorKind::VersionDestroyed
                ) {
                    v.readable = true;
                }
                if e.kind() != KvErrorKind::NotFound {
                    v.error = Some(e.to_string());
                }
                v.missing_keys = s.keys.iter().map(|k| k.key.clone()).collect();
            }
        }
        out.push(v);
    }
    out
}

/// The Python module's `validate_paths(client, paths, mount_point)`: existence and readability of each
/// path (no key expectations).
pub async fn validate_paths(
    client: &VaultClient,
    paths: &[&str],
    mount_point: &str,
) -> Vec<Validation> {
    let plan = Plan {
        version: crate::plan::PLAN_VERSION,
        value_hmac_key: crate::keyed::ValueKey::generate(),
        mount: mount_point.to_string(),
        prefix: String::new(),
        base_dir: ".".into(),
        secrets: paths
            .iter()
            .map(|p| crate::plan::PlannedSecret {
                path: p.trim_matches('/').to_string(),
                keys: Vec::new(),
            })
            .collect(),
        unplanned: Vec::new(),
    };
    validate(client, &plan).await
}
