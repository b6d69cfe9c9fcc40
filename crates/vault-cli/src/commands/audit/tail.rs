//! `vaultkit audit tail LOG`: follow a live audit log (rotation and truncation included), print
//! the entries that match the filters as they arrive; Ctrl-C or SIGTERM stops it.

use std::io::Write;
use std::ops::ControlFlow;
use std::path::Path;
use std::sync::atomic::Ordering;

use tokio::signal::unix::{SignalKind, signal};
use vault_audit::output::{self, Format};
use vault_audit::{AuditEntry, AuditLogCollection, FollowOptions, Follower, ScanSummary};

use super::{apply, audit_error, path_note};
use crate::args::audit::EntryFilter;
use crate::commands::Ctx;
use crate::error::{CliError, CliResult};

pub(crate) async fn run(
    ctx: &Ctx,
    log: &Path,
    from_start: bool,
    filter: &EntryFilter,
    format: Format,
) -> CliResult<()> {
    if !log.is_file() {
        return Err(
            CliError::not_found(format!("no audit log file at `{}`", log.display()))
                .with_hint("tail follows one file; give the path the file audit device writes to"),
        );
    }
    // Check the filters once up front so a bad glob fails before waiting for data.
    super::check(filter)?;
    let opts = FollowOptions {
        from_start,
        ..FollowOptions::default()
    };
    let stop = opts.stop.clone();
    let mut int = signal(SignalKind::interrupt())
        .map_err(|e| CliError::other(format!("signal handler: {e}")))?;
    let mut term = signal(SignalKind::terminate())
        .map_err(|e| CliError::other(format!("signal handler: {e}")))?;
    tokio::spawn(async move {
        tokio::select! {
            _ = int.recv() => {}
            _ = term.recv() => {}
        }
        stop.store(true, Ordering::SeqCst);
    });
    ctx.out()
        .info(&format!("Following {} (Ctrl-C to stop)…", log.display()));
    let filter = filter.clone();
    let path = log.to_path_buf();
    let header = format == Format::Table;
    let printer = ctx.out().clone();
    let task = tokio::task::spawn_blocking(move || -> CliResult<()> {
        let mut follower = Follower::new(&path, opts);
        let mut out = std::io::stdout();
        if header {
            let _ = writeln!(out, "{}", output::ENTRY_COLUMNS.join("\t"));
        }
        let mut failure = None;
        let mut noted = false;
        follower
            .run(|loc, raw, rec| {
                let entry = AuditEntry::from_raw(loc, raw, rec);
                let one = AuditLogCollection::from_entries(vec![entry], ScanSummary::default());
                let kept = match apply(&one, &filter) {
                    Ok(c) => c,
                    Err(e) => {
                        failure = Some(e);
                        return ControlFlow::Break(());
                    }
                };
                for e in kept.entries() {
                    // Once: say that --path matched through a KV v2 API path.
                    if !noted && let Some(note) = path_note(&filter, std::slice::from_ref(e)) {
                        noted = true;
                        printer.info(&note);
                    }
                    let written = match format {
                        Format::Table => {
                            writeln!(out, "{}", output::tab_line(&output::entry_row(e)))
                                .map_err(|e| e.to_string())
                        }
                        Format::Csv => output::write_csv(&mut out, &[], &[output::entry_row(e)])
                            .map_err(|e| e.to_string()),
                        _ => output::write_json_lines(&mut out, std::slice::from_ref(e))
                            .map_err(|e| e.to_string()),
                    };
                    if written.is_err() || out.flush().is_err() {
                        // stdout closed (e.g. `| head`): stop quietly.
                        return ControlFlow::Break(());
                    }
                }
                ControlFlow::Continue(())
            })
            .map_err(audit_error)?;
        failure.map_or(Ok(()), Err)
    });
    task.await
        .map_err(|e| CliError::other(format!("the tail task failed: {e}")))?
}
