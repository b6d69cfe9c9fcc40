//! `migrate scan`, and the scanning that `plan` shares.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use vault_migrate::report::{self, Format};
use vault_migrate::{Baseline, Confidence, ScanReport, Scanner};

use super::migrate_error;
use crate::args::migrate::ScanArgs;
use crate::commands::Ctx;
use crate::error::{CliError, CliResult};
use crate::output::progress::Progress;

/// `migrate scan [PATHS] [--write-baseline FILE]`: the exit code is 1 when secrets were found.
pub(super) fn run(
    ctx: &Ctx,
    scan: &ScanArgs,
    write_baseline: Option<&Path>,
    output: Option<&Path>,
) -> CliResult<u8> {
    let format = match ctx.format_flag() {
        Some(f) => Format::from_str(f).map_err(migrate_error)?,
        None => Format::Table,
    };
    let fail_on = confidence(&scan.min_confidence)?;
    let report = run_scan(ctx, scan, &scan.paths)?;
    if let Some(path) = write_baseline {
        let baseline = Baseline::from_findings(&report.findings);
        baseline.save(path).map_err(migrate_error)?;
        ctx.out().info(&format!(
            "Baseline written to {}: {} finding(s) accepted. Later scans with `--baseline {}` report only new ones.",
            path.display(),
            baseline.len(),
            path.display()
        ));
        return Ok(0);
    }
    ctx.out()
        .write_to(output, &report::render(&report, format))?;
    Ok(report::exit_code(&report, fail_on) as u8)
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

/// Scan `paths` with the options of `args` (progress bar on a terminal).
pub(super) fn run_scan(ctx: &Ctx, args: &ScanArgs, paths: &[PathBuf]) -> CliResult<ScanReport> {
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
    let report = scanner.scan_paths(paths).map_err(migrate_error)?;
    progress.finish();
    Ok(report)
}
