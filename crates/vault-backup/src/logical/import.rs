//! [`Import`]: write the records of a LOGICAL snapshot back into a KV v2 mount.
//!
//! A secret is restored with its version numbers: its key is removed (`DELETE metadata`), its
//! metadata written, then versions 1..=last written in order with check-and-set; versions the
//! snapshot holds only as markers get a `{}` placeholder that is then deleted (soft-deleted
//! versions) or destroyed (destroyed or trimmed ones).

use std::collections::HashMap;

use tokio::sync::mpsc;
use vault_core::VaultClient;
use vault_kv::{KeyMetadata, KvErrorKind, KvExt, KvV2, MetadataRequest, WriteSecretRequest};

use super::record::SecretRecord;
use crate::archive::Member;
use crate::manager::{RestoreAction, RestoreChange};
use crate::{BackupError, BackupErrorKind};

/// A LOGICAL restore's plan.
pub(crate) struct Import {
    pub(crate) client: VaultClient,
    pub(crate) mount: String,
    pub(crate) prefix: Option<String>,
    pub(crate) dry_run: bool,
}

impl Import {
    /// Consume the records from `rx` (until the archive ends); the changes and the versions
    /// written.
    pub(crate) async fn run(
        &self,
        mut rx: mpsc::Receiver<Member>,
    ) -> Result<(Vec<RestoreChange>, u64), BackupError> {
        check_mount(&self.mount)?;
        let kv = self.client.kv2(&self.mount);
        let prefix = self
            .prefix
            .as_deref()
            .map(|p| p.trim_matches('/').to_string())
            .filter(|p| !p.is_empty());
        let mut changes = Vec::new();
        let mut written = 0u64;
        while let Some((name, bytes)) = rx.recv().await {
            let record: SecretRecord = serde_json::from_slice(&bytes).map_err(|e| {
                // serde's message may quote the offending value: a secret. Position only.
                BackupError::integrity(format!(
                    "member {name} is not a secret record ({:?} error at line {} column {})",
                    e.classify(),
                    e.line(),
                    e.column()
                ))
            })?;
            check_record(&name, &record)?;
            if let Some(p) = &prefix
                && record.path != *p
                && !record.path.starts_with(&format!("{p}/"))
            {
                continue;
            }
            let action = compare(&kv, &record).await?;
            if !self.dry_run && action != RestoreAction::Unchanged {
                written += write_back(&kv, &record, action).await?;
            }
            changes.push(RestoreChange {
                path: record.path.clone(),
                action,
                versions: record.versions.len() as u64,
            });
        }
        Ok((changes, written))
    }
}

/// Highest version number a record may claim (each one is a write on restore).
const MAX_VERSION: u64 = 100_000;

/// A record from the archive, checked before anything is written: a sane path and a bounded
/// number of versions to write.
fn check_record(member: &str, record: &SecretRecord) -> Result<(), BackupError> {
    check_path(member, &record.path)?;
    let last = record.last_version();
    if last > MAX_VERSION || record.versions.len() as u64 > last {
        return Err(BackupError::integrity(format!(
            "member {member} claims {} versions up to version {last}; at most {MAX_VERSION} are \
             restored",
            record.versions.len()
        )));
    }
    Ok(())
}

/// The mount a LOGICAL snapshot restores into (from the catalog, which the store's writers
/// control): a KV mount path, not a system path.
pub(crate) fn check_mount(mount: &str) -> Result<(), BackupError> {
    let first = mount.split('/').next().unwrap_or_default();
    let bad = mount.is_empty()
        || mount.len() > 256
        || mount.starts_with('/')
        || mount
            .split('/')
            .any(|s| s.is_empty() || s == "." || s == "..")
        || mount
            .chars()
            .any(|c| c.is_control() || c == '?' || c == '#')
        || matches!(first, "sys" | "auth" | "identity" | "cubbyhole");
    if bad {
        let shown: String = mount.chars().take(60).collect();
        return Err(BackupError::integrity(format!(
            "the catalog names {shown:?} as the KV mount: not a KV mount path"
        )));
    }
    Ok(())
}

/// Paths come from the archive: relative, no empty, `.` or `..` segment.
fn check_path(member: &str, path: &str) -> Result<(), BackupError> {
    let bad = path.is_empty()
        || path.len() > 4096
        || path.starts_with('/')
        || path
            .split('/')
            .any(|s| s.is_empty() || s == "." || s == "..")
        || path.chars().any(char::is_control);
    if bad {
        return Err(BackupError::integrity(format!(
            "member {member} names an invalid secret path"
        )));
    }
    Ok(())
}

async fn read_metadata(kv: &KvV2, path: &str) -> Result<Option<KeyMetadata>, BackupError> {
    match kv.read_metadata(path).await {
        Ok(m) => Ok(Some(m)),
        Err(e) if e.kind() == KvErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// What restoring `record` would do to the target.
async fn compare(kv: &KvV2, record: &SecretRecord) -> Result<RestoreAction, BackupError> {
    let Some(meta) = read_metadata(kv, &record.path).await? else {
        return Ok(RestoreAction::Create);
    };
    let custom: HashMap<String, String> = record.custom_metadata.clone().into_iter().collect();
    if meta.current_version != record.last_version()
        || meta.custom_metadata != custom
        || meta.max_versions != record.max_versions
        || meta.cas_required != record.cas_required
        || meta.versions.len() != record.versions.len()
    {
        return Ok(RestoreAction::Replace);
    }
    for v in &record.versions {
        let Some(state) = meta.versions.get(&v.version) else {
            return Ok(RestoreAction::Replace);
        };
        let live_there = state.is_live();
        match &v.data {
            Some(data) => {
                if !live_there {
                    return Ok(RestoreAction::Replace);
                }
                let there = kv.read_version(&record.path, v.version).await?;
                if there.data.expose() != data {
                    return Ok(RestoreAction::Replace);
                }
            }
            None => {
                if live_there || state.destroyed != v.destroyed {
                    return Ok(RestoreAction::Replace);
                }
            }
        }
    }
    Ok(RestoreAction::Unchanged)
}

/// Replace the secret on the target with the record; the versions written.
async fn write_back(
    kv: &KvV2,
    record: &SecretRecord,
    action: RestoreAction,
) -> Result<u64, BackupError> {
    let path = record.path.as_str();
    if action == RestoreAction::Replace {
        kv.delete_metadata(path).await?;
    }
    let mut request = MetadataRequest::builder()
        .with_max_versions(record.max_versions)
        .with_cas_required(record.cas_required);
    request.custom_metadata = Some(record.custom_metadata.clone().into_iter().collect());
    if !record.delete_version_after.is_empty() {
        request = request.with_delete_version_after(record.delete_version_after.clone());
    }
    kv.write_metadata(path, &request).await?;
    let by_version: HashMap<u64, &super::record::VersionRecord> =
        record.versions.iter().map(|v| (v.version, v)).collect();
    let (mut deleted, mut destroyed) = (Vec::new(), Vec::new());
    let last = record.last_version();
    for version in 1..=last {
        let entry = by_version.get(&version);
        let data = entry.and_then(|v| v.data.clone()).unwrap_or_default();
        match entry {
            Some(v) if v.data.is_some() => {}
            Some(v) if !v.destroyed => deleted.push(version),
            _ => destroyed.push(version),
        }
        let written = kv
            .write(path, &WriteSecretRequest::new(data).with_cas(version - 1))
            .await?;
        if written.version != Some(version) {
            return Err(BackupError::new(
                BackupErrorKind::Vault,
                format!(
                    "restore of {}/{path}: version {version} was written as version {:?}",
                    kv.mount(),
                    written.version
                ),
            )
            .with_hint("another writer changed the secret during the restore; run it again"));
        }
    }
    if !deleted.is_empty() {
        kv.delete_versions(path, &deleted).await?;
    }
    if !destroyed.is_empty() {
        kv.destroy_versions(path, &destroyed).await?;
    }
    Ok(last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logical::record::VersionRecord;

    fn record(path: &str, current: u64, versions: u64) -> SecretRecord {
        SecretRecord {
            path: path.into(),
            cas_required: false,
            max_versions: 0,
            delete_version_after: String::new(),
            custom_metadata: Default::default(),
            current_version: current,
            oldest_version: 1,
            versions: (1..=versions)
                .map(|version| VersionRecord {
                    version,
                    created_time: String::new(),
                    deletion_time: String::new(),
                    destroyed: false,
                    data: None,
                })
                .collect(),
        }
    }

    #[test]
    fn hostile_records_are_refused_before_any_write() {
        check_record("m", &record("app/db", 3, 3)).expect("sane");
        for path in ["", "/abs", "a//b", "a/../sys", "./x", "a\nb"] {
            assert!(check_record("m", &record(path, 1, 1)).is_err(), "{path:?}");
        }
        let e = check_record("m", &record("a", u64::MAX, 1)).expect_err("huge version");
        assert!(e.message().contains("at most"), "{e}");
    }

    #[test]
    fn only_kv_mount_paths_are_restored_into() {
        for ok in ["secret", "kv/team-a", "apps.v2"] {
            check_mount(ok).expect(ok);
        }
        for bad in [
            "",
            "sys",
            "sys/raw",
            "auth/token",
            "identity",
            "cubbyhole",
            "../x",
            "a//b",
            "a?b",
        ] {
            assert!(check_mount(bad).is_err(), "{bad:?}");
        }
    }
}
