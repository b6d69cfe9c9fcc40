//! Arguments of `vaultkit backup …`: encrypted, verified snapshots over vault-backup.
//!
//! The store is a local folder or `s3://bucket/prefix` (`--store`, or env
//! `VAULTKIT_BACKUP_STORE`). Snapshots are OpenPGP-encrypted to `--recipient-file` certificates
//! or `--recipient` fingerprints of a `--keyring`; `--no-encrypt` must be explicit.

use std::path::PathBuf;

use clap::{Args, Subcommand};

/// Where snapshots and their catalog live.
#[derive(Debug, Clone, Default, Args)]
pub(crate) struct StoreArgs {
    /// A local folder or `s3://bucket/prefix` (env VAULTKIT_BACKUP_STORE; S3 settings and
    /// credentials from the AWS_* environment, see docs/storage.md).
    #[arg(long, value_name = "PATH_OR_URL")]
    pub store: Option<String>,
    /// Key prefix inside the store, e.g. `vault/prod/` (several clusters in one store).
    #[arg(long, value_name = "PREFIX")]
    pub prefix: Option<String>,
}

/// The secret key that decrypts snapshots (verify, restore).
#[derive(Debug, Clone, Default, Args)]
pub(crate) struct KeyArgs {
    /// OpenPGP secret key file (e.g. `gpg --export-secret-keys --armor FPR > key.asc`).
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
    /// Name of the environment variable holding the key's passphrase.
    #[arg(
        long,
        value_name = "VAR",
        conflicts_with = "passphrase_file",
        requires = "key"
    )]
    pub passphrase_env: Option<String>,
    /// File holding the key's passphrase (one line; keep it `chmod 600`).
    #[arg(long, value_name = "FILE", requires = "key")]
    pub passphrase_file: Option<PathBuf>,
}

/// Who can decrypt new snapshots (create).
#[derive(Debug, Clone, Default, Args)]
pub(crate) struct RecipientArgs {
    /// OpenPGP certificate file(s) to encrypt to (armoured or binary, one or many per file).
    #[arg(long = "recipient-file", value_name = "FILE")]
    pub recipient_files: Vec<PathBuf>,
    /// Keyring file (`gpg --export > ring.pgp`) to pick `--recipient` certificates from.
    #[arg(long, value_name = "FILE", requires = "recipients")]
    pub keyring: Option<PathBuf>,
    /// Fingerprint or long key id of a certificate in `--keyring` (repeatable).
    #[arg(long = "recipient", value_name = "FPR", requires = "keyring")]
    pub recipients: Vec<String>,
    /// Store the snapshot unencrypted (it holds every secret, barrier-encrypted for FULL but in
    /// plain JSON for LOGICAL).
    #[arg(long, conflicts_with_all = ["recipient_files", "recipients"])]
    pub no_encrypt: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum BackupCommand {
    /// Take a snapshot (FULL: the Raft store; LOGICAL: one KV v2 mount), check it while it
    /// streams, encrypt it and store it with its catalog entry.
    Create {
        #[command(flatten)]
        store: StoreArgs,
        #[command(flatten)]
        recipients: RecipientArgs,
        /// `full` (Raft snapshot) or `logical` (every version of one KV v2 mount).
        #[arg(long = "type", value_name = "TYPE", default_value = "full")]
        backup_type: String,
        /// The KV v2 mount of a LOGICAL snapshot.
        #[arg(long, value_name = "MOUNT", default_value = "secret")]
        mount: String,
        /// Days to keep it (recorded in the catalog; `cleanup` decides).
        #[arg(long, value_name = "DAYS")]
        retention_days: Option<u32>,
    },
    /// The catalog: snapshots in the store, oldest first.
    List {
        #[command(flatten)]
        store: StoreArgs,
        /// Only `full` or `logical` snapshots.
        #[arg(long = "type", value_name = "TYPE")]
        backup_type: Option<String>,
        /// Only this status: in-progress, completed, failed, verified, expired.
        #[arg(long, value_name = "STATUS")]
        status: Option<String>,
        /// Only snapshots created at or after this time (RFC 3339) or within this many days.
        #[arg(long, value_name = "TIME_OR_DAYS")]
        since: Option<String>,
    },
    /// Download a snapshot, check both checksums, decrypt it (with --key) and check the archive;
    /// records the result in the catalog.
    Verify {
        #[command(flatten)]
        store: StoreArgs,
        #[command(flatten)]
        key: KeyArgs,
        /// Snapshot id (see `backup list`).
        id: String,
    },
    /// Restore a snapshot: FULL replaces the whole cluster's data; LOGICAL writes secrets back
    /// (all versions), optionally only under --path. Verify first; try --dry-run.
    Restore {
        #[command(flatten)]
        store: StoreArgs,
        #[command(flatten)]
        key: KeyArgs,
        /// Snapshot id (see `backup list`).
        id: String,
        /// Verify and report what would change; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// FULL: restore another cluster's snapshot (the target then needs that cluster's
        /// unseal keys).
        #[arg(long)]
        force: bool,
        /// LOGICAL: restore only the secrets at or below this path of the mount.
        #[arg(long, value_name = "PATH")]
        path: Option<String>,
    },
    /// Remove snapshots the retention policy no longer keeps (never the newest verified one).
    Cleanup {
        #[command(flatten)]
        store: StoreArgs,
        /// Remove snapshots older than this many days unless a keep rule holds them.
        #[arg(long, value_name = "DAYS", default_value_t = 30)]
        retention_days: u32,
        /// Keep the newest N snapshots.
        #[arg(long, value_name = "N")]
        keep_last: Option<u32>,
        /// Keep the newest snapshot of each of the last N days.
        #[arg(long, value_name = "N")]
        keep_daily: Option<u32>,
        /// Keep the newest snapshot of each of the last N weeks.
        #[arg(long, value_name = "N")]
        keep_weekly: Option<u32>,
        /// Keep the newest snapshot of each of the last N months.
        #[arg(long, value_name = "N")]
        keep_monthly: Option<u32>,
        /// An `in-progress` entry older than this many hours is a dead writer's: mark it failed
        /// and delete its partial object (default 24).
        #[arg(long, value_name = "HOURS")]
        abandoned_after_hours: Option<u32>,
        /// List what would go; remove nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Write a new OpenPGP key pair for snapshot encryption: CERT (public, give it to `create`)
    /// and KEY (secret, 0600; keep it offline for `verify`/`restore`).
    Keygen {
        /// User id of the key, e.g. "Vault backups <ops@example.com>".
        #[arg(long, value_name = "UID")]
        user_id: String,
        /// Where to write the public certificate (armoured).
        #[arg(long, value_name = "FILE")]
        cert: PathBuf,
        /// Where to write the secret key (armoured, mode 0600; refuses to overwrite).
        #[arg(long = "secret-key", value_name = "FILE")]
        secret_key: PathBuf,
        /// Protect the secret key with the passphrase in this environment variable.
        #[arg(long, value_name = "VAR")]
        passphrase_env: Option<String>,
    },
    // --- schedule, stats, daemon ---------------------------------------------------------
    /// Backup schedules, stored in the backup store (`schedules/NAME.json`) so that every
    /// machine running `backup daemon` on that store shares them.
    Schedule {
        #[command(subcommand)]
        command: ScheduleCommand,
    },
    /// Run statistics from the store's run records: count, size, last success and failure,
    /// success rate, durations, and whether each schedule's backup is overdue. Exits 7 when a
    /// backup is overdue (for monitoring).
    Stats {
        #[command(flatten)]
        store: StoreArgs,
        /// Minutes a backup may be late past its schedule's longest gap before it is overdue.
        #[arg(long, value_name = "MINUTES", default_value_t = 60)]
        grace_minutes: u32,
    },
    /// Run the store's schedules until Ctrl-C or SIGTERM (a running backup finishes first);
    /// failures and overdue backups are notified by webhook and/or email.
    Daemon {
        #[command(flatten)]
        store: StoreArgs,
        #[command(flatten)]
        notify: NotifyArgs,
        /// The name written into run records (default: $HOSTNAME).
        #[arg(long, value_name = "NAME")]
        instance: Option<String>,
    },
}

/// When a schedule runs (UTC): exactly one of these.
#[derive(Debug, Clone, Default, Args)]
#[group(required = true, multiple = false)]
pub(crate) struct TimingArgs {
    /// Every day at HH:MM UTC (default 02:00).
    #[arg(long, value_name = "HH:MM", num_args = 0..=1, default_missing_value = "02:00")]
    pub daily: Option<String>,
    /// Every week on DAY (mon…sun) at HH:00 UTC (default mon@03).
    #[arg(long, value_name = "DAY@HH", num_args = 0..=1, default_missing_value = "mon@03")]
    pub weekly: Option<String>,
    /// Every month on day N (1–31, the month's last day when it has fewer) at HH:00 UTC
    /// (default 1@03).
    #[arg(long, value_name = "N@HH", num_args = 0..=1, default_missing_value = "1@03")]
    pub monthly: Option<String>,
    /// A cron expression in UTC: `minute hour day month weekday`, e.g. "15 */6 * * *".
    #[arg(long, value_name = "EXPR")]
    pub cron: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ScheduleCommand {
    /// Add a schedule (a name in use is refused; remove it first).
    Add(Box<ScheduleAddArgs>),
    /// The schedules in the store with their next slot.
    List {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Remove a schedule (its run records stay for `stats`).
    Remove {
        #[command(flatten)]
        store: StoreArgs,
        /// The schedule's name.
        name: String,
    },
}

/// `backup schedule add`.
#[derive(Debug, Clone, Args)]
pub(crate) struct ScheduleAddArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// 1–64 of a-z, 0-9, `-`, `_`: names the schedule and its run records.
    pub name: String,
    #[command(flatten)]
    pub timing: TimingArgs,
    /// `full` (Raft snapshot) or `logical` (every version of one KV v2 mount).
    #[arg(long = "type", value_name = "TYPE", default_value = "full")]
    pub backup_type: String,
    /// The KV v2 mount of a LOGICAL backup.
    #[arg(long, value_name = "MOUNT", default_value = "secret")]
    pub mount: String,
    #[command(flatten)]
    pub recipients: RecipientArgs,
    /// Days each snapshot is kept (recorded in the catalog; `cleanup` decides).
    #[arg(long, value_name = "DAYS", default_value_t = 30)]
    pub retention_days: u32,
    /// Do not notify when a run of this schedule fails (overdue alerts are sent anyway).
    #[arg(long)]
    pub no_notify_on_failure: bool,
}

/// Where `backup daemon` sends failure and overdue alerts.
#[derive(Debug, Clone, Default, Args)]
pub(crate) struct NotifyArgs {
    /// POST each alert as JSON to this URL (repeatable; the URL is never printed whole).
    #[arg(long = "notify-webhook", value_name = "URL")]
    pub webhooks: Vec<String>,
    /// Email alerts to this address (repeatable; needs --smtp-host and --smtp-from).
    #[arg(long = "notify-email", value_name = "ADDR", requires_all = ["smtp_host", "smtp_from"])]
    pub emails: Vec<String>,
    /// The SMTP relay.
    #[arg(long, value_name = "HOST", requires = "emails")]
    pub smtp_host: Option<String>,
    /// The relay's port (default 587, or 25 with --smtp-security none, 465 with tls).
    #[arg(long, value_name = "PORT", requires = "smtp_host")]
    pub smtp_port: Option<u16>,
    /// starttls (default), tls, or none (only for a relay on the loopback interface).
    #[arg(
        long,
        value_name = "MODE",
        default_value = "starttls",
        requires = "smtp_host"
    )]
    pub smtp_security: String,
    /// The sender, e.g. "vaultkit <backup@example.com>".
    #[arg(long, value_name = "ADDR", requires = "smtp_host")]
    pub smtp_from: Option<String>,
    /// Also trust the CA certificate(s) in this PEM file for the relay (a private CA).
    #[arg(long, value_name = "FILE", requires = "smtp_host")]
    pub smtp_ca_file: Option<PathBuf>,
    /// Environment variable holding the SMTP username (AUTH only with both variables).
    #[arg(long, value_name = "VAR", requires = "smtp_password_env")]
    pub smtp_user_env: Option<String>,
    /// Environment variable holding the SMTP password (never on the command line).
    #[arg(long, value_name = "VAR", requires = "smtp_user_env")]
    pub smtp_password_env: Option<String>,
}
