//! `kv put`, `patch`, `delete`, `undelete`, `destroy`, `rollback`, `metadata put|delete`.
//!
//! Writes print the new version's metadata (KV v2) or a one-line confirmation on stderr; they
//! never echo the data written.

use serde_json::{Map, Value, json};
use vault_core::VaultClient;
use vault_kv::{KvExt, KvVersion, MetadataRequest, VersionMetadata};

use super::input::{self, RealSource};
use super::{KvLocation, kv_error, needs_v2};
use crate::args::kv::WriteArgs;
use crate::commands::Ctx;
use crate::error::{CliError, CliResult};
use crate::output::Table;

async fn version_of(
    client: &VaultClient,
    t: &KvLocation,
    op: &'static str,
) -> CliResult<KvVersion> {
    client
        .kv(&t.mount)
        .version_for(op, &t.path)
        .await
        .map_err(kv_error)
}

async fn require_v2(
    client: &VaultClient,
    t: &KvLocation,
    what: &'static str,
) -> CliResult<vault_kv::KvV2> {
    match version_of(client, t, what).await? {
        KvVersion::V1 => Err(needs_v2(t, what)),
        _ => Ok(client.kv(&t.mount).v2()),
    }
}

/// A write to `secret/data/app/db` on a KV v2 mount lands at the API path
/// `secret/data/data/app/db`: say so on stderr (the write goes ahead, as asked).
fn warn_api_style(ctx: &Ctx, t: &KvLocation, version: KvVersion) {
    if let (KvVersion::V2, Some(meant)) = (version, super::api_style_path(t)) {
        ctx.out().info(&format!(
            "note: writing to `{}`; did you mean `{meant}`? vaultkit adds `data/` itself",
            t.display()
        ));
    }
}

/// Vault's own confirmation of a write, on stderr.
fn confirm_written(ctx: &Ctx, t: &KvLocation) {
    ctx.out()
        .info(&format!("Success! Data written to: {}", t.display()));
}

/// Vault's own confirmation of a delete, on stderr.
fn confirm_deleted(ctx: &Ctx, t: &KvLocation) {
    ctx.out().info(&format!(
        "Success! Data deleted (if it existed) at: {}",
        t.display()
    ));
}

fn print_written(ctx: &Ctx, t: &KvLocation, meta: &VersionMetadata) -> CliResult<()> {
    confirm_written(ctx, t);
    if meta.version.is_none() {
        return Ok(());
    }
    let value =
        json!({"path": t.display(), "version": meta.version, "created_time": meta.created_time});
    ctx.out().print(&value, || {
        Table::key_value([
            ("created_time", meta.created_time.clone()),
            (
                "version",
                meta.version.map(|v| v.to_string()).unwrap_or_default(),
            ),
        ])
    })
}

/// The target and the data of a `kv put` or `kv patch`.
fn parse_write(w: &WriteArgs) -> CliResult<(KvLocation, Map<String, Value>)> {
    let options = input::Options {
        allow_empty: w.allow_empty,
    };
    Ok((
        KvLocation::of(&w.at)?,
        input::parse(&w.data, &mut RealSource, options)?,
    ))
}

pub(crate) async fn put(ctx: &Ctx, client: &VaultClient, w: &WriteArgs) -> CliResult<()> {
    let (loc, map) = parse_write(w)?;
    let t = &loc;
    let version = version_of(client, t, "write").await?;
    warn_api_style(ctx, t, version);
    let meta = match (version, w.cas) {
        (KvVersion::V1, Some(_)) => return Err(needs_v2(t, "kv put --cas")),
        (KvVersion::V1, None) => {
            client
                .kv(&t.mount)
                .v1()
                .write(&t.path, &map)
                .await
                .map_err(kv_error)?;
            VersionMetadata::default()
        }
        (_, Some(c)) => client
            .kv(&t.mount)
            .v2()
            .write_cas(&t.path, &map, c)
            .await
            .map_err(kv_error)?,
        (_, None) => client
            .kv(&t.mount)
            .v2()
            .write_data(&t.path, &map)
            .await
            .map_err(kv_error)?,
    };
    print_written(ctx, t, &meta)
}

pub(crate) async fn patch(ctx: &Ctx, client: &VaultClient, w: &WriteArgs) -> CliResult<()> {
    let (t, map) = parse_write(w)?;
    let kv2 = require_v2(client, &t, "kv patch").await?;
    let meta = kv2.patch(&t.path, &map, w.cas).await.map_err(kv_error)?;
    print_written(ctx, &t, &meta)
}

pub(crate) async fn delete(
    ctx: &Ctx,
    client: &VaultClient,
    t: &KvLocation,
    versions: &[u64],
) -> CliResult<()> {
    if versions.is_empty() {
        client
            .kv(&t.mount)
            .delete(&t.path)
            .await
            .map_err(kv_error)?;
    } else {
        require_v2(client, t, "kv delete --versions")
            .await?
            .delete_versions(&t.path, versions)
            .await
            .map_err(kv_error)?;
    }
    confirm_deleted(ctx, t);
    Ok(())
}

/// What `kv undelete` and `kv destroy` do to the versions they name.
#[derive(Debug, Clone, Copy)]
pub(crate) enum VersionChange {
    /// Bring soft-deleted versions back.
    Undelete,
    /// Remove the versions' data for good.
    Destroy,
}

/// `kv undelete` / `kv destroy`: apply `change` to `versions` of a KV v2 secret and confirm on
/// stderr. The two commands differ only in the endpoint they call, so they share this.
pub(crate) async fn change_versions(
    ctx: &Ctx,
    client: &VaultClient,
    t: &KvLocation,
    versions: &[u64],
    change: VersionChange,
) -> CliResult<()> {
    let what = match change {
        VersionChange::Undelete => "kv undelete",
        VersionChange::Destroy => "kv destroy",
    };
    let kv2 = require_v2(client, t, what).await?;
    match change {
        VersionChange::Undelete => kv2.undelete_versions(&t.path, versions).await,
        VersionChange::Destroy => kv2.destroy_versions(&t.path, versions).await,
    }
    .map_err(kv_error)?;
    confirm_written(ctx, t);
    Ok(())
}

/// Write version `version`'s data as the new latest version, with check-and-set on the current one
/// so a concurrent write is not silently overwritten.
pub(crate) async fn rollback(
    ctx: &Ctx,
    client: &VaultClient,
    t: &KvLocation,
    version: u64,
) -> CliResult<()> {
    let kv2 = require_v2(client, t, "kv rollback").await?;
    let meta = kv2.read_metadata(&t.path).await.map_err(kv_error)?;
    if version == meta.current_version {
        return Err(CliError::validation(format!(
            "version {version} of `{}` is already the current version",
            t.display()
        )));
    }
    let old = kv2.read_version(&t.path, version).await.map_err(kv_error)?;
    let written = kv2
        .write_cas(&t.path, old.data.expose(), meta.current_version)
        .await
        .map_err(kv_error)?;
    ctx.out().info(&format!(
        "Key value store: {} rolled back to version {version}",
        t.display()
    ));
    print_written(ctx, t, &written)
}

/// The settings `kv metadata put` can change.
#[derive(Debug, Default)]
pub(crate) struct MetadataChange {
    pub max_versions: Option<u64>,
    pub cas_required: Option<bool>,
    pub delete_version_after: Option<String>,
    pub custom_metadata: Vec<String>,
}

pub(crate) async fn metadata_put(
    ctx: &Ctx,
    client: &VaultClient,
    t: &KvLocation,
    change: MetadataChange,
) -> CliResult<()> {
    let mut req = MetadataRequest::builder();
    if let Some(n) = change.max_versions {
        req = req.with_max_versions(n);
    }
    if let Some(c) = change.cas_required {
        req = req.with_cas_required(c);
    }
    if let Some(d) = change.delete_version_after {
        req = req.with_delete_version_after(d);
    }
    for pair in &change.custom_metadata {
        let (k, v) = pair
            .split_once('=')
            .filter(|(k, _)| !k.is_empty())
            .ok_or_else(|| {
                CliError::usage(format!("--custom-metadata `{pair}` is not KEY=VALUE"))
                    .with_hint("e.g. --custom-metadata owner=data-team")
            })?;
        req = req.with_custom_metadata(k, v);
    }
    if req == MetadataRequest::default() {
        return Err(CliError::usage("nothing to change").with_hint(
            "pass --max-versions, --cas-required, --delete-version-after or --custom-metadata",
        ));
    }
    require_v2(client, t, "kv metadata put")
        .await?
        .write_metadata(&t.path, &req)
        .await
        .map_err(kv_error)?;
    confirm_written(ctx, t);
    Ok(())
}

pub(crate) async fn metadata_delete(
    ctx: &Ctx,
    client: &VaultClient,
    t: &KvLocation,
) -> CliResult<()> {
    require_v2(client, t, "kv metadata delete")
        .await?
        .delete_metadata(&t.path)
        .await
        .map_err(kv_error)?;
    confirm_deleted(ctx, t);
    Ok(())
}
