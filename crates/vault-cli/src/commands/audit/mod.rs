//! `vaultkit audit …`: thin wrappers over vault-audit, one function per subcommand.
//!
//! - this file: dispatch and the `--format` flag.
//! - `summary`: `stats`, `patterns`, `pairs`.
//! - `entries`: `filter`, `search`.
//! - `detect`: `anomalies`, `report`.
//! - `hash`: `hash`, `find-value` (the only ones that talk to a server).
//! - [`tail`]: `audit tail`, following a live log.
//! - `source` (loading with a progress bar on a terminal, the value on stdin), `filter`
//!   (the command-line filters), `error` (exit codes).
//!
//! Output uses vault-audit's writers; `--format` is table (default), json, jsonl or csv.
//! Each subcommand writes into a buffer that is printed at the end, so a failure half-way prints
//! nothing.

use std::str::FromStr;

use vault_audit::output::Format;

use super::Ctx;
use crate::args::audit::AuditCommand;
use crate::error::{CliError, CliResult};

mod detect;
mod entries;
mod error;
mod filter;
mod hash;
mod source;
mod summary;
pub(crate) mod tail;

pub(crate) use error::audit_error;
pub(crate) use filter::{apply, check, path_note};

pub(crate) async fn run(ctx: &Ctx, cmd: AuditCommand) -> CliResult<()> {
    let format = format(ctx)?;
    let mut buf = Vec::new();
    match cmd {
        AuditCommand::Stats { log } => summary::stats(ctx, &log, format, &mut buf)?,
        AuditCommand::Filter { log, filter } => {
            entries::filter(ctx, &log, &filter, format, &mut buf)?
        }
        AuditCommand::Search { log, text, filter } => {
            entries::search(ctx, &log, &text, &filter, format, &mut buf)?
        }
        AuditCommand::Patterns { log, top } => summary::patterns(ctx, &log, top, format, &mut buf)?,
        AuditCommand::Anomalies {
            log,
            threshold,
            window,
            rules,
        } => detect::anomalies(ctx, &log, threshold, window, rules, format, &mut buf)?,
        AuditCommand::Pairs { log } => summary::pairs(ctx, &log, format, &mut buf)?,
        AuditCommand::Hash { device } => hash::hash(ctx, &device, &mut buf).await?,
        AuditCommand::FindValue { log, device } => {
            hash::find_value(ctx, &log, &device, format, &mut buf).await?
        }
        AuditCommand::Report {
            log,
            output: target,
            title,
        } => detect::report(ctx, &log, target.as_deref(), title.as_deref(), &mut buf)?,
        AuditCommand::Tail {
            log,
            from_start,
            filter,
        } => return tail::run(ctx, &log, from_start, &filter, format).await,
    }
    ctx.out().write(&String::from_utf8_lossy(&buf))
}

/// The `--format` flag as one of vault-audit's formats (table when absent).
fn format(ctx: &Ctx) -> CliResult<Format> {
    match ctx.format_flag() {
        Some(f) => Format::from_str(&f.to_ascii_lowercase()).map_err(|_| {
            CliError::usage(format!("audit cannot write `{f}`"))
                .with_hint("use --format table, json, jsonl or csv")
        }),
        None => Ok(Format::Table),
    }
}
