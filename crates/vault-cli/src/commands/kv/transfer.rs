//! `kv export PATH` and `kv import FILE PATH`.
//!
//! Export writes every secret under a folder as `{ "relative/path": { "key": "value" } }` (JSON,
//! YAML) or as dotenv lines named `RELATIVE_PATH_KEY`. Import reads the same JSON/YAML shape and
//! merges it into the folder: by default it only prints the diff (which keys would be added, are
//! unchanged, or differ), `--apply` writes and prints a summary (the per-key diff only with `-v`,
//! nothing but errors with `-q`), and a key whose value in Vault differs from the file is
//! overwritten only with `--force`. Values never appear in the diff. The diff and the write are
//! [`vault_kv::sync`]'s: KV v2 writes use check-and-set on the version read and KV v1 writes
//! re-read first, so a change made in Vault after the diff is never overwritten (it is reported
//! and the import exits 6).

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value, json};
use vault_core::VaultClient;
use vault_kv::KvExt;
use vault_kv::sync::{self, ApplyOptions, Desired, KeyChange, Outcome, SyncDiff, SyncReport};

use super::{KvLocation, kv_error, tree};
use crate::commands::Ctx;
use crate::error::{CliError, CliResult};
use crate::output::{Color, Table, cell};
use crate::quote;

pub(crate) async fn export(
    ctx: &Ctx,
    client: &VaultClient,
    t: &KvLocation,
    output: Option<&Path>,
) -> CliResult<()> {
    let format = ctx.format_flag().unwrap_or("json").to_ascii_lowercase();
    if !matches!(format.as_str(), "json" | "yaml" | "yml" | "dotenv") {
        return Err(
            CliError::usage(format!("kv export cannot write `{format}`"))
                .with_hint("use --format json, yaml or dotenv"),
        );
    }
    let mut secrets = tree::read_all(ctx, client, t).await?;
    // Soft-deleted secrets have no data to export (and `import` rejects empty entries).
    secrets.retain(|_, data| !data.is_empty());
    if secrets.is_empty() {
        return Err(
            CliError::not_found(format!("no secrets under `{}`", t.display())).with_hint(
                "export takes a folder; for one secret use `vaultkit kv get PATH --format json`",
            ),
        );
    }
    let text = match format.as_str() {
        "dotenv" => {
            let mut s = String::new();
            for (path, data) in &secrets {
                for (k, v) in data {
                    let name = quote::env_name(&[path, k]);
                    let line = quote::dotenv(&name, &cell(v)).map_err(|why| {
                        CliError::validation(format!("the value of `{path}` key `{k}` {why}"))
                            .with_hint("export with --format json or yaml")
                    })?;
                    s.push_str(&line);
                    s.push('\n');
                }
            }
            s
        }
        f => {
            let value = Value::Object(
                secrets
                    .into_iter()
                    .map(|(p, d)| (p, Value::Object(d)))
                    .collect(),
            );
            if f == "json" {
                format!("{}\n", crate::output::to_json(&value)?)
            } else {
                crate::output::to_yaml(&value)?
            }
        }
    };
    ctx.out().write_to(output, &text)
}

/// How one key's change is labelled in the diff table.
fn label(change: KeyChange, force: bool) -> &'static str {
    match change {
        KeyChange::Add => "add",
        KeyChange::Unchanged => "unchanged",
        KeyChange::Conflict if force => "overwrite",
        _ => "conflict",
    }
}

/// `kv import FILE PATH [--apply] [--force]`: the diff and, with `--apply`, the write, both done
/// by [`vault_kv::sync`] (check-and-set on KV v2, read-compare-write on KV v1).
pub(crate) async fn import(
    ctx: &Ctx,
    client: &VaultClient,
    file: &Path,
    t: &KvLocation,
    apply: bool,
    force: bool,
) -> CliResult<()> {
    let wanted = load(file)?;
    let kv = client.kv(&t.mount);
    let mut desired = Desired::new();
    for (rel, data) in wanted {
        desired.insert(&t.join(&rel), data).map_err(kv_error)?;
    }
    let diff = sync::diff(&kv, &desired).await.map_err(kv_error)?;
    // The per-key diff is the dry run's answer; on apply (thousands of rows for a large import)
    // it is shown only with -v.
    if !apply || (ctx.global.verbose > 0 && !ctx.global.quiet) {
        print_plan(ctx, &diff, force)?;
    }

    let conflicts: Vec<String> = diff
        .conflicts()
        .flat_map(|s| {
            s.conflicting_keys()
                .map(move |k| format!("{}/{}#{k}", t.mount, s.path))
        })
        .collect();
    if !apply {
        ctx.out().info(&format!(
            "Dry run: {} secret(s) would be written{}. Re-run with --apply to write.",
            diff.would_write(force),
            if conflicts.is_empty() || force {
                String::new()
            } else {
                format!("; {} key(s) differ and need --force", conflicts.len())
            }
        ));
        return Ok(());
    }
    if !conflicts.is_empty() && !force {
        return Err(CliError::validation(format!(
            "import would overwrite {} changed value(s) ({}); nothing was written",
            conflicts.len(),
            conflicts.join(", ")
        ))
        .with_hint("check the diff, then re-run with --force to overwrite them"));
    }
    let report = sync::apply(&kv, &diff, &ApplyOptions::default().with_force(force))
        .await
        .map_err(kv_error)?;
    print_summary(ctx, t, &report)?;
    let raced: Vec<String> = report
        .secrets
        .iter()
        .filter(|s| s.outcome == Outcome::ChangedConcurrently)
        .map(|s| format!("{}/{}", t.mount, s.path))
        .collect();
    if !raced.is_empty() {
        return Err(CliError::validation(format!(
            "{} secret(s) changed in Vault while importing and were not written: {}",
            raced.len(),
            raced.join(", ")
        ))
        .with_hint("run the import again to compare with the new values"));
    }
    Ok(())
}

/// What `--apply` did, counted per secret: written (created or updated), unchanged, conflicts
/// (left alone because a value differs) and skipped (changed in Vault while importing). A line on
/// stderr for the table format (none with `-q`); an object on stdout for `--format json|yaml`.
fn print_summary(ctx: &Ctx, t: &KvLocation, report: &SyncReport) -> CliResult<()> {
    let count = |wanted: Outcome| {
        report
            .secrets
            .iter()
            .filter(|s| s.outcome == wanted)
            .count()
    };
    let (conflicts, skipped) = (
        count(Outcome::Conflict),
        count(Outcome::ChangedConcurrently),
    );
    if ctx.is_table() {
        ctx.out().info(&format!(
            "Imported into {}: {} secret(s) written, {} unchanged, {conflicts} conflict(s), \
             {skipped} skipped (changed in Vault meanwhile)",
            t.display(),
            report.written(),
            report.unchanged(),
        ));
        return Ok(());
    }
    if ctx.global.quiet {
        return Ok(());
    }
    let secrets: Vec<Value> = report
        .secrets
        .iter()
        .map(|s| json!({"path": format!("{}/{}", report.mount, s.path), "outcome": s.outcome, "version": s.version}))
        .collect();
    let value = json!({
        "written": report.written(),
        "unchanged": report.unchanged(),
        "conflicts": conflicts,
        "skipped": skipped,
        "secrets": secrets,
    });
    ctx.out().print(&value, Table::default)
}

fn print_plan(ctx: &Ctx, diff: &SyncDiff, force: bool) -> CliResult<()> {
    let rows: Vec<Value> = diff
        .secrets
        .iter()
        .flat_map(|s| {
            s.keys.iter().map(move |k| json!({"path": format!("{}/{}", diff.mount, s.path), "key": k.key, "change": label(k.change, force)}))
        })
        .collect();
    ctx.out().print(&json!(rows), || {
        let mut table = Table::new(["Path", "Key", "Change"]);
        for r in &rows {
            let change = cell(&r["change"]);
            let painted = match change.as_str() {
                "add" => ctx.out().paint(&change, Color::Green),
                "conflict" => ctx.out().paint(&change, Color::Red),
                "overwrite" => ctx.out().paint(&change, Color::Yellow),
                _ => change.clone(),
            };
            table.push([cell(&r["path"]), cell(&r["key"]), painted]);
        }
        table
    })
}

/// Read an import file: a JSON or YAML object mapping relative paths to objects.
fn load(file: &Path) -> CliResult<BTreeMap<String, Map<String, Value>>> {
    let text = if file.as_os_str() == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .map_err(|e| CliError::other(format!("could not read stdin: {e}")))?;
        s
    } else {
        std::fs::read_to_string(file).map_err(|e| CliError::io("read import file", file, &e))?
    };
    let name = file.display();
    let yaml = matches!(
        file.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    );
    let parsed: Value = if yaml {
        serde_norway::from_str(&text)
            .map_err(|e| CliError::validation(format!("invalid YAML in `{name}`: {e}")))?
    } else {
        serde_json::from_str(&text).map_err(|e| {
            CliError::validation(format!(
                "invalid JSON in `{name}` at line {} column {}",
                e.line(),
                e.column()
            ))
        })?
    };
    let Value::Object(top) = parsed else {
        return Err(
            CliError::validation(format!("`{name}` is not an object of secrets")).with_hint(
                "write {\"relative/path\": {\"key\": \"value\"}} (the shape `kv export` writes)",
            ),
        );
    };
    let mut out = BTreeMap::new();
    for (path, v) in top {
        let Value::Object(data) = v else {
            return Err(CliError::validation(format!(
                "`{name}`: entry `{path}` is not an object of key/value pairs"
            ))
            .with_hint("each secret must map keys to values"));
        };
        let clean = path.trim_matches('/').to_string();
        if clean.is_empty() || data.is_empty() {
            return Err(CliError::validation(format!(
                "`{name}`: entry `{path}` has an empty path or no keys"
            )));
        }
        out.insert(clean, data);
    }
    Ok(out)
}
