//! Aggregations over a collection: by operation, by time bucket, access patterns.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Timelike, Utc};
use serde::Serialize;

use super::AuditLogCollection;
use crate::error::AuditError;
use crate::fxhash::{FxMap, bump};
use crate::stats::top;

/// One bucket of [`AuditLogCollection::aggregate_by_time`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimeBucket {
    /// Start of the bucket (UTC, aligned to the interval).
    pub start: DateTime<Utc>,
    /// Entries of any type in the bucket.
    pub entries: u64,
    /// Request entries (one per call to Vault).
    pub requests: u64,
    /// Entries with a non-empty `error`.
    pub errors: u64,
    /// `request.operation` → number of entries.
    pub operations: BTreeMap<String, u64>,
}

/// Result of [`AuditLogCollection::get_access_patterns`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessPatterns {
    /// Most requested paths (request entries), most first.
    pub top_paths: Vec<(String, u64)>,
    /// Most active actors (request entries), most first.
    pub top_actors: Vec<(String, u64)>,
    /// For each actor, the paths it requested with counts (most first).
    pub actor_paths: BTreeMap<String, Vec<(String, u64)>>,
    /// Requests per first path segment.
    pub mounts: BTreeMap<String, u64>,
    /// Requests per UTC hour of day (index 0 = 00:00–00:59).
    pub hour_of_day: [u64; 24],
}

/// Parses `30s`, `5m`, `1h`, `1d` (or a plain number of seconds).
pub fn parse_interval(text: &str) -> Result<Duration, AuditError> {
    let t = text.trim();
    let (num, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let n: u64 = num
        .parse()
        .map_err(|_| AuditError::invalid("interval", text, "expected e.g. 30s, 5m, 1h, 1d"))?;
    let secs = match unit {
        "" | "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => {
            return Err(AuditError::invalid(
                "interval",
                text,
                "unit must be s, m, h or d",
            ));
        }
    };
    if secs == 0 {
        return Err(AuditError::invalid("interval", text, "must be at least 1s"));
    }
    Ok(Duration::from_secs(secs))
}

impl AuditLogCollection {
    /// Requests per operation: one per call, counting `request` entries only (a call's
    /// `response` entry is not counted again; a response whose request is missing from the log
    /// is not counted).
    pub fn aggregate_by_operation(&self) -> BTreeMap<String, u64> {
        let mut m = BTreeMap::new();
        for e in self.iter().filter(|e| e.kind == crate::EntryKind::Request) {
            if let Some(op) = &e.operation {
                *m.entry(op.as_str().to_string()).or_default() += 1;
            }
        }
        m
    }

    /// Entries per time bucket of `interval`, aligned to the Unix epoch, in time order.
    /// Empty buckets between the first and the last are included.
    pub fn aggregate_by_time(&self, interval: Duration) -> Vec<TimeBucket> {
        let step = interval.as_nanos().max(1) as i64;
        let mut buckets: BTreeMap<i64, TimeBucket> = BTreeMap::new();
        for e in self.iter() {
            let Some(t) = e.time.and_then(|t| t.timestamp_nanos_opt()) else {
                continue;
            };
            let k = t.div_euclid(step) * step;
            let b = buckets.entry(k).or_insert_with(|| empty_bucket(k));
            b.entries += 1;
            b.requests += u64::from(e.kind == crate::EntryKind::Request);
            b.errors += u64::from(!e.is_success());
            if let Some(op) = &e.operation {
                *b.operations.entry(op.as_str().to_string()).or_default() += 1;
            }
        }
        if let (Some(first), Some(last)) = (
            buckets.keys().next().copied(),
            buckets.keys().last().copied(),
        ) {
            let n = (last - first) / step;
            if n < 100_000 {
                let mut k = first;
                while k <= last {
                    buckets.entry(k).or_insert_with(|| empty_bucket(k));
                    k += step;
                }
            }
        }
        buckets.into_values().collect()
    }

    /// Who accesses what and when. Counts request entries only (one per call).
    pub fn get_access_patterns(&self, top_n: usize) -> AccessPatterns {
        let mut paths: FxMap<Box<str>, u64> = FxMap::default();
        let mut actors: FxMap<Box<str>, u64> = FxMap::default();
        let mut actor_paths: FxMap<Box<str>, FxMap<Box<str>, u64>> = FxMap::default();
        let mut mounts = BTreeMap::new();
        let mut hours = [0u64; 24];
        for e in self.iter().filter(|e| e.kind == crate::EntryKind::Request) {
            if let Some(p) = e.path.as_deref() {
                bump(&mut paths, p);
                *mounts
                    .entry(crate::entry::first_segment(p).to_string())
                    .or_default() += 1;
                if let Some(a) = e.actor() {
                    bump(actor_paths.entry(a.into()).or_default(), p);
                }
            }
            if let Some(a) = e.actor() {
                bump(&mut actors, a);
            }
            if let Some(t) = e.time {
                hours[t.hour() as usize] += 1;
            }
        }
        AccessPatterns {
            top_paths: top(&paths, top_n),
            top_actors: top(&actors, top_n),
            actor_paths: actor_paths
                .iter()
                .map(|(a, m)| (a.to_string(), top(m, usize::MAX)))
                .collect(),
            mounts,
            hour_of_day: hours,
        }
    }
}

fn empty_bucket(k: i64) -> TimeBucket {
    TimeBucket {
        start: crate::time::nanos_to_datetime(k),
        entries: 0,
        requests: 0,
        errors: 0,
        operations: BTreeMap::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals() {
        assert_eq!(parse_interval("5m").ok(), Some(Duration::from_secs(300)));
        assert_eq!(parse_interval("90").ok(), Some(Duration::from_secs(90)));
        assert!(parse_interval("5 parsecs").is_err());
        assert!(parse_interval("0s").is_err());
    }
}
