//! The command-line filters (`--since`, `--operation`, `--path`, …) shared by `filter`, `search`
//! and `tail`.

use vault_audit::{ActorMatch, AuditLogCollection, Operation, PathPattern};

use super::audit_error;
use crate::args::audit::EntryFilter;
use crate::error::{CliError, CliResult};

/// Reject bad filter arguments before reading a possibly large log.
pub(crate) fn check(f: &EntryFilter) -> CliResult<()> {
    apply(
        &AuditLogCollection::from_entries(Vec::new(), vault_audit::ScanSummary::default()),
        f,
    )
    .map(|_| ())
}

/// Apply the command-line filters to a collection.
pub(crate) fn apply(c: &AuditLogCollection, f: &EntryFilter) -> CliResult<AuditLogCollection> {
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
