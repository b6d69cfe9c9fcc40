//! The command line, as clap derive types.
//!
//! - this file: [`Cli`], the global options ([`GlobalArgs`]) and the top-level [`Command`] list.
//! - [`ops`]: `status`, `login`, `policy`, `dev`, `completions`.
//! - [`kv`]: `kv …`.
//! - [`secrets`]: `env` and `exec`.
//! - [`audit`]: `audit …` over vault-audit.
//! - [`migrate`]: `migrate …` over vault-migrate.
//! - [`rotate`]: `rotate …` over vault-rotation.
//! - [`backup`]: `backup …` over vault-backup.
//! - [`vault_style`]: accepts Vault's single-dash long options (`-mount=secret`).

use clap::{Args, Parser, Subcommand};
use vault_core::Setting;

pub(crate) mod audit;
pub(crate) mod backup;
pub(crate) mod kv;
pub(crate) mod migrate;
pub(crate) mod ops;
pub(crate) mod rotate;
pub(crate) mod secrets;
pub(crate) mod vault_style;

pub(crate) const EXIT_CODES_HELP: &str = "\
Getting started:
  vaultkit dev                                   # local OpenBao; paste its two `export` lines
  vaultkit status
  printf '%s' \"$PW\" | vaultkit kv put secret/app/db user=etl password=-
  vaultkit kv tree secret
  vaultkit exec -s DB_PASSWORD=secret/app/db#password -- ./pipeline
  Full reference: docs/cli.md

Exit codes:
  0  success
  1  other error (server error, I/O, child could not start)
  2  usage error (bad flags or arguments, bad configuration file, unknown profile)
  3  not found (no secret, mount, policy or file; a deleted, destroyed or missing version)
  4  permission denied (policy, invalid or expired token, failed login)
  5  connection failed, Vault is sealed / not initialised, cached value past its stale limit,
     `dev --port` on a port that is taken
  6  validation failed (bad input file, filter or configuration, CAS mismatch)
  7  `backup stats`: a scheduled backup is overdue
  `exec` exits with the child's code, or 128+N when the child died of signal N.

Configuration: flags override single settings. The connection (address, namespace, TLS,
credentials) comes from one place: a profile named by --profile / VAULTKIT_PROFILE; else the
environment if VAULT_ADDR is set; else the config file's default_profile; else the environment.
  VAULT_ADDR, VAULT_TOKEN, VAULT_NAMESPACE, VAULT_CACERT, VAULT_CLIENT_CERT, VAULT_CLIENT_KEY,
  VAULT_SKIP_VERIFY, VAULT_FORMAT, VAULT_ROLE_ID + VAULT_SECRET_ID, ~/.vault-token,
  and profiles in $XDG_CONFIG_HOME/vaultkit/config.toml (default ~/.config/vaultkit/config.toml).";

/// vaultkit: a friendly, scriptable command line for HashiCorp Vault and OpenBao.
#[derive(Debug, Parser)]
#[command(name = "vaultkit", version, about, after_long_help = EXIT_CODES_HELP, after_help = EXIT_CODES_HELP)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command accepts. The connection options take their flag names from vault-core's
/// [`vault_core::SETTINGS`] table; their environment variables are read by [`crate::config`],
/// not by clap (clap would list an option set in the environment in usage lines as if it were
/// required, and could not tell a flag from a variable, which the precedence rule needs).
#[derive(Debug, Clone, Args)]
pub(crate) struct GlobalArgs {
    /// Named profile from the config file (env VAULTKIT_PROFILE). It supplies the whole
    /// connection (address, namespace, TLS, credentials); flags still override single settings.
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// Config file to read instead of $XDG_CONFIG_HOME/vaultkit/config.toml (env VAULTKIT_CONFIG).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<std::path::PathBuf>,
    /// Vault address, e.g. https://vault.example.com:8200 (env VAULT_ADDR).
    #[arg(long = Setting::Address.flag(), global = true, value_name = "URL")]
    pub address: Option<String>,
    /// Vault Enterprise / OpenBao namespace (env VAULT_NAMESPACE).
    #[arg(long = Setting::Namespace.flag(), global = true, value_name = "NS")]
    pub namespace: Option<String>,
    /// PEM file with the CA certificate(s) to trust (env VAULT_CACERT).
    #[arg(long = Setting::CaCert.flag(), global = true, value_name = "FILE")]
    pub ca_cert: Option<std::path::PathBuf>,
    /// Client certificate (PEM) for TLS client authentication (env VAULT_CLIENT_CERT).
    #[arg(long = Setting::ClientCert.flag(), global = true, value_name = "FILE")]
    pub client_cert: Option<std::path::PathBuf>,
    /// Client key (PEM) for TLS client authentication (env VAULT_CLIENT_KEY).
    #[arg(long = Setting::ClientKey.flag(), global = true, value_name = "FILE")]
    pub client_key: Option<std::path::PathBuf>,
    /// Do not verify the server's TLS certificate (never in production) (env VAULT_SKIP_VERIFY).
    #[arg(long = Setting::SkipVerify.flag(), global = true, value_parser = clap::builder::BoolishValueParser::new(), num_args = 0..=1, default_missing_value = "true", value_name = "BOOL")]
    pub tls_skip_verify: Option<bool>,
    /// Output format: table, json or yaml (`kv export` also dotenv; `env` dotenv, export or json).
    /// Default: VAULT_FORMAT, then the profile's `format`, then table.
    #[arg(long, global = true, value_name = "FORMAT")]
    pub format: Option<String>,
    /// Print only this field, raw (no quoting, no table).
    #[arg(long, global = true, value_name = "KEY")]
    pub field: Option<String>,
    /// No colours (also when NO_COLOR is set or stdout is not a terminal).
    #[arg(long, global = true)]
    pub no_color: bool,
    /// Print nothing but errors and requested data; no progress bars.
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,
    /// Show the libraries' warnings on stderr (retries, failed token renewals, stale cached
    /// values); -vv adds debug events. VAULTKIT_LOG=FILTER (e.g. `vault_core=debug`) overrides.
    #[arg(long, short = 'v', global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OutputFormat {
    Table,
    Json,
    Yaml,
}

impl std::str::FromStr for OutputFormat {
    type Err = crate::error::CliError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "table" => Ok(OutputFormat::Table),
            "json" => Ok(OutputFormat::Json),
            "yaml" | "yml" => Ok(OutputFormat::Yaml),
            other => Err(
                crate::error::CliError::usage(format!("unknown output format `{other}`"))
                    .with_hint("use --format table, json or yaml"),
            ),
        }
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Show the server's health and seal status.
    Status,
    /// Log in (token, AppRole, Kubernetes) and optionally store the token in ~/.vault-token.
    Login(ops::LoginArgs),
    /// Read, write, list, delete ACL policies, and render TOML/YAML policies to HCL.
    #[command(subcommand)]
    Policy(ops::PolicyCommand),
    /// Key/value secrets: get, put, patch, list, tree, export, import, versions, metadata.
    #[command(subcommand)]
    Kv(kv::KvCommand),
    /// Print secrets as environment assignments (dotenv, shell export or JSON).
    Env(secrets::EnvArgs),
    /// Run a command with secrets in its environment (never in argv, never on disk).
    Exec(secrets::ExecArgs),
    /// Analyse file audit logs: stats, filter, search, patterns, anomalies, pairs, report, tail.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Move plaintext secrets from .env/config files into Vault: scan, plan, apply, validate.
    #[command(subcommand)]
    Migrate(migrate::MigrateCommand),
    /// Rotate secrets on a schedule: policies in Vault, runs, a daemon, status and history.
    #[command(subcommand)]
    Rotate(rotate::RotateCommand),
    /// Encrypted, verified snapshots: create, list, verify, restore, cleanup, keygen, schedule, stats, daemon.
    #[command(subcommand)]
    Backup(backup::BackupCommand),
    /// Start a local OpenBao dev server and print how to point vaultkit at it.
    Dev(ops::DevArgs),
    /// Print a shell completion script.
    Completions(ops::CompletionsArgs),
}

/// Subcommands that never talk to Vault: their help hides the connection options.
const OFFLINE: &[&[&str]] = &[
    &["audit", "stats"],
    &["audit", "filter"],
    &["audit", "search"],
    &["audit", "patterns"],
    &["audit", "anomalies"],
    &["audit", "pairs"],
    &["audit", "report"],
    &["audit", "tail"],
    &["migrate", "scan"],
    &["migrate", "plan"],
    &["policy", "render"],
    &["backup", "keygen"],
    &["completions"],
    &["dev"],
];

/// The command line as parsed and shown: [`Cli`]'s definition, with the connection options
/// (the flags of vault-core's [`vault_core::SETTINGS`]) hidden from the help of the
/// [`OFFLINE`] subcommands, which ignore them.
pub(crate) fn command() -> clap::Command {
    let mut cmd = <Cli as clap::CommandFactory>::command();
    // Propagate the global options into every subcommand first, so that they can be hidden.
    cmd.build();
    for path in OFFLINE {
        if let Some(sub) = find_mut(&mut cmd, path) {
            hide_connection_flags(sub);
        }
    }
    cmd
}

fn find_mut<'c>(cmd: &'c mut clap::Command, path: &[&str]) -> Option<&'c mut clap::Command> {
    match path.split_first() {
        None => Some(cmd),
        Some((first, rest)) => find_mut(cmd.find_subcommand_mut(first)?, rest),
    }
}

/// Hide the connection options of a built command. `mut_args` keeps the arguments in place
/// (`mut_arg` would move one to the end and break the built command's index of flags).
fn hide_connection_flags(cmd: &mut clap::Command) {
    let taken = std::mem::take(cmd);
    *cmd = taken.mut_args(|a| {
        let connection = a
            .get_long()
            .is_some_and(|l| vault_core::SETTINGS.iter().any(|s| s.flag == Some(l)));
        if connection { a.hide(true) } else { a }
    });
}

#[cfg(test)]
mod help_tests {
    use super::*;

    fn walk<'c>(
        cmd: &'c clap::Command,
        path: &mut Vec<String>,
        out: &mut Vec<(String, &'c clap::Command)>,
    ) {
        out.push((path.join(" "), cmd));
        for sub in cmd.get_subcommands() {
            path.push(sub.get_name().to_string());
            walk(sub, path, out);
            path.pop();
        }
    }

    #[test]
    fn every_positional_argument_has_a_help_line() {
        let cmd = command();
        let mut all = Vec::new();
        walk(&cmd, &mut Vec::new(), &mut all);
        let missing: Vec<String> = all
            .iter()
            .flat_map(|(path, c)| {
                c.get_positionals()
                    .filter(|a| a.get_help().is_none_or(|h| h.to_string().trim().is_empty()))
                    .map(move |a| format!("vaultkit {path} <{}>", a.get_id()))
            })
            .collect();
        assert!(
            missing.is_empty(),
            "positional arguments without help: {missing:#?}"
        );
    }

    /// Every option and flag of every subcommand (the global ones included) has a help line,
    /// and none reads the environment through clap (which would list it in usage lines as if
    /// it were required; `config` reads the environment instead).
    #[test]
    fn every_option_of_every_command_has_a_help_line() {
        let cmd = command();
        let mut all = Vec::new();
        walk(&cmd, &mut Vec::new(), &mut all);
        let mut missing = Vec::new();
        let mut from_env = Vec::new();
        for (path, c) in &all {
            for a in c.get_arguments() {
                let id = a.get_id().as_str();
                if id == "help" || id == "version" {
                    continue;
                }
                let help = a
                    .get_long_help()
                    .or(a.get_help())
                    .map(|h| h.to_string())
                    .unwrap_or_default();
                if help.trim().is_empty() {
                    missing.push(format!("vaultkit {path} {id}"));
                }
                if a.get_env().is_some() && a.is_global_set() {
                    from_env.push(format!("vaultkit {path} --{id}"));
                }
            }
        }
        assert!(all.len() > 40, "walked only {} commands", all.len());
        assert!(missing.is_empty(), "arguments without help: {missing:#?}");
        assert!(
            from_env.is_empty(),
            "global options read by clap from the environment: {from_env:#?}"
        );
    }

    #[test]
    fn offline_commands_show_no_connection_flags() {
        let mut cmd = command();
        for path in OFFLINE {
            let sub = find_mut(&mut cmd, path).unwrap_or_else(|| panic!("no subcommand {path:?}"));
            let help = sub.render_long_help().to_string();
            for flag in vault_core::SETTINGS.iter().filter_map(|s| s.flag) {
                assert!(
                    !help.contains(&format!("--{flag}")),
                    "{path:?} lists --{flag}:\n{help}"
                );
            }
        }
        // Commands that talk to Vault keep them.
        let kv_get = find_mut(&mut cmd, &["kv", "get"]).expect("kv get");
        assert!(kv_get.render_long_help().to_string().contains("--address"));
    }
}
