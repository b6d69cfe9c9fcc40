//! [`DetectionConfig`]: thresholds of every rule, with defaults; loadable from JSON, TOML and
//! YAML ([`DetectionConfig::from_json`], [`DetectionConfig::from_toml`],
//! [`DetectionConfig::from_yaml`], or [`DetectionConfig::from_path`] by file extension); every
//! field optional, unknown fields rejected.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::AuditError;

/// Thresholds and windows of the detection rules. `Default` gives sensible values; any field
/// may be left out of a config file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DetectionConfig {
    /// Sliding window for the burst and spike rules, in seconds.
    pub window_secs: u64,
    /// Permission-denied responses per actor, per client IP or per path within the window.
    pub denied_burst: u32,
    /// Failed logins per client IP or per login path within the window.
    pub login_failure_burst: u32,
    /// Read/list requests per actor within the window (0: off).
    pub read_spike: u32,
    /// Requests of any operation (writes too) per actor and per client IP within the window
    /// (0: off, the default; `detect_anomalies(threshold, …)` sets it to `threshold`).
    pub request_burst: u32,
    /// The event rules that fire on a single request: `generate-root`, `policy-change`,
    /// `auth-method-change`, `audit-device-disabled`, `raft-snapshot`.
    pub event_rules: bool,
    /// Report activity in UTC hours where an actor had no baseline requests.
    pub off_hours: bool,
    /// Report every request made with a root token (one detection per actor, all evidence).
    pub root_token_use: bool,
    /// Learning period from the first entry: first-access and off-hours rules stay quiet during it.
    pub baseline_secs: u64,
    /// An actor needs this many requests in the baseline before off-hours access is judged.
    pub off_hours_min_baseline: u32,
    /// Report first access of a path by an actor after the baseline.
    pub first_access: bool,
    /// At most this many evidence locations per detection (all are counted).
    pub max_evidence: usize,
}

impl Default for DetectionConfig {
    fn default() -> Self {
        DetectionConfig {
            window_secs: 300,
            denied_burst: 5,
            login_failure_burst: 5,
            read_spike: 500,
            request_burst: 0,
            event_rules: true,
            off_hours: true,
            root_token_use: true,
            baseline_secs: 3600,
            off_hours_min_baseline: 20,
            first_access: true,
            max_evidence: 50,
        }
    }
}

impl DetectionConfig {
    /// The sliding window of the burst rules (`window_secs`) as a [`Duration`].
    pub fn window(&self) -> Duration {
        Duration::from_secs(self.window_secs)
    }

    /// Reads a config from JSON text.
    pub fn from_json(text: &str) -> Result<Self, AuditError> {
        serde_json::from_str(text).map_err(|e| AuditError::Config(format!("JSON: {e}")))
    }

    /// Reads a config from TOML text.
    pub fn from_toml(text: &str) -> Result<Self, AuditError> {
        toml::from_str(text).map_err(|e| AuditError::Config(format!("TOML: {}", e.message())))
    }

    /// Reads a config from YAML text.
    pub fn from_yaml(text: &str) -> Result<Self, AuditError> {
        serde_norway::from_str(text).map_err(|e| AuditError::Config(format!("YAML: {e}")))
    }

    /// Reads a config file: TOML for `.toml`, YAML for `.yaml`/`.yml`, JSON otherwise.
    pub fn from_path(path: &std::path::Path) -> Result<Self, AuditError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| AuditError::io("read the detection config", path, e))?;
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let parsed = match ext.as_deref() {
            Some("toml") => Self::from_toml(&text),
            Some("yaml" | "yml") => Self::from_yaml(&text),
            _ => Self::from_json(&text),
        };
        parsed.map_err(|e| match e {
            AuditError::Config(m) => AuditError::Config(format!("`{}`: {m}", path.display())),
            other => other,
        })
    }

    /// Every threshold rule at `threshold` events within `window`: request bursts per actor and
    /// per client IP (any operation), permission-denied and login-failure bursts, read spikes.
    pub fn with_threshold(mut self, threshold: u32, window: Duration) -> Self {
        self.denied_burst = threshold;
        self.login_failure_burst = threshold;
        self.read_spike = threshold;
        self.request_burst = threshold;
        self.window_secs = window.as_secs().max(1);
        self
    }

    /// The Python module's `detect_anomalies(threshold, time_window)`: only the threshold-driven
    /// rules — `request-burst` (per actor and per client IP, any operation),
    /// `permission-denied-burst` and `login-failure-burst` — at `threshold` events within
    /// `window`. The always-on rules (root token, event rules, first access, off hours) and the
    /// read spike (a subset of the request burst) are off.
    pub fn anomalies(threshold: u32, window: Duration) -> Self {
        DetectionConfig {
            read_spike: 0,
            root_token_use: false,
            event_rules: false,
            first_access: false,
            off_hours: false,
            ..DetectionConfig::default().with_threshold(threshold, window)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_config_keeps_defaults() {
        let c = DetectionConfig::from_json(r#"{"denied_burst": 2}"#).expect("valid");
        assert_eq!(c.denied_burst, 2);
        assert_eq!(c.window_secs, DetectionConfig::default().window_secs);
        assert!(DetectionConfig::from_json(r#"{"denied_brust": 2}"#).is_err());
    }

    #[test]
    fn json_toml_and_yaml_give_the_same_config() {
        let json = DetectionConfig::from_json(
            r#"{"window_secs": 60, "request_burst": 10, "first_access": false}"#,
        )
        .expect("json");
        let toml = DetectionConfig::from_toml(
            "window_secs = 60\nrequest_burst = 10\nfirst_access = false\n",
        )
        .expect("toml");
        let yaml =
            DetectionConfig::from_yaml("window_secs: 60\nrequest_burst: 10\nfirst_access: false\n")
                .expect("yaml");
        assert_eq!(json, toml);
        assert_eq!(json, yaml);
        assert_eq!(json.request_burst, 10);
        assert_eq!(json.denied_burst, DetectionConfig::default().denied_burst);
        let e = DetectionConfig::from_toml("denied_brust = 2").expect_err("typo");
        assert!(e.to_string().contains("denied_brust"), "{e}");
        assert!(DetectionConfig::from_yaml("denied_brust: 2").is_err());
    }

    #[test]
    fn from_path_picks_the_format_by_extension() {
        let dir = tempfile::tempdir().expect("tmp");
        for (name, text) in [
            ("d.toml", "denied_burst = 3\n"),
            ("d.yaml", "denied_burst: 3\n"),
            ("d.yml", "denied_burst: 3\n"),
            ("d.json", r#"{"denied_burst": 3}"#),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, text).expect("write");
            let c = DetectionConfig::from_path(&path).expect(name);
            assert_eq!(c.denied_burst, 3, "{name}");
        }
        let bad = dir.path().join("bad.toml");
        std::fs::write(&bad, "denied_burst = \"x\"\n").expect("write");
        let e = DetectionConfig::from_path(&bad).expect_err("bad");
        assert!(e.to_string().contains("bad.toml"), "{e}");
    }
}
