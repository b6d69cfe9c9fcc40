//! Upstream scanner fixtures with the expectations their own test suites assert
//! (sources, commits and licences in tests/data/SOURCES.md).

use crate::{
    data, describe, lines, ripsecrets_scanner, ripsecrets_values_scanner, scan_file, scanner,
    sensitive,
};

#[test]
fn ripsecrets_secretsignore_paths_skip_the_test_tree_when_walking() {
    // Its `.secretsignore` lists `test`: walking from the repository root skips the fixtures.
    let r = ripsecrets_scanner()
        .scan_paths(&[data("ripsecrets/test")])
        .expect("scan");
    assert_eq!((r.files_scanned, r.findings.len()), (0, 0));
}

#[test]
fn gitleaks_env_prod_has_exactly_the_password_on_line_4() {
    let f = scan_file(&scanner(), "gitleaks/.env.prod");
    assert_eq!(f.len(), 1, "{}", describe(&f));
    let f = &f[0];
    assert_eq!((f.line, f.column), (4, 13));
    assert_eq!(f.key.as_deref(), Some("DB_PASSWORD"));
    assert_eq!(f.rule_id, "generic-password");
    assert!(f.value_matches("8ae31cacf141669ddfb5da"));
    // gitleaks reports entropy 3.5383105 for the same value.
    assert!((f.entropy - 3.538_310_5).abs() < 1e-6, "{}", f.entropy);
    assert_eq!(f.preview, "8a…(22)");
}

#[test]
fn ripsecrets_none_has_no_findings() {
    let f = scan_file(&ripsecrets_scanner(), "ripsecrets/test/none");
    assert!(f.is_empty(), "{}", describe(&f));
}

#[test]
fn ripsecrets_none_needs_the_secretsignore_value() {
    // Without .secretsignore, line 12's URL password is a finding: the ignore file is what hides it.
    let f = scan_file(&scanner(), "ripsecrets/test/none");
    assert_eq!(lines(&f), [12], "{}", describe(&f));
    assert_eq!(f[0].rule_id, "url-credentials");
}

#[test]
fn ripsecrets_one_per_file() {
    let s = ripsecrets_scanner();
    for name in ["aws_json", "pem_key", "private_key"] {
        let f = scan_file(&s, &format!("ripsecrets/test/one_per_file/{name}"));
        assert_eq!(f.len(), 1, "{name}: {}", describe(&f));
    }
}

#[test]
fn ripsecrets_one_per_line_46_in_total() {
    let s = ripsecrets_scanner();
    let dir = data("ripsecrets/test/one_per_line");
    let mut total = 0;
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    names.sort();
    assert_eq!(names.len(), 18);
    for path in names {
        let text = std::fs::read_to_string(&path).expect("read");
        let n = text.matches('\n').count();
        let f = s.scan_paths(&[&path]).expect("scan").findings;
        assert_eq!(
            lines(&f),
            (1..=n).collect::<Vec<_>>(),
            "{}: {}",
            path.display(),
            describe(&f)
        );
        total += f.len();
    }
    assert_eq!(total, 46);
}

#[test]
fn ripsecrets_tree_scan_matches_per_file_counts() {
    // Walking the directory (in parallel) finds the same 46.
    let report = ripsecrets_values_scanner()
        .scan_paths(&[data("ripsecrets/test/one_per_line")])
        .expect("scan");
    assert_eq!(report.findings.len(), 46);
    assert_eq!(report.files_scanned, 18);
}

#[test]
fn detect_secrets_config_ini_lines() {
    let f = scan_file(&sensitive(), "detect-secrets/config.ini");
    assert_eq!(lines(&f), [2, 10, 21, 22, 32], "{}", describe(&f));
}

#[test]
fn detect_secrets_config_yaml_lines() {
    let f = scan_file(&sensitive(), "detect-secrets/config.yaml");
    assert_eq!(lines(&f), [3, 5, 13], "{}", describe(&f));
}

#[test]
fn detect_secrets_only_comments_is_clean() {
    assert!(scan_file(&scanner(), "detect-secrets/only_comments.yaml").is_empty());
    assert!(scan_file(&sensitive(), "detect-secrets/only_comments.yaml").is_empty());
}

#[test]
fn detect_secrets_private_key() {
    let f = scan_file(&scanner(), "detect-secrets/files/private_key");
    assert_eq!(f.len(), 1, "{}", describe(&f));
    assert_eq!(
        (f[0].line, f[0].end_line, f[0].rule_id.as_str()),
        (1, 3, "private-key")
    );
}

#[test]
fn detect_secrets_short_files() {
    let f = scan_file(&scanner(), "detect-secrets/short_files/last_line.ini");
    assert_eq!(lines(&f), [5], "{}", describe(&f));
    let f = scan_file(&scanner(), "detect-secrets/short_files/middle_line.yml");
    assert_eq!(lines(&f), [4], "{}", describe(&f));
    assert_eq!(f[0].key.as_deref(), Some("secure"));
}

#[test]
fn detect_secrets_other_files() {
    let f = scan_file(&scanner(), "detect-secrets/config.env");
    assert_eq!(lines(&f), [1], "{}", describe(&f));
    let f = scan_file(&scanner(), "detect-secrets/config.md");
    assert!(lines(&f).contains(&10), "{}", describe(&f));
    let f = scan_file(&scanner(), "detect-secrets/config2.yaml");
    assert_eq!(lines(&f), [2], "{}", describe(&f));
}
