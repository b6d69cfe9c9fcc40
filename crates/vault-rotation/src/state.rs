//! The rotation state of one secret, kept in its KV v2 key metadata (`custom_metadata`, a string
//! map) next to the user's own entries.
//!
//! Architecture Invariant: the state holds version numbers, times, a status and an error text;
//! never a secret value. `current_version` is the authoritative pointer to the value in force.
//!
//! KV metadata writes have no check-and-set; the rotation lease and the data write with `cas`
//! serialise rotations, and each write here sends the whole map read before plus our keys.

use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat, Utc};

/// Vault refuses custom metadata values over 512 bytes.
const MAX_VALUE: usize = 500;

/// Where a secret's rotation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RotationState {
    /// No rotation in progress (never rotated, or the last one finished).
    #[default]
    Idle,
    /// A new version was written and is not finished yet (set or test pending).
    Pending,
    /// A failed rotation is being undone.
    RollingBack,
    /// The last rotation failed and was rolled back; the current value is still in force.
    Failed,
}

impl RotationState {
    /// The value stored in `rotation_status`.
    pub fn as_str(self) -> &'static str {
        match self {
            RotationState::Idle => "idle",
            RotationState::Pending => "pending",
            RotationState::RollingBack => "rolling_back",
            RotationState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "pending" => RotationState::Pending,
            "rolling_back" => RotationState::RollingBack,
            "failed" => RotationState::Failed,
            _ => RotationState::Idle,
        }
    }
}

/// The rotation fields of a secret's `custom_metadata`. Unparsable values (hostile or hand-edited
/// metadata) read as absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SecretState {
    pub(crate) status: RotationState,
    pub(crate) current_version: Option<u64>,
    pub(crate) pending_version: Option<u64>,
    pub(crate) previous_version: Option<u64>,
    pub(crate) failed_version: Option<u64>,
    pub(crate) attempt: Option<String>,
    pub(crate) last_rotated: Option<DateTime<Utc>>,
    pub(crate) next_due: Option<DateTime<Utc>>,
    pub(crate) grace_until: Option<DateTime<Utc>>,
    pub(crate) previous_revoked: bool,
    pub(crate) last_error: Option<String>,
}

const KEYS: [&str; 11] = [
    "rotation_status",
    "current_version",
    "pending_version",
    "previous_version",
    "failed_version",
    "rotation_attempt",
    "last_rotated",
    "next_due",
    "grace_until",
    "previous_revoked",
    "last_error",
];

impl SecretState {
    pub(crate) fn from_metadata(m: &HashMap<String, String>) -> Self {
        let num = |k: &str| m.get(k).and_then(|v| v.parse::<u64>().ok());
        let time = |k: &str| {
            m.get(k)
                .and_then(|v| DateTime::parse_from_rfc3339(v).ok())
                .map(|t| t.with_timezone(&Utc))
        };
        SecretState {
            status: m
                .get("rotation_status")
                .map(|s| RotationState::parse(s))
                .unwrap_or_default(),
            current_version: num("current_version"),
            pending_version: num("pending_version"),
            previous_version: num("previous_version"),
            failed_version: num("failed_version"),
            attempt: m
                .get("rotation_attempt")
                .filter(|a| !a.is_empty() && a.len() <= 64)
                .cloned(),
            last_rotated: time("last_rotated"),
            next_due: time("next_due"),
            grace_until: time("grace_until"),
            previous_revoked: m.get("previous_revoked").is_some_and(|v| v == "true"),
            last_error: m.get("last_error").cloned(),
        }
    }

    /// `base` (the user's entries) with our keys replaced by this state.
    pub(crate) fn to_metadata(&self, base: &HashMap<String, String>) -> HashMap<String, String> {
        let mut m: HashMap<String, String> = base
            .iter()
            .filter(|(k, _)| !KEYS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        m.insert("rotation_status".into(), self.status.as_str().into());
        let mut put = |k: &str, v: Option<String>| {
            if let Some(v) = v {
                m.insert(k.to_string(), v);
            }
        };
        put(
            "current_version",
            self.current_version.map(|v| v.to_string()),
        );
        put(
            "pending_version",
            self.pending_version.map(|v| v.to_string()),
        );
        put(
            "previous_version",
            self.previous_version.map(|v| v.to_string()),
        );
        put("failed_version", self.failed_version.map(|v| v.to_string()));
        put("rotation_attempt", self.attempt.clone());
        put("last_rotated", self.last_rotated.map(rfc3339));
        put("next_due", self.next_due.map(rfc3339));
        put("grace_until", self.grace_until.map(rfc3339));
        put(
            "previous_revoked",
            self.previous_version
                .map(|_| self.previous_revoked.to_string()),
        );
        put("last_error", self.last_error.as_deref().map(truncate));
        m
    }
}

pub(crate) fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn truncate(s: &str) -> String {
    if s.len() <= MAX_VALUE {
        return s.to_string();
    }
    let mut end = MAX_VALUE - 3;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_keeps_the_users_entries() {
        let state = SecretState {
            status: RotationState::Pending,
            current_version: Some(3),
            pending_version: Some(4),
            previous_version: Some(2),
            attempt: Some("a1".into()),
            last_rotated: DateTime::parse_from_rfc3339("2026-12-01T00:00:00Z")
                .ok()
                .map(|t| t.with_timezone(&Utc)),
            last_error: Some("é".repeat(400)),
            ..SecretState::default()
        };
        let base = HashMap::from([
            ("owner".to_string(), "team-a".to_string()),
            ("failed_version".to_string(), "9".to_string()),
        ]);
        let m = state.to_metadata(&base);
        assert_eq!(m.get("owner").map(String::as_str), Some("team-a"));
        assert!(!m.contains_key("failed_version"), "stale key kept");
        assert!(m.get("last_error").is_some_and(|e| e.len() <= 512));
        let back = SecretState::from_metadata(&m);
        assert_eq!(back.current_version, Some(3));
        assert_eq!(back.pending_version, Some(4));
        assert_eq!(back.status, RotationState::Pending);
        assert_eq!(back.last_rotated, state.last_rotated);
    }

    #[test]
    fn hostile_values_read_as_absent() {
        let m = HashMap::from([
            ("current_version".to_string(), "-1".to_string()),
            ("last_rotated".to_string(), "yesterday".to_string()),
            ("rotation_status".to_string(), "\u{1b}[31m".to_string()),
            ("rotation_attempt".to_string(), "x".repeat(1000)),
        ]);
        let s = SecretState::from_metadata(&m);
        assert_eq!(s, SecretState::default());
    }
}
