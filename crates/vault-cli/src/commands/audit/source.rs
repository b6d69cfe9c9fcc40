//! Where audit entries and values come from: a log file, a folder or stdin (with a progress bar
//! on a terminal), and the value for `hash` / `find-value` on stdin.

use std::path::Path;

use vault_audit::{AuditLogCollection, AuditSource, ScanOptions};
use vault_core::SecretString;

use super::audit_error;
use crate::commands::Ctx;
use crate::error::{CliError, CliResult};
use crate::output::progress::Progress;

pub(super) fn open(log: &Path) -> CliResult<AuditSource> {
    if log.as_os_str() == "-" {
        return Ok(AuditSource::stdin());
    }
    AuditSource::open(log).map_err(audit_error)
}

pub(super) fn scan_options(progress: &Progress) -> ScanOptions {
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
pub(super) fn load(ctx: &Ctx, log: &Path) -> CliResult<AuditLogCollection> {
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

/// The value for `hash` / `find-value`, from stdin only (never argv).
pub(super) fn read_value() -> CliResult<SecretString> {
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
