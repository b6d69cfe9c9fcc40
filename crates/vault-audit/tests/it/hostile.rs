//! Hostile input: counted, reported with line numbers, never a panic or a stopped run.

use super::stats_of_bytes;

const GOOD: &str = r#"{"time":"2024-01-01T00:00:00Z","type":"request","auth":{"display_name":"root"},"request":{"id":"a","operation":"read","path":"secret/x"}}"#;

fn lcg_bytes(n: usize, mut seed: u64) -> Vec<u8> {
    (0..n)
        .map(|_| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as u8
        })
        .collect()
}

#[test]
fn binary_garbage_between_good_lines() {
    let mut input = format!("{GOOD}\n").into_bytes();
    input.extend(lcg_bytes(1 << 20, 7));
    input.extend(format!("\n{GOOD}\n").into_bytes());
    let s = stats_of_bytes(input);
    assert_eq!(s.entries, 2);
    assert!(s.malformed.count > 0);
    assert_eq!(s.lines, s.entries + s.malformed.count + s.blank_lines);
}

#[test]
fn ten_megabyte_line_is_read() {
    let big = format!(
        r#"{{"time":"2024-01-01T00:00:01Z","type":"response","request":{{"id":"a","operation":"read","path":"secret/x","data":{{"blob":"{}"}}}}}}"#,
        "x".repeat(10 << 20)
    );
    let s = stats_of_bytes(format!("{GOOD}\n{big}\n{GOOD}\n"));
    assert_eq!((s.entries, s.malformed.count, s.paired), (3, 0, 1));
}

#[test]
fn line_over_the_limit_is_skipped_and_reported() {
    let mut opts = vault_audit::ScanOptions {
        max_record_bytes: 4096,
        ..Default::default()
    };
    let input = format!("{GOOD}\n{}\n{GOOD}\n", "y".repeat(100_000));
    let src = vault_audit::AuditSource::bytes("t", input);
    let s = vault_audit::stats(&src, &mut opts).expect("scan");
    assert_eq!((s.entries, s.malformed.count), (2, 1));
    assert_eq!(s.malformed.first[0].line, 2);
    assert!(
        s.malformed.first[0].reason.contains("longer than"),
        "{}",
        s.malformed.first[0].reason
    );
}

#[test]
fn invalid_utf8_truncated_and_deep() {
    let mut input = format!("{GOOD}\n").into_bytes();
    input.extend(b"{\"time\":\"2024-01-01T00:00:00Z\",\"type\":\"req\xff\xfe\"}\n");
    input.extend(&GOOD.as_bytes()[..60]);
    input.push(b'\n');
    let deep = format!(
        "{{\"type\":\"request\",\"x\":{}1{}}}\n",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    input.extend(deep.into_bytes());
    input.extend(format!("{GOOD}\r\n\n{GOOD}").into_bytes());
    let s = stats_of_bytes(input);
    assert_eq!(s.entries, 3);
    assert_eq!(s.blank_lines, 1);
    let m: Vec<(u64, &str)> = s
        .malformed
        .first
        .iter()
        .map(|m| (m.line, m.reason.as_str()))
        .collect();
    assert_eq!(m.len(), 3, "{m:?}");
    assert_eq!(m[0].0, 2);
    assert!(m[0].1.contains("UTF-8"), "{m:?}");
    assert_eq!(m[1].0, 3);
    assert!(
        m[1].1.contains("end of input") || m[1].1.contains("unterminated"),
        "{m:?}"
    );
    assert_eq!(m[2].0, 4);
    assert!(m[2].1.contains("nesting"), "{m:?}");
}

#[test]
fn empty_and_whitespace_inputs() {
    let s = stats_of_bytes(Vec::new());
    assert_eq!((s.lines, s.entries, s.malformed.count), (0, 0, 0));
    let s = stats_of_bytes("\n\n   \n");
    assert_eq!((s.lines, s.entries, s.blank_lines), (3, 0, 3));
    let s = stats_of_bytes("{");
    assert_eq!((s.entries, s.malformed.count), (0, 1));
}
