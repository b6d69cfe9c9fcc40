//! Arguments of `vaultkit env` and `vaultkit exec`.

use clap::Args;

/// Which secrets to hand over, shared by `env` and `exec`.
#[derive(Debug, Clone, Args)]
pub struct SecretSelection {
    /// `NAME=MOUNT/path#key` for one value, `NAME=MOUNT/path` for every key as NAME_KEY, or
    /// `MOUNT/path` for every key under its own (upper-cased) name. Repeatable.
    #[arg(
        long = "secret",
        short = 's',
        value_name = "NAME=PATH[#KEY]",
        required = true
    )]
    pub secrets: Vec<String>,
    /// The KV mount for paths that do not start with one.
    #[arg(long, value_name = "MOUNT")]
    pub mount: Option<String>,
    /// Put this before every variable name (e.g. `APP_`).
    #[arg(long, value_name = "PREFIX")]
    pub prefix: Option<String>,
}

/// `vaultkit env`: print the secrets as assignments (default dotenv) for `eval` or a file.
#[derive(Debug, Args)]
#[command(
    after_help = "Formats (--format): dotenv (default), export (POSIX shell), json.
Examples:
  vaultkit env -s DB_PASSWORD=secret/app/db#password --format export
  eval \"$(vaultkit env -s secret/app/api --format export)\""
)]
pub struct EnvArgs {
    #[command(flatten)]
    pub selection: SecretSelection,
}

/// `vaultkit exec`: run a program with the secrets in its environment.
#[derive(Debug, Args)]
#[command(
    after_help = "The secrets are passed only through the child's environment: never in argv, never on disk.
Signals SIGINT, SIGTERM and SIGHUP are forwarded to the child; vaultkit exits with the child's code,
or 128+N when the child was killed by signal N.
Example:
  vaultkit exec -s DB_PASSWORD=secret/app/db#password -- python pipeline.py"
)]
pub struct ExecArgs {
    #[command(flatten)]
    pub selection: SecretSelection,
    /// Start the child with only these secrets and PATH/HOME/LANG… (not vaultkit's whole environment).
    #[arg(long)]
    pub clean_env: bool,
    /// The command and its arguments (after `--`).
    #[arg(last = true, required = true, value_name = "CMD")]
    pub command: Vec<String>,
}
