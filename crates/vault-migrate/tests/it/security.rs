//! Hostile-reader and self-flagging cases for vault-migrate's artifacts (issue 10, item 10).
//! docs/security.md lists them.

use vault_migrate::report::{self, Format};
use vault_migrate::{Baseline, Plan, PlanOptions, Scanner};

const PASSWORD: &str = "Summer2024!x";
const STRIPE: &str = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";

fn scan(dir: &std::path::Path, baseline: Option<Baseline>) -> vault_migrate::ScanReport {
    let mut b = Scanner::builder();
    if let Some(baseline) = baseline {
        b = b.with_baseline(baseline);
    }
    b.build()
        .expect("scanner")
        .scan_paths(&[dir])
        .expect("scan")
}

/// The two-run CI scenario: run 1 writes a baseline (and a plan, a JSON and a SARIF report) into
/// the repository; run 2 scans the same tree with that baseline and must report nothing.
/// Before the fix run 2 flagged the baseline's own `value_hmac_key` as a `generic-api-key`.
#[test]
fn own_artifacts_are_never_findings_in_the_next_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join(".env"),
        format!("DB_PASSWORD={PASSWORD}\nSTRIPE_KEY={STRIPE}\n"),
    )
    .expect("write .env");
    let first = scan(dir.path(), None);
    assert_eq!(first.findings.len(), 2, "{:?}", first.findings);

    let baseline = Baseline::from_findings(&first.findings);
    let baseline_path = dir.path().join(".secrets-baseline.json");
    baseline.save(&baseline_path).expect("save baseline");
    let plan = Plan::from_report(
        &first,
        &PlanOptions::new("secret", "app").with_base_dir(dir.path()),
    )
    .expect("plan");
    std::fs::write(
        dir.path().join("migrate-plan.toml"),
        plan.to_toml().expect("toml"),
    )
    .expect("write plan");
    std::fs::write(
        dir.path().join("report.json"),
        report::render(&first, Format::Json),
    )
    .expect("write json");
    std::fs::write(
        dir.path().join("report.sarif"),
        report::render(&first, Format::Sarif),
    )
    .expect("write sarif");

    let second = scan(
        dir.path(),
        Some(Baseline::load(&baseline_path).expect("load baseline")),
    );
    assert!(
        second.findings.is_empty(),
        "run 2 flagged: {:?}",
        second
            .findings
            .iter()
            .map(|f| format!("{}:{} {}", f.file.display(), f.line, f.rule_id))
            .collect::<Vec<_>>()
    );
    assert_eq!(second.suppressed.baseline, 2);

    // A new secret is still found, also one added to a file shaped like an artifact but not one.
    std::fs::write(
        dir.path().join("settings.json"),
        format!(r#"{{"value_hmac_key": "x", "findings": [], "api_key": "{STRIPE}"}}"#),
    )
    .expect("write");
    let third = scan(
        dir.path(),
        Some(Baseline::load(&baseline_path).expect("load baseline")),
    );
    assert_eq!(third.findings.len(), 1, "{:?}", third.findings);
    assert!(third.findings[0].file.ends_with("settings.json"));
}

/// Reports carry no value fingerprint; baselines and plans carry only Argon2id hashes (never
/// a fast HMAC next to its key). Before the fix the JSON report held `value_hmac_key` and an
/// HMAC-SHA256 per finding: whoever held the file could test guesses at SHA-256 speed.
#[test]
fn artifacts_reveal_no_fast_value_hash() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join(".env"), format!("DB_PASSWORD={PASSWORD}\n")).expect("write");
    let r = scan(dir.path(), None);
    let json = report::render(&r, Format::Json);
    assert!(!json.contains("value_hmac"), "{json}");
    assert!(!json.contains("hmac-sha256:"));
    let baseline = Baseline::from_findings(&r.findings).to_json();
    let plan = Plan::from_report(
        &r,
        &PlanOptions::new("secret", "app").with_base_dir(dir.path()),
    )
    .expect("plan")
    .to_toml()
    .expect("toml");
    for text in [&baseline, &plan] {
        assert!(!text.contains("hmac-sha256:"), "{text}");
        assert!(text.contains("argon2id-m19456-t2-p1:"), "{text}");
        assert!(!text.contains(PASSWORD));
    }
}
