//! vaultkit's own artifacts are never findings: a baseline, a plan or a JSON/SARIF report that
//! vaultkit wrote holds salts, slow hashes and previews, which look random to a detector (a
//! baseline written into the repository used to be flagged by the next `scan --baseline`).
//!
//! A file counts as an artifact only when it has exactly an artifact's shape (every top-level
//! key known, the marker fields present), so an ordinary config file with a stray
//! `value_hmac_key` or `"tool"` key is still scanned.

use serde_json::Value;

use crate::parse::FileKind;

/// Top-level keys of a baseline (any version).
const BASELINE_KEYS: &[&str] = &["version", "value_hmac_key", "findings"];
/// Top-level keys of a JSON report.
const REPORT_KEYS: &[&str] = &[
    "findings",
    "files_scanned",
    "bytes_scanned",
    "skipped",
    "issues",
    "duplicates",
    "suppressed",
    "errors",
    "elapsed",
    "tool",
    "value_hmac_key",
];
/// Top-level keys of a plan.
const PLAN_KEYS: &[&str] = &[
    "version",
    "value_hmac_key",
    "mount",
    "prefix",
    "base_dir",
    "secrets",
    "unplanned",
];

fn only_keys<'a>(mut keys: impl Iterator<Item = &'a String>, allowed: &[&str]) -> bool {
    keys.all(|k| allowed.contains(&k.as_str()))
}

/// Is `text` (of a file of `kind`) a baseline, plan or report written by vaultkit?
pub(crate) fn is_own_artifact(kind: FileKind, text: &str) -> bool {
    // Cheap gate: every artifact names its salt or its tool.
    if !text.contains("value_hmac_key") && !text.contains("\"vaultkit\"") {
        return false;
    }
    if text.trim_start().starts_with('{') {
        let Ok(Value::Object(o)) = serde_json::from_str::<Value>(text) else {
            return false;
        };
        let is_baseline = o.contains_key("value_hmac_key")
            && o.get("findings").is_some_and(Value::is_array)
            && only_keys(o.keys(), BASELINE_KEYS);
        let is_report = o
            .get("tool")
            .and_then(|t| t.get("name"))
            .is_some_and(|n| n == "vaultkit")
            && o.contains_key("files_scanned")
            && only_keys(o.keys(), REPORT_KEYS);
        let is_sarif = o.get("runs").and_then(Value::as_array).is_some_and(|runs| {
            !runs.is_empty()
                && runs.iter().all(|r| {
                    r.pointer("/tool/driver/name")
                        .is_some_and(|n| n == "vaultkit")
                })
        }) && only_keys(o.keys(), &["$schema", "version", "runs"]);
        return is_baseline || is_report || is_sarif;
    }
    if matches!(kind, FileKind::Toml) || text.contains("[[secrets]]") {
        let Ok(toml::Value::Table(t)) = toml::from_str::<toml::Value>(text) else {
            return false;
        };
        return t.contains_key("value_hmac_key")
            && t.contains_key("mount")
            && t.keys().all(|k| PLAN_KEYS.contains(&k.as_str()));
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_exact_shapes_count() {
        let baseline = r#"{"version":3,"value_hmac_key":"bXyuQQS0Kkasc6JqPeHegUQUH/NpnSlGAflheyO5eMk=","findings":[]}"#;
        assert!(is_own_artifact(FileKind::Generic, baseline));
        let with_extra = r#"{"version":3,"value_hmac_key":"x","findings":[],"api_key":"sk_live_4eC39HqLyjWDarjtT1zdp7dc"}"#;
        assert!(!is_own_artifact(FileKind::Generic, with_extra));
        assert!(!is_own_artifact(
            FileKind::Generic,
            r#"{"value_hmac_key":"x"}"#
        ));
        let plan = "version = 3\nvalue_hmac_key = \"bXyu\"\nmount = \"secret\"\nprefix = \"app\"\nbase_dir = \".\"\n";
        assert!(is_own_artifact(FileKind::Toml, plan));
        assert!(!is_own_artifact(
            FileKind::Toml,
            &format!("{plan}password = \"hunter2hunter2\"\n")
        ));
    }
}
