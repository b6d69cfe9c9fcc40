//! Filters: each returns a new collection with the matching entries, in order.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use ipnet::IpNet;
use regex::Regex;

use super::AuditLogCollection;
use crate::entry::{AuditEntry, Operation};
use crate::error::AuditError;

/// A path pattern: a glob (`secret/data/app/*`, `**` crosses `/`) or a regex.
#[derive(Debug, Clone)]
pub enum PathPattern {
    /// A compiled glob (see [`PathPattern::glob`]).
    Glob(globset::GlobMatcher),
    /// A regular expression (see [`PathPattern::regex`]).
    Regex(Regex),
}

impl PathPattern {
    /// A glob; `*` stays inside one segment, `**` crosses segments.
    pub fn glob(pattern: &str) -> Result<Self, AuditError> {
        globset::GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
            .map(|g| PathPattern::Glob(g.compile_matcher()))
            .map_err(|e| AuditError::invalid("path glob", pattern, e))
    }

    /// A regular expression (unanchored; use `^…$` to anchor).
    pub fn regex(pattern: &str) -> Result<Self, AuditError> {
        Regex::new(pattern)
            .map(PathPattern::Regex)
            .map_err(|e| AuditError::invalid("path regex", pattern, e))
    }

    /// True when `path` (a request path such as `secret/data/app/db`) matches.
    pub fn is_match(&self, path: &str) -> bool {
        match self {
            PathPattern::Glob(g) => g.is_match(path),
            PathPattern::Regex(r) => r.is_match(path),
        }
    }
}

/// Which actor field to compare in [`AuditLogCollection::filter_by_actor`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActorMatch {
    /// Display name, entity id or accessor HMAC — any of them.
    Any,
    /// `auth.display_name` (e.g. `approle`, `token`, `userpass-alice`).
    DisplayName,
    /// `auth.entity_id`.
    EntityId,
    /// `auth.accessor` (an HMAC unless the device logs accessors in clear).
    Accessor,
}

fn parse_net(ip: &str) -> Result<IpNet, AuditError> {
    if let Ok(net) = ip.parse::<IpNet>() {
        return Ok(net);
    }
    ip.parse::<IpAddr>()
        .map(IpNet::from)
        .map_err(|e| AuditError::invalid("client IP or CIDR", ip, e))
}

impl AuditLogCollection {
    fn keep(&self, f: impl Fn(&AuditEntry) -> bool) -> Self {
        self.derive(self.entries.iter().filter(|e| f(e)).cloned().collect())
    }

    /// Entries with `start <= time < end` (either bound optional). Entries without a time are dropped.
    pub fn filter_by_time(&self, start: Option<DateTime<Utc>>, end: Option<DateTime<Utc>>) -> Self {
        self.keep(|e| {
            e.time
                .is_some_and(|t| start.is_none_or(|s| t >= s) && end.is_none_or(|en| t < en))
        })
    }

    /// Entries whose operation is one of `ops`.
    pub fn filter_by_operation(&self, ops: &[Operation]) -> Self {
        self.keep(|e| e.operation.as_ref().is_some_and(|o| ops.contains(o)))
    }

    /// Entries whose request path matches.
    pub fn filter_by_path(&self, pattern: &PathPattern) -> Self {
        self.keep(|e| e.path.as_deref().is_some_and(|p| pattern.is_match(p)))
    }

    /// Entries made by `actor` (exact match on the chosen field).
    pub fn filter_by_actor(&self, actor: &str, field: ActorMatch) -> Self {
        self.keep(|e| {
            let is = |v: &Option<String>| v.as_deref() == Some(actor);
            match field {
                ActorMatch::Any => is(&e.display_name) || is(&e.entity_id) || is(&e.accessor),
                ActorMatch::DisplayName => is(&e.display_name),
                ActorMatch::EntityId => is(&e.entity_id),
                ActorMatch::Accessor => is(&e.accessor),
            }
        })
    }

    /// Entries without (`true`) or with (`false`) an error.
    pub fn filter_by_success(&self, success: bool) -> Self {
        self.keep(|e| e.is_success() == success)
    }

    /// Entries from an address (`10.0.0.5`) or a network (`10.0.0.0/8`, `::1/128`).
    pub fn filter_by_client_ip(&self, ip_or_cidr: &str) -> Result<Self, AuditError> {
        let net = parse_net(ip_or_cidr)?;
        Ok(self.keep(|e| e.client_ip().is_some_and(|ip| net.contains(&ip))))
    }

    /// Entries in a namespace (`None` or `""`/`root` = the root namespace). Trailing `/` optional.
    pub fn filter_by_namespace(&self, namespace: Option<&str>) -> Self {
        let want = namespace
            .map(|n| n.trim_end_matches('/'))
            .filter(|n| !n.is_empty() && *n != "root");
        self.keep(|e| e.namespace.as_deref().map(|n| n.trim_end_matches('/')) == want)
    }

    /// Entries whose raw JSON text contains `query` (case-insensitive).
    pub fn search_logs(&self, query: &str) -> Self {
        let q = query.to_lowercase();
        self.keep(|e| e.raw.to_lowercase().contains(&q))
    }

    /// Sorted by time (stable; entries without a time go first when ascending).
    pub fn sort_by_timestamp(&self, ascending: bool) -> Self {
        let mut v = self.entries.clone();
        v.sort_by_key(|e| e.time);
        if !ascending {
            v.reverse();
        }
        self.derive(v)
    }
}
