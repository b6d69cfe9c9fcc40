//! Arguments of `vaultkit rotate …`: rotation policies kept in Vault, runs (scheduled, on
//! demand, as a daemon), status and history.

use std::path::PathBuf;

use clap::{Args, Subcommand};

/// Where vaultkit keeps its own rotation records, shared by every `rotate` subcommand.
#[derive(Debug, Clone, Args)]
pub(crate) struct RecordArgs {
    /// KV v2 mount holding the policies, leases and history (default `secret`).
    #[arg(long, default_value = "secret", value_name = "MOUNT")]
    pub records_mount: String,
    /// Folder in that mount (default `vaultkit/rotation`).
    #[arg(long, default_value = "vaultkit/rotation", value_name = "PREFIX")]
    pub records_prefix: String,
}

#[derive(Debug, Subcommand)]
pub(crate) enum RotateCommand {
    /// Add, list or remove rotation policies (stored in Vault, shared by every scheduler).
    #[command(subcommand)]
    Policy(RotatePolicyCommand),
    /// Rotate every due secret once: one line per policy (exit 1 when one failed).
    Run {
        /// Decide what is due but change nothing.
        #[arg(long)]
        dry_run: bool,
        /// How many rotations run at once.
        #[arg(long, default_value_t = 8, value_name = "N")]
        concurrency: usize,
        #[command(flatten)]
        records: RecordArgs,
    },
    /// Rotate one secret now, due or not (also with auto-rotation off). Exit 1 when it failed.
    Now {
        /// The secret (`mount/path`, a path in its policy's mount) or the policy's name.
        path: String,
        #[command(flatten)]
        records: RecordArgs,
    },
    /// Where rotations stand: one secret, or every policy's secret.
    Status {
        /// The secret (`mount/path`, a path in its policy's mount) or a policy's name; all
        /// policies when omitted.
        path: Option<String>,
        #[command(flatten)]
        records: RecordArgs,
    },
    /// Every recorded rotation of a secret, oldest first.
    History {
        /// The secret (`mount/path`, a path in its policy's mount) or the policy's name.
        path: String,
        #[command(flatten)]
        records: RecordArgs,
    },
    /// Rotate due secrets every check interval until stopped (Ctrl-C or SIGTERM); a rotation
    /// in progress finishes first.
    Daemon {
        /// Time between checks, e.g. `1h`, `15m`, `30s`.
        #[arg(long, default_value = "1h", value_name = "DURATION")]
        check_interval: String,
        /// Up to this much random delay on top of each interval (spreads several daemons).
        #[arg(long, default_value = "1m", value_name = "DURATION")]
        jitter: String,
        /// How many rotations run at once.
        #[arg(long, default_value_t = 8, value_name = "N")]
        concurrency: usize,
        #[command(flatten)]
        records: RecordArgs,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum RotatePolicyCommand {
    /// Add a policy from flags (a random password), or every `[[policy]]` of a TOML file (any
    /// rotator: random, postgres, command).
    Add(PolicyAddArgs),
    /// List the stored policies.
    List {
        #[command(flatten)]
        records: RecordArgs,
    },
    /// Remove a stored policy (the secret and its history stay).
    Remove {
        /// The policy's name.
        name: String,
        #[command(flatten)]
        records: RecordArgs,
    },
}

#[derive(Debug, Args)]
pub(crate) struct PolicyAddArgs {
    /// The policy's name (letters, digits, `_`, `-`, `.`); not with --file.
    #[arg(required_unless_present = "file", conflicts_with = "file")]
    pub name: Option<String>,
    /// The secret's path inside --mount, e.g. `app/db`; not with --file.
    #[arg(required_unless_present = "file", conflicts_with = "file")]
    pub path: Option<String>,
    /// A TOML file of `[[policy]]` tables to add instead.
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// KV v2 mount of the secret.
    #[arg(long, default_value = "secret", conflicts_with = "file")]
    pub mount: String,
    /// Time between rotations, e.g. `90d`, `12h`.
    #[arg(
        long,
        default_value = "90d",
        value_name = "DURATION",
        conflicts_with = "file"
    )]
    pub interval: String,
    /// Rotate on this cron schedule (`sec min hour day month weekday`) instead of an interval.
    #[arg(long, value_name = "EXPR", conflicts_with_all = ["file", "on_demand"])]
    pub cron: Option<String>,
    /// Only rotate with `rotate now`.
    #[arg(long, conflicts_with = "file")]
    pub on_demand: bool,
    /// How long the previous value stays readable, e.g. `24h`.
    #[arg(
        long,
        default_value = "24h",
        value_name = "DURATION",
        conflicts_with = "file"
    )]
    pub grace: String,
    /// Keys that get a new random value (repeatable).
    #[arg(
        long = "key",
        default_value = "password",
        value_name = "KEY",
        conflicts_with = "file"
    )]
    pub keys: Vec<String>,
    /// Length of each random value.
    #[arg(long, default_value_t = 32, value_name = "N", conflicts_with = "file")]
    pub length: usize,
    /// Store the policy but never rotate it on schedule.
    #[arg(long, conflicts_with = "file")]
    pub no_auto_rotate: bool,
    /// Replace a stored policy of the same name (refused without it).
    #[arg(long)]
    pub replace: bool,
    #[command(flatten)]
    pub records: RecordArgs,
}
