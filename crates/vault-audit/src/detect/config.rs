//! [`DetectionConfig`]: thresholds of every rule, with defaults; loadable from JSON/TOML/YAML
//! through serde (every field optional).

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
    /// Read/list requests per actor within the window.
    pub read_spike: u32,
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
        serde_json::from_str(text).map_err(|e| AuditError::Config(e.to_string()))
    }

    /// The seed's `detect_anomalies(threshold, window)`: every burst/spike threshold set to
    /// `threshold` events within `window`.
    pub fn with_threshold(mut self, threshold: u32, window: Duration) -> Self {
        self.denied_burst = threshold;
        self.login_failure_burst = threshold;
        self.read_spike = threshold;
        self.window_secs = window.as_secs().max(1);
        self
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
}
