//! [`RawRecord`]: the fields of one audit entry that analysis needs, borrowed from the input.

use std::borrow::Cow;

use super::ScanError;
use super::cursor::{Cursor, JStr};
use crate::time::parse_rfc3339_nanos;

/// One audit entry as scanned: borrowed strings (decoded only when they contain escapes),
/// everything else in the entry validated and skipped. Unknown fields are ignored; HMAC strings
/// are opaque text of any length.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawRecord<'a> {
    /// `time` as written.
    pub time: Option<Cow<'a, str>>,
    /// `time` as Unix nanoseconds (UTC), if it parsed as RFC 3339.
    pub time_nanos: Option<i64>,
    /// `type`: `request` or `response` (any other text is kept).
    pub kind: Option<Cow<'a, str>>,
    /// Top-level `error`; empty strings become `None`.
    pub error: Option<Cow<'a, str>>,
    /// The `auth` block.
    pub auth: RawAuth<'a>,
    /// The `request` block.
    pub request: RawRequest<'a>,
    /// True when the entry has a `response` object.
    pub has_response: bool,
    /// True when `response.auth` is present (a login that issued a token).
    pub response_auth: bool,
    /// `response.auth.display_name` (who just logged in).
    pub response_display_name: Option<Cow<'a, str>>,
}

/// The `auth` block: who made the request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawAuth<'a> {
    /// `display_name`: the token's human-readable owner.
    pub display_name: Option<Cow<'a, str>>,
    /// `entity_id`: the identity entity behind the token.
    pub entity_id: Option<Cow<'a, str>>,
    /// HMAC of the token accessor (clear if the device has `hmac_accessor=false`).
    pub accessor: Option<Cow<'a, str>>,
    /// HMAC of the client token.
    pub client_token: Option<Cow<'a, str>>,
    /// `token_type` (`service`, `batch`).
    pub token_type: Option<Cow<'a, str>>,
    /// True when `policies` or `token_policies` contains `root`.
    pub root_policy: bool,
}

/// The `request` block: what was asked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawRequest<'a> {
    /// `id`: the same on a request and its response.
    pub id: Option<Cow<'a, str>>,
    /// `operation` (`read`, `update`, …).
    pub operation: Option<Cow<'a, str>>,
    /// `path` (e.g. `secret/data/app/db`).
    pub path: Option<Cow<'a, str>>,
    /// `remote_address`: the client IP as Vault saw it.
    pub remote_address: Option<Cow<'a, str>>,
    /// `namespace.path` (absent for the root namespace).
    pub namespace_path: Option<Cow<'a, str>>,
    /// `namespace.id` (`root` for the root namespace).
    pub namespace_id: Option<Cow<'a, str>>,
    /// `mount_point` (e.g. `secret/`).
    pub mount_point: Option<Cow<'a, str>>,
    /// `mount_type` (e.g. `kv`).
    pub mount_type: Option<Cow<'a, str>>,
}

fn s(v: Option<JStr<'_>>) -> Option<Cow<'_, str>> {
    v.map(JStr::decode)
}

/// Scans one complete JSON object (a whole record, possibly pretty-printed over many lines).
pub fn scan_record(text: &str) -> Result<RawRecord<'_>, ScanError> {
    let mut c = Cursor::new(text);
    let mut rec = RawRecord::default();
    c.object(0, |c, key| {
        match key {
            b"time" => rec.time = s(c.opt_string(1)?),
            b"type" => rec.kind = s(c.opt_string(1)?),
            b"error" => rec.error = s(c.opt_string(1)?).filter(|e| !e.is_empty()),
            b"auth" if c.peek() == Some(b'{') => rec.auth = scan_auth(c, 1)?,
            b"request" if c.peek() == Some(b'{') => rec.request = scan_request(c)?,
            b"response" if c.peek() == Some(b'{') => {
                rec.has_response = true;
                c.object(1, |c, key| match key {
                    b"auth" if c.peek() == Some(b'{') => {
                        rec.response_auth = true;
                        rec.response_display_name = scan_auth(c, 2)?.display_name;
                        Ok(())
                    }
                    _ => c.skip_value(2),
                })?;
            }
            _ => c.skip_value(1)?,
        }
        Ok(())
    })?;
    if !c.at_end() {
        return Err(c.err("trailing characters after the JSON object"));
    }
    if rec.kind.is_none() && rec.request.path.is_none() && rec.time.is_none() {
        return Err(ScanError {
            offset: 0,
            what: "JSON object is not an audit entry (no time, type or request.path)",
        });
    }
    rec.time_nanos = rec.time.as_deref().and_then(parse_rfc3339_nanos);
    Ok(rec)
}

fn scan_auth<'a>(c: &mut Cursor<'a>, depth: usize) -> Result<RawAuth<'a>, ScanError> {
    let mut a = RawAuth::default();
    c.object(depth, |c, key| {
        match key {
            b"display_name" => a.display_name = s(c.opt_string(depth + 1)?),
            b"entity_id" => a.entity_id = s(c.opt_string(depth + 1)?).filter(|e| !e.is_empty()),
            b"accessor" => a.accessor = s(c.opt_string(depth + 1)?),
            b"client_token" => a.client_token = s(c.opt_string(depth + 1)?),
            b"token_type" => a.token_type = s(c.opt_string(depth + 1)?),
            b"policies" | b"token_policies" => {
                let mut root = false;
                c.string_array(depth + 1, |p| root |= p.decode() == "root")?;
                a.root_policy |= root;
            }
            _ => c.skip_value(depth + 1)?,
        }
        Ok(())
    })?;
    Ok(a)
}

fn scan_request<'a>(c: &mut Cursor<'a>) -> Result<RawRequest<'a>, ScanError> {
    let mut r = RawRequest::default();
    c.object(1, |c, key| {
        match key {
            b"id" => r.id = s(c.opt_string(2)?),
            b"operation" => r.operation = s(c.opt_string(2)?),
            b"path" => r.path = s(c.opt_string(2)?),
            b"remote_address" => r.remote_address = s(c.opt_string(2)?),
            b"mount_point" => r.mount_point = s(c.opt_string(2)?),
            b"mount_type" => r.mount_type = s(c.opt_string(2)?),
            b"namespace" if c.peek() == Some(b'{') => c.object(2, |c, key| {
                match key {
                    b"id" => r.namespace_id = s(c.opt_string(3)?),
                    b"path" => r.namespace_path = s(c.opt_string(3)?).filter(|p| !p.is_empty()),
                    _ => c.skip_value(3)?,
                }
                Ok(())
            })?,
            _ => c.skip_value(2)?,
        }
        Ok(())
    })?;
    Ok(r)
}
