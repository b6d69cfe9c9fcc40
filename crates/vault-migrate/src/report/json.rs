//! JSON output: the whole [`ScanReport`] (findings carry preview, length and entropy).
//!
//! Each report gets its own random `value_hmac_key` (base64, at the top) and each finding a
//! `value_hmac` (`hmac-sha256:<hex>` of the value under that key): equal values within one report
//! can be grouped, but the hash is useless for guessing the value and for matching across
//! reports. No unsalted hash of a value is written.

use crate::keyed::ValueKey;
use crate::scan::ScanReport;

/// Pretty JSON with `findings`, counts, skipped files, parse issues, duplicates and suppressions.
pub fn to_json(report: &ScanReport) -> String {
    let key = ValueKey::generate();
    let mut v = serde_json::to_value(report).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        if let Some(list) = o.get_mut("findings").and_then(|f| f.as_array_mut()) {
            for (item, f) in list.iter_mut().zip(&report.findings) {
                if let Some(item) = item.as_object_mut() {
                    item.insert("value_hmac".into(), f.value_hmac(&key).into());
                }
            }
        }
        o.insert("value_hmac_key".into(), key.to_base64().into());
        o.insert(
            "tool".into(),
            serde_json::json!({"name": "vaultkit", "version": env!("CARGO_PKG_VERSION")}),
        );
    }
    serde_json::to_string_pretty(&v).unwrap_or_default()
}
