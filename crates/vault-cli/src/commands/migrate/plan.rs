//! `migrate plan`: scan and map every finding to a Vault path, as a reviewable TOML plan; with
//! `--diff`, compare that plan with Vault instead of printing it.

use std::path::Path;

use vault_migrate::{Plan, PlanOptions, SourceValues, scan_roots};

use super::scan::run_scan;
use super::{migrate_error, print};
use crate::args::migrate::ScanArgs;
use crate::commands::Ctx;
use crate::error::{CliError, CliResult};

/// `migrate plan [PATHS] [--mount M] [--prefix P] [-o FILE] [--diff]`.
pub(super) async fn run(
    ctx: &Ctx,
    scan: &ScanArgs,
    mount: String,
    prefix: String,
    output: Option<&Path>,
    diff: bool,
) -> CliResult<()> {
    // The findings' file names must resolve from the plan's base_dir whatever the user typed
    // (`proj`, `/srv/proj`, `.`, `..`, several paths).
    let (roots, base) = scan_roots(&scan.paths).map_err(migrate_error)?;
    let report = run_scan(ctx, scan, &roots)?;
    let plan = Plan::from_report(
        &report,
        &PlanOptions::new(mount, prefix).with_base_dir(base),
    )
    .map_err(migrate_error)?;
    match output {
        Some(path) => write_plan(ctx, &plan, path)?,
        None if !diff => ctx.out().write(&plan.to_toml().map_err(migrate_error)?)?,
        None => {}
    }
    if diff {
        print_diff(ctx, &plan).await?;
    }
    Ok(())
}

fn write_plan(ctx: &Ctx, plan: &Plan, path: &Path) -> CliResult<()> {
    let text = plan.to_toml().map_err(migrate_error)?;
    let keys: usize = plan.secrets.iter().map(|s| s.keys.len()).sum();
    vault_core::write_private(path, text.as_bytes())
        .map_err(|e| CliError::io("write plan", path, &e))?;
    ctx.out().info(&format!(
        "Plan written to {}: {} secret(s), {keys} key(s), {} finding(s) left unplanned. Review it, then `vaultkit migrate apply {}`.",
        path.display(),
        plan.secrets.len(),
        plan.unplanned.len(),
        path.display()
    ));
    Ok(())
}

/// The plan against Vault: `+` new, `~` changed, `=` unchanged, `.` only in Vault; values masked.
async fn print_diff(ctx: &Ctx, plan: &Plan) -> CliResult<()> {
    let values = SourceValues::load(plan).map_err(migrate_error)?;
    let client = ctx.client()?;
    let diffs = vault_migrate::diff(&client, plan, &values)
        .await
        .map_err(migrate_error)?;
    print(ctx, &diffs, || vault_migrate::diff_table(&diffs))
}
