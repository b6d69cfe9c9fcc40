//! `migrate plan`: scan and map every finding to a Vault path, as a reviewable TOML plan.

use std::path::Path;

use vault_migrate::{Plan, PlanOptions};

use super::migrate_error;
use super::scan::run_scan;
use crate::args::migrate::ScanArgs;
use crate::commands::Ctx;
use crate::error::{CliError, CliResult};

/// `migrate plan [PATHS] [--mount M] [--prefix P] [-o FILE]`.
pub(super) fn run(
    ctx: &Ctx,
    scan: &ScanArgs,
    mount: String,
    prefix: String,
    output: Option<&Path>,
) -> CliResult<()> {
    let report = run_scan(ctx, scan)?;
    // Finding paths are relative to the scanned root: a single directory is the base.
    let base = match scan.paths.as_slice() {
        [one] if one.is_dir() => {
            std::fs::canonicalize(one).map_err(|e| CliError::io("open", one, &e))?
        }
        _ => std::env::current_dir()
            .map_err(|e| CliError::other(format!("no current directory: {e}")))?,
    };
    let plan = Plan::from_report(
        &report,
        &PlanOptions::new(mount, prefix).with_base_dir(base),
    )
    .map_err(migrate_error)?;
    let text = plan.to_toml().map_err(migrate_error)?;
    let keys: usize = plan.secrets.iter().map(|s| s.keys.len()).sum();
    match output {
        Some(path) => {
            vault_core::write_private(path, text.as_bytes())
                .map_err(|e| CliError::io("write plan", path, &e))?;
            ctx.out().info(&format!(
                "Plan written to {}: {} secret(s), {keys} key(s), {} finding(s) left unplanned. Review it, then `vaultkit migrate apply {}`.",
                path.display(),
                plan.secrets.len(),
                plan.unplanned.len(),
                path.display()
            ));
        }
        None => ctx.out().write(&text)?,
    }
    Ok(())
}
