//! `audit filter` and `audit search`: the entries that match.

use std::path::Path;

use vault_audit::output::{self, Format};

use super::source::load;
use super::{apply, audit_error, check};
use crate::args::audit::EntryFilter;
use crate::commands::Ctx;
use crate::error::CliResult;

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
    output::write_entries(buf, c.entries(), format).map_err(audit_error)
}
