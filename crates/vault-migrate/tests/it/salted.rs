//! Persisted artifacts (plan, baseline, JSON and SARIF reports) hold no unsalted hash of any
//! value: only `hmac-sha256:` hashes under a random key made with each artifact.

use sha2::{Digest, Sha256};
use vault_migrate::report::{self, Format};
use vault_migrate::{Baseline, Plan, PlanOptions, ScanReport, Scanner, SourceValues};

/// Weak and strong planted values: the weak ones are what a brute force would recover.
const PLANTED: &[&str] = &[
    "letmein-Smtp-2024",
    "Summer2024!",
    "ghp_S4lt3dT0k3nS4lt3dT0k3nS4lt3dT0k3nXY",
    "Zq7-planted-db-Pw",
];
/// Non-secret companions the plan also hashes (`DB_HOST`, `DB_PORT`).
const COMPANIONS: &[&str] = &["db.internal", "5432"];

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Plain SHA-256 hex, computed here independently of the crate.
fn sha256_hex(s: &str) -> String {
    hex(&Sha256::digest(s.as_bytes()))
}

/// The old (version 1) baseline fingerprint: SHA-256 of rule, file, key and the value's SHA-256.
fn old_fingerprint(rule: &str, file: &str, key: &str, value: &str) -> String {
    sha256_hex(&format!("{rule}\0{file}\0{key}\0{}", sha256_hex(value)))
}

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join(".env"),
        format!(
            "DB_HOST={}\nDB_PORT={}\nDB_PASSWORD={}\nADMIN_PASSWORD={}\nGITHUB_TOKEN={}\n",
            COMPANIONS[0], COMPANIONS[1], PLANTED[3], PLANTED[1], PLANTED[2]
        ),
    )
    .expect("write .env");
    std::fs::write(
        dir.path().join("app.yaml"),
        format!("smtp:\n  password: {}\n", PLANTED[0]),
    )
    .expect("write yaml");
    dir
}

fn scan(dir: &std::path::Path) -> ScanReport {
    Scanner::builder()
        .build()
        .expect("scanner")
        .scan_paths(&[dir])
        .expect("scan")
}

fn plan(dir: &std::path::Path, r: &ScanReport) -> Plan {
    Plan::from_report(r, &PlanOptions::new("secret", "app").with_base_dir(dir)).expect("plan")
}

#[test]
fn no_artifact_holds_an_unsalted_sha256_of_a_planted_value() {
    let dir = project();
    let r = scan(dir.path());
    let found: Vec<&str> = r.findings.iter().map(|f| f.secret().expose()).collect();
    for p in PLANTED {
        assert!(found.contains(p), "{p:?} not found: {:?}", r.findings);
    }
    let plan_toml = plan(dir.path(), &r).to_toml().expect("toml");
    let baseline = Baseline::from_findings(&r.findings).to_json();
    let json = report::render(&r, Format::Json);
    let sarif = report::render(&r, Format::Sarif);
    let outputs = [
        ("plan", &plan_toml),
        ("baseline", &baseline),
        ("json", &json),
        ("sarif", &sarif),
    ];
    let mut forbidden: Vec<(String, String)> = PLANTED
        .iter()
        .chain(COMPANIONS)
        .map(|v| (format!("sha256 of {v:?}"), sha256_hex(v)))
        .collect();
    for f in &r.findings {
        let file = f.file.to_string_lossy().replace('\\', "/");
        let key = f.key.as_deref().unwrap_or("");
        forbidden.push((
            format!("old fingerprint of {file}:{}", f.line),
            old_fingerprint(&f.rule_id, &file, key, f.secret().expose()),
        ));
    }
    for (name, text) in outputs {
        let lower = text.to_ascii_lowercase();
        for (what, h) in &forbidden {
            assert!(!lower.contains(h), "{name} holds the unsalted {what}");
        }
        for p in PLANTED {
            assert!(!text.contains(p), "{name} holds a planted value");
        }
        assert!(!lower.contains("\"sha256\"") && !lower.contains("sha256 ="));
    }
    // Each file says what it holds: a salt and tagged slow hashes (Argon2id).
    assert!(
        plan_toml.contains("value_hmac_key = ") && plan_toml.contains("argon2id-m19456-t2-p1:")
    );
    assert!(baseline.contains("\"value_hmac_key\"") && baseline.contains("argon2id-m19456-t2-p1:"));
    assert!(!plan_toml.contains("hmac-sha256:") && !baseline.contains("hmac-sha256:"));
    // A JSON report holds no value hash and no key at all.
    let j: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert!(j.get("value_hmac_key").is_none());
    let findings = j["findings"].as_array().expect("findings");
    assert!(!findings.is_empty());
    assert!(
        findings
            .iter()
            .all(|f| { f.get("value_hmac").is_none() && f.get("value_sha256").is_none() })
    );
    // SARIF keeps a stable (value-free) fingerprint across runs.
    assert_eq!(
        sarif_fingerprints(&sarif),
        sarif_fingerprints(&report::to_sarif(&scan(dir.path())))
    );
}

fn sarif_fingerprints(sarif: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(sarif).expect("sarif");
    v["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["partialFingerprints"]["vaultkitLocation/v2"].to_string())
        .collect()
}

#[test]
fn two_plans_of_one_source_use_different_salts_and_both_load() {
    let dir = project();
    let r = scan(dir.path());
    let a = Plan::from_toml(&plan(dir.path(), &r).to_toml().expect("toml")).expect("a parses");
    let b = Plan::from_toml(&plan(dir.path(), &r).to_toml().expect("toml")).expect("b parses");
    assert_ne!(a.value_hmac_key, b.value_hmac_key);
    let hashes = |p: &Plan| -> Vec<String> {
        p.secrets
            .iter()
            .flat_map(|s| s.keys.iter().map(|k| k.value_hmac.clone()))
            .collect()
    };
    let (ha, hb) = (hashes(&a), hashes(&b));
    assert_eq!(ha.len(), hb.len());
    assert!(!ha.is_empty(), "no hashes to compare");
    assert!(ha.iter().all(|h| !hb.contains(h)), "plans share a hash");
    let (va, vb) = (
        SourceValues::load(&a).expect("a"),
        SourceValues::load(&b).expect("b"),
    );
    for s in &a.secrets {
        for k in &s.keys {
            assert_eq!(
                va.get(&s.path, &k.key).map(|v| v.expose().to_string()),
                vb.get(&s.path, &k.key).map(|v| v.expose().to_string())
            );
        }
    }
    // A hash from another plan's key does not verify: it reads as a changed source.
    let mut mixed = a.clone();
    mixed.secrets[0].keys[0].value_hmac = b.secrets[0].keys[0].value_hmac.clone();
    let e = SourceValues::load(&mixed).expect_err("foreign hash");
    assert!(e.to_string().contains("changed since the plan"), "{e}");
}

#[test]
fn baselines_are_salted_and_still_suppress() {
    let dir = project();
    let r = scan(dir.path());
    let one = Baseline::from_findings(&r.findings);
    let two = Baseline::from_findings(&r.findings);
    assert_ne!(one.value_hmac_key, two.value_hmac_key);
    assert_eq!(one.findings.len(), two.findings.len());
    assert!(!one.findings.is_empty(), "no findings to compare");
    assert!(
        one.findings
            .iter()
            .zip(&two.findings)
            .all(|(x, y)| x.fingerprint != y.fingerprint)
    );
    let loaded = Baseline::from_json(&one.to_json()).expect("baseline parses");
    let again = Scanner::builder()
        .with_baseline(loaded)
        .build()
        .expect("scanner")
        .scan_paths(&[dir.path()])
        .expect("scan");
    assert!(again.findings.is_empty(), "{:?}", again.findings);
    assert_eq!(again.suppressed.baseline as usize, r.findings.len());
}

#[test]
fn old_unsalted_files_are_refused_with_a_hint() {
    let e = Plan::from_toml("version = 1\nmount = \"secret\"\nprefix = \"\"\nbase_dir = \".\"\n")
        .expect_err("v1 plan");
    let m = format!("{e} {:?}", e);
    assert!(m.contains("unsalted") && m.contains("migrate plan"), "{m}");
    let e = Baseline::from_json(r#"{"version": 1, "findings": []}"#).expect_err("v1 baseline");
    assert!(e.to_string().contains("unsalted"), "{e}");
    let e = Plan::from_toml("version = 2\nmount = \"secret\"\nprefix = \"\"\nbase_dir = \".\"\n")
        .expect_err("v2 plan");
    assert!(e.to_string().contains("HMAC-SHA256"), "{e}");
    let e = Baseline::from_json(r#"{"version": 2, "value_hmac_key": "x", "findings": []}"#)
        .expect_err("v2 baseline");
    assert!(e.to_string().contains("version 2"), "{e}");
    let e = Plan::from_toml(
        "version = 3\nvalue_hmac_key = \"short\"\nmount = \"secret\"\nprefix = \"\"\nbase_dir = \".\"\n",
    )
    .expect_err("bad key");
    assert!(e.to_string().contains("value_hmac_key"), "{e}");
}
