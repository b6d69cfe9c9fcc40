//! `vaultkit kv …`, over vault-kv's typed API.
//!
//! - [`input`]: `key=value`, `key=-`, `key=@file`, `@file`, `-` data arguments.
//! - [`read`]: `get`, `list`, `versions`, `metadata get`.
//! - [`write`]: `put`, `patch`, `delete`, `undelete`, `destroy`, `rollback`, `metadata put|delete`.
//! - [`tree`]: `tree`, the recursive view (values masked unless `--reveal`).
//! - [`transfer`]: `export` and `import` (dry-run diff by default).
//! - this file: dispatch, `MOUNT/path` splitting and the mapping of KV errors to exit codes.

use vault_core::VaultClient;
use vault_kv::{KvError, KvErrorKind, KvExt, KvVersion};

use super::Ctx;
use crate::args::kv::{KvCommand, KvPath, MetadataCommand};
use crate::error::{CliError, CliResult};

pub(crate) mod input;
pub(crate) mod read;
pub(crate) mod transfer;
pub(crate) mod tree;
pub(crate) mod write;

pub(crate) async fn run(ctx: &Ctx, cmd: KvCommand) -> CliResult<()> {
    let client = ctx.client()?;
    match cmd {
        KvCommand::Get { at, version } => {
            read::get(ctx, &client, &KvLocation::of(&at)?, version).await
        }
        KvCommand::List { at } => read::list(ctx, &client, &KvLocation::folder(&at)?).await,
        KvCommand::Versions { at } => read::versions(ctx, &client, &KvLocation::of(&at)?).await,
        KvCommand::Metadata(MetadataCommand::Get { at }) => {
            read::metadata(ctx, &client, &KvLocation::of(&at)?).await
        }
        KvCommand::Put(w) => write::put(ctx, &client, &w).await,
        KvCommand::Patch(w) => write::patch(ctx, &client, &w).await,
        KvCommand::Delete { at, versions } => {
            write::delete(ctx, &client, &KvLocation::of(&at)?, &versions).await
        }
        KvCommand::Undelete { at, versions } => {
            let change = write::VersionChange::Undelete;
            write::change_versions(ctx, &client, &KvLocation::of(&at)?, &versions, change).await
        }
        KvCommand::Destroy { at, versions } => {
            let change = write::VersionChange::Destroy;
            write::change_versions(ctx, &client, &KvLocation::of(&at)?, &versions, change).await
        }
        KvCommand::Rollback { at, version } => {
            write::rollback(ctx, &client, &KvLocation::of(&at)?, version).await
        }
        KvCommand::Metadata(MetadataCommand::Put {
            at,
            max_versions,
            cas_required,
            delete_version_after,
            custom_metadata,
        }) => {
            let req = write::MetadataChange {
                max_versions,
                cas_required,
                delete_version_after,
                custom_metadata,
            };
            write::metadata_put(ctx, &client, &KvLocation::of(&at)?, req).await
        }
        KvCommand::Metadata(MetadataCommand::Delete { at }) => {
            write::metadata_delete(ctx, &client, &KvLocation::of(&at)?).await
        }
        KvCommand::Tree {
            path,
            mount,
            reveal,
            names_only,
        } => {
            let at = KvPath { path, mount };
            tree::run(ctx, &client, &KvLocation::folder(&at)?, reveal, names_only).await
        }
        KvCommand::Export { at, output } => {
            transfer::export(ctx, &client, &KvLocation::folder(&at)?, output.as_deref()).await
        }
        KvCommand::Import {
            file,
            at,
            apply,
            force,
        } => transfer::import(ctx, &client, &file, &KvLocation::folder(&at)?, apply, force).await,
    }
}

/// A mount and a path inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KvLocation {
    pub mount: String,
    pub path: String,
}

impl KvLocation {
    /// A secret: `--mount M PATH`, or `MOUNT/PATH`. The path must not be empty.
    pub(crate) fn of(at: &KvPath) -> CliResult<KvLocation> {
        let t = KvLocation::folder(at)?;
        if t.path.is_empty() {
            return Err(
                CliError::usage(format!("`{}` names a mount, not a secret", at.path)).with_hint(
                    "give the secret's path, e.g. `secret/app/db` or `--mount secret app/db`",
                ),
            );
        }
        Ok(t)
    }

    /// A folder (may be the mount's root).
    pub(crate) fn folder(at: &KvPath) -> CliResult<KvLocation> {
        let path = at.path.trim_matches('/');
        match at.mount.as_deref().map(|m| m.trim_matches('/')) {
            Some(m) if !m.is_empty() => Ok(KvLocation {
                mount: m.to_string(),
                path: path.to_string(),
            }),
            _ => {
                let (mount, rest) = path.split_once('/').unwrap_or((path, ""));
                if mount.is_empty() {
                    return Err(CliError::usage("no mount given").with_hint(
                        "start the path with the mount (`secret/app/db`) or pass --mount",
                    ));
                }
                Ok(KvLocation {
                    mount: mount.to_string(),
                    path: rest.trim_matches('/').to_string(),
                })
            }
        }
    }

    /// `mount/path` for messages.
    pub(crate) fn display(&self) -> String {
        if self.path.is_empty() {
            format!("{}/", self.mount)
        } else {
            format!("{}/{}", self.mount, self.path)
        }
    }

    /// A path below this folder.
    pub(crate) fn join(&self, rel: &str) -> String {
        match (self.path.is_empty(), rel.is_empty()) {
            (true, _) => rel.to_string(),
            (false, true) => self.path.clone(),
            (false, false) => format!("{}/{}", self.path, rel),
        }
    }
}

/// KV failures, with the exit code their kind calls for and a hint in the CLI's own words (the
/// library's errors state facts; the flags and commands to try are named here).
pub(crate) fn kv_error(err: KvError) -> CliError {
    let out = CliError::classified(&err);
    let hint = match &err {
        KvError::NoSuchMount { kv_mounts, .. } if !kv_mounts.is_empty() => Some(
            "start the path with one of those mounts (`MOUNT/path`) or pass --mount".to_string(),
        ),
        KvError::NoSuchMount { .. } => {
            Some("check the mount name (`MOUNT/path` or --mount)".to_string())
        }
        KvError::MountNotVisible { mount, .. } => Some(format!(
            "check the mount name (`MOUNT/path` or --mount); if `{mount}` exists, ask for a \
             policy that grants `{mount}/*`"
        )),
        KvError::CasRequired {
            current: Some(c), ..
        } => Some(format!(
            "pass the current version: `-cas={c}`{}",
            if *c == 0 { " (creates the secret)" } else { "" }
        )),
        KvError::CasRequired { .. } => Some(
            "pass the current version with `-cas=N` (`vaultkit kv metadata get PATH` shows it; \
             0 creates the secret)"
                .to_string(),
        ),
        KvError::CasMismatch {
            expected: 0,
            current: Some(c),
            ..
        } => Some(format!(
            "it exists already: read it, then pass `-cas={c}` to write over version {c}"
        )),
        KvError::CasMismatch {
            current: Some(c), ..
        } => Some(format!(
            "it changed since: read it again, then pass `-cas={c}` to write over version {c}"
        )),
        _ if err.kind() == KvErrorKind::NotFound => err
            .path()
            .and_then(|p| p.rsplit_once('/'))
            .map(|(folder, _)| format!("see what exists with `vaultkit kv list {folder}/`")),
        _ => err
            .vault()
            .filter(|v| v.hint().is_none())
            .and_then(|v| crate::error::default_hint(v.kind()))
            .map(str::to_string),
    };
    match hint {
        Some(h) => out.with_hint(h),
        None => out,
    }
}

/// The API sections of a KV v2 mount that vaultkit adds itself (`secret/data/app/db` is the API
/// path of the CLI path `secret/app/db`).
const V2_SECTIONS: [&str; 6] = [
    "data", "metadata", "delete", "undelete", "destroy", "subkeys",
];

/// `secret/data/app/db` given where `secret/app/db` was meant: the CLI path without the API
/// section, when `t` starts with one.
pub(crate) fn api_style_path(t: &KvLocation) -> Option<String> {
    let (first, rest) = t.path.split_once('/')?;
    (V2_SECTIONS.contains(&first) && !rest.is_empty()).then(|| format!("{}/{rest}", t.mount))
}

/// A "not found" on a KV v2 mount for a path given API-style (`secret/data/app/db`): hint at the
/// CLI path. The mount's version is already remembered by then (no extra request).
pub(crate) async fn hint_api_style(
    client: &VaultClient,
    t: &KvLocation,
    err: CliError,
) -> CliError {
    if err.kind() != crate::error::ExitKind::NotFound {
        return err;
    }
    let Some(meant) = api_style_path(t) else {
        return err;
    };
    match client.kv(&t.mount).version().await {
        Ok(KvVersion::V2) => err.with_hint(format!(
            "did you mean `{meant}`? vaultkit adds `data/` itself"
        )),
        _ => err,
    }
}

/// A KV v2 only command on a v1 mount.
pub(crate) fn needs_v2(target: &KvLocation, what: &str) -> CliError {
    CliError::usage(format!(
        "`{what}` needs a KV v2 mount, and `{}` is KV v1",
        target.mount
    ))
    .with_hint("enable versioning: `bao kv enable-versioning <mount>`")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(path: &str, mount: Option<&str>) -> KvPath {
        KvPath {
            path: path.into(),
            mount: mount.map(Into::into),
        }
    }

    #[test]
    fn splits_mount_like_vault() {
        assert_eq!(
            KvLocation::of(&at("secret/app/db", None)).ok(),
            Some(KvLocation {
                mount: "secret".into(),
                path: "app/db".into()
            })
        );
        assert_eq!(
            KvLocation::of(&at("app/db/", Some("kv"))).ok(),
            Some(KvLocation {
                mount: "kv".into(),
                path: "app/db".into()
            })
        );
        assert_eq!(
            KvLocation::folder(&at("secret", None)).ok(),
            Some(KvLocation {
                mount: "secret".into(),
                path: String::new()
            })
        );
        assert_eq!(
            KvLocation::of(&at("secret/", None)).map_err(|e| e.kind().code()),
            Err(2)
        );
        assert_eq!(
            KvLocation::folder(&at("", None)).map_err(|e| e.kind().code()),
            Err(2)
        );
    }
}
