//! The command-line filters (`--since`, `--operation`, `--path`, …) shared by `filter`, `search`
//! and `tail`.
//!
//! `--path` takes the paths people type: the CLI's logical KV path (`secret/finance/**`) matches
//! the API paths the log holds for a KV v2 mount (`secret/data/finance/…`,
//! `secret/metadata/finance/…`, …) as well as the glob as written; [`path_note`] says on stderr
//! when entries matched through that API form.

use vault_audit::{ActorMatch, AuditEntry, AuditLogCollection, Operation, PathPattern};

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
        let pattern = PathPattern::glob(p).map_err(audit_error)?;
        let kept = c
            .entries()
            .iter()
            .filter(|e| path_matches(&pattern, e).is_some())
            .cloned()
            .collect();
        c = AuditLogCollection::from_entries(kept, c.scan_summary().clone());
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

/// The sections of a KV v2 mount's API paths that the CLI's logical paths leave out.
const KV_SECTIONS: [&str; 6] = [
    "data", "metadata", "delete", "undelete", "destroy", "subkeys",
];

/// How an entry's path matched `--path`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PathForm {
    /// The request path itself matched the glob.
    AsWritten,
    /// Its logical KV path matched (`secret/data/finance/x` as `secret/finance/x`).
    KvApi,
}

/// The logical path of a request on a KV mount: `secret/data/finance/x` → `secret/finance/x`
/// (the mount, from the entry's `mount_point`, then the path without its API section).
fn kv_logical(e: &AuditEntry) -> Option<String> {
    if e.mount_type.as_deref() != Some("kv") {
        return None;
    }
    let mount = e.mount_point.as_deref()?;
    let rest = e.path.as_deref()?.strip_prefix(mount)?;
    let (section, tail) = rest.split_once('/')?;
    (KV_SECTIONS.contains(&section) && !tail.is_empty()).then(|| format!("{mount}{tail}"))
}

/// Whether `e` matches `pattern`, and through which form of its path.
fn path_matches(pattern: &PathPattern, e: &AuditEntry) -> Option<PathForm> {
    if e.path.as_deref().is_some_and(|p| pattern.is_match(p)) {
        return Some(PathForm::AsWritten);
    }
    kv_logical(e)
        .filter(|l| pattern.is_match(l))
        .map(|_| PathForm::KvApi)
}

/// The stderr note for entries that `--path` matched through their KV v2 API path, e.g.
/// "note: --path `secret/finance/**` matched 3 entries by their KV v2 API path
/// (`secret/data/finance/x`, …) and 0 as written"; `None` when every match was literal.
pub(crate) fn path_note(f: &EntryFilter, kept: &[AuditEntry]) -> Option<String> {
    let glob = f.path.as_deref()?;
    let pattern = PathPattern::glob(glob).ok()?;
    let forms: Vec<(PathForm, &AuditEntry)> = kept
        .iter()
        .filter_map(|e| path_matches(&pattern, e).map(|form| (form, e)))
        .collect();
    let api: Vec<&AuditEntry> = forms
        .iter()
        .filter(|(form, _)| *form == PathForm::KvApi)
        .map(|(_, e)| *e)
        .collect();
    let example = api.first()?.path.as_deref().unwrap_or_default();
    Some(format!(
        "note: --path `{glob}` matched {} entr{} by their KV v2 API path (e.g. `{example}`) and {} as written",
        api.len(),
        if api.len() == 1 { "y" } else { "ies" },
        forms.len() - api.len()
    ))
}
