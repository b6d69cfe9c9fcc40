//! `kv get`, `kv list`, `kv versions`, `kv metadata get`.

use serde_json::{Value, json};
use vault_core::VaultClient;
use vault_kv::{KeyMetadata, KvExt, KvVersion, VaultSecret};

use super::{KvLocation, hint_api_style, kv_error, needs_v2};
use crate::commands::Ctx;
use crate::error::{CliError, CliResult};
use crate::output::{Table, cell};

/// `kv get`: metadata and data tables, or JSON/YAML `{data, metadata}`; `--field KEY` prints one
/// value raw (looked up in the data first).
pub(crate) async fn get(
    ctx: &Ctx,
    client: &VaultClient,
    t: &KvLocation,
    version: Option<u64>,
) -> CliResult<()> {
    let kv = client.kv(&t.mount);
    let secret = match version {
        Some(v) => kv.get_version(&t.path, v).await,
        None => kv.get(&t.path).await,
    };
    match secret {
        Ok(secret) => print_secret(ctx, t, &secret),
        Err(e) => Err(hint_api_style(client, t, kv_error(e)).await),
    }
}

pub(crate) fn print_secret(ctx: &Ctx, t: &KvLocation, secret: &VaultSecret) -> CliResult<()> {
    let data = Value::Object(secret.data.expose().clone());
    if ctx.global.field.is_some() {
        return ctx.out().print(&data, Table::default);
    }
    let meta = &secret.metadata;
    let value = json!({
        "path": t.display(),
        "data": data,
        "metadata": if meta.version.is_some() { json!(meta) } else { Value::Null },
    });
    if !ctx.is_table() {
        return ctx.out().print(&value, Table::default);
    }
    let mut text = String::new();
    if let Some(v) = meta.version {
        let mut m = Table::key_value([
            ("created_time", meta.created_time.clone()),
            ("version", v.to_string()),
        ]);
        if !meta.deletion_time.is_empty() {
            m.push(["deletion_time".to_string(), meta.deletion_time.clone()]);
        }
        if meta.destroyed {
            m.push(["destroyed", "true"]);
        }
        let mut custom: Vec<_> = meta.custom_metadata.iter().collect();
        custom.sort();
        for (k, val) in custom {
            m.push([format!("custom_metadata.{k}"), val.clone()]);
        }
        text.push_str(&format!(
            "== Secret Path ==\n{}\n\n== Metadata ==\n",
            t.display()
        ));
        text.push_str(&m.render());
        text.push('\n');
    }
    let d = Table::key_value(
        secret
            .data
            .expose()
            .iter()
            .map(|(k, v)| (k.clone(), cell(v))),
    );
    text.push_str("== Data ==\n");
    text.push_str(&d.render());
    ctx.out().write(&text)
}

/// `kv list`: the names under a folder; nothing there is "not found" (exit 3), like Vault.
pub(crate) async fn list(ctx: &Ctx, client: &VaultClient, t: &KvLocation) -> CliResult<()> {
    let keys = client.kv(&t.mount).list(&t.path).await.map_err(kv_error)?;
    if keys.is_empty() {
        let err = CliError::not_found(format!("no keys under `{}`", t.display()))
            .with_hint("check the path; `vaultkit kv tree MOUNT` shows everything");
        return Err(hint_api_style(client, t, err).await);
    }
    ctx.out().print(&json!(keys), || {
        let mut table = Table::new(["Keys"]);
        for k in &keys {
            table.push([k.clone()]);
        }
        table
    })
}

async fn metadata_of(
    client: &VaultClient,
    t: &KvLocation,
    what: &'static str,
) -> CliResult<KeyMetadata> {
    let kv = client.kv(&t.mount);
    if kv.version_for(what, &t.path).await.map_err(kv_error)? == KvVersion::V1 {
        return Err(needs_v2(t, what));
    }
    match kv.v2().read_metadata(&t.path).await {
        Ok(meta) => Ok(meta),
        Err(e) => Err(hint_api_style(client, t, kv_error(e)).await),
    }
}

/// `kv versions`: one row per retained version with its state.
pub(crate) async fn versions(ctx: &Ctx, client: &VaultClient, t: &KvLocation) -> CliResult<()> {
    let meta = metadata_of(client, t, "kv versions").await?;
    let rows: Vec<Value> = meta
        .versions
        .iter()
        .rev()
        .map(|(n, s)| {
            let state = if s.destroyed {
                "destroyed"
            } else if !s.deletion_time.is_empty() {
                "deleted"
            } else {
                "live"
            };
            json!({"version": n, "state": state, "current": *n == meta.current_version,
                   "created_time": s.created_time, "deletion_time": s.deletion_time})
        })
        .collect();
    ctx.out().print(&json!(rows), || {
        let mut table = Table::new(["Version", "State", "Created", "Deleted"]);
        for r in &rows {
            let marker = if r["current"] == true {
                " (current)"
            } else {
                ""
            };
            table.push([
                format!("{}{marker}", r["version"]),
                cell(&r["state"]),
                cell(&r["created_time"]),
                cell(&r["deletion_time"]),
            ]);
        }
        table
    })
}

/// `kv metadata get`.
pub(crate) async fn metadata(ctx: &Ctx, client: &VaultClient, t: &KvLocation) -> CliResult<()> {
    let meta = metadata_of(client, t, "kv metadata get").await?;
    let value = serde_json::to_value(&meta)
        .map_err(|e| CliError::other(format!("could not encode metadata: {e}")))?;
    ctx.out().print(&value, || {
        let mut table = Table::key_value([
            ("cas_required", meta.cas_required.to_string()),
            ("created_time", meta.created_time.clone()),
            ("current_version", meta.current_version.to_string()),
            ("delete_version_after", meta.delete_version_after.clone()),
            ("max_versions", meta.max_versions.to_string()),
            ("oldest_version", meta.oldest_version.to_string()),
            ("updated_time", meta.updated_time.clone()),
        ]);
        let mut custom: Vec<_> = meta.custom_metadata.iter().collect();
        custom.sort();
        for (k, v) in custom {
            table.push([format!("custom_metadata.{k}"), v.clone()]);
        }
        table
    })
}
