//! JSON output: the whole [`ScanReport`] (findings carry preview, length, entropy and hashes).

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
