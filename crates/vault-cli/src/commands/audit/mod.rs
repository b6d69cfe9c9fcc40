//! `vaultkit audit …`: thin wrappers over vault-audit.
//!
//! - this file: dispatch, loading (with a progress bar on a terminal), filters, error mapping.
//! - [`tail`]: `audit tail`, following a live log.
//!
//! Output uses vault-audit's writers; `--format` is table (default), json, jsonl or csv.

use std::io::Write;
use std::path::Path;
use std::str::FromStr;

use vault_audit::output::{self, Format};
use vault_audit::{
    ActorMatch, AuditError, AuditLogCollection, AuditSource, DetectionConfig, Operation,
    PathPattern, ScanOptions,
};
use vault_core::SecretString;

use super::Ctx;
use crate::args::audit::{AuditCommand, EntryFilter};
use crate::error::{CliError, CliResult};
use crate::output::progress::Progress;

pub mod tail;

pub async fn run(ctx: &Ctx, cmd: AuditCommand) -> CliResult<()> {
    let format = match ctx.format_flag() {
        Some(f) => Format::from_str(&f.to_ascii_lowercase()).map_err(|_| {
            CliError::usage(format!("audit cannot write `{f}`"))
                .with_hint("use --format table, json, jsonl or csv")
        })?,
        None => Format::Table,
    };
    let mut buf = Vec::new();
    match cmd {
        AuditCommand::Stats { log } => {
            let source = open(&log)?;
            let progress = Progress::new(None, "reading audit log", ctx.global.quiet);
            let mut opts = scan_options(&progress);
            let s = vault_audit::stats(&source, &mut opts).map_err(audit_error)?;
            progress.finish();
            output::write_stats(&mut buf, &s, format).map_err(audit_error)?;
        }
        AuditCommand::Filter { log, filter } => {
            check(&filter)?;
            let c = apply(&load(ctx, &log)?, &filter)?;
            output::write_entries(&mut buf, c.entries(), format).map_err(audit_error)?;
        }
        AuditCommand::Search { log, text, filter } => {
            check(&filter)?;
            let c = apply(&load(ctx, &log)?.search_logs(&text), &filter)?;
            output::write_entries(&mut buf, c.entries(), format).map_err(audit_error)?;
        }
        AuditCommand::Patterns { log, top } => {
            let p = load(ctx, &log)?.get_access_patterns(top);
            if format == Format::Table {
                let rows = |v: &[(String, u64)]| {
                    v.iter()
                        .map(|(k, n)| vec![k.clone(), n.to_string()])
                        .collect::<Vec<_>>()
                };
                output::write_table(&mut buf, &["top path", "requests"], &rows(&p.top_paths))
                    .map_err(audit_error)?;
                buf.push(b'\n');
                output::write_table(&mut buf, &["top actor", "requests"], &rows(&p.top_actors))
                    .map_err(audit_error)?;
                buf.push(b'\n');
                let hours: Vec<Vec<String>> = p
                    .hour_of_day
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| **n > 0)
                    .map(|(h, n)| vec![format!("{h:02}:00"), n.to_string()])
                    .collect();
                output::write_table(&mut buf, &["hour (UTC)", "requests"], &hours)
                    .map_err(audit_error)?;
            } else {
                output::write_json(&mut buf, &p).map_err(audit_error)?;
            }
        }
        AuditCommand::Anomalies {
            log,
            threshold,
            window,
            rules,
        } => {
            let c = load(ctx, &log)?;
            let config = match (threshold, window, rules) {
                (Some(t), Some(w), _) => DetectionConfig::anomalies(
                    t,
                    vault_audit::parse_interval(&w).map_err(audit_error)?,
                ),
                (_, _, Some(file)) => DetectionConfig::from_path(&file).map_err(audit_error)?,
                _ => DetectionConfig::default(),
            };
            output::write_detections(&mut buf, &c.detect(&config), format).map_err(audit_error)?;
        }
        AuditCommand::Pairs { log } => {
            let p = load(ctx, &log)?.pairs();
            if format == Format::Table {
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
                output::write_table(&mut buf, &["pairing", "value"], &rows).map_err(audit_error)?;
                if !p.unpaired.is_empty() {
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
                        &mut buf,
                        &["line", "type", "request_id", "operation", "path"],
                        &rows,
                    )
                    .map_err(audit_error)?;
                }
            } else {
                output::write_json(&mut buf, &p).map_err(audit_error)?;
            }
        }
        AuditCommand::Hash { device } => {
            let value = read_value()?;
            let hmac = vault_audit::audit_hash(&ctx.client()?, &device, &value)
                .await
                .map_err(audit_error)?;
            let _ = writeln!(buf, "{hmac}");
        }
        AuditCommand::FindValue { log, device } => {
            let value = read_value()?;
            let c = load(ctx, &log)?;
            let (hmac, found) = vault_audit::find_value(&ctx.client()?, &device, &value, &c)
                .await
                .map_err(audit_error)?;
            ctx.out().info(&format!(
                "{hmac}: {} entr{}",
                found.len(),
                if found.len() == 1 { "y" } else { "ies" }
            ));
            if format == Format::Table {
                let rows: Vec<Vec<String>> = found
                    .iter()
                    .map(|m| {
                        vec![
                            m.location.line.to_string(),
                            m.time.clone().unwrap_or_default(),
                            m.kind.to_string(),
                            m.path.clone().unwrap_or_default(),
                            m.actor.clone().unwrap_or_default(),
                            m.fields.join(" "),
                        ]
                    })
                    .collect();
                output::write_table(
                    &mut buf,
                    &["line", "time", "type", "path", "actor", "fields"],
                    &rows,
                )
                .map_err(audit_error)?;
            } else {
                output::write_json(&mut buf, &found).map_err(audit_error)?;
            }
        }
        AuditCommand::Report {
            log,
            output: target,
            title,
        } => {
            let c = load(ctx, &log)?;
            let html = vault_audit::render_report_html(
                &c.statistics(),
                &c.detect(&DetectionConfig::default()),
                &title,
            );
            match target {
                Some(path) => {
                    std::fs::write(&path, html)
                        .map_err(|e| CliError::io("write report", &path, &e))?;
                    ctx.out()
                        .info(&format!("Report written to {}", path.display()));
                }
                None => buf.extend_from_slice(html.as_bytes()),
            }
        }
        AuditCommand::Tail {
            log,
            from_start,
            filter,
        } => return tail::run(ctx, &log, from_start, &filter, format).await,
    }
    ctx.out().write(&String::from_utf8_lossy(&buf))
}

fn open(log: &Path) -> CliResult<AuditSource> {
    if log.as_os_str() == "-" {
        return Ok(AuditSource::stdin());
    }
    AuditSource::open(log).map_err(audit_error)
}

fn scan_options(progress: &Progress) -> ScanOptions {
    let bar = progress.bar();
    ScanOptions {
        progress: Some(Box::new(move |done, total| {
            if let Some(t) = total {
                bar.set_length(t);
            }
            bar.set_position(done);
        })),
        ..ScanOptions::default()
    }
}

/// Load a whole log into memory (progress bar on a terminal).
fn load(ctx: &Ctx, log: &Path) -> CliResult<AuditLogCollection> {
    let source = open(log)?;
    let progress = Progress::new(None, "reading audit log", ctx.global.quiet);
    let mut opts = scan_options(&progress);
    let c = AuditLogCollection::load(&source, &mut opts).map_err(audit_error)?;
    progress.finish();
    let malformed = c.scan_summary().malformed.count;
    if malformed > 0 {
        ctx.out().info(&format!(
            "warning: {malformed} malformed line(s) skipped (see `vaultkit audit stats`)"
        ));
    }
    Ok(c)
}

/// Reject bad filter arguments before reading a possibly large log.
pub fn check(f: &EntryFilter) -> CliResult<()> {
    apply(
        &AuditLogCollection::from_entries(Vec::new(), vault_audit::ScanSummary::default()),
        f,
    )
    .map(|_| ())
}

/// Apply the command-line filters to a collection.
pub fn apply(c: &AuditLogCollection, f: &EntryFilter) -> CliResult<AuditLogCollection> {
    let time = |s: &Option<String>, what: &str| -> CliResult<_> {
        s.as_deref()
            .map(|t| {
                chrono::DateTime::parse_from_rfc3339(t)
                    .map(|d| d.with_timezone(&chrono::Utc))
                    .map_err(|e| {
                        CliError::usage(format!("--{what} `{t}` is not an RFC 3339 time: {e}"))
                            .with_hint("e.g. 2026-11-28T10:00:00Z")
                    })
            })
            .transpose()
    };
    let (since, until) = (time(&f.since, "since")?, time(&f.until, "until")?);
    let mut c = if since.is_some() || until.is_some() {
        c.filter_by_time(since, until)
    } else {
        c.clone()
    };
    if !f.operation.is_empty() {
        let ops: Vec<Operation> = f
            .operation
            .iter()
            .map(|o| Operation::parse(o.trim()))
            .collect();
        c = c.filter_by_operation(&ops);
    }
    if let Some(p) = &f.path {
        c = c.filter_by_path(&PathPattern::glob(p).map_err(audit_error)?);
    }
    if let Some(a) = &f.actor {
        c = c.filter_by_actor(a, ActorMatch::Any);
    }
    if f.failed || f.succeeded {
        c = c.filter_by_success(f.succeeded);
    }
    if let Some(ip) = &f.client_ip {
        c = c.filter_by_client_ip(ip).map_err(audit_error)?;
    }
    if let Some(ns) = &f.in_namespace {
        c = c.filter_by_namespace(Some(ns));
    }
    Ok(c)
}

/// The value for `hash` / `find-value`, from stdin only (never argv).
fn read_value() -> CliResult<SecretString> {
    let mut s = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
        .map_err(|e| CliError::other(format!("could not read the value from stdin: {e}")))?;
    let v = s.strip_suffix('\n').unwrap_or(&s);
    if v.is_empty() {
        return Err(CliError::usage("no value on stdin")
            .with_hint("pipe it in: `printf '%s' \"$VALUE\" | vaultkit audit hash`"));
    }
    Ok(SecretString::from(v.to_string()))
}

pub fn audit_error(e: AuditError) -> CliError {
    CliError::classified(&e)
}
