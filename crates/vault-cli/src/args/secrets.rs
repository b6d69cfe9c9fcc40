//! Arguments of `vaultkit env` and `vaultkit exec`.

use clap::Args;

/// Which secrets to hand over, shared by `env` and `exec`.
#[derive(Debug, Clone, Args)]
pub(crate) struct SecretSelection {
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

/// What secrets may set, shared by `env` and `exec` (see `commands::env_rules`).
#[derive(Debug, Clone, Default, Args)]
pub(crate) struct EnvRules {
    /// Let a secret set NAME although it changes how programs load or run (LD_*, DYLD_*, PATH,
    /// BASH_ENV, ENV, PYTHON*, NODE_OPTIONS, PERL5*, RUBYOPT, VAULT_*, BAO_*, …). Repeatable.
    #[arg(long = "allow-env", value_name = "NAME")]
    pub allow_env: Vec<String>,
    /// Let secrets replace variables that are already set (default: refuse).
    #[arg(long = "override")]
    pub override_inherited: bool,
}

/// `vaultkit env`: print the secrets as assignments (default dotenv) for `eval` or a file.
#[derive(Debug, Args)]
#[command(
    after_help = "Formats (--format): dotenv (default), export (POSIX shell), json. Sourcing the output never
runs anything, whatever the values. dotenv refuses values it cannot write for python-dotenv,
dotenvy and sh alike (a carriage return, a final backslash, or `$`/backtick next to `'` or a double backslash):
use export or json for those.
Examples:
  vaultkit env -s DB_PASSWORD=secret/app/db#password --format export
  eval \"$(vaultkit env -s secret/app/api --format export)\""
)]
pub(crate) struct EnvArgs {
    #[command(flatten)]
    pub selection: SecretSelection,
    #[command(flatten)]
    pub rules: EnvRules,
    /// Write to FILE (created 0600, atomically, never through a symlink) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
}

/// `vaultkit exec`: run a program with the secrets in its environment.
#[derive(Debug, Args)]
#[command(
    after_help = "The secrets are passed only through the child's environment: never in argv, never on disk.
The child does not get vaultkit's credentials (VAULT_TOKEN, …) unless --pass-token. A secret may
not set a loader/interpreter variable (LD_*, PATH, PYTHON*, VAULT_*, …) unless --allow-env NAME,
nor replace a variable that is already set unless --override.
Signals SIGINT, SIGTERM and SIGHUP are forwarded to the child; vaultkit exits with the child's code,
or 128+N when the child was killed by signal N.
Example:
  vaultkit exec -s DB_PASSWORD=secret/app/db#password -- python pipeline.py"
)]
pub(crate) struct ExecArgs {
    #[command(flatten)]
    pub selection: SecretSelection,
    #[command(flatten)]
    pub rules: EnvRules,
    /// Start the child with only these secrets and PATH/HOME/LANG… (not vaultkit's whole environment).
    #[arg(long)]
    pub clean_env: bool,
    /// Also hand vaultkit's own credentials (VAULT_TOKEN, BAO_TOKEN, VAULT_ROLE_ID,
    /// VAULT_SECRET_ID, … as set in vaultkit's environment) to the child, with or without
    /// --clean-env (default: removed from its environment).
    #[arg(long)]
    pub pass_token: bool,
    /// The command and its arguments (after `--`).
    #[arg(last = true, required = true, value_name = "CMD")]
    pub command: Vec<String>,
}
