//! [`Finding`]: one secret found in one file, safe to print, log and serialize.
//!
//! Architecture Invariant: a finding holds the full value only inside a [`SecretString`] that is
//! never serialized or printed; reports carry a masked preview, the length and the entropy.
//! Hashes of the value are keyed ([`ValueKey`]) by the artifact that stores them.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;
use sha2::{Digest, Sha256};
use vault_core::SecretString;

use crate::detect::Hit;
use crate::keyed::ValueKey;

/// How sure a rule is that the value is a live secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// The shape matched but the value looks like a template (`xxxx`, `PASSWORD`).
    Low,
    /// A secret-named key with a value of moderate entropy, or a test-mode credential
    /// (Stripe `sk_test_…`).
    Medium,
    /// A known credential format with a real-looking value (`AKIA…`, `ghp_…`, a PEM private
    /// key), or a secret-named key with a long, high-entropy value.
    High,
}

impl Confidence {
    /// Lowercase name as in reports (`low`, `medium`, `high`).
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One secret found in one file.
#[derive(Clone, Serialize)]
pub struct Finding {
    /// The file, relative to the scan root when it is under it.
    pub file: PathBuf,
    /// 1-based line of the first character of the value.
    pub line: usize,
    /// 1-based column (in characters) of the first character of the value.
    pub column: usize,
    /// 1-based line of the last character (differs from `line` for multi-line values).
    pub end_line: usize,
    /// The key the value is assigned to, if any (`DB_PASSWORD`, `deploy.password.secure`).
    pub key: Option<String>,
    /// Rule that found it (`generic-password`, `aws-access-key-id`, `custom-1`, …).
    pub rule_id: String,
    /// What the rule looks for, in words.
    pub description: String,
    /// How sure the rule is that the value is a live secret.
    pub confidence: Confidence,
    /// Shannon entropy of the value, bits per character.
    pub entropy: f64,
    /// Masked preview: at most the first two characters, `…`, and the length.
    pub preview: String,
    /// Length of the value in characters.
    pub length: usize,
    #[serde(skip)]
    value: SecretString,
}

/// Where a detected value stands in its file.
#[derive(Debug)]
pub(crate) struct Place {
    /// The file, as it is to be reported.
    pub file: PathBuf,
    /// 1-based line and column (in characters) of the value's first character.
    pub line_col: (usize, usize),
    /// 1-based line of the value's last character.
    pub end_line: usize,
}

impl Finding {
    /// The finding for `hit` at `place`: the value goes into the secret wrapper, and only its
    /// masked preview, length and entropy are kept in the clear.
    pub(crate) fn new(place: Place, hit: Hit) -> Finding {
        let value = hit.value;
        Finding {
            preview: mask(&value),
            length: value.chars().count(),
            entropy: crate::detect::entropy::shannon(&value),
            file: place.file,
            line: place.line_col.0,
            column: place.line_col.1,
            end_line: place.end_line,
            key: hit.key,
            rule_id: hit.rule_id.into_owned(),
            description: hit.description.into_owned(),
            confidence: hit.confidence,
            value: SecretString::new(value),
        }
    }

    /// The secret value. Every call site is a place where the secret leaves the wrapper
    /// (writing it to Vault, comparing it); never print it.
    pub fn secret(&self) -> &SecretString {
        &self.value
    }

    /// Does this finding's value equal `candidate`? (In memory; nothing is hashed or kept.)
    pub fn value_matches(&self, candidate: &str) -> bool {
        self.value.expose() == candidate
    }

    /// `argon2id-m19456-t2-p1:<hex>` of the value salted with `key` (the artifact's salt).
    pub fn value_hmac(&self, key: &ValueKey) -> String {
        key.tag(self.value.expose().as_bytes())
    }

    /// Identity for baselines under the baseline's `key`: Argon2id of rule id, file path
    /// (with `/`), key and value, not the line number, so a finding keeps its identity when
    /// lines move and becomes new when the value changes.
    pub fn fingerprint(&self, key: &ValueKey) -> String {
        let path = self.file.to_string_lossy().replace('\\', "/");
        key.tag_parts(&[
            self.rule_id.as_bytes(),
            path.as_bytes(),
            self.key.as_deref().unwrap_or("").as_bytes(),
            self.value.expose().as_bytes(),
        ])
    }

    /// Identity of the place, for SARIF `partialFingerprints`: SHA-256 of rule id, file path and
    /// key (the line when there is no key). Derived from no part of the value, so it is stable
    /// across runs and reveals nothing a report does not already show.
    pub fn location_id(&self) -> String {
        let path = self.file.to_string_lossy().replace('\\', "/");
        let place = match &self.key {
            Some(k) => format!("key\0{k}"),
            None => format!("line\0{}", self.line),
        };
        sha256_hex(format!("{}\0{path}\0{place}", self.rule_id).as_bytes())
    }
}

impl fmt::Debug for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Finding")
            .field("file", &self.file)
            .field("line", &self.line)
            .field("column", &self.column)
            .field("key", &self.key)
            .field("rule_id", &self.rule_id)
            .field("confidence", &self.confidence)
            .field("entropy", &self.entropy)
            .field("preview", &self.preview)
            .field("value", &"***")
            .finish()
    }
}

/// Lower-case hex SHA-256, for in-memory comparisons and value-free identities only: never
/// persist it for a secret value (use [`ValueKey::tag`]).
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest.iter() {
        s.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        s.push(char::from(b"0123456789abcdef"[usize::from(b & 0xf)]));
    }
    s
}

/// `ab…(22)`: two leading characters for values of 12+ characters, none for shorter ones, so a
/// short password loses nothing; multi-line values (keys) show nothing either.
pub(crate) fn mask(value: &str) -> String {
    let n = value.chars().count();
    if n >= 12 && !value.starts_with("-----") {
        let head: String = value.chars().take(2).collect();
        format!("{head}…({n})")
    } else {
        format!("…({n})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_json_hide_the_value() {
        let f = Finding::new(
            Place {
                file: "a/.env".into(),
                line_col: (4, 13),
                end_line: 4,
            },
            Hit {
                rule_id: "generic-password".into(),
                description: "password".into(),
                span: 12..32,
                value: "planted-Value-9f8e7d".into(),
                key: Some("DB_PASSWORD".into()),
                confidence: Confidence::High,
                priority: 0,
            },
        );
        let dbg = format!("{f:?}");
        let json = serde_json::to_string(&f).unwrap_or_default();
        assert!(!dbg.contains("planted-Value-9f8e7d"));
        assert!(!json.contains("planted-Value-9f8e7d"));
        assert!(json.contains("\"preview\":\"pl…(20)\""));
        assert!(f.value_matches("planted-Value-9f8e7d"));
        assert!(!f.value_matches("planted-Value-9f8e7"));
        assert!(!json.contains(&sha256_hex(b"planted-Value-9f8e7d")));
        assert!(!json.contains("sha256"));
        let k = ValueKey::generate();
        assert_eq!(f.fingerprint(&k), f.fingerprint(&k));
        assert_ne!(f.fingerprint(&k), f.fingerprint(&ValueKey::generate()));
        assert!(
            !f.location_id()
                .contains(&sha256_hex(b"planted-Value-9f8e7d"))
        );
        assert_eq!(f.secret().expose(), "planted-Value-9f8e7d");
    }

    #[test]
    fn masks() {
        assert_eq!(mask("short"), "…(5)");
        assert_eq!(mask("8ae31cacf141669ddfb5da"), "8a…(22)");
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
