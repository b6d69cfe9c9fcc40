//! Baselines: the fingerprints of accepted findings, so that only new findings fail a build.
//!
//! The file is JSON: `{"version": 1, "findings": [{"fingerprint", "file", "rule_id", "key"}]}`.
//! A fingerprint hashes rule id, file, key and the value's SHA-256, not the line number, so a
//! finding keeps its identity when lines move; changing the value makes it new.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{MigrateError, MigrateErrorKind};
use crate::finding::Finding;

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineEntry {
    pub fingerprint: String,
    pub file: String,
    pub rule_id: String,
    #[serde(default)]
    pub key: Option<String>,
}

/// A set of accepted findings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<BaselineEntry>,
    #[serde(skip)]
    index: HashSet<String>,
}

impl Baseline {
    /// A baseline accepting exactly `findings`.
    pub fn from_findings<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Self {
        let findings: Vec<BaselineEntry> = findings
            .into_iter()
            .map(|f| BaselineEntry {
                fingerprint: f.fingerprint.clone(),
                file: f.file.to_string_lossy().replace('\\', "/"),
                rule_id: f.rule_id.clone(),
                key: f.key.clone(),
            })
            .collect();
        let index = findings.iter().map(|e| e.fingerprint.clone()).collect();
        Baseline {
            version: 1,
            findings,
            index,
        }
    }

    /// Parse baseline JSON.
    pub fn from_json(text: &str) -> Result<Self, MigrateError> {
        let mut b: Baseline = serde_json::from_str(text).map_err(|e| {
            MigrateError::new(
                MigrateErrorKind::Config,
                format!("baseline is not valid JSON: {e}"),
            )
            .with_line(e.line())
            .with_hint("regenerate it with `vaultkit migrate scan --write-baseline FILE`")
        })?;
        if b.version != 1 {
            return Err(MigrateError::new(
                MigrateErrorKind::Config,
                format!(
                    "baseline version {} is not supported (expected 1)",
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
        serde_json::to_string_pretty(self)
            .unwrap_or_else(|_| "{\"version\":1,\"findings\":[]}".to_string())
    }

    /// Write to `path`.
    pub fn save(&self, path: &Path) -> Result<(), MigrateError> {
        std::fs::write(path, self.to_json() + "\n").map_err(|e| MigrateError::io(path, e))
    }

    /// Is this finding already accepted?
    pub fn contains(&self, f: &Finding) -> bool {
        self.index.contains(&f.fingerprint)
    }

    pub fn len(&self) -> usize {
        self.findings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.findings.is_empty()
    }
}
