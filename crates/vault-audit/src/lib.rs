//! # vault-audit
//!
//! Stream, query and explain HashiCorp Vault / OpenBao file-audit logs — no server needed
//! (except for the HMAC lookup, which asks the server to hash a value).
//!
//! Two ways in:
//! - **Streaming** ([`stats()`], [`AuditSource::scan`], [`Detector`], [`Follower`]): one pass,
//!   memory bounded by counters and distinct keys, not by the file size.
//! - **In memory** ([`AuditLogCollection`]): load once, then filter, aggregate, pair, detect,
//!   search and render a report.
//!
//! ```
//! use vault_audit::{AuditLogCollection, AuditSource, DetectionConfig, PathPattern, ScanOptions, stats};
//!
//! // Two entries as a Vault/OpenBao file audit device writes them (HMACs are opaque strings).
//! let dir = std::env::temp_dir().join(format!("vault-audit-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! let log = dir.join("audit.log");
//! std::fs::write(&log, concat!(
//!     r#"{"time":"2026-11-28T17:49:01.5Z","type":"request","auth":{"display_name":"approle","client_token":"hmac-sha256:ab12"},"request":{"id":"r1","operation":"read","path":"secret/data/app/db","remote_address":"10.0.0.7"}}"#, "\n",
//!     r#"{"time":"2026-11-28T17:49:01.6Z","type":"response","auth":{"display_name":"approle","client_token":"hmac-sha256:ab12"},"request":{"id":"r1","operation":"read","path":"secret/data/app/db","remote_address":"10.0.0.7"},"error":"permission denied"}"#, "\n",
//! ))?;
//!
//! // Streaming statistics over a file, a rotated directory (plain or .gz) or `-` (stdin).
//! let source = AuditSource::open(&log)?;
//! let s = stats(&source, &mut ScanOptions::default())?;
//! assert_eq!((s.requests, s.errors, s.malformed.count), (1, 1, 0));
//!
//! // In memory: filter and detect.
//! let logs = AuditLogCollection::from_path(&log)?;
//! let denied = logs.filter_by_success(false).filter_by_path(&PathPattern::glob("secret/**")?);
//! assert_eq!(denied.len(), 1);
//! for d in logs.detect(&DetectionConfig::default()) {
//!     println!("{} {} {}", d.severity.as_str(), d.rule, d.message);
//! }
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Architecture Invariant: malformed input never stops a run and never panics; it is counted
//! with line numbers in [`Malformed`].
//! Architecture Invariant: the plaintext given to [`find_value`] is sent only to the server's
//! `sys/audit-hash` endpoint and is never logged, stored or put into an error.

mod collection;
mod detect;
mod entry;
mod error;
mod fxhash;
mod hmac;
pub mod output;
mod pairs;
mod read;
mod report;
pub mod scan;
mod stats;
mod time;

pub use collection::{
    AccessPatterns, ActorMatch, AuditLogCollection, PathPattern, TimeBucket, parse_interval,
};
pub use detect::{Detection, DetectionConfig, Detector, RULES, Severity};
pub use entry::{AuditEntry, EntryKind, Operation};
pub use error::{AuditError, AuditErrorKind};
pub use hmac::{HmacMatch, audit_hash, find_hmac, find_hmac_in, find_value};
pub use pairs::{LatencySummary, Pair, Pairing, Unpaired, pair_entries};
pub use read::{
    AuditSource, FollowOptions, Follower, Location, Malformed, MalformedLine, Progress,
    ScanOptions, ScanSummary, rotated_files,
};
pub use report::render_report_html;
pub use stats::{
    ErrorRef, KEEP_LISTED, Statistics, StatsAccumulator, UnpairedRef, stats, stats_sequential,
};

/// The examples of this crate's README.md, compiled and run with the doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
