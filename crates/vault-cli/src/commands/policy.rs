//! `vaultkit policy write|read|list|delete|render`.
//!
//! `render` and `write` accept a TOML or YAML [`AccessPolicy`] (`name` + `rules`) and turn it into
//! HCL through vault-core, so teams can keep policies in the same format as the rest of their config:
//!
//! ```toml
//! name = "bike-pipeline"
//! [[rules]]
//! path = "secret/data/bike-data-flow/*"
//! capabilities = ["read", "list"]
//! ```

use std::io::Read;
use std::path::Path;

use serde_json::json;
use vault_core::AccessPolicy;

use super::Ctx;
use crate::args::ops::PolicyCommand;
use crate::error::{CliError, CliResult};
use crate::output::{Output, Table};

pub(crate) async fn run(ctx: &Ctx, cmd: PolicyCommand) -> CliResult<()> {
    let client = ctx.client()?;
    match cmd {
        PolicyCommand::Write { name, file } => {
            match structured_kind(&file) {
                Some(_) => {
                    let mut policy = load(&file)?;
                    policy.name = name.clone();
                    policy.validate()?;
                    client.write_policy(&policy).await?;
                }
                None => {
                    let hcl = read_text(&file)?;
                    client.write_policy_hcl(&name, &hcl).await?;
                }
            }
            ctx.out().info(&format!("Success! Uploaded policy: {name}"));
            Ok(())
        }
        PolicyCommand::Read { name } => {
            let hcl = client.read_policy(&name).await?.ok_or_else(|| {
                CliError::not_found(format!("no policy named `{name}`"))
                    .with_hint("list them with `vaultkit policy list`")
            })?;
            let value = json!({ "name": name, "policy": hcl });
            if ctx.is_table() && ctx.global.field.is_none() {
                // HCL reads best as itself, like `vault policy read`.
                return ctx.out().write(&format!("{}\n", hcl.trim_end()));
            }
            ctx.out().print(&value, || {
                Table::key_value([("name", name.clone()), ("policy", hcl.clone())])
            })
        }
        PolicyCommand::List => {
            let names = client.list_policies().await?;
            let value = json!(names);
            ctx.out().print(&value, || {
                let mut t = Table::new(["Policies"]);
                for n in &names {
                    t.push([n.clone()]);
                }
                t
            })
        }
        PolicyCommand::Delete { name } => {
            client.delete_policy(&name).await?;
            ctx.out().info(&format!("Success! Deleted policy: {name}"));
            Ok(())
        }
        PolicyCommand::Render { file } => render(&file, ctx.out()),
    }
}

/// `policy render FILE`: validate a TOML/YAML policy and print its HCL (no server needed).
pub(crate) fn render(file: &Path, out: &Output) -> CliResult<()> {
    if structured_kind(file).is_none() {
        return Err(CliError::usage(format!(
            "`{}` is not a .toml, .yaml or .yml file",
            file.display()
        ))
        .with_hint(
            "render takes a TOML or YAML AccessPolicy; HCL files can be written as they are",
        ));
    }
    let policy = load(file)?;
    policy.validate()?;
    out.write(&policy.to_hcl())
}

#[derive(Debug, Clone, Copy)]
enum Structured {
    Toml,
    Yaml,
}

fn structured_kind(file: &Path) -> Option<Structured> {
    match file
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("toml") => Some(Structured::Toml),
        Some("yaml" | "yml") => Some(Structured::Yaml),
        _ => None,
    }
}

fn read_text(file: &Path) -> CliResult<String> {
    if file.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| CliError::other(format!("could not read the policy from stdin: {e}")))?;
        return Ok(s);
    }
    std::fs::read_to_string(file).map_err(|e| CliError::io("read policy file", file, &e))
}

/// Parse a TOML/YAML AccessPolicy; errors name the file (and line for TOML).
fn load(file: &Path) -> CliResult<AccessPolicy> {
    let text = read_text(file)?;
    let bad = |detail: String| {
        CliError::validation(format!(
            "invalid policy file `{}`: {detail}",
            file.display()
        ))
        .with_hint("a policy has `name` and `[[rules]]` with `path` and `capabilities`")
    };
    match structured_kind(file) {
        Some(Structured::Toml) => toml::from_str(&text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            bad(format!(
                "{}{}",
                line.map(|l| format!("line {l}: ")).unwrap_or_default(),
                e.message()
            ))
        }),
        _ => serde_norway::from_str(&text).map_err(|e| bad(e.to_string())),
    }
}
