//! Baselines: the fingerprints of accepted findings, so that only new findings fail a build.
//!
//! The file is JSON: `{"version": 2, "value_hmac_key": "<base64>", "findings": [{"fingerprint",
//! "file", "rule_id", "key"}]}`. A fingerprint is `hmac-sha256:` of rule id, file, key and value
//! under the baseline's own random `value_hmac_key`, not the line number, so a finding keeps its
//! identity when lines move and changing the value makes it new, while the file holds no unsalted
//! hash a weak password could be guessed from. Version 1 baselines (plain SHA-256) are refused
//! with a hint to regenerate.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{MigrateError, MigrateErrorKind};
use crate::finding::Finding;
use crate::keyed::ValueKey;

/// The baseline format written by this version.
pub(super) const BASELINE_VERSION: u32 = 2;

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineEntry {
    /// Keyed hash of file, key and value (see [`Finding::fingerprint`](crate::Finding::fingerprint)); never the value.
    pub fingerprint: String,
    /// File the finding was in, relative to the scan root.
    pub file: String,
    /// Rule that found it.
    pub rule_id: String,
    /// The key the value was assigned to, if any.
    #[serde(default)]
    pub key: Option<String>,
}

/// A set of accepted findings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    /// Format version of the baseline file (this version writes 2; version 1 is refused with a hint).
    pub version: u32,
    /// Random key of the fingerprints, made with the baseline.
    pub value_hmac_key: ValueKey,
    /// The accepted findings.
    pub findings: Vec<BaselineEntry>,
    #[serde(skip)]
    index: HashSet<String>,
}

impl Baseline {
    /// A baseline accepting exactly `findings`.
    pub fn from_findings<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Self {
        let key = ValueKey::generate();
        let findings: Vec<BaselineEntry> = findings
            .into_iter()
            .map(|f| BaselineEntry {
                fingerprint: f.fingerprint(&key),
                file: f.file.to_string_lossy().replace('\\', "/"),
                rule_id: f.rule_id.clone(),
                key: f.key.clone(),
            })
            .collect();
        let index = findings.iter().map(|e| e.fingerprint.clone()).collect();
        Baseline {
            version: BASELINE_VERSION,
            value_hmac_key: key,
            findings,
            index,
        }
    }

    /// Parse baseline JSON.
    pub fn from_json(text: &str) -> Result<Self, MigrateError> {
        #[derive(Deserialize)]
        struct Version {
            version: Option<u32>,
        }
        if let Ok(Version { version: Some(1) }) = serde_json::from_str::<Version>(text) {
            return Err(MigrateError::new(
                MigrateErrorKind::Config,
                "baseline version 1 stores unsalted SHA-256 hashes of the values and is no longer read",
            )
            .with_hint("regenerate it from a fresh scan (`Baseline::from_findings`) and delete the old one"));
        }
        let mut b: Baseline = serde_json::from_str(text).map_err(|e| {
            MigrateError::new(
                MigrateErrorKind::Config,
                format!("baseline is not valid JSON: {e}"),
            )
            .with_line(e.line())
            .with_hint("regenerate it with `vaultkit migrate scan --write-baseline FILE`")
        })?;
        if b.version != BASELINE_VERSION {
            return Err(MigrateError::new(
                MigrateErrorKind::Config,
                format!(
                    "baseline version {} is not supported (expected {BASELINE_VERSION})",
                    b.version
                ),
            ));
        }
        b.index = b.findings.iter().map(|e| e.fingerprint.clone()).collect();
        Ok(b)
    }

    /// Read a baseline file.
    pub fn load(path: &Path) -> Result<Self, MigrateError> {
        let text = std::fs::read_to_string(path).map_err(|e| MigrateError::io(path, e))?;
        Self::from_json(&text).map_err(|e| e.with_path(path))
    }

    /// Serialize to pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|_| {
            format!(
                "{{\"version\":{BASELINE_VERSION},\"value_hmac_key\":\"{}\",\"findings\":[]}}",
                self.value_hmac_key.to_base64()
            )
        })
    }

    /// Write to `path`: owner-only (0600), atomically, never through a symlink
    /// ([`vault_core::write_private`]), since a baseline fingerprints secrets.
    pub fn save(&self, path: &Path) -> Result<(), MigrateError> {
        vault_core::write_private(path, (self.to_json() + "\n").as_bytes())
            .map_err(|e| MigrateError::io(path, e))
    }

    /// Is this finding already accepted?
    pub fn contains(&self, f: &Finding) -> bool {
        !self.index.is_empty() && self.index.contains(&f.fingerprint(&self.value_hmac_key))
    }

    /// Number of accepted findings.
    pub fn len(&self) -> usize {
        self.findings.len()
    }

    /// True when nothing is accepted.
    pub fn is_empty(&self) -> bool {
        self.findings.is_empty()
    }
}
