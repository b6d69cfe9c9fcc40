//! Streaming statistics: [`StatsAccumulator`] sees each record once and keeps only counters and
//! the sets that define them (distinct paths and actors, in-flight request ids).
//! [`Statistics`] is the serializable result shared by `stats --format json` and the HTML report.
//!
//! - `merge`: combine builders of consecutive chunks (pairing across chunk borders stays exact)
//! - `parallel`: the multi-core scan behind [`stats`]

use std::collections::BTreeMap;

use serde::Serialize;

mod merge;
mod parallel;

use crate::entry::{first_segment, is_login_path, is_permission_denied};
use crate::fxhash::{FxMap, bump};
use crate::read::{Location, Malformed, ScanSummary};
use crate::scan::RawRecord;
use crate::time::format_nanos;

/// How many error lines and unpaired entries [`Statistics`] lists (all are counted).
pub const KEEP_LISTED: usize = 100;

/// An entry with a non-empty `error`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorRef {
    /// File and line of the entry.
    pub location: Location,
    /// `type` of the entry (`request`, `response`, …).
    pub kind: String,
    /// `request.operation`.
    pub operation: Option<String>,
    /// `request.path`.
    pub path: Option<String>,
    /// The entry's `error` text.
    pub error: String,
}

/// An entry whose request id has no partner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnpairedRef {
    /// File and line of the entry.
    pub location: Location,
    /// `type` of the entry (`request` or `response`).
    pub kind: String,
    /// `request.id` that found no partner.
    pub request_id: String,
    /// `request.operation`.
    pub operation: Option<String>,
    /// `request.path`.
    pub path: Option<String>,
}

/// Summary statistics of an audit log.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Statistics {
    /// Names of the inputs, in reading order.
    pub files: Vec<String>,
    /// Physical lines read.
    pub lines: u64,
    /// Bytes read (after decompression).
    pub bytes: u64,
    /// Records that parsed as audit entries.
    pub entries: u64,
    /// Entries of type `request` (one per call to Vault).
    pub requests: u64,
    /// Entries of type `response`.
    pub responses: u64,
    /// Entries of any other or missing type.
    pub other_types: u64,
    /// `request.operation` over all entries.
    pub operations: BTreeMap<String, u64>,
    /// `request.operation` over request entries only (one per call).
    pub request_operations: BTreeMap<String, u64>,
    /// Entries with a non-empty `error`.
    pub errors: u64,
    /// `errors / entries` (0 when empty).
    pub error_rate: f64,
    /// Entries whose error contains `permission denied` (a policy refused the call).
    pub permission_denied: u64,
    /// Login responses (`auth/*/login*`) that issued a token, and ones that failed.
    pub logins_ok: u64,
    /// Login responses with an error.
    pub logins_failed: u64,
    /// Different request paths seen.
    pub distinct_paths: u64,
    /// Different actors (display name, else entity id, else accessor) seen.
    pub distinct_actors: u64,
    /// Different client addresses seen.
    pub distinct_client_ips: u64,
    /// Entries per first path segment.
    pub mounts: BTreeMap<String, u64>,
    /// Top 10 paths by entries (ties by name).
    pub top_paths: Vec<(String, u64)>,
    /// Top 10 actors by entries (ties by name).
    pub top_actors: Vec<(String, u64)>,
    /// Earliest entry time (RFC 3339, UTC).
    pub first_time: Option<String>,
    /// Latest entry time (RFC 3339, UTC).
    pub last_time: Option<String>,
    /// Seconds between the first and last entry.
    pub span_seconds: f64,
    /// Entries per minute (`YYYY-MM-DDTHH:MM` UTC); the report re-buckets this.
    pub per_minute: BTreeMap<String, u64>,
    /// Requests matched with their response by `request.id`.
    pub paired: u64,
    /// Requests with no response (still running, or the log was cut).
    pub unpaired_requests: u64,
    /// Responses with no request (the request is in an earlier log).
    pub unpaired_responses: u64,
    /// The first [`KEEP_LISTED`] unpaired entries and error entries.
    pub unpaired: Vec<UnpairedRef>,
    /// The first [`KEEP_LISTED`] entries with an error.
    pub error_entries: Vec<ErrorRef>,
    /// Empty lines (skipped, not malformed).
    pub blank_lines: u64,
    /// Lines that could not be read as audit entries.
    pub malformed: Malformed,
}

/// An unanswered request: where it is, its operation and path.
type Pending = (Location, Option<Box<str>>, Option<Box<str>>);

/// Accumulates [`Statistics`] one record at a time.
#[derive(Debug, Default)]
pub struct StatsAccumulator {
    s: Statistics,
    ops: FxMap<Box<str>, u64>,
    req_ops: FxMap<Box<str>, u64>,
    paths: FxMap<Box<str>, u64>,
    actors: FxMap<Box<str>, u64>,
    ips: FxMap<Box<str>, u64>,
    mounts: FxMap<Box<str>, u64>,
    minutes: BTreeMap<i64, u64>,
    last_minute: Option<(i64, u64)>,
    min_t: Option<i64>,
    max_t: Option<i64>,
    pending: FxMap<Box<str>, Pending>,
    /// Chunk mode (parallel scan): responses without a request are kept here, because their
    /// request may sit in an earlier chunk; [`StatsAccumulator::merge`] resolves them.
    chunk_orphans: Option<Vec<(Box<str>, Pending)>>,
}

impl StatsAccumulator {
    /// An empty accumulator.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts one record.
    pub fn add(&mut self, loc: Location, r: &RawRecord<'_>) {
        let s = &mut self.s;
        s.entries += 1;
        let kind = r.kind.as_deref();
        match kind {
            Some("request") => s.requests += 1,
            Some("response") => s.responses += 1,
            _ => s.other_types += 1,
        }
        let op = r.request.operation.as_deref();
        let path = r.request.path.as_deref();
        if let Some(op) = op {
            bump(&mut self.ops, op);
            if kind == Some("request") {
                bump(&mut self.req_ops, op);
            }
        }
        if let Some(p) = path {
            bump(&mut self.paths, p);
            bump(&mut self.mounts, first_segment(p));
        }
        if let Some(a) = raw_actor(r) {
            bump(&mut self.actors, a);
        }
        if let Some(ip) = r.request.remote_address.as_deref() {
            bump(&mut self.ips, ip);
        }
        if let Some(e) = r.error.as_deref() {
            s.errors += 1;
            if is_permission_denied(e) {
                s.permission_denied += 1;
            }
            if s.error_entries.len() < KEEP_LISTED {
                s.error_entries.push(ErrorRef {
                    location: loc,
                    kind: kind.unwrap_or("other").to_string(),
                    operation: op.map(str::to_string),
                    path: path.map(str::to_string),
                    error: e.to_string(),
                });
            }
        }
        if kind == Some("response") && path.is_some_and(is_login_path) {
            if r.response_auth && r.error.is_none() {
                s.logins_ok += 1;
            } else if r.error.is_some() {
                s.logins_failed += 1;
            }
        }
        if let Some(t) = r.time_nanos {
            self.min_t = Some(self.min_t.map_or(t, |m| m.min(t)));
            self.max_t = Some(self.max_t.map_or(t, |m| m.max(t)));
            let minute = t.div_euclid(60_000_000_000);
            match &mut self.last_minute {
                Some((m, n)) if *m == minute => *n += 1,
                last => {
                    if let Some((m, n)) = last.take() {
                        *self.minutes.entry(m).or_default() += n;
                    }
                    *last = Some((minute, 1));
                }
            }
        }
        self.pair(loc, r);
    }

    fn pair(&mut self, loc: Location, r: &RawRecord<'_>) {
        let Some(id) = r.request.id.as_deref() else {
            return;
        };
        match r.kind.as_deref() {
            Some("request") => {
                let meta = (
                    loc,
                    r.request.operation.as_deref().map(Into::into),
                    r.request.path.as_deref().map(Into::into),
                );
                if let Some(old) = self.pending.insert(id.into(), meta) {
                    unpaired_request(&mut self.s, id, old);
                }
            }
            Some("response") => {
                if self.pending.remove(id).is_some() {
                    self.s.paired += 1;
                } else if let Some(orphans) = &mut self.chunk_orphans {
                    let meta = (
                        loc,
                        r.request.operation.as_deref().map(Into::into),
                        r.request.path.as_deref().map(Into::into),
                    );
                    orphans.push((id.into(), meta));
                } else {
                    let (op, path) = (r.request.operation.as_deref(), r.request.path.as_deref());
                    unpaired_response(&mut self.s, loc, id, op, path);
                }
            }
            _ => {}
        }
    }

    /// Finishes with the scan's own counts (lines, bytes, malformed lines).
    pub fn finish(mut self, scan: &ScanSummary) -> Statistics {
        if let Some((m, n)) = self.last_minute.take() {
            *self.minutes.entry(m).or_default() += n;
        }
        let mut pending: Vec<_> = self.pending.drain().collect();
        pending.sort_by_key(|(_, v)| v.0);
        for (id, old) in pending {
            unpaired_request(&mut self.s, &id, old);
        }
        self.s.unpaired.sort_by_key(|u| u.location);
        let mut s = self.s;
        s.files = scan.files.clone();
        s.lines = scan.lines;
        s.bytes = scan.bytes;
        s.blank_lines = scan.blank_lines;
        s.malformed = scan.malformed.clone();
        s.operations = to_btree(&self.ops);
        s.request_operations = to_btree(&self.req_ops);
        s.mounts = to_btree(&self.mounts);
        s.distinct_paths = self.paths.len() as u64;
        s.distinct_actors = self.actors.len() as u64;
        s.distinct_client_ips = self.ips.len() as u64;
        s.top_paths = top(&self.paths, 10);
        s.top_actors = top(&self.actors, 10);
        s.error_rate = if s.entries == 0 {
            0.0
        } else {
            s.errors as f64 / s.entries as f64
        };
        s.first_time = self.min_t.map(format_nanos);
        s.last_time = self.max_t.map(format_nanos);
        s.span_seconds = match (self.min_t, self.max_t) {
            (Some(a), Some(b)) => (b - a) as f64 / 1e9,
            _ => 0.0,
        };
        s.per_minute = self
            .minutes
            .iter()
            .map(|(m, n)| (format_nanos(m * 60_000_000_000)[..16].to_string(), *n))
            .collect();
        s
    }
}

/// The actor of a raw record: display name, else entity id, else accessor HMAC.
pub(crate) fn raw_actor<'r>(r: &'r RawRecord<'_>) -> Option<&'r str> {
    r.auth
        .display_name
        .as_deref()
        .or(r.auth.entity_id.as_deref())
        .or(r.auth.accessor.as_deref())
}

/// A request whose response never came (or was taken by a later request with the same id):
/// counted, and listed while fewer than [`KEEP_LISTED`] are.
fn unpaired_request(s: &mut Statistics, id: &str, (loc, op, path): Pending) {
    s.unpaired_requests += 1;
    list_unpaired(s, loc, "request", id, op.as_deref(), path.as_deref());
}

/// A response whose request was never seen: counted, and listed like [`unpaired_request`].
fn unpaired_response(
    s: &mut Statistics,
    loc: Location,
    id: &str,
    op: Option<&str>,
    path: Option<&str>,
) {
    s.unpaired_responses += 1;
    list_unpaired(s, loc, "response", id, op, path);
}

fn list_unpaired(
    s: &mut Statistics,
    loc: Location,
    kind: &str,
    id: &str,
    op: Option<&str>,
    path: Option<&str>,
) {
    if s.unpaired.len() < KEEP_LISTED {
        s.unpaired.push(UnpairedRef {
            location: loc,
            kind: kind.to_string(),
            request_id: id.to_string(),
            operation: op.map(str::to_string),
            path: path.map(str::to_string),
        });
    }
}

fn to_btree(m: &FxMap<Box<str>, u64>) -> BTreeMap<String, u64> {
    m.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

/// The `n` largest counts, ties broken by name.
pub(crate) fn top(m: &FxMap<Box<str>, u64>, n: usize) -> Vec<(String, u64)> {
    let mut v: Vec<(&str, u64)> = m.iter().map(|(k, v)| (&**k, *v)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v.into_iter()
        .take(n)
        .map(|(k, c)| (k.to_string(), c))
        .collect()
}

/// Streams a whole source through [`StatsAccumulator`]s: in parallel over chunks of each input
/// (one reader thread, one scanner per core) when more than one core is available, else on
/// the calling thread. Both give identical results.
pub fn stats(
    source: &crate::AuditSource,
    opts: &mut crate::ScanOptions,
) -> Result<Statistics, crate::AuditError> {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    if cores > 1 && opts.prefetch {
        return parallel::stats_parallel(source, opts, cores);
    }
    stats_sequential(source, opts)
}

/// [`stats`] on the calling thread only.
pub fn stats_sequential(
    source: &crate::AuditSource,
    opts: &mut crate::ScanOptions,
) -> Result<Statistics, crate::AuditError> {
    let mut b = StatsAccumulator::new();
    let scan = source.scan(opts, |loc, _, rec| b.add(loc, rec))?;
    Ok(b.finish(&scan))
}
