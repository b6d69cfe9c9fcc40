//! `migrate apply PLAN`: write a plan's secrets to Vault.

use std::path::Path;

use vault_migrate::Action;
use vault_migrate::{ApplyOptions, SourceValues};

use super::{load_plan, migrate_error, print};
use crate::commands::Ctx;
use crate::error::{CliError, CliResult};

/// `migrate apply PLAN [--dry-run] [--force]`: exit 6 when a value in Vault differs.
pub(super) async fn run(ctx: &Ctx, plan_path: &Path, dry_run: bool, force: bool) -> CliResult<()> {
    let plan = load_plan(plan_path)?;
    let values = SourceValues::load(&plan).map_err(migrate_error)?;
    let client = ctx.client()?;
    let report = vault_migrate::apply(&client, &plan, &values, &ApplyOptions { force, dry_run })
        .await
        .map_err(migrate_error)?;
    print(ctx, &report, || vault_migrate::apply_table(&report))?;
    if dry_run {
        ctx.out().info("Dry run: nothing was written.");
    }
    let raced = report
        .outcomes
        .iter()
        .filter(|o| o.action == Action::ChangedConcurrently)
        .count();
    let differ = report.conflicts().len() - raced;
    if raced > 0 {
        return Err(CliError::validation(format!(
            "{raced} secret(s) changed in Vault while applying and were not written{}",
            if differ > 0 {
                format!("; {differ} more differ from the sources")
            } else {
                String::new()
            }
        ))
        .with_hint(format!(
            "run `vaultkit migrate apply {}` again to compare with the new values",
            plan_path.display()
        )));
    }
    if differ > 0 {
        return Err(CliError::validation(format!(
            "{differ} secret(s) differ in Vault from the sources and were not written"
        ))
        .with_hint(format!(
            "see them with `vaultkit migrate apply {} --dry-run`; then overwrite Vault with `--force`, or keep Vault's values and update the sources",
            plan_path.display()
        )));
    }
    Ok(())
}
