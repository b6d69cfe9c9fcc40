//! Hostile file names and planted symlinks (security hardening, items 4 and 9): whoever can
//! create files in a scanned tree chooses their names, and a baseline fingerprints secrets.

use vault_migrate::Baseline;
use vault_migrate::report::{self, Format};

use crate::scanner;

#[test]
fn a_file_name_with_control_characters_cannot_drive_the_terminal_or_forge_a_row() {
    let dir = tempfile::tempdir().expect("tempdir");
    let name = "x\u{1b}]0;owned\u{7}\u{202e}\nforged.env";
    std::fs::write(dir.path().join(name), "DB_PASSWORD=Xk9mP2vL8qR4tW7zQ3\n").expect("write");
    let r = scanner().scan_paths(&[dir.path()]).expect("scan");
    assert!(!r.findings.is_empty(), "the planted secret is found");
    let table = report::render(&r, Format::Table);
    assert!(
        !table.contains('\u{1b}') && !table.contains('\u{7}') && !table.contains('\u{202e}'),
        "{table}"
    );
    assert!(!table.lines().any(|l| l.starts_with("forged")), "{table}");
    assert!(
        table.contains(r"x\x1b]0;owned\x07\u{202e}\nforged.env:1:"),
        "{table}"
    );
    // Machine formats keep the name exact.
    let json: serde_json::Value =
        serde_json::from_str(&report::render(&r, Format::Json)).expect("json");
    assert!(json.to_string().contains("\\u001b]0;owned"));
}

#[cfg(unix)]
#[test]
fn a_baseline_is_written_owner_only_and_never_through_a_planted_symlink() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join(".env"), "DB_PASSWORD=Xk9mP2vL8qR4tW7zQ3\n").expect("write");
    let r = scanner().scan_paths(&[dir.path()]).expect("scan");
    let baseline = Baseline::from_findings(&r.findings);
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "keep").expect("victim");
    let link = dir.path().join("baseline.json");
    std::os::unix::fs::symlink(&victim, &link).expect("symlink");
    let err = baseline.save(&link).expect_err("refused");
    assert!(err.to_string().contains("symbolic link"), "{err}");
    assert_eq!(std::fs::read_to_string(&victim).expect("read"), "keep");
    let path = dir.path().join("real.json");
    baseline.save(&path).expect("save");
    let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(Baseline::load(&path).expect("load").len(), baseline.len());
}
