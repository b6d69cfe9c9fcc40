//! JSON output: the whole [`ScanReport`] (findings carry preview, length and entropy).
//!
//! A report carries no hash of a value, keyed or not: it has no use for one (the findings are
//! listed with their place), and any hash would let whoever holds the report test password
//! guesses.

use crate::scan::ScanReport;

/// Pretty JSON with `findings`, counts, skipped files, parse issues, duplicates and suppressions.
pub fn to_json(report: &ScanReport) -> String {
    let mut v = serde_json::to_value(report).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.insert(
            "tool".into(),
            serde_json::json!({"name": "vaultkit", "version": env!("CARGO_PKG_VERSION")}),
        );
    }
    serde_json::to_string_pretty(&v).unwrap_or_default()
}
