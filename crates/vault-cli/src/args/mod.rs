//! The command line, as clap derive types.
//!
//! - this file: [`Cli`], the global options ([`GlobalArgs`]) and the top-level [`Command`] list.
//! - [`ops`]: `status`, `login`, `policy`, `dev`, `completions`.
//! - [`kv`]: `kv …`.
//! - [`secrets`]: `env` and `exec`.
//! - [`audit`]: `audit …` over vault-audit.
//! - [`migrate`]: `migrate …` over vault-migrate.
//! - [`vault_style`]: accepts Vault's single-dash long options (`-mount=secret`).

use clap::{Args, Parser, Subcommand};

pub(crate) mod audit;
pub(crate) mod kv;
pub(crate) mod migrate;
pub(crate) mod ops;
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
  2  usage error (bad flags or arguments, bad configuration)
  3  not found (no secret, version, policy or file at that path)
  4  permission denied (policy, invalid or expired token, failed login)
  5  connection failed, or Vault is sealed / not initialised
  6  validation failed (bad input file, CAS mismatch, destroyed version)
  `exec` exits with the child's code, or 128+N when the child died of signal N.

Configuration (flags > environment > config file):
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

/// Options every command accepts.
#[derive(Debug, Clone, Args)]
pub(crate) struct GlobalArgs {
    /// Named profile from the config file.
    #[arg(long, global = true, env = "VAULTKIT_PROFILE", value_name = "NAME")]
    pub profile: Option<String>,
    /// Config file to read instead of $XDG_CONFIG_HOME/vaultkit/config.toml.
    #[arg(long, global = true, env = "VAULTKIT_CONFIG", value_name = "FILE")]
    pub config: Option<std::path::PathBuf>,
    /// Vault address, e.g. https://vault.example.com:8200.
    #[arg(long, global = true, env = "VAULT_ADDR", value_name = "URL")]
    pub address: Option<String>,
    /// Vault Enterprise / OpenBao namespace.
    #[arg(long, global = true, env = "VAULT_NAMESPACE", value_name = "NS")]
    pub namespace: Option<String>,
    /// PEM file with the CA certificate(s) to trust.
    #[arg(long, global = true, env = "VAULT_CACERT", value_name = "FILE")]
    pub ca_cert: Option<std::path::PathBuf>,
    /// Client certificate (PEM) for TLS client authentication.
    #[arg(long, global = true, env = "VAULT_CLIENT_CERT", value_name = "FILE")]
    pub client_cert: Option<std::path::PathBuf>,
    /// Client key (PEM) for TLS client authentication.
    #[arg(long, global = true, env = "VAULT_CLIENT_KEY", value_name = "FILE")]
    pub client_key: Option<std::path::PathBuf>,
    /// Do not verify the server's TLS certificate (never in production).
    #[arg(long, global = true, env = "VAULT_SKIP_VERIFY", value_parser = clap::builder::BoolishValueParser::new(), num_args = 0..=1, default_missing_value = "true", value_name = "BOOL")]
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
    /// Start a local OpenBao dev server and print how to point vaultkit at it.
    Dev(ops::DevArgs),
    /// Print a shell completion script.
    Completions(ops::CompletionsArgs),
}
