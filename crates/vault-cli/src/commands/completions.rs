//! `vaultkit completions bash|zsh|fish|…`: print a completion script (clap_complete).

use clap::CommandFactory;

use crate::args::{Cli, ops::CompletionsArgs};
use crate::error::{CliError, CliResult};

pub(crate) fn run(args: &CompletionsArgs) -> CliResult<()> {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "vaultkit", &mut buf);
    let text = String::from_utf8(buf)
        .map_err(|e| CliError::other(format!("completion script is not UTF-8: {e}")))?;
    crate::output::Output::new(crate::args::OutputFormat::Table, None, true, false).write(&text)
}
