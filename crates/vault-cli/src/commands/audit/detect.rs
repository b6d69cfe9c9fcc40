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

/// `audit report LOG [-o FILE] [--title T]`.
pub(super) fn report(
    ctx: &Ctx,
    log: &Path,
    target: Option<&Path>,
    title: &str,
    buf: &mut Vec<u8>,
) -> CliResult<()> {
    let c = load(ctx, log)?;
    let html = vault_audit::render_report_html(
        &c.statistics(),
        &c.detect(&DetectionConfig::default()),
        title,
    );
    match target {
        Some(path) => {
            vault_core::write_private(path, html.as_bytes())
                .map_err(|e| CliError::io("write report", path, &e))?;
            ctx.out()
                .info(&format!("Report written to {}", path.display()));
        }
        None => buf.extend_from_slice(html.as_bytes()),
    }
    Ok(())
}
