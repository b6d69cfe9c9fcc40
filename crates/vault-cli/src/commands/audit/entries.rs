//! `audit filter` and `audit search`: the entries that match.

use std::path::Path;

use vault_audit::output::{self, Format};

use super::source::load;
use vault_audit::AuditLogCollection;

use super::{apply, audit_error, check, path_note};
use crate::args::audit::EntryFilter;
use crate::commands::Ctx;
use crate::error::CliResult;

/// Say on stderr when `--path` matched entries through their KV v2 API path.
fn note(ctx: &Ctx, filter: &EntryFilter, c: &AuditLogCollection) {
    if let Some(note) = path_note(filter, c.entries()) {
        ctx.out().info(&note);
    }
}

/// `audit filter LOG [filters]`.
pub(super) fn filter(
    ctx: &Ctx,
    log: &Path,
    filter: &EntryFilter,
    format: Format,
    buf: &mut Vec<u8>,
) -> CliResult<()> {
    check(filter)?;
    let c = apply(&load(ctx, log)?, filter)?;
    note(ctx, filter, &c);
    output::write_entries(buf, c.entries(), format).map_err(audit_error)
}

/// `audit search LOG TEXT [filters]`.
pub(super) fn search(
    ctx: &Ctx,
    log: &Path,
    text: &str,
    filter: &EntryFilter,
    format: Format,
    buf: &mut Vec<u8>,
) -> CliResult<()> {
    check(filter)?;
    let c = apply(&load(ctx, log)?.search_logs(text), filter)?;
    note(ctx, filter, &c);
    output::write_entries(buf, c.entries(), format).map_err(audit_error)
}
