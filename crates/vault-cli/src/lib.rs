//! # vault-cli
//!
//! The `vaultkit` binary: the command line most people meet vaultkit through. It follows Vault's
//! own CLI (its environment variables, `~/.vault-token`, `-mount`, `-field`, `-format`), adds what
//! that CLI lacks (`kv tree`, `kv export`/`import` with a dry-run diff, `env` and `exec` to hand
//! secrets to any process, `policy render`, a one-command dev server), and wraps the audit-log and
//! `.env` migration libraries.
//!
//! Everything is in this library so it can be tested; `main.rs` only calls [`main_entry`].
//!
//! ```no_run
//! // Equivalent to running `vaultkit status --format json` in a shell.
//! let code = vault_cli::run_with_args(["vaultkit", "status", "--format", "json"]);
//! println!("exit code {code}");
//! ```
//!
//! Architecture Invariant: no secret value or token reaches stdout or stderr unless the command
//! was asked to print it (`kv get`, `kv tree --reveal`, `kv export`, `env`, `login --field token`),
//! and none ever reaches argv or a temporary file.
//!
//! Layout (all private to the crate; the public API is [`main_entry`], [`run_with_args`] and
//! [`quote`], which the tests and the fuzz target use):
//! - `args`: the clap definitions (global options, every subcommand).
//! - `config`: flags > environment > config-file profile; `~/.vault-token`.
//! - `output`: tables / JSON / YAML / `--field`, colours, progress bars.
//! - `commands`: one module per command group.
//! - `error`: `CliError` and the documented exit codes.
//! - `logging`: the libraries' diagnostics on stderr behind `-v` / `VAULTKIT_LOG`.

use std::ffi::OsString;
use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

pub(crate) mod args;
pub(crate) mod commands;
pub(crate) mod config;
pub(crate) mod error;
pub(crate) mod logging;
pub(crate) mod output;
pub mod quote;

/// Run with the process's arguments and exit code.
pub fn main_entry() -> ExitCode {
    ExitCode::from(run_with_args(std::env::args_os()))
}

/// Parse `args` (program name first), run the command, print any error as one line on stderr and
/// return the exit code.
pub fn run_with_args<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString>,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let args = args::vault_style::normalize(args, &args::Cli::command());
    let parsed = args::command()
        .try_get_matches_from(args)
        .and_then(|m| args::Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                error::ExitKind::Usage.code()
            } else {
                0
            };
            let _ = e.print();
            return code;
        }
    };
    if let Err(err) = logging::init(cli.global.verbose, cli.global.no_color) {
        eprintln!("error: {err}");
        return err.kind().code();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: could not start the async runtime: {e}");
            return error::ExitKind::Other.code();
        }
    };
    let no_color = cli.global.no_color;
    let result = runtime.block_on(commands::run(cli));
    // Do not wait for background tasks (token renewal) once the command is done.
    runtime.shutdown_background();
    match result {
        Ok(code) => code,
        Err(err) => {
            let color = !no_color
                && std::env::var_os("NO_COLOR").is_none()
                && std::io::stderr().is_terminal();
            let label = if color {
                "\x1b[31merror:\x1b[0m"
            } else {
                "error:"
            };
            // Errors quote paths and keys that came from Vault or from files: never raw to a terminal.
            eprintln!("{label} {}", vault_core::escape_text(&err.to_string()));
            err.kind().code()
        }
    }
}

/// The examples of this crate's README.md, compiled and run with the doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
