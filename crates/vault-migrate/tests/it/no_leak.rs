//! No full secret value appears in any output: table, JSON, SARIF, baseline, `Debug`, warnings.

use vault_migrate::report::{self, Format};
use vault_migrate::{Baseline, ScanReport};

use crate::{data, ripsecrets_values_scanner, scanner, sensitive};

/// Planted values in our own hostile files, on top of the fixtures.
const PLANTED: &[&str] = &[
    "Planted-9f8e7d6c5b4a-Pw",
    "ghp_Pl4nt3dT0k3nPl4nt3dT0k3nPl4nt3dT0k3",
    "s3cr3t-PLANTED-42",
];

fn outputs(r: &ScanReport) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = [Format::Table, Format::Json, Format::Sarif]
        .into_iter()
        .map(|f| (format!("{f:?}"), report::render(r, f)))
        .collect();
    out.push((
        "baseline".into(),
        Baseline::from_findings(&r.findings).to_json(),
    ));
    out.push(("debug".into(), format!("{r:?}")));
    out.push(("debug-pretty".into(), format!("{r:#?}")));
    out
}

fn assert_no_values(r: &ScanReport) {
    assert!(!r.findings.is_empty());
    let outs = outputs(r);
    let mut checked = 0;
    for f in &r.findings {
        let v = f.secret().expose();
        // Skip values too short to be meaningful, or that are also legitimately printed as
        // metadata (a value equal to a word in a key, rule id or path).
        let meta = format!(
            "{} {:?} {} {}",
            f.file.display(),
            f.key,
            f.rule_id,
            f.description
        );
        if v.chars().count() < 6 || meta.contains(v) {
            continue;
        }
        for (name, text) in &outs {
            assert!(
                !text.contains(v),
                "{name} output contains the value of {}:{} ({})",
                f.file.display(),
                f.line,
                f.rule_id
            );
            // Multi-line values (keys): no line of 20+ characters may appear either.
            for part in v.lines().filter(|l| l.len() >= 20) {
                assert!(
                    !text.contains(part),
                    "{name} output contains part of the value of {}:{}",
                    f.file.display(),
                    f.line
                );
            }
        }
        checked += 1;
    }
    assert!(checked > 0);
}

#[test]
fn every_format_over_every_fixture_hides_values() {
    let mut total = 0;
    for (scanner, dirs) in [
        (scanner(), vec!["gitleaks", "detect-secrets"]),
        (sensitive(), vec!["detect-secrets"]),
        (ripsecrets_values_scanner(), vec!["ripsecrets/test"]),
        (scanner(), vec!["ripsecrets/test"]),
    ] {
        for d in dirs {
            let r = scanner.scan_paths(&[data(d)]).expect("scan");
            total += r.findings.len();
            assert_no_values(&r);
        }
    }
    assert!(total > 60, "{total}");
}

#[test]
fn planted_values_in_hostile_files_never_show() {
    let dir = tempfile::tempdir().expect("tempdir");
    let env = format!(
        "DB_PASSWORD={}\nGITHUB_TOKEN=\"{}\"\nBROKEN=\"{}\nDATABASE_URL=postgres://app:{}@db/app\n",
        PLANTED[0], PLANTED[1], PLANTED[2], PLANTED[2]
    );
    std::fs::write(dir.path().join(".env"), env).expect("write");
    std::fs::write(
        dir.path().join("app.yaml"),
        format!("db:\n  password: {}\n", PLANTED[0]),
    )
    .expect("write");
    let r = scanner().scan_paths(&[dir.path()]).expect("scan");
    assert!(r.findings.len() >= 4, "{:?}", r.findings);
    assert!(!r.issues.is_empty(), "the broken quote is reported");
    for (name, text) in outputs(&r) {
        for p in PLANTED {
            assert!(!text.contains(p), "{name} output leaks a planted value");
        }
    }
    for i in &r.issues {
        for p in PLANTED {
            assert!(!i.message.contains(p));
        }
    }
}

#[test]
fn sarif_has_the_required_fields() {
    let r = ripsecrets_values_scanner()
        .scan_paths(&[data("ripsecrets/test/one_per_line")])
        .expect("scan");
    let v: serde_json::Value = serde_json::from_str(&report::to_sarif(&r)).expect("SARIF is JSON");
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "vaultkit");
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), 46);
    for res in results {
        assert!(
            res["message"]["text"]
                .as_str()
                .is_some_and(|s| !s.is_empty())
        );
        let idx = res["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[idx]["id"], res["ruleId"]);
        let region = &res["locations"][0]["physicalLocation"]["region"];
        assert!(region["startLine"].as_u64().is_some_and(|l| l >= 1));
        assert!(res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].is_string());
        assert!(["error", "warning", "note"].contains(&res["level"].as_str().unwrap_or("")));
    }
}

#[test]
fn exit_codes() {
    use vault_migrate::Confidence;
    let r = scanner()
        .scan_paths(&[data("gitleaks/.env.prod")])
        .expect("scan");
    assert_eq!(report::exit_code(&r, Confidence::Low) as i32, 1);
    let clean = scanner()
        .scan_paths(&[data("detect-secrets/only_comments.yaml")])
        .expect("scan");
    assert_eq!(report::exit_code(&clean, Confidence::Low) as i32, 0);
    let table = report::to_table(&r);
    assert!(
        table.contains(".env.prod:4:13")
            && table.contains("DB_PASSWORD")
            && table.contains("8a…(22)"),
        "{table}"
    );
}
