//! `migrate apply PLAN`: write a plan's secrets to Vault.

use std::path::Path;

use vault_migrate::vault as render;
use vault_migrate::{ApplyOptions, SourceValues};

use super::{load_plan, migrate_error, to_value};
use crate::commands::Ctx;
use crate::error::{CliError, CliResult};

/// `migrate apply PLAN [--dry-run] [--force]`: exit 6 when a value in Vault differs.
pub(super) async fn run(ctx: &Ctx, plan: &Path, dry_run: bool, force: bool) -> CliResult<()> {
    let plan = load_plan(plan)?;
    let values = SourceValues::load(&plan).map_err(migrate_error)?;
    let client = ctx.client()?;
    let report = vault_migrate::apply(&client, &plan, &values, &ApplyOptions { force, dry_run })
        .await
        .map_err(migrate_error)?;
    if ctx.is_table() {
        ctx.out().write_human(&render::apply_table(&report))?;
    } else {
        ctx.out()
            .print(&to_value(&report)?, crate::output::Table::default)?;
    }
    let conflicts = report.conflicts().len();
    if dry_run {
        ctx.out().info("Dry run: nothing was written.");
    }
    if conflicts > 0 {
        return Err(CliError::validation(format!(
            "{conflicts} secret(s) differ in Vault from the sources and were not written"
        ))
        .with_hint("review with --dry-run, then re-run with --force to overwrite"));
    }
    Ok(())
}
