//! One module per command group; [`run`] dispatches.
//!
//! - [`status`], [`login`], [`policy`], [`dev`], [`completions`]: operator commands.
//! - [`kv`]: the KV commands (get/put/…/tree/export/import).
//! - [`rotate`]: scheduled rotation (policies, runs, daemon, status, history).
//! - [`secrets`]: resolving `NAME=path#key` selections, shared by [`env`] and [`exec`];
//!   [`env_rules`]: which variables those secrets may set.

use vault_core::VaultClient;

use crate::args::{Cli, Command, GlobalArgs, OutputFormat};
use crate::config::{self, Settings};
use crate::error::CliResult;
use crate::output::Output;

pub(crate) mod audit;
pub(crate) mod backup;
pub(crate) mod completions;
pub(crate) mod dev;
pub(crate) mod env;
pub(crate) mod env_rules;
pub(crate) mod exec;
pub(crate) mod kv;
pub(crate) mod login;
pub(crate) mod migrate;
pub(crate) mod policy;
pub(crate) mod rotate;
pub(crate) mod secrets;
pub(crate) mod status;

/// What every command gets: the global options, the resolved settings and the printer.
#[derive(Debug)]
pub(crate) struct Ctx {
    pub global: GlobalArgs,
    pub settings: Settings,
    pub out: Output,
}

impl Ctx {
    pub(crate) fn new(global: GlobalArgs, own_formats: bool) -> CliResult<Ctx> {
        let settings = config::resolve(&global, own_formats)?;
        let out = Output::new(
            settings.format,
            global.field.clone(),
            global.no_color,
            global.quiet,
        );
        Ok(Ctx {
            global,
            settings,
            out,
        })
    }

    /// A client for the configured server (fails with exit 4 when there are no credentials).
    pub(crate) fn client(&self) -> CliResult<VaultClient> {
        self.settings.client()
    }

    /// The `--format` flag exactly as given (for commands with their own formats).
    pub(crate) fn format_flag(&self) -> Option<&str> {
        self.global.format.as_deref()
    }

    /// The printer, for commands whose output is a table/JSON/YAML.
    pub(crate) fn out(&self) -> &Output {
        &self.out
    }

    pub(crate) fn is_table(&self) -> bool {
        self.out.format == OutputFormat::Table
    }
}

/// Run the parsed command line; `Ok(code)` is the exit code (non-zero only for `exec`/`status`).
pub(crate) async fn run(cli: Cli) -> CliResult<u8> {
    // Commands that need no configuration at all.
    match &cli.command {
        Command::Completions(a) => return completions::run(a).map(|()| 0),
        Command::Dev(a) => {
            let out = Output::new(
                OutputFormat::Table,
                None,
                cli.global.no_color,
                cli.global.quiet,
            );
            return dev::run(&out, a).await.map(|()| 0);
        }
        Command::Policy(crate::args::ops::PolicyCommand::Render { file }) => {
            let out = Output::new(
                OutputFormat::Table,
                None,
                cli.global.no_color,
                cli.global.quiet,
            );
            return policy::render(file, &out).map(|()| 0);
        }
        _ => {}
    }
    let own_formats = matches!(
        cli.command,
        Command::Env(_)
            | Command::Audit(_)
            | Command::Migrate(_)
            | Command::Kv(crate::args::kv::KvCommand::Export { .. })
    );
    let ctx = Ctx::new(cli.global, own_formats)?;
    match cli.command {
        Command::Status => status::run(&ctx).await,
        Command::Login(a) => login::run(&ctx, &a).await.map(|()| 0),
        Command::Policy(p) => policy::run(&ctx, p).await.map(|()| 0),
        Command::Kv(k) => kv::run(&ctx, k).await.map(|()| 0),
        Command::Env(a) => env::run(&ctx, &a).await.map(|()| 0),
        Command::Exec(a) => exec::run(&ctx, a).await,
        Command::Audit(a) => audit::run(&ctx, a).await.map(|()| 0),
        Command::Migrate(m) => migrate::run(&ctx, m).await,
        Command::Rotate(r) => rotate::run(&ctx, r).await,
        Command::Backup(b) => backup::run(&ctx, b).await,
        Command::Dev(_) | Command::Completions(_) => Ok(0),
    }
}
