//! Hostile audit-log fields in the table and CSV writers (security hardening, item 4): anyone who
//! can reach Vault chooses request paths, and the file audit device logs them as sent.

use vault_audit::output::{Format, write_detections, write_entries};
use vault_audit::{AuditLogCollection, AuditSource, DetectionConfig, ScanOptions};

/// A request whose path holds an ESC sequence, a bidi override and a forged second row; and one
/// whose fields are spreadsheet formulas.
const HOSTILE_LOG: &str = concat!(
    r#"{"time":"2024-01-01T00:00:00Z","type":"request","auth":{"display_name":"root"},"request":{"id":"a","operation":"read","path":"secret/x\u001b]0;owned\u0007\u001b[2J\u202egnp.exe\n9999  2024-01-01T00:00:00.000Z  request  read  secret/forged  root","remote_address":"10.0.0.1"}}"#,
    "\n",
    r#"{"time":"2024-01-01T00:00:01Z","type":"request","auth":{"display_name":"=HYPERLINK(\"http://evil\",\"x\")"},"request":{"id":"b","operation":"read","path":"@SUM(1+1)","remote_address":"+1"},"error":"-2+3"}"#,
    "\n",
);

fn entries() -> AuditLogCollection {
    AuditLogCollection::load(
        &AuditSource::bytes("hostile", HOSTILE_LOG),
        &mut ScanOptions::default(),
    )
    .expect("load")
}

fn render(format: Format) -> String {
    let c = entries();
    let mut out = Vec::new();
    write_entries(&mut out, c.entries(), format).expect("write");
    String::from_utf8(out).expect("utf-8")
}

#[test]
fn table_shows_control_characters_escaped_and_forges_no_row() {
    let table = render(Format::Table);
    assert_eq!(
        table.lines().count(),
        4,
        "header, rule, two entries:\n{table}"
    );
    assert!(!table.contains('\u{1b}') && !table.contains('\u{7}') && !table.contains('\u{202e}'));
    assert!(
        table.contains(r"secret/x\x1b]0;owned\x07\x1b[2J\u{202e}gnp.exe\n9999"),
        "{table}"
    );
    assert!(!table.lines().any(|l| l.starts_with("9999")), "{table}");
}

#[test]
fn csv_neutralises_formulas_and_keeps_line_breaks_inside_quotes() {
    let csv = render(Format::Csv);
    for cell in [
        "'@SUM(1+1)",
        "'+1",
        "'-2+3",
        "\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\"",
    ] {
        assert!(csv.contains(cell), "{cell} missing in:\n{csv}");
    }
    // The forged row stays inside the quoted path cell.
    assert!(
        csv.contains("\"secret/x\u{1b}]0;owned\u{7}\u{1b}[2J\u{202e}gnp.exe\n9999"),
        "{csv}"
    );
}

#[test]
fn tail_lines_are_escaped_and_stay_one_line() {
    let c = entries();
    for e in c.entries() {
        let line = vault_audit::output::tab_line(&vault_audit::output::entry_row(e));
        assert!(!line.contains('\n') && !line.contains('\u{1b}'), "{line}");
        assert_eq!(
            line.split('\t').count(),
            vault_audit::output::ENTRY_COLUMNS.len()
        );
    }
}

#[test]
fn json_stays_exact() {
    let json = render(Format::Json);
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(v[1]["path"], "@SUM(1+1)");
    assert!(
        v[0]["path"]
            .as_str()
            .is_some_and(|p| p.contains('\u{1b}') && p.contains('\n'))
    );
}

#[test]
fn detections_table_is_escaped_too() {
    let c = entries();
    let ds = c.detect(&DetectionConfig::default());
    let mut out = Vec::new();
    write_detections(&mut out, &ds, Format::Table).expect("write");
    let text = String::from_utf8(out).expect("utf-8");
    assert!(!text.contains('\u{1b}'), "{text}");
}
