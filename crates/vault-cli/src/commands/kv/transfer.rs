//! `kv export PATH` and `kv import FILE PATH`.
//!
//! Export writes every secret under a folder as `{ "relative/path": { "key": "value" } }` (JSON,
//! YAML) or as dotenv lines named `RELATIVE_PATH_KEY`. Import reads the same JSON/YAML shape and
//! merges it into the folder: by default it only prints the diff (which keys would be added, are
//! unchanged, or differ), `--apply` writes, and a key whose value in Vault differs from the file is
//! overwritten only with `--force`. Values never appear in the diff. KV v2 writes use
//! check-and-set on the version read, so a concurrent change is never silently overwritten.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value, json};
use vault_core::VaultClient;
use vault_kv::{KvExt, KvVersion};

use super::{KvLocation, kv_error, tree};
use crate::commands::Ctx;
use crate::error::{CliError, CliResult};
use crate::output::{Color, Table, cell};
use crate::quote;

pub async fn export(
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

/// What importing one key would do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    Add,
    Same,
    Conflict,
}

impl Change {
    fn label(self, force: bool) -> &'static str {
        match self {
            Change::Add => "add",
            Change::Same => "unchanged",
            Change::Conflict if force => "overwrite",
            Change::Conflict => "conflict",
        }
    }
}

/// The current state of one target secret.
/// One secret of the plan: its path, what is in Vault now, and the change per key.
type Step = (String, Current, Vec<(String, Change)>);

struct Current {
    data: Map<String, Value>,
    /// KV v2 version for check-and-set (0 = does not exist yet); `None` on KV v1.
    cas: Option<u64>,
}

pub async fn import(
    ctx: &Ctx,
    client: &VaultClient,
    file: &Path,
    t: &KvLocation,
    apply: bool,
    force: bool,
) -> CliResult<()> {
    let wanted = load(file)?;
    let kv = client.kv(&t.mount);
    let v2 = kv.version().await.map_err(kv_error)? != KvVersion::V1;
    let mut plan: Vec<Step> = Vec::new();
    for (rel, data) in &wanted {
        let path = t.join(rel);
        let current = match kv.get(&path).await {
            Ok(s) => Current {
                data: s.data.expose().clone(),
                cas: s.metadata.version,
            },
            Err(e) if e.is_not_found() => Current {
                data: Map::new(),
                cas: v2.then_some(0),
            },
            Err(e) => return Err(kv_error(e)),
        };
        let changes = data
            .iter()
            .map(|(k, v)| {
                let c = match current.data.get(k) {
                    None => Change::Add,
                    Some(old) if old == v => Change::Same,
                    Some(_) => Change::Conflict,
                };
                (k.clone(), c)
            })
            .collect();
        plan.push((path, current, changes));
    }
    print_plan(ctx, t, &plan, force)?;

    let conflicts: Vec<String> = plan
        .iter()
        .flat_map(|(p, _, ch)| {
            ch.iter()
                .filter(|(_, c)| *c == Change::Conflict)
                .map(move |(k, _)| format!("{}/{p}#{k}", t.mount))
        })
        .collect();
    let to_write = plan
        .iter()
        .filter(|(_, _, ch)| {
            ch.iter()
                .any(|(_, c)| *c == Change::Add || (force && *c == Change::Conflict))
        })
        .count();
    if !apply {
        ctx.out().info(&format!(
            "Dry run: {to_write} secret(s) would be written{}. Re-run with --apply to write.",
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
    let mut written = 0;
    for ((path, current, changes), (_, data)) in plan.into_iter().zip(&wanted) {
        if !changes.iter().any(|(_, c)| *c != Change::Same) {
            continue;
        }
        let mut merged = current.data;
        merged.extend(data.iter().map(|(k, v)| (k.clone(), v.clone())));
        match current.cas {
            Some(cas) => kv.v2().write_cas(&path, &merged, cas).await.map(|_| ()),
            None => kv.v1().write(&path, &merged).await,
        }
        .map_err(kv_error)?;
        written += 1;
    }
    ctx.out().info(&format!(
        "Success! Wrote {written} secret(s) under {}",
        t.display()
    ));
    Ok(())
}

fn print_plan(ctx: &Ctx, t: &KvLocation, plan: &[Step], force: bool) -> CliResult<()> {
    let rows: Vec<Value> = plan
        .iter()
        .flat_map(|(p, _, changes)| {
            changes.iter().map(move |(k, c)| json!({"path": format!("{}/{p}", t.mount), "key": k, "change": c.label(force)}))
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
        serde_yaml::from_str(&text)
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
