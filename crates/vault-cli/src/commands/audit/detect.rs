//! `audit anomalies` (detections) and `audit report` (the HTML report).

use std::path::{Path, PathBuf};

use vault_audit::DetectionConfig;
use vault_audit::output::{self, Format};

use super::audit_error;
use super::source::load;
use crate::commands::Ctx;
use crate::error::{CliError, CliResult};

/// `audit anomalies LOG [--threshold N --window W | --rules FILE]`.
pub(super) fn anomalies(
    ctx: &Ctx,
    log: &Path,
    threshold: Option<u32>,
    window: Option<String>,
    rules: Option<PathBuf>,
    format: Format,
    buf: &mut Vec<u8>,
) -> CliResult<()> {
    let c = load(ctx, log)?;
    let config = match (threshold, window, rules) {
        (Some(t), Some(w), _) => {
            DetectionConfig::anomalies(t, vault_audit::parse_interval(&w).map_err(audit_error)?)
        }
        (_, _, Some(file)) => DetectionConfig::from_path(&file).map_err(audit_error)?,
        _ => DetectionConfig::default(),
    };
    output::write_detections(buf, &c.detect(&config), format).map_err(audit_error)
}

/// Where `audit report` writes without `-o`.
pub(super) const DEFAULT_REPORT: &str = "audit-report.html";

/// `audit report LOG [-o FILE|-] [--title T]`: the HTML goes to a file (never dumped on a
/// terminal by surprise): `-o FILE`, or `audit-report.html` in the current folder; `-o -` writes
/// to stdout. The file is written 0600, atomically, never through a symbolic link; an existing
/// report is replaced, and the message says so.
pub(super) fn report(
    ctx: &Ctx,
    log: &Path,
    target: Option<&Path>,
    title: Option<&str>,
    buf: &mut Vec<u8>,
) -> CliResult<()> {
    let c = load(ctx, log)?;
    let title = title.map_or_else(|| log_name(log), str::to_string);
    let html = vault_audit::render_report_html(
        &c.statistics(),
        &c.detect(&DetectionConfig::default()),
        &title,
    );
    let path = target.unwrap_or(Path::new(DEFAULT_REPORT));
    if path.as_os_str() == "-" {
        buf.extend_from_slice(html.as_bytes());
        return Ok(());
    }
    let replaced = path.symlink_metadata().is_ok_and(|m| m.is_file());
    vault_core::write_private(path, html.as_bytes())
        .map_err(|e| CliError::io("write report", path, &e))?;
    ctx.out().info(&format!(
        "Report written to {}{}",
        path.display(),
        if replaced {
            " (replacing the previous file)"
        } else {
            ""
        }
    ));
    Ok(())
}

/// The log's file name for the report's title (`audit.log`; `stdin` for `-`).
fn log_name(log: &Path) -> String {
    if log.as_os_str() == "-" {
        return "stdin".to_string();
    }
    log.file_name().map_or_else(
        || log.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}
