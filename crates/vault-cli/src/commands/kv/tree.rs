//! `kv tree [PATH]`: a mount or folder as a tree of folders, secrets and keys. Values are masked
//! (`****`, same width for every value so lengths do not leak) unless `--reveal`.
//!
//! The walk lists folders concurrently (vault-kv's [`vault_kv::Walk`]); secrets are then read eight
//! at a time, with a progress bar on a terminal. Folders the token may not list are reported on
//! stderr and skipped.

use std::collections::BTreeMap;

use futures_util::{StreamExt, stream};
use serde_json::{Map, Value, json};
use vault_core::VaultClient;
use vault_core::escape_text;
use vault_kv::{KvError, KvExt, WalkOptions};

use super::{KvLocation, kv_error};
use crate::commands::Ctx;
use crate::error::{CliError, CliResult};
use crate::output::progress::Progress;

pub(crate) const MASK: &str = "****";

/// Every secret under `t` (paths relative to `t`), read concurrently.
pub(crate) async fn read_all(
    ctx: &Ctx,
    client: &VaultClient,
    t: &KvLocation,
) -> CliResult<BTreeMap<String, Map<String, Value>>> {
    let walk = client.walk(
        &t.mount,
        WalkOptions::builder().with_prefix(t.path.clone()).build(),
    );
    let (paths, skipped) = walk.collect_all().await;
    if let (true, Some((_, err))) = (paths.is_empty(), skipped.first()) {
        // Nothing readable at all: the start folder itself failed (no mount, no permission).
        return Err(kv_error(clone_error(err)));
    }
    for (folder, err) in &skipped {
        ctx.out().info(&format!(
            "warning: skipped `{}/{}`: {err}",
            t.mount,
            folder.trim_matches('/')
        ));
    }
    let progress = Progress::new(
        Some(paths.len() as u64),
        "reading secrets",
        ctx.global.quiet,
    );
    let kv = client.kv(&t.mount);
    let prefix = if t.path.is_empty() {
        String::new()
    } else {
        format!("{}/", t.path)
    };
    let results: Vec<(String, Result<vault_kv::VaultSecret, KvError>)> = stream::iter(paths)
        .map(|p| {
            let kv = kv.clone();
            let progress = &progress;
            async move {
                let r = kv.get(&p).await;
                progress.inc(1);
                (p, r)
            }
        })
        .buffer_unordered(8)
        .collect()
        .await;
    progress.finish();
    let mut out = BTreeMap::new();
    for (path, r) in results {
        let rel = path.strip_prefix(&prefix).unwrap_or(&path).to_string();
        match r {
            Ok(s) => {
                out.insert(rel, s.data.expose().clone());
            }
            // Deleted latest version (KV v2 soft delete): still part of the tree, with no keys.
            Err(e)
                if e.is_not_found()
                    || matches!(
                        e.kind(),
                        vault_kv::KvErrorKind::VersionDeleted
                            | vault_kv::KvErrorKind::VersionDestroyed
                    ) =>
            {
                out.insert(rel, Map::new());
            }
            Err(e) => return Err(kv_error(e)),
        }
    }
    Ok(out)
}

/// Rebuild an error for reporting (KvError is not Clone); keeps its kind and sentence.
fn clone_error(err: &KvError) -> KvError {
    if let KvError::Vault(v) = err {
        // The same fields, so that the sentence reads once ("list `secret/`: connection error: …").
        let mut c = vault_core::VaultError::new(v.kind()).with_errors(v.vault_errors().to_vec());
        if let Some(op) = v.operation() {
            c = c.with_operation(op);
        }
        if let Some(path) = v.path() {
            c = c.with_path(path);
        }
        if let Some(status) = v.status() {
            c = c.with_status(status);
        }
        if let Some(m) = v.message() {
            c = c.with_message(m);
        }
        if let Some(h) = v.hint() {
            c = c.with_hint(h);
        }
        return KvError::Vault(c);
    }
    KvError::Vault(match err.vault() {
        Some(v) => vault_core::VaultError::new(v.kind()).with_message(err.to_string()),
        None => vault_core::VaultError::new(vault_core::VaultErrorKind::Validation)
            .with_message(err.to_string()),
    })
}

pub(crate) async fn run(
    ctx: &Ctx,
    client: &VaultClient,
    t: &KvLocation,
    reveal: bool,
    names_only: bool,
) -> CliResult<()> {
    let secrets = read_all(ctx, client, t).await?;
    if secrets.is_empty() {
        return Err(
            CliError::not_found(format!("no secrets under `{}`", t.display()))
                .with_hint("check the mount and folder (`vaultkit kv list MOUNT/`)"),
        );
    }
    let shown = |v: &Value| {
        if reveal {
            v.clone()
        } else {
            Value::String(MASK.into())
        }
    };
    let listed: Value = if names_only {
        json!(secrets.keys().collect::<Vec<_>>())
    } else {
        Value::Object(
            secrets
                .iter()
                .map(|(p, data)| {
                    (
                        p.clone(),
                        Value::Object(data.iter().map(|(k, v)| (k.clone(), shown(v))).collect()),
                    )
                })
                .collect(),
        )
    };
    let value = json!({ "path": t.display(), "secrets": listed });
    if !ctx.is_table() || ctx.global.field.is_some() {
        return ctx.out().print(&value, crate::output::Table::default);
    }
    let mut root = Node::default();
    for (path, data) in &secrets {
        let mut node = &mut root;
        let mut parts: Vec<&str> = path.split('/').collect();
        let leaf = parts.pop().unwrap_or_default();
        for folder in parts {
            node = node.children.entry(format!("{folder}/")).or_default();
        }
        let entry = node.children.entry(leaf.to_string()).or_default();
        if !names_only {
            entry.keys = data
                .iter()
                .map(|(k, v)| (k.clone(), crate::output::cell(&shown(v))))
                .collect();
        }
    }
    let mut text = format!(
        "{}\n",
        ctx.out()
            .paint(&escape_text(&t.display()), crate::output::Color::Dim)
    );
    render(&root, "", &mut text, ctx);
    ctx.out().write(&text)
}

#[derive(Debug, Default)]
struct Node {
    children: BTreeMap<String, Node>,
    keys: Vec<(String, String)>,
}

fn render(node: &Node, indent: &str, out: &mut String, ctx: &Ctx) {
    let total = node.children.len() + node.keys.len();
    let mut i = 0;
    for (k, v) in &node.keys {
        i += 1;
        let branch = if i == total {
            "└── "
        } else {
            "├── "
        };
        out.push_str(&format!(
            "{indent}{branch}{} = {}\n",
            escape_text(k),
            escape_text(v)
        ));
    }
    for (name, child) in &node.children {
        i += 1;
        let last = i == total;
        let shown = escape_text(name);
        let label = if name.ends_with('/') {
            ctx.out().paint(&shown, crate::output::Color::Yellow)
        } else {
            ctx.out().paint(&shown, crate::output::Color::Green)
        };
        out.push_str(&format!(
            "{indent}{}{label}\n",
            if last { "└── " } else { "├── " }
        ));
        render(
            child,
            &format!("{indent}{}", if last { "    " } else { "│   " }),
            out,
            ctx,
        );
    }
}
