//! `vaultkit migrate scan|plan|apply|validate`: thin wrappers over vault-migrate.
//!
//! `scan` exits 1 when it found secrets (like other secret scanners, so CI can fail on it);
//! `apply` exits 6 on a conflict (a value in Vault differs and `--force` was not given);
//! `validate` exits 6 when a planned secret is missing, unreadable or different.

use std::path::Path;
use std::str::FromStr;

use vault_migrate::report::{self, Format};
use vault_migrate::vault as render;
use vault_migrate::{
    ApplyOptions, Baseline, Confidence, MigrateError, Plan, PlanOptions, ScanReport, Scanner,
    SourceValues,
};

use super::Ctx;
use crate::args::migrate::{MigrateCommand, ScanArgs};
use crate::error::{CliError, CliResult};
use crate::output::progress::Progress;

pub async fn run(ctx: &Ctx, cmd: MigrateCommand) -> CliResult<u8> {
    match cmd {
        MigrateCommand::Scan {
            scan,
            write_baseline,
        } => {
            let format = match ctx.format_flag() {
                Some(f) => Format::from_str(f).map_err(migrate_error)?,
                None => Format::Table,
            };
            let fail_on = confidence(&scan.min_confidence)?;
            let report = run_scan(ctx, &scan)?;
            if let Some(path) = write_baseline {
                let baseline = Baseline::from_findings(&report.findings);
                baseline.save(&path).map_err(migrate_error)?;
                ctx.out().info(&format!(
                    "Baseline written to {}: {} finding(s) accepted. Later scans with `--baseline {}` report only new ones.",
                    path.display(),
                    baseline.len(),
                    path.display()
                ));
                return Ok(0);
            }
            ctx.out().write(&report::render(&report, format))?;
            Ok(report::exit_code(&report, fail_on) as u8)
        }
        MigrateCommand::Plan {
            scan,
            mount,
            prefix,
            output,
        } => {
            let report = run_scan(ctx, &scan)?;
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
                    std::fs::write(&path, text)
                        .map_err(|e| CliError::io("write plan", &path, &e))?;
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
            Ok(0)
        }
        MigrateCommand::Apply {
            plan,
            dry_run,
            force,
        } => {
            let plan = load_plan(&plan)?;
            let values = SourceValues::load(&plan).map_err(migrate_error)?;
            let client = ctx.client()?;
            let report =
                vault_migrate::apply(&client, &plan, &values, &ApplyOptions { force, dry_run })
                    .await
                    .map_err(migrate_error)?;
            if ctx.is_table() {
                ctx.out().write(&render::apply_table(&report))?;
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
            Ok(0)
        }
        MigrateCommand::Validate { plan } => {
            let plan = load_plan(&plan)?;
            let client = ctx.client()?;
            let results = vault_migrate::validate(&client, &plan).await;
            if ctx.is_table() {
                ctx.out().write(&render::validation_table(&results))?;
            } else {
                ctx.out()
                    .print(&to_value(&results)?, crate::output::Table::default)?;
            }
            let bad = results
                .iter()
                .filter(|v| {
                    !v.exists
                        || !v.readable
                        || !v.missing_keys.is_empty()
                        || !v.mismatched_keys.is_empty()
                })
                .count();
            if bad > 0 {
                return Err(CliError::validation(format!(
                    "{bad} planned secret(s) are missing, unreadable or different in Vault"
                ))
                .with_hint("run `vaultkit migrate apply PLAN`"));
            }
            Ok(0)
        }
    }
}

fn to_value(v: &impl serde::Serialize) -> CliResult<serde_json::Value> {
    serde_json::to_value(v)
        .map_err(|e| CliError::other(format!("could not encode the result: {e}")))
}

fn confidence(level: &str) -> CliResult<Confidence> {
    match level.to_ascii_lowercase().as_str() {
        "low" => Ok(Confidence::Low),
        "medium" => Ok(Confidence::Medium),
        "high" => Ok(Confidence::High),
        other => Err(CliError::usage(format!("unknown confidence `{other}`"))
            .with_hint("use low, medium or high")),
    }
}

fn run_scan(ctx: &Ctx, args: &ScanArgs) -> CliResult<ScanReport> {
    let progress = Progress::new(None, "scanning files", ctx.global.quiet);
    let bar = progress.bar();
    let mut builder = Scanner::builder()
        .with_patterns(args.patterns.iter().map(String::as_str))
        .with_min_confidence(confidence(&args.min_confidence)?)
        .with_progress(move |p| bar.set_position(p.files_scanned));
    if let Some(b) = &args.baseline {
        builder = builder.with_baseline(Baseline::load(b).map_err(migrate_error)?);
    }
    let scanner = builder.build().map_err(migrate_error)?;
    let report = scanner.scan_paths(&args.paths).map_err(migrate_error)?;
    progress.finish();
    Ok(report)
}

fn load_plan(path: &Path) -> CliResult<Plan> {
    Plan::load(path).map_err(migrate_error)
}

pub fn migrate_error(e: MigrateError) -> CliError {
    CliError::classified(&e)
}
