//! Detections: suspicious or noteworthy activity, each with rule id, severity, time window,
//! actor/IP and evidence locations.
//!
//! - `config`: [`DetectionConfig`] (thresholds, serde-loadable)
//! - `rules`: the [`Detector`] that sees entries one at a time (bounded state per key)

mod config;
mod rules;

use chrono::{DateTime, Utc};
use serde::Serialize;

pub use config::DetectionConfig;
pub use rules::Detector;

use crate::collection::AuditLogCollection;
use crate::read::Location;

/// How much a detection matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Context worth seeing, not a problem in itself.
    Info,
    /// Unusual but commonly benign.
    Low,
    /// Likely misuse or misconfiguration; look at it.
    Medium,
    /// Likely an attack or a leaked credential; act on it.
    High,
}

impl Severity {
    /// Lowercase name as written in reports and JSON (`info` … `high`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Detection {
    /// Stable rule id, e.g. `permission-denied-burst`.
    pub rule: &'static str,
    /// How much the finding matters.
    pub severity: Severity,
    /// Time of the first entry behind the finding.
    pub window_start: Option<DateTime<Utc>>,
    /// Time of the last entry behind the finding.
    pub window_end: Option<DateTime<Utc>>,
    /// Who the finding is about (display name, else entity id, else accessor), when it is
    /// about one actor.
    pub actor: Option<String>,
    /// Client address (`request.remote_address`), when the finding is about one.
    pub client_ip: Option<String>,
    /// Request path, when the finding is about one.
    pub path: Option<String>,
    /// Number of entries behind the finding.
    pub count: u64,
    /// One sentence for a human: what was seen and why it matters.
    pub message: String,
    /// Where the evidence is (first `max_evidence`).
    pub evidence: Vec<Location>,
}

/// Rule ids, for filtering and documentation.
pub const RULES: &[&str] = &[
    "permission-denied-burst",
    "login-failure-burst",
    "root-token-use",
    "generate-root",
    "policy-change",
    "auth-method-change",
    "audit-device-disabled",
    "raft-snapshot",
    "first-access",
    "off-hours-access",
    "read-volume-spike",
    "request-burst",
];

impl AuditLogCollection {
    /// Runs every rule over the collection (in time order) with `config`.
    pub fn detect(&self, config: &DetectionConfig) -> Vec<Detection> {
        let mut d = Detector::new(config.clone());
        for e in self.sort_by_timestamp(true).iter() {
            d.observe(e);
        }
        d.finish()
    }

    /// The Python module's `detect_anomalies(threshold, time_window)`: only threshold-driven
    /// anomalies ([`DetectionConfig::anomalies`]):
    /// - `request-burst`: ≥ `threshold` requests of any operation (writes too) by one actor, or
    ///   from one client IP, within `window`;
    /// - `permission-denied-burst`: ≥ `threshold` permission-denied responses per actor, client
    ///   IP or path within `window`;
    /// - `login-failure-burst`: ≥ `threshold` failed logins per client IP or login path within
    ///   `window`.
    ///
    /// A burst opens when the `threshold`-th event falls within `window` of the first one kept,
    /// and grows (one detection, rising `count`) while further events follow within `window` of
    /// the previous one. The always-on rules (root token use, policy and auth changes, first
    /// access, off hours, …) are [`AuditLogCollection::detect`]'s.
    pub fn detect_anomalies(&self, threshold: u32, window: std::time::Duration) -> Vec<Detection> {
        self.detect(&DetectionConfig::anomalies(threshold, window))
    }
}
