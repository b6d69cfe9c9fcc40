//! `vaultkit migrate scan|plan|apply|validate`: thin wrappers over vault-migrate, one file per
//! subcommand.
//!
//! - [`scan`]: `scan` exits 1 when it found secrets (like other secret scanners, so CI can fail
//!   on it); also the scanning shared with `plan`.
//! - [`plan`]: `plan` writes the reviewable TOML plan.
//! - [`apply`]: `apply` exits 6 on a conflict (a value in Vault differs and `--force` was not
//!   given).
//! - [`validate`]: `validate` exits 6 when a planned secret is missing, unreadable or different.
//! - [`error`]: vault-migrate's errors as exit codes.

use super::Ctx;
use crate::args::migrate::MigrateCommand;
use crate::error::CliResult;

mod apply;
mod error;
mod plan;
mod scan;
mod validate;

pub use error::migrate_error;

pub async fn run(ctx: &Ctx, cmd: MigrateCommand) -> CliResult<u8> {
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
        } => plan::run(ctx, &scan, mount, prefix, output.as_deref()).map(|()| 0),
        MigrateCommand::Apply {
            plan,
            dry_run,
            force,
        } => apply::run(ctx, &plan, dry_run, force).await.map(|()| 0),
        MigrateCommand::Validate { plan } => validate::run(ctx, &plan).await.map(|()| 0),
    }
}

/// A result as JSON, for `--format json|yaml`.
fn to_value(v: &impl serde::Serialize) -> CliResult<serde_json::Value> {
    serde_json::to_value(v)
        .map_err(|e| crate::error::CliError::other(format!("could not encode the result: {e}")))
}

/// Read a plan file.
fn load_plan(path: &std::path::Path) -> CliResult<vault_migrate::Plan> {
    vault_migrate::Plan::load(path).map_err(migrate_error)
}
