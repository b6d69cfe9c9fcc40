//! `vaultkit kv …`, over vault-kv's typed API.
//!
//! - [`input`]: `key=value`, `key=-`, `key=@file`, `@file`, `-` data arguments.
//! - [`read`]: `get`, `list`, `versions`, `metadata get`.
//! - [`write`]: `put`, `patch`, `delete`, `undelete`, `destroy`, `rollback`, `metadata put|delete`.
//! - [`tree`]: `tree`, the recursive view (values masked unless `--reveal`).
//! - [`transfer`]: `export` and `import` (dry-run diff by default).
//! - this file: dispatch, `MOUNT/path` splitting and the mapping of KV errors to exit codes.

use vault_kv::{KvError, KvErrorKind};

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

/// KV failures, with the exit code their kind calls for.
pub(crate) fn kv_error(err: KvError) -> CliError {
    let mut out = CliError::classified(&err);
    if err.kind() == KvErrorKind::NotFound
        && let Some((folder, _)) = err.path().and_then(|p| p.rsplit_once('/'))
    {
        out = out.with_hint(format!("see what exists with `vaultkit kv list {folder}/`"));
    }
    if let Some(hint) = err
        .vault()
        .filter(|v| v.hint().is_none())
        .and_then(|v| crate::error::default_hint(v.kind()))
    {
        out = out.with_hint(hint);
    }
    out
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
