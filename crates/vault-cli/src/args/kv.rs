//! Arguments of `vaultkit kv …`.
//!
//! Paths follow Vault's CLI: either `--mount secret app/db`, or `secret/app/db` where the first
//! segment is the mount. Data is given as `key=value`, `key=-` (value from stdin), `key=@file`
//! (value from a file; both lose one trailing newline), `key=@@file` (the file byte for byte),
//! `@file.json` / `@file.yaml` (a whole object) or `-` (a JSON object on stdin), so secret values
//! need not appear on the command line.

use std::path::PathBuf;

use clap::{Args, Subcommand};

/// Where a secret lives: a path and an optional explicit mount.
#[derive(Debug, Clone, Args)]
pub(crate) struct KvPath {
    /// Secret path: `MOUNT/PATH`, or `PATH` together with --mount.
    pub path: String,
    /// The KV mount (default: the first segment of PATH).
    #[arg(long, value_name = "MOUNT")]
    pub mount: Option<String>,
}

/// What `kv put` and `kv patch` write, and where.
#[derive(Debug, Clone, Args)]
pub(crate) struct WriteArgs {
    #[command(flatten)]
    pub at: KvPath,
    /// key=value, key=- (stdin), key=@file, key=@@file, @file.json|yaml, or - (JSON object
    /// on stdin); patch changes only the keys given. `key=-` and `key=@file` drop one trailing
    /// newline; `key=@@file` keeps the file byte for byte.
    #[arg(required = true, value_name = "DATA")]
    pub data: Vec<String>,
    /// Check-and-set: only write if the current version is this (0 = only if absent).
    #[arg(long)]
    pub cas: Option<u64>,
    /// Store an empty value read from stdin or a file (refused by default).
    #[arg(long)]
    pub allow_empty: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum KvCommand {
    /// Read a secret (all keys, or one with --field).
    Get {
        #[command(flatten)]
        at: KvPath,
        /// Read this version (KV v2).
        #[arg(long)]
        version: Option<u64>,
    },
    /// Write a secret, replacing all its keys.
    Put(WriteArgs),
    /// Change some keys of a secret, keeping the others (KV v2).
    Patch(WriteArgs),
    /// Delete the latest version (or --versions) of a secret; v2 keeps it recoverable.
    Delete {
        #[command(flatten)]
        at: KvPath,
        /// Comma-separated versions to soft-delete (KV v2).
        #[arg(long, value_delimiter = ',')]
        versions: Vec<u64>,
    },
    /// Restore soft-deleted versions (KV v2).
    Undelete {
        #[command(flatten)]
        at: KvPath,
        /// Comma-separated versions to restore (KV v2).
        #[arg(long, value_delimiter = ',', required = true)]
        versions: Vec<u64>,
    },
    /// Permanently destroy versions (KV v2).
    Destroy {
        #[command(flatten)]
        at: KvPath,
        /// Comma-separated versions to destroy for good (KV v2; cannot be undone).
        #[arg(long, value_delimiter = ',', required = true)]
        versions: Vec<u64>,
    },
    /// List the keys under a path (folders end in `/`).
    List {
        #[command(flatten)]
        at: KvPath,
    },
    /// Show every version of a secret with its state (KV v2).
    Versions {
        #[command(flatten)]
        at: KvPath,
    },
    /// Write an older version's data as the new latest version (KV v2).
    Rollback {
        #[command(flatten)]
        at: KvPath,
        #[arg(long, required = true)]
        version: u64,
    },
    /// Secret metadata (KV v2).
    #[command(subcommand)]
    Metadata(MetadataCommand),
    /// Show a mount or folder as a tree, values masked unless --reveal.
    Tree {
        /// `MOUNT` or `MOUNT/folder` (with --mount: a folder in it; empty = the whole mount).
        #[arg(default_value = "")]
        path: String,
        /// The KV mount (default: the first segment of PATH).
        #[arg(long, value_name = "MOUNT")]
        mount: Option<String>,
        /// Show the values (masked `****` by default).
        #[arg(long)]
        reveal: bool,
        /// Only folders and secret names, no keys.
        #[arg(long)]
        names_only: bool,
    },
    /// Export every secret under a path (--format json, yaml or dotenv; default json).
    Export {
        #[command(flatten)]
        at: KvPath,
        /// Write to FILE (created 0600, atomically, never through a symlink) instead of stdout.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Import secrets from a JSON/YAML file (as written by `kv export`): dry run unless --apply.
    Import {
        /// JSON or YAML file mapping relative paths to objects of key/value pairs (`-` = stdin).
        file: PathBuf,
        #[command(flatten)]
        at: KvPath,
        /// Write the changes and print a summary (default: only show the per-key diff; with
        /// --apply it is shown only with -v).
        #[arg(long)]
        apply: bool,
        /// Also overwrite keys whose value in Vault differs from the file.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum MetadataCommand {
    /// Show versions, timestamps and settings of a secret.
    Get {
        #[command(flatten)]
        at: KvPath,
    },
    /// Change a secret's settings and custom metadata.
    Put {
        #[command(flatten)]
        at: KvPath,
        /// How many versions to keep (0 = the mount's setting).
        #[arg(long)]
        max_versions: Option<u64>,
        /// true: every write to this secret must pass `-cas=N`; false: lift that requirement.
        #[arg(long)]
        cas_required: Option<bool>,
        /// e.g. `768h`, `0s` = never.
        #[arg(long, value_name = "DURATION")]
        delete_version_after: Option<String>,
        /// key=value pairs of custom metadata (repeatable).
        #[arg(long = "custom-metadata", value_name = "KEY=VALUE")]
        custom_metadata: Vec<String>,
    },
    /// Delete a secret with all its versions and metadata.
    Delete {
        #[command(flatten)]
        at: KvPath,
    },
}
