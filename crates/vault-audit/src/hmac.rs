//! HMAC lookup: which entries carry a given value (a token, a password, any string)?
//!
//! Audit devices replace strings by `hmac-sha256:<hex>` computed with a per-device salt, so the
//! server must hash the plaintext: [`audit_hash`] calls `sys/audit-hash/<device>`. Then
//! [`find_hmac`] finds every entry containing that exact string anywhere (auth, request data,
//! response data, headers…), and reports the JSON paths where it sits.
//!
//! Architecture Invariant: the plaintext travels only inside the request body to the server.
//! It is never logged, written, or copied into an error or a result.

use serde::Serialize;
use serde_json::Value;
use vault_core::{SecretString, VaultClient};

use crate::collection::AuditLogCollection;
use crate::entry::{AuditEntry, EntryKind};
use crate::error::AuditError;
use crate::read::{AuditSource, Location, ScanOptions};

/// An entry that carries the HMAC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HmacMatch {
    /// File and line of the entry.
    pub location: Location,
    /// Request or response.
    pub kind: EntryKind,
    /// The entry's `time` as written in the log.
    pub time: Option<String>,
    /// `request.operation`.
    pub operation: Option<String>,
    /// `request.path`.
    pub path: Option<String>,
    /// `auth.display_name` of the caller.
    pub actor: Option<String>,
    /// JSON pointers (`/request/data/password`) of every occurrence in the entry.
    pub fields: Vec<String>,
}

/// Asks the server for the HMAC of `plaintext` under audit device `device` (e.g. `file`).
pub async fn audit_hash(
    client: &VaultClient,
    device: &str,
    plaintext: &SecretString,
) -> Result<String, AuditError> {
    let device = device.trim_matches('/');
    if device.is_empty() || device.contains("..") {
        return Err(AuditError::invalid(
            "audit device path",
            device,
            "give the device path, e.g. `file`",
        ));
    }
    let path = format!("sys/audit-hash/{device}");
    let body = serde_json::json!({ "input": plaintext.expose() });
    let env = client.write(&path, body).await?;
    let hash = env
        .as_ref()
        .and_then(|e| e.data.as_ref())
        .and_then(|d| d.get("hash"))
        .and_then(Value::as_str)
        .map(str::to_string);
    hash.ok_or_else(|| AuditError::Protocol {
        path,
        reason: "no `data.hash` string in the answer".into(),
    })
}

fn pointers(v: &Value, needle: &str, at: &mut String, out: &mut Vec<String>) {
    match v {
        Value::String(s) if s == needle => out.push(at.clone()),
        Value::Object(m) => {
            for (k, child) in m {
                let len = at.len();
                at.push('/');
                at.push_str(&k.replace('~', "~0").replace('/', "~1"));
                pointers(child, needle, at, out);
                at.truncate(len);
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                let len = at.len();
                at.push('/');
                at.push_str(&i.to_string());
                pointers(child, needle, at, out);
                at.truncate(len);
            }
        }
        _ => {}
    }
}

fn matches(raw: &str, quoted: &str) -> bool {
    memchr::memmem::find(raw.as_bytes(), quoted.as_bytes()).is_some()
}

fn to_match(e: &AuditEntry, hmac: &str) -> HmacMatch {
    let mut fields = Vec::new();
    if let Ok(v) = serde_json::from_str::<Value>(&e.raw) {
        pointers(&v, hmac, &mut String::new(), &mut fields);
    }
    HmacMatch {
        location: e.location,
        kind: e.kind,
        time: e
            .time
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
        operation: e.operation.as_ref().map(|o| o.to_string()),
        path: e.path.clone(),
        actor: e.actor().map(str::to_string),
        fields,
    }
}

/// Every entry of `c` with a string value exactly equal to `hmac` (an `hmac-sha256:…` string).
pub fn find_hmac(c: &AuditLogCollection, hmac: &str) -> Vec<HmacMatch> {
    let quoted = format!("\"{hmac}\"");
    c.iter()
        .filter(|e| matches(&e.raw, &quoted))
        .map(|e| to_match(e, hmac))
        .filter(|m| !m.fields.is_empty())
        .collect()
}

/// Streaming variant of [`find_hmac`]: constant memory over any source.
pub fn find_hmac_in(
    source: &AuditSource,
    opts: &mut ScanOptions,
    hmac: &str,
) -> Result<Vec<HmacMatch>, AuditError> {
    let quoted = format!("\"{hmac}\"");
    let mut out = Vec::new();
    source.scan(opts, |loc, raw, rec| {
        if memchr::memmem::find(raw, quoted.as_bytes()).is_some() {
            let m = to_match(&AuditEntry::from_raw(loc, raw, rec), hmac);
            if !m.fields.is_empty() {
                out.push(m);
            }
        }
    })?;
    Ok(out)
}

/// Hashes `plaintext` on the server with device `device`, then finds it in `c`.
/// Returns the HMAC (safe to show) and the matches.
pub async fn find_value(
    client: &VaultClient,
    device: &str,
    plaintext: &SecretString,
    c: &AuditLogCollection,
) -> Result<(String, Vec<HmacMatch>), AuditError> {
    let hmac = audit_hash(client, device, plaintext).await?;
    let found = find_hmac(c, &hmac);
    Ok((hmac, found))
}
