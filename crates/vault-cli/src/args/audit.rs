//! Arguments of `vaultkit audit …` (file audit logs; no server needed except `hash` and
//! `find-value`). LOG is a file, a directory of rotated logs (plain or `.gz`), or `-` for stdin.
//! Formats (`--format`): table (default), json, jsonl, csv.

use std::path::PathBuf;

use clap::{Args, Subcommand};

/// Filters shared by `filter`, `search` and `tail`.
#[derive(Debug, Clone, Default, Args)]
pub(crate) struct EntryFilter {
    /// Only entries at or after this time (RFC 3339, e.g. 2026-11-28T10:00:00Z).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Only entries before this time (RFC 3339).
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Only these operations (comma-separated: read,list,create,update,delete,patch).
    #[arg(long, value_delimiter = ',', value_name = "OPS")]
    pub operation: Vec<String>,
    /// Only paths matching this glob (`secret/**`; `*` stays within a segment).
    #[arg(long, value_name = "GLOB")]
    pub path: Option<String>,
    /// Only this actor (display name, entity id or accessor HMAC).
    #[arg(long, value_name = "ACTOR")]
    pub actor: Option<String>,
    /// Only failed entries (with an error).
    #[arg(long, conflicts_with = "succeeded")]
    pub failed: bool,
    /// Only entries without an error.
    #[arg(long)]
    pub succeeded: bool,
    /// Only entries from this address or network (10.0.0.0/8).
    #[arg(long, value_name = "IP_OR_CIDR")]
    pub client_ip: Option<String>,
    /// Only entries in this namespace (`root` for the root namespace).
    #[arg(long, value_name = "NS")]
    pub in_namespace: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum AuditCommand {
    /// Counts, error rate, operations, top paths and actors, in one streaming pass.
    Stats {
        /// Audit log file, or a directory of them (`.log`, `.json`, `.jsonl`, optionally `.gz`).
        log: PathBuf,
    },
    /// Entries matching the filters.
    Filter {
        /// Audit log file, or a directory of them (`.log`, `.json`, `.jsonl`, optionally `.gz`).
        log: PathBuf,
        #[command(flatten)]
        filter: EntryFilter,
    },
    /// Entries whose raw JSON contains TEXT (case-insensitive), plus the filters.
    Search {
        /// Audit log file, or a directory of them (`.log`, `.json`, `.jsonl`, optionally `.gz`).
        log: PathBuf,
        /// Text to look for, case-insensitive, anywhere in an entry's raw JSON.
        text: String,
        #[command(flatten)]
        filter: EntryFilter,
    },
    /// Access patterns: top paths and actors, paths per actor, requests per mount and hour.
    Patterns {
        /// Audit log file, or a directory of them (`.log`, `.json`, `.jsonl`, optionally `.gz`).
        log: PathBuf,
        /// How many top paths/actors to show.
        #[arg(long, default_value_t = 10)]
        top: usize,
    },
    /// Detections: every rule (root token use, policy changes, bursts, …), or with --threshold
    /// only the threshold-driven ones (the Python module's detect_anomalies).
    Anomalies {
        /// Audit log file, or a directory of them (`.log`, `.json`, `.jsonl`, optionally `.gz`).
        log: PathBuf,
        /// Only threshold anomalies: this many requests per actor or client IP (any operation),
        /// denials or failed logins within --window.
        #[arg(long, requires = "window")]
        threshold: Option<u32>,
        /// Window for --threshold: 30s, 5m, 1h, 1d.
        #[arg(long)]
        window: Option<String>,
        /// A DetectionConfig file (JSON, or TOML/YAML by extension) with every threshold.
        #[arg(long, value_name = "FILE", conflicts_with = "threshold")]
        rules: Option<PathBuf>,
    },
    /// Request/response pairs: latency percentiles and unanswered requests.
    Pairs {
        /// Audit log file, or a directory of them (`.log`, `.json`, `.jsonl`, optionally `.gz`).
        log: PathBuf,
    },
    /// Print the audit HMAC of a value read from stdin (asks the server's sys/audit-hash).
    Hash {
        /// Audit device path, e.g. `file`.
        #[arg(long, default_value = "file")]
        device: String,
    },
    /// Find where a value (read from stdin, never argv) appears in the log, via its HMAC.
    FindValue {
        /// Audit log file, or a directory of them (`.log`, `.json`, `.jsonl`, optionally `.gz`).
        log: PathBuf,
        /// Audit device path, e.g. `file` (its salt computes the value's HMAC).
        #[arg(long, default_value = "file")]
        device: String,
    },
    /// A self-contained HTML report (statistics, charts, detections), written to
    /// `audit-report.html` (or -o FILE; `-o -` for stdout).
    Report {
        /// Audit log file, or a directory of them (`.log`, `.json`, `.jsonl`, optionally `.gz`).
        log: PathBuf,
        /// Write here (0600, atomically; an existing file is replaced) instead of
        /// `audit-report.html`; `-` writes to stdout.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
        /// Shown after "Audit report:" (default: the log's file name).
        #[arg(long)]
        title: Option<String>,
    },
    /// Follow a log file like `tail -f`, printing entries that match the filters (Ctrl-C stops).
    Tail {
        /// Audit log file, or a directory of them (`.log`, `.json`, `.jsonl`, optionally `.gz`).
        log: PathBuf,
        /// Start at the beginning of the file instead of its end.
        #[arg(long)]
        from_start: bool,
        #[command(flatten)]
        filter: EntryFilter,
    },
}
