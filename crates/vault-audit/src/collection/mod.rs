//! [`AuditLogCollection`]: audit entries in memory, for interactive filtering and analysis
//! (the Python module's `AuditLogCollection`, in Rust idiom).
//!
//! - `filter`: `filter_by_*`, `search_logs`, `sort_by_timestamp`
//! - `aggregate`: `aggregate_by_operation`, `aggregate_by_time`, `get_access_patterns`
//! - pairing, detections and statistics live in their own modules and take a collection too.

mod aggregate;
mod filter;

pub use aggregate::{AccessPatterns, TimeBucket, parse_interval};
pub use filter::{ActorMatch, PathPattern};

use crate::entry::AuditEntry;
use crate::error::AuditError;
use crate::read::{AuditSource, ScanOptions, ScanSummary};
use crate::scan::scan_record;
use crate::stats::{Statistics, StatsAccumulator};

/// Audit entries held in memory, in file order unless sorted.
#[derive(Debug, Clone, Default)]
pub struct AuditLogCollection {
    entries: Vec<AuditEntry>,
    scan: ScanSummary,
}

impl AuditLogCollection {
    /// Reads every entry of `source` (malformed lines are counted in [`Self::scan_summary`]).
    pub fn load(source: &AuditSource, opts: &mut ScanOptions) -> Result<Self, AuditError> {
        let mut entries = Vec::new();
        let scan = source.scan(opts, |loc, raw, rec| {
            entries.push(AuditEntry::from_raw(loc, raw, rec))
        })?;
        Ok(AuditLogCollection { entries, scan })
    }

    /// Parses a file or directory (`parse_from_file` / `parse_from_directory` of the Python module).
    pub fn from_path(path: impl AsRef<std::path::Path>) -> Result<Self, AuditError> {
        Self::load(&AuditSource::open(path)?, &mut ScanOptions::default())
    }

    /// Builds a collection from entries (e.g. the result of a filter chain).
    pub fn from_entries(entries: Vec<AuditEntry>, scan: ScanSummary) -> Self {
        AuditLogCollection { entries, scan }
    }

    /// The entries, in file and line order.
    pub fn entries(&self) -> &[AuditEntry] {
        &self.entries
    }

    /// Takes the entries out of the collection.
    pub fn into_entries(self) -> Vec<AuditEntry> {
        self.entries
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the collection holds no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Iterates over the entries in file and line order.
    pub fn iter(&self) -> std::slice::Iter<'_, AuditEntry> {
        self.entries.iter()
    }

    /// What the read saw: files, lines, malformed lines.
    pub fn scan_summary(&self) -> &ScanSummary {
        &self.scan
    }

    /// File name of an entry's location.
    pub fn file_name(&self, e: &AuditEntry) -> &str {
        self.scan
            .files
            .get(e.location.file as usize)
            .map(String::as_str)
            .unwrap_or("")
    }

    pub(crate) fn derive(&self, entries: Vec<AuditEntry>) -> Self {
        AuditLogCollection {
            entries,
            scan: self.scan.clone(),
        }
    }

    /// Summary statistics, computed exactly as the streaming [`stats`](crate::stats()) does
    /// (each entry's raw text goes through the same scanner), so the numbers always agree.
    pub fn statistics(&self) -> Statistics {
        let mut b = StatsAccumulator::new();
        for e in &self.entries {
            if let Ok(rec) = scan_record(&e.raw) {
                b.add(e.location, &rec);
            }
        }
        b.finish(&self.scan)
    }
}

impl<'a> IntoIterator for &'a AuditLogCollection {
    type Item = &'a AuditEntry;
    type IntoIter = std::slice::Iter<'a, AuditEntry>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter()
    }
}
