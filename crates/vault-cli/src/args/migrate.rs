//! Arguments of `vaultkit migrate …`: move plaintext secrets from `.env` and config files into
//! Vault in reviewable steps — scan, plan (a TOML file with no values), apply, validate.

use std::path::PathBuf;

use clap::{Args, Subcommand};

/// What to scan and how, shared by `scan` and `plan`.
#[derive(Debug, Clone, Args)]
pub(crate) struct ScanArgs {
    /// Files or directories to scan (default: the current directory).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Extra regex rule on top of the built-in ones (repeatable).
    #[arg(long = "pattern", value_name = "REGEX")]
    pub patterns: Vec<String>,
    /// Ignore findings listed in this baseline (written by `scan --write-baseline FILE`).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Report findings of at least this confidence: low, medium (default), high.
    #[arg(long, default_value = "medium", value_name = "LEVEL")]
    pub min_confidence: String,
}

#[derive(Debug, Subcommand)]
pub(crate) enum MigrateCommand {
    /// Find plaintext secrets (--format table, json or sarif). Exit 1 when something was found.
    Scan {
        #[command(flatten)]
        scan: ScanArgs,
        /// Accept every current finding: write their salted fingerprints to FILE (no values),
        /// so later scans with `--baseline FILE` report only new ones. Exits 0.
        #[arg(long, value_name = "FILE")]
        write_baseline: Option<PathBuf>,
        /// Write the report to FILE (created 0600, atomically, never through a symlink) instead
        /// of stdout.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Scan and map every finding to a Vault path: a TOML plan holding no values, to review.
    Plan {
        #[command(flatten)]
        scan: ScanArgs,
        /// KV v2 mount to write to.
        #[arg(long, default_value = "secret")]
        mount: String,
        /// Folder inside the mount, e.g. `bike-data-flow/production`.
        #[arg(long, default_value = "")]
        prefix: String,
        /// Write the plan here instead of stdout.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
        /// Compare the plan with Vault and print the diff (new / changed / unchanged keys, values
        /// masked) instead of the plan; with -o the plan is written too. Needs a Vault login.
        #[arg(long)]
        diff: bool,
    },
    /// Write a plan's secrets to Vault (values re-read from the sources and checked against the
    /// plan's hashes). Never overwrites a different value without --force.
    Apply {
        /// The plan file written by `migrate plan`.
        plan: PathBuf,
        /// Show what would be written; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Overwrite values in Vault that differ from the sources (they are refused, exit 6,
        /// without it). Review them first with --dry-run or `migrate plan --diff`.
        #[arg(long)]
        force: bool,
    },
    /// Check that every planned secret is in Vault, readable and equal to its source.
    Validate {
        /// The plan file written by `migrate plan`.
        plan: PathBuf,
    },
}
