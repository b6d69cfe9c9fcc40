//! Hostile inputs against vault-audit (issue 10). docs/security.md lists them.

use super::stats_of_bytes;

const GOOD: &str = r#"{"time":"2024-01-01T00:00:00Z","type":"request","auth":{"display_name":"root"},"request":{"id":"a","operation":"read","path":"secret/x"}}"#;

/// A pretty-printed entry of about `bytes` bytes with an indented `}` line every other line,
/// and keys holding braces and escaped quotes inside strings.
fn crafted(bytes: usize) -> String {
    let mut s = String::from(
        "{\n  \"type\": \"request\",\n  \"time\": \"2024-01-01T00:00:01Z\",\n  \"request\": {\n    \"id\": \"b\",\n    \"operation\": \"update\",\n    \"path\": \"secret/}{\\\"}\",\n    \"data\": {\n",
    );
    let mut k = 0;
    while s.len() < bytes {
        s.push_str(&format!("      \"k{k}\\\"}}\": {{\n      }},\n"));
        k += 1;
    }
    s.push_str("      \"end\": \"}\"\n    }\n  }\n}\n");
    s
}

/// Item 13: a crafted 4 MiB pretty-printed record is framed in linear time and counted as one
/// entry. Before the fix each indented `}` line re-scanned the record from its start
/// (~200,000 × 2 MiB): the scan ran for many minutes and nextest's 5-minute limit ended it.
/// The timing itself is proven by `cargo xtask bench audit-pretty` (ratio 4 MiB / 1 MiB), never
/// asserted here.
#[test]
fn crafted_four_mib_pretty_record_is_framed_once() {
    let record = crafted(4 << 20);
    let s = stats_of_bytes(format!("{GOOD}\n{record}{GOOD}\n"));
    assert_eq!(s.entries, 3, "{:?}", s.malformed);
    assert_eq!(s.malformed.count, 0);
    assert_eq!(
        s.distinct_paths, 2,
        "the crafted path with braces and quotes was read"
    );
}
