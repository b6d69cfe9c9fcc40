//! [`PolicyStore`]: policies kept in Vault itself (KV v2, written with check-and-set) so that
//! several schedulers on several machines share one set.

use vault_core::VaultClient;
use vault_kv::{KvError, KvErrorKind, KvExt, KvV2};

use super::SecretRotationPolicy;
use crate::{RotationError, RotationErrorKind, VaultkitPaths};

/// Reads and writes policies under `<prefix>/policies/<name>` of vaultkit's KV v2 mount.
#[derive(Debug, Clone)]
pub struct PolicyStore {
    kv: KvV2,
    paths: VaultkitPaths,
}

impl PolicyStore {
    /// A store in `paths` (use `VaultkitPaths::default()` for `secret/vaultkit/rotation`).
    pub fn new(client: &VaultClient, paths: VaultkitPaths) -> Self {
        PolicyStore {
            kv: client.kv2(paths.mount()),
            paths,
        }
    }

    /// Writes `policy` with check-and-set: `expected` is the stored version it replaces (`None`:
    /// it must not exist yet). Returns the new version. A concurrent change is a
    /// [`RotationErrorKind::Conflict`].
    pub async fn save(
        &self,
        policy: &SecretRotationPolicy,
        expected: Option<u64>,
    ) -> Result<u64, RotationError> {
        policy.validate()?;
        let path = self.paths.policy(&policy.name);
        match self
            .kv
            .write_cas(&path, policy, expected.unwrap_or(0))
            .await
        {
            Ok(meta) => Ok(meta.version.unwrap_or_default()),
            Err(e) if e.kind() == KvErrorKind::CasMismatch => Err(RotationError::new(
                RotationErrorKind::Conflict,
                format!(
                    "save rotation policy `{}`: it changed in Vault since version {} was read",
                    policy.name,
                    expected.unwrap_or(0)
                ),
            )
            .with_hint("load it again, re-apply the change and save with the new version")
            .with_source(e)),
            Err(e) => Err(e.into()),
        }
    }

    /// The stored policy `name` and its version, if there is one.
    pub async fn load(
        &self,
        name: &str,
    ) -> Result<Option<(SecretRotationPolicy, u64)>, RotationError> {
        match self.kv.read(&self.paths.policy(name)).await {
            Ok(secret) => {
                let policy =
                    serde_json::from_value(serde_json::Value::Object(secret.data.expose().clone()))
                        .map_err(|e| {
                            RotationError::config(format!(
                                "rotation policy `{name}` stored in Vault is invalid: {e}"
                            ))
                            .with_hint(
                                "fix or delete it; it was not written by this version of vaultkit",
                            )
                        })?;
                Ok(Some((policy, secret.metadata.version.unwrap_or_default())))
            }
            Err(e) if is_gone(&e) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Every stored policy, by name.
    pub async fn load_all(&self) -> Result<Vec<SecretRotationPolicy>, RotationError> {
        let mut names = self.kv.list(&self.paths.policies()).await?;
        names.retain(|n| !n.ends_with('/'));
        names.sort();
        let mut out = Vec::with_capacity(names.len());
        for name in names {
            if let Some((policy, _)) = self.load(&name).await? {
                out.push(policy);
            }
        }
        Ok(out)
    }

    /// Deletes policy `name` with all its versions (nothing happens if it does not exist).
    pub async fn delete(&self, name: &str) -> Result<(), RotationError> {
        Ok(self.kv.delete_metadata(&self.paths.policy(name)).await?)
    }
}

/// Missing, or its latest version deleted or destroyed.
pub(crate) fn is_gone(e: &KvError) -> bool {
    matches!(
        e.kind(),
        KvErrorKind::NotFound | KvErrorKind::VersionDeleted | KvErrorKind::VersionDestroyed
    )
}
