//! [`AuditEntry`]: one audit entry, owned, for in-memory analysis.

use std::fmt;
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::read::Location;
use crate::scan::RawRecord;
use crate::time::nanos_to_datetime;

/// `type` of an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    /// A `request` entry, written when Vault receives a call.
    Request,
    /// A `response` entry, written when Vault answers it.
    Response,
    /// Anything else (or missing).
    Other,
}

impl EntryKind {
    /// Reads an entry's `type` field (`None` or unknown text gives [`EntryKind::Other`]).
    pub fn parse(s: Option<&str>) -> Self {
        match s {
            Some("request") => EntryKind::Request,
            Some("response") => EntryKind::Response,
            _ => EntryKind::Other,
        }
    }

    /// The `type` text: `request`, `response` or `other`.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Request => "request",
            EntryKind::Response => "response",
            EntryKind::Other => "other",
        }
    }
}

impl fmt::Display for EntryKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Vault's logical operations. Unknown ones are kept as text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(into = "String")]
pub enum Operation {
    /// `read`: a GET of a path.
    Read,
    /// `list`: a LIST of a path's children.
    List,
    /// `create`: a write to a path that did not exist.
    Create,
    /// `update`: a write to an existing path (most POST/PUT calls log as this).
    Update,
    /// `delete`.
    Delete,
    /// `patch`: a partial write (KV v2 PATCH).
    Patch,
    /// Any other operation name, kept verbatim (`help`, `alias-lookahead`, …).
    Other(String),
}

impl Operation {
    /// Reads `request.operation` text.
    pub fn parse(s: &str) -> Self {
        match s {
            "read" => Operation::Read,
            "list" => Operation::List,
            "create" => Operation::Create,
            "update" => Operation::Update,
            "delete" => Operation::Delete,
            "patch" => Operation::Patch,
            other => Operation::Other(other.to_string()),
        }
    }

    /// The operation as Vault writes it (`read`, `update`, …).
    pub fn as_str(&self) -> &str {
        match self {
            Operation::Read => "read",
            Operation::List => "list",
            Operation::Create => "create",
            Operation::Update => "update",
            Operation::Delete => "delete",
            Operation::Patch => "patch",
            Operation::Other(s) => s,
        }
    }

    /// Operations that change state.
    pub fn is_write(&self) -> bool {
        matches!(
            self,
            Operation::Create | Operation::Update | Operation::Delete | Operation::Patch
        )
    }
}

impl From<Operation> for String {
    fn from(o: Operation) -> String {
        o.as_str().to_string()
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One audit entry with the fields analysis uses, plus its raw JSON text for search and HMAC
/// lookup. HMAC values are opaque strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// File and line of the entry.
    pub location: Location,
    /// `time`, if it parsed as RFC 3339.
    pub time: Option<DateTime<Utc>>,
    /// `type`: request, response or other.
    pub kind: EntryKind,
    /// `request.operation`.
    pub operation: Option<Operation>,
    /// `request.path` (e.g. `secret/data/app/db`, `auth/approle/login`).
    pub path: Option<String>,
    /// `request.id`: the same on a request and its response.
    pub request_id: Option<String>,
    /// `request.remote_address`: the client IP as Vault saw it.
    pub remote_address: Option<String>,
    /// Namespace path (`None` for the root namespace).
    pub namespace: Option<String>,
    /// `request.mount_point` (e.g. `secret/`).
    pub mount_point: Option<String>,
    /// `request.mount_type` (e.g. `kv`, `approle`).
    pub mount_type: Option<String>,
    /// `auth.display_name`: the token's human-readable owner.
    pub display_name: Option<String>,
    /// `auth.entity_id`: the identity entity behind the token.
    pub entity_id: Option<String>,
    /// HMAC of the token accessor.
    pub accessor: Option<String>,
    /// HMAC of the client token.
    pub client_token: Option<String>,
    /// `auth.token_type` (`service`, `batch`).
    pub token_type: Option<String>,
    /// The token carries the `root` policy.
    pub root_token: bool,
    /// Top-level `error` text, if any.
    pub error: Option<String>,
    /// A response that issued a token (successful login).
    pub issued_token: bool,
    /// `response.auth.display_name` for logins.
    pub issued_to: Option<String>,
    /// The entry's JSON line, unchanged (not serialized).
    #[serde(skip)]
    pub raw: String,
}

fn own(c: &Option<std::borrow::Cow<'_, str>>) -> Option<String> {
    c.as_deref().map(str::to_string)
}

impl AuditEntry {
    /// Builds an owned entry from a scanned record and its raw text.
    pub fn from_raw(location: Location, raw: &[u8], r: &RawRecord<'_>) -> Self {
        AuditEntry {
            location,
            time: r.time_nanos.map(nanos_to_datetime),
            kind: EntryKind::parse(r.kind.as_deref()),
            operation: r.request.operation.as_deref().map(Operation::parse),
            path: own(&r.request.path),
            request_id: own(&r.request.id),
            remote_address: own(&r.request.remote_address),
            namespace: own(&r.request.namespace_path),
            mount_point: own(&r.request.mount_point),
            mount_type: own(&r.request.mount_type),
            display_name: own(&r.auth.display_name),
            entity_id: own(&r.auth.entity_id),
            accessor: own(&r.auth.accessor),
            client_token: own(&r.auth.client_token),
            token_type: own(&r.auth.token_type),
            root_token: r.auth.root_policy,
            error: own(&r.error),
            issued_token: r.response_auth,
            issued_to: own(&r.response_display_name),
            raw: String::from_utf8_lossy(raw).into_owned(),
        }
    }

    /// Succeeded: no top-level `error`.
    pub fn is_success(&self) -> bool {
        self.error.is_none()
    }

    /// Who acted: display name, else entity id, else token accessor HMAC. `None` for
    /// unauthenticated requests (logins).
    pub fn actor(&self) -> Option<&str> {
        self.display_name
            .as_deref()
            .or(self.entity_id.as_deref())
            .or(self.accessor.as_deref())
    }

    /// The client address as an IP, when it parses.
    pub fn client_ip(&self) -> Option<IpAddr> {
        self.remote_address.as_deref().and_then(|a| a.parse().ok())
    }

    /// First path segment (`secret` of `secret/data/x`); for `auth/<m>/…` and `sys/…` too.
    pub fn mount(&self) -> Option<&str> {
        self.path.as_deref().map(first_segment)
    }

    /// The error is a permission denial.
    pub fn is_permission_denied(&self) -> bool {
        self.error.as_deref().is_some_and(is_permission_denied)
    }

    /// A login attempt (`auth/<method>/login…`).
    pub fn is_login(&self) -> bool {
        self.path.as_deref().is_some_and(is_login_path)
    }
}

/// `a` of `a/b/c`.
pub(crate) fn first_segment(path: &str) -> &str {
    path.split('/').next().unwrap_or(path)
}

pub(crate) fn is_permission_denied(e: &str) -> bool {
    e.contains("permission denied")
}

pub(crate) fn is_login_path(p: &str) -> bool {
    p.starts_with("auth/") && p.split('/').nth(2).is_some_and(|s| s == "login")
}
