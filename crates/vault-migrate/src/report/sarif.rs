//! SARIF 2.1.0 output (the format GitHub code scanning reads).
//!
//! Required by the schema and always present: `version`, `runs[].tool.driver.name`, and for each
//! result `message.text`; we also fill `ruleId`, `ruleIndex`, `level`, `locations[].physicalLocation`
//! (`artifactLocation.uri`, `region.startLine/startColumn/endLine`) and `partialFingerprints`.
//! No `snippet` is written: it would contain the secret. The fingerprint
//! (`vaultkitLocation/v2`, [`Finding::location_id`](crate::Finding::location_id)) hashes rule,
//! file and key only: a hash of the value, unsalted, could be guessed back for weak passwords, and
//! salted per report it would change every run, which defeats its purpose.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::finding::Confidence;
use crate::scan::ScanReport;

pub(super) const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Render the report as a SARIF 2.1.0 log.
pub fn to_sarif(report: &ScanReport) -> String {
    let mut rules: BTreeMap<&str, &str> = BTreeMap::new();
    for f in &report.findings {
        rules
            .entry(f.rule_id.as_str())
            .or_insert(f.description.as_str());
    }
    let rule_index: BTreeMap<&str, usize> =
        rules.keys().enumerate().map(|(i, k)| (*k, i)).collect();
    let rules_json: Vec<Value> = rules
        .iter()
        .map(|(id, desc)| {
            json!({
                "id": id,
                "name": id,
                "shortDescription": {"text": desc},
                "fullDescription": {"text": format!("{desc}. Move the value into Vault and reference it instead.")},
                "defaultConfiguration": {"level": "error"},
                "properties": {"tags": ["security", "secret"]}
            })
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let level = match f.confidence {
                Confidence::High => "error",
                Confidence::Medium => "warning",
                Confidence::Low => "note",
            };
            let what = match &f.key {
                Some(k) => format!("{} in `{k}` ({}, {} confidence)", f.description, f.preview, f.confidence),
                None => format!("{} ({}, {} confidence)", f.description, f.preview, f.confidence),
            };
            json!({
                "ruleId": f.rule_id,
                "ruleIndex": rule_index.get(f.rule_id.as_str()).copied().unwrap_or(0),
                "level": level,
                "message": {"text": what},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": f.file.to_string_lossy().replace('\\', "/")},
                        "region": {"startLine": f.line, "startColumn": f.column, "endLine": f.end_line}
                    }
                }],
                "partialFingerprints": {"vaultkitLocation/v2": f.location_id()},
                "properties": {"confidence": f.confidence, "entropy": f.entropy, "length": f.length}
            })
        })
        .collect();
    let log = json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "vaultkit",
                "informationUri": "https://github.com/vaultkit/vaultkit",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules_json
            }},
            "results": results,
            "columnKind": "unicodeCodePoints"
        }]
    });
    serde_json::to_string_pretty(&log).unwrap_or_default()
}
