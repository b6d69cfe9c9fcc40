//! `vaultkit migrate scan|plan|apply|validate`: thin wrappers over vault-migrate, one file per
//! subcommand.
//!
//! - `scan`: `scan` exits 1 when it found secrets (like other secret scanners, so CI can fail
//!   on it); also the scanning shared with `plan`.
//! - `plan`: `plan` writes the reviewable TOML plan, or with `--diff` compares it with Vault.
//! - `apply`: `apply` exits 6 on a conflict (a value in Vault differs and `--force` was not
//!   given).
//! - `validate`: `validate` exits 6 when a planned secret is missing, unreadable or different.
//! - `error`: vault-migrate's errors as exit codes.

use super::Ctx;
use crate::args::migrate::MigrateCommand;
use crate::error::{CliError, CliResult};

mod apply;
mod error;
mod plan;
mod scan;
mod validate;

pub(crate) use error::migrate_error;

pub(crate) async fn run(ctx: &Ctx, cmd: MigrateCommand) -> CliResult<u8> {
    match cmd {
        MigrateCommand::Scan {
            scan,
            write_baseline,
            output,
        } => scan::run(ctx, &scan, write_baseline.as_deref(), output.as_deref()),
        MigrateCommand::Plan {
            scan,
            mount,
            prefix,
            output,
            diff,
        } => plan::run(ctx, &scan, mount, prefix, output.as_deref(), diff)
            .await
            .map(|()| 0),
        MigrateCommand::Apply {
            plan,
            dry_run,
            force,
        } => apply::run(ctx, &plan, dry_run, force).await.map(|()| 0),
        MigrateCommand::Validate { plan } => validate::run(ctx, &plan).await.map(|()| 0),
    }
}

/// Print a result: vault-migrate's text table unless `--format json|yaml` asks for the
/// serialized form. (`migrate` reads `--format` itself, as `scan` also writes SARIF.)
fn print(
    ctx: &Ctx,
    value: &impl serde::Serialize,
    table: impl FnOnce() -> String,
) -> CliResult<()> {
    let format = ctx.format_flag().map(str::to_ascii_lowercase);
    let text = match format.as_deref() {
        // Names from plans and Vault are escaped for the terminal.
        None | Some("table") => return ctx.out().write_human(&table()),
        Some("json") => format!("{}\n", crate::output::to_json(&to_value(value)?)?),
        Some("yaml" | "yml") => crate::output::to_yaml(&to_value(value)?)?,
        Some(other) => {
            return Err(
                CliError::usage(format!("this migrate command cannot write `{other}`"))
                    .with_hint("use --format table, json or yaml"),
            );
        }
    };
    ctx.out().write(&text)
}

fn to_value(v: &impl serde::Serialize) -> CliResult<serde_json::Value> {
    serde_json::to_value(v)
        .map_err(|e| CliError::other(format!("could not encode the result: {e}")))
}

/// Read a plan file. A relative `base_dir` in it is relative to the plan file's folder, so a
/// plan applies the same from any working directory.
fn load_plan(path: &std::path::Path) -> CliResult<vault_migrate::Plan> {
    let mut plan = vault_migrate::Plan::load(path).map_err(migrate_error)?;
    let base = std::path::Path::new(&plan.base_dir);
    if base.is_relative() {
        let folder = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => std::path::Path::new("."),
        };
        plan.base_dir = folder.join(base).to_string_lossy().into_owned();
    }
    Ok(plan)
}
