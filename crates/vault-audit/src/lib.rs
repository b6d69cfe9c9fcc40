//! # vault-audit
//!
//! Stream, query and explain HashiCorp Vault / OpenBao file-audit logs, with no server needed.
//!
//! ```no_run
//! use vault_audit::{AuditSource, ScanOptions, stats};
//!
//! let source = AuditSource::open("/var/log/vault/audit.log")?;
//! let s = stats(&source, &mut ScanOptions::default())?;
//! println!("{} requests, {} errors", s.requests, s.errors);
//! # Ok::<(), vault_audit::AuditError>(())
//! ```

pub mod entry;
pub mod error;
mod fxhash;
pub mod read;
pub mod scan;
pub mod stats;
pub mod time;

pub use entry::{AuditEntry, EntryKind, Operation};
pub use error::AuditError;
pub use read::{AuditSource, FollowOptions, Follower, Location, Malformed, MalformedLine, ScanOptions, ScanSummary};
pub use stats::{Statistics, StatsBuilder, stats};
