//! `audit stats`, `audit patterns` and `audit pairs`: summaries of a log.

use std::path::Path;

use vault_audit::output::{self, Format};

use super::audit_error;
use super::source::{load, open, scan_options};
use crate::commands::Ctx;
use crate::error::CliResult;
use crate::output::progress::Progress;

/// `audit stats LOG`: one streaming pass, nothing kept in memory.
pub(super) fn stats(ctx: &Ctx, log: &Path, format: Format, buf: &mut Vec<u8>) -> CliResult<()> {
    let source = open(log)?;
    let progress = Progress::new(None, "reading audit log", ctx.global.quiet);
    let mut opts = scan_options(&progress);
    let s = vault_audit::stats(&source, &mut opts).map_err(audit_error)?;
    progress.finish();
    output::write_stats(buf, &s, format).map_err(audit_error)
}

/// `audit patterns LOG --top N`.
pub(super) fn patterns(
    ctx: &Ctx,
    log: &Path,
    top: usize,
    format: Format,
    buf: &mut Vec<u8>,
) -> CliResult<()> {
    let p = load(ctx, log)?.get_access_patterns(top);
    if format != Format::Table {
        return output::write_json(buf, &p).map_err(audit_error);
    }
    let rows = |v: &[(String, u64)]| {
        v.iter()
            .map(|(k, n)| vec![k.clone(), n.to_string()])
            .collect::<Vec<_>>()
    };
    output::write_table(buf, &["top path", "requests"], &rows(&p.top_paths))
        .map_err(audit_error)?;
    buf.push(b'\n');
    output::write_table(buf, &["top actor", "requests"], &rows(&p.top_actors))
        .map_err(audit_error)?;
    buf.push(b'\n');
    let hours: Vec<Vec<String>> = p
        .hour_of_day
        .iter()
        .enumerate()
        .filter(|(_, n)| **n > 0)
        .map(|(h, n)| vec![format!("{h:02}:00"), n.to_string()])
        .collect();
    output::write_table(buf, &["hour (UTC)", "requests"], &hours).map_err(audit_error)
}

/// `audit pairs LOG`: latency percentiles and unanswered requests.
pub(super) fn pairs(ctx: &Ctx, log: &Path, format: Format, buf: &mut Vec<u8>) -> CliResult<()> {
    let p = load(ctx, log)?.pairs();
    if format != Format::Table {
        return output::write_json(buf, &p).map_err(audit_error);
    }
    let l = &p.latency;
    let rows = vec![
        vec!["pairs".into(), p.pairs.len().to_string()],
        vec!["unpaired".into(), p.unpaired.len().to_string()],
        vec![
            "latency mean / p50 / p95 / p99 / max (ms)".into(),
            format!(
                "{:.2} / {:.2} / {:.2} / {:.2} / {:.2}",
                l.mean_ms, l.p50_ms, l.p95_ms, l.p99_ms, l.max_ms
            ),
        ],
    ];
    output::write_table(buf, &["pairing", "value"], &rows).map_err(audit_error)?;
    if p.unpaired.is_empty() {
        return Ok(());
    }
    buf.push(b'\n');
    let rows: Vec<Vec<String>> = p
        .unpaired
        .iter()
        .map(|u| {
            vec![
                u.location.line.to_string(),
                u.kind.to_string(),
                u.request_id.clone(),
                u.operation.clone().unwrap_or_default(),
                u.path.clone().unwrap_or_default(),
            ]
        })
        .collect();
    output::write_table(
        buf,
        &["line", "type", "request_id", "operation", "path"],
        &rows,
    )
    .map_err(audit_error)
}
