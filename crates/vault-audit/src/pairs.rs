//! Request/response pairing by `request.id`, with latency.

use serde::Serialize;

use crate::collection::AuditLogCollection;
use crate::entry::{AuditEntry, EntryKind};
use crate::fxhash::FxMap;
use crate::read::Location;

/// A request entry and its response entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pair {
    /// `request.id` shared by both entries.
    pub request_id: String,
    /// Where the request entry is.
    pub request: Location,
    /// Where the response entry is.
    pub response: Location,
    /// `request.operation`.
    pub operation: Option<String>,
    /// `request.path`.
    pub path: Option<String>,
    /// `auth.display_name` of the caller.
    pub actor: Option<String>,
    /// Response time minus request time, in milliseconds (when both times are known).
    pub latency_ms: Option<f64>,
    /// The response's `error`, if the call failed.
    pub error: Option<String>,
}

/// An entry with no partner.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unpaired {
    /// Where the entry is.
    pub location: Location,
    /// Request (no response seen) or response (no request seen).
    pub kind: EntryKind,
    /// `request.id` that found no partner.
    pub request_id: String,
    /// `request.operation`.
    pub operation: Option<String>,
    /// `request.path`.
    pub path: Option<String>,
}

/// Latency figures over all pairs with a latency.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LatencySummary {
    /// Number of pairs with a latency.
    pub count: u64,
    /// Mean latency in milliseconds.
    pub mean_ms: f64,
    /// Median latency in milliseconds.
    pub p50_ms: f64,
    /// 95th percentile latency in milliseconds.
    pub p95_ms: f64,
    /// 99th percentile latency in milliseconds.
    pub p99_ms: f64,
    /// Slowest pair in milliseconds.
    pub max_ms: f64,
}

/// Result of [`pair_entries`].
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Pairing {
    /// Matched request/response pairs, in request order.
    pub pairs: Vec<Pair>,
    /// Entries whose `request.id` has no partner.
    pub unpaired: Vec<Unpaired>,
    /// Latency over [`Pairing::pairs`].
    pub latency: LatencySummary,
}

fn unpaired(e: &AuditEntry) -> Unpaired {
    Unpaired {
        location: e.location,
        kind: e.kind,
        request_id: e.request_id.clone().unwrap_or_default(),
        operation: e.operation.as_ref().map(|o| o.to_string()),
        path: e.path.clone(),
    }
}

/// Pairs requests and responses in file order. A response pairs with the latest unanswered
/// request of the same id; a response without one, and requests never answered, are unpaired.
pub fn pair_entries(c: &AuditLogCollection) -> Pairing {
    let mut open: FxMap<&str, &AuditEntry> = FxMap::default();
    let mut out = Pairing::default();
    for e in c.iter() {
        let Some(id) = e.request_id.as_deref() else {
            continue;
        };
        match e.kind {
            EntryKind::Request => {
                if let Some(old) = open.insert(id, e) {
                    out.unpaired.push(unpaired(old));
                }
            }
            EntryKind::Response => match open.remove(id) {
                Some(req) => out.pairs.push(Pair {
                    request_id: id.to_string(),
                    request: req.location,
                    response: e.location,
                    operation: req.operation.as_ref().map(|o| o.to_string()),
                    path: req.path.clone(),
                    actor: req.actor().map(str::to_string),
                    latency_ms: match (req.time, e.time) {
                        (Some(a), Some(b)) => (b - a).num_nanoseconds().map(|n| n as f64 / 1e6),
                        _ => None,
                    },
                    error: e.error.clone(),
                }),
                None => out.unpaired.push(unpaired(e)),
            },
            EntryKind::Other => {}
        }
    }
    out.unpaired.extend(open.into_values().map(unpaired));
    out.unpaired.sort_by_key(|u| u.location);
    out.latency = summarize(&out.pairs);
    out
}

fn summarize(pairs: &[Pair]) -> LatencySummary {
    let mut v: Vec<f64> = pairs.iter().filter_map(|p| p.latency_ms).collect();
    if v.is_empty() {
        return LatencySummary::default();
    }
    v.sort_by(f64::total_cmp);
    let pct = |p: f64| v[((v.len() - 1) as f64 * p).round() as usize];
    LatencySummary {
        count: v.len() as u64,
        mean_ms: v.iter().sum::<f64>() / v.len() as f64,
        p50_ms: pct(0.50),
        p95_ms: pct(0.95),
        p99_ms: pct(0.99),
        max_ms: v[v.len() - 1],
    }
}

impl AuditLogCollection {
    /// See [`pair_entries`].
    pub fn pairs(&self) -> Pairing {
        pair_entries(self)
    }
}
