//! Hostile `.env` files of our own: one test per parser rule, plus garbage that must not panic.

use vault_migrate::parse::{self, FileKind};
use vault_migrate::{Baseline, Scanner};

use crate::{describe, scan_text, scanner};

const PW: &str = "Zk3p9Lq2Xv8m";
const GH: &str = "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";

#[test]
fn empty_value_does_not_swallow_the_next_line() {
    let t = format!("DB_PASSWORD=\nAPI_TOKEN={GH}\nEMPTY_QUOTED=\"\"\nNEXT_PASSWORD={PW}\n");
    let s = scan_text(&scanner(), ".env", &t);
    assert_eq!(s.findings.len(), 2, "{}", describe(&s.findings));
    assert_eq!(
        (s.findings[0].line, s.findings[0].key.as_deref()),
        (2, Some("API_TOKEN"))
    );
    assert_eq!(
        (s.findings[1].line, s.findings[1].key.as_deref()),
        (4, Some("NEXT_PASSWORD"))
    );
    assert!(s.findings[1].value_matches(PW));
}

#[test]
fn export_prefix_and_spaces_around_equals() {
    let s = scan_text(&scanner(), ".env", &format!("export DB_PASSWORD = {PW}\n"));
    assert_eq!(s.findings.len(), 1);
    assert_eq!((s.findings[0].line, s.findings[0].column), (1, 22));
    assert!(s.findings[0].value_matches(PW));
}

#[test]
fn single_quotes_are_literal_and_keep_hashes() {
    let s = scan_text(
        &scanner(),
        ".env",
        "DB_PASSWORD='p#ss w0rd-9f8e\\n'  # comment\n",
    );
    assert_eq!(s.findings.len(), 1);
    assert!(s.findings[0].value_matches("p#ss w0rd-9f8e\\n"));
    assert_eq!(s.findings[0].column, 14);
}

#[test]
fn double_quote_escapes_are_decoded() {
    let s = scan_text(&scanner(), ".env", "API_SECRET=\"ab\\\"cd\\n9f8e\\\\x\"\n");
    assert_eq!(s.findings.len(), 1, "{}", describe(&s.findings));
    assert!(s.findings[0].value_matches("ab\"cd\n9f8e\\x"));
}

#[test]
fn multi_line_quoted_private_key_is_one_finding_and_lines_stay_right() {
    let t = concat!(
        "PRIVATE_KEY=\"-----BEGIN RSA PRIVATE KEY-----\n",
        "MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n",
        "KUpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQ==\n",
        "-----END RSA PRIVATE KEY-----\"\n",
        "DB_PASSWORD=Zk3p9Lq2Xv8m\n",
    );
    let s = scan_text(&scanner(), ".env", t);
    assert!(s.issues.is_empty(), "{:?}", s.issues);
    assert_eq!(s.findings.len(), 2, "{}", describe(&s.findings));
    let pem = &s.findings[0];
    assert_eq!(
        (
            pem.rule_id.as_str(),
            pem.line,
            pem.end_line,
            pem.key.as_deref()
        ),
        ("private-key", 1, 4, Some("PRIVATE_KEY"))
    );
    assert_eq!(pem.preview, format!("…({})", pem.length));
    assert_eq!(
        (s.findings[1].line, s.findings[1].key.as_deref()),
        (5, Some("DB_PASSWORD"))
    );
}

#[test]
fn inline_comments_need_a_blank_before_the_hash() {
    let s = scan_text(
        &scanner(),
        ".env",
        &format!("DB_PASSWORD={PW} # prod\nOTHER_PASSWORD=abc#def12345\n"),
    );
    assert_eq!(s.findings.len(), 2);
    assert!(s.findings[0].value_matches(PW));
    assert!(s.findings[1].value_matches("abc#def12345"));
}

#[test]
fn references_are_not_secrets_but_defaults_are() {
    let t = format!(
        "DB_PASSWORD=${{VAULT_DB_PASSWORD}}\nAPI_TOKEN=$TOKEN_FROM_CI\nX_PASSWORD=\"${{P:-{PW}}}\"\nLIT_PASSWORD='${{NOT_A_REF_9f8e7d}}'\n"
    );
    let s = scan_text(&scanner(), ".env", &t);
    assert_eq!(s.findings.len(), 1, "{}", describe(&s.findings));
    assert_eq!(s.findings[0].line, 3);
    assert!(s.findings[0].value_matches(PW));
}

#[test]
fn crlf_and_bom() {
    let s = scan_text(
        &scanner(),
        ".env",
        &format!("\u{feff}A=1\r\nDB_PASSWORD={PW}\r\nB=\"x\r\ny\"\r\n"),
    );
    assert!(s.issues.is_empty(), "{:?}", s.issues);
    assert_eq!(s.findings.len(), 1);
    assert!(
        s.findings[0].value_matches(PW),
        "CR must not be part of the value"
    );
    assert_eq!(s.findings[0].line, 2);
    let s = scan_text(&scanner(), ".env", &format!("\u{feff}DB_PASSWORD={PW}\n"));
    assert_eq!((s.findings[0].line, s.findings[0].column), (1, 13));
}

#[test]
fn duplicate_keys_last_wins_and_are_reported() {
    let s = scan_text(
        &scanner(),
        ".env",
        "DB_PASSWORD=first111aaaZ\nA=1\nDB_PASSWORD=second222bbbZ\n",
    );
    assert_eq!(s.findings.len(), 1);
    assert_eq!(s.findings[0].line, 3);
    assert!(s.findings[0].value_matches("second222bbbZ"));
    assert_eq!(s.duplicates.len(), 1);
    assert_eq!(
        (s.duplicates[0].key.as_str(), s.duplicates[0].lines.clone()),
        ("DB_PASSWORD", vec![1, 3])
    );
}

#[test]
fn unterminated_quote_is_an_issue_with_a_line_and_the_rest_is_read() {
    let t = format!("DB_PASSWORD=\"Zk3p9\nAPI_TOKEN={GH}\n");
    let s = scan_text(&scanner(), ".env", &t);
    assert_eq!(s.issues.len(), 1);
    assert_eq!(s.issues[0].line, 1);
    assert!(
        !s.issues[0].message.contains("Zk3p9"),
        "issue text must not quote the value"
    );
    assert_eq!(s.findings.len(), 1);
    assert_eq!(s.findings[0].line, 2);
    let err = parse::dotenv::parse_strict(&t).expect_err("strict parse fails");
    assert_eq!(err.line(), Some(1));
}

#[test]
fn malformed_lines_become_issues() {
    let t = format!("this is not dotenv\n=novalue\n1KEY=x\nKEY\"=x\nDB_PASSWORD={PW}\n");
    let s = scan_text(&scanner(), ".env", &t);
    assert_eq!(
        s.issues.iter().map(|i| i.line).collect::<Vec<_>>(),
        [1, 2, 3, 4]
    );
    assert_eq!(s.findings.len(), 1);
    assert_eq!(s.findings[0].line, 5);
}

#[test]
fn variable_names_and_descriptive_keys_are_not_flagged() {
    let t = "PASSWORD_FILE=/run/secrets/db_password\nTOKEN_URL=https://auth.example.org/token\nDB_HOST=db-9f8e7d6c.internal\nDB_USER=svc_9f8e7d6c\nAPI_KEY_ID=AB12CD34EF56GH78\nSECRET_NAME=prod/db/password\n";
    let s = scan_text(&scanner(), ".env", t);
    assert!(s.findings.is_empty(), "{}", describe(&s.findings));
}

#[test]
fn placeholders_are_not_flagged() {
    let t = "DB_PASSWORD=changeme\nAPI_KEY=<your-api-key>\nCLIENT_SECRET=xxxxxxxxxxxx\nAUTH_TOKEN=\nSTRIPE_KEY=your_stripe_key_here\nJWT_SECRET={{ jwt_secret }}\nPASSWORD=password123\n";
    let s = scan_text(&scanner(), ".env", t);
    assert!(s.findings.is_empty(), "{}", describe(&s.findings));
}

#[test]
fn unquoted_values_and_dotenv_key_suffixes_are_found() {
    let t = format!("MAILGUN_KEY=key-3ax6xnjp29jd6fds4gc373sgvjxteol0\nSESSION_SECRET={PW}\n");
    let s = scan_text(&scanner(), ".env", &t);
    assert_eq!(s.findings.len(), 2, "{}", describe(&s.findings));
}

#[test]
fn inline_allow_comments() {
    let t = format!(
        "DB_PASSWORD={PW} # vaultkit:allow\n# vaultkit:allow-next-line\nAPI_TOKEN={GH}\nX_PASSWORD={PW}x # pragma: allowlist secret\n"
    );
    let s = scan_text(&scanner(), ".env", &t);
    assert!(s.findings.is_empty(), "{}", describe(&s.findings));
    assert_eq!(s.suppressed.inline, 3);
}

#[test]
fn baseline_hides_known_findings_only() {
    let t = format!("DB_PASSWORD={PW}\nAPI_TOKEN={GH}\n");
    let first = scan_text(&scanner(), ".env", &t);
    assert_eq!(first.findings.len(), 2);
    let json = Baseline::from_findings(&first.findings).to_json();
    assert!(
        !json.contains(PW) && !json.contains(GH),
        "baseline must not contain values"
    );
    let baseline = Baseline::from_json(&json).expect("baseline parses");
    let s = Scanner::builder()
        .with_baseline(baseline)
        .build()
        .expect("builds");
    // Lines moved: still known.
    let moved = format!("\n\nAPI_TOKEN={GH}\nDB_PASSWORD={PW}\n");
    let again = s.scan_text(std::path::Path::new(".env"), &moved);
    assert!(again.findings.is_empty(), "{}", describe(&again.findings));
    assert_eq!(again.suppressed.baseline, 2);
    // A changed value is new.
    let changed = s.scan_text(
        std::path::Path::new(".env"),
        &format!("DB_PASSWORD={PW}Q\n"),
    );
    assert_eq!(changed.findings.len(), 1);
    assert!(Baseline::from_json("{not json").is_err());
}

#[test]
fn docker_compose_environment_lists() {
    let t = "services:\n  db:\n    image: postgres:16\n    environment:\n      - POSTGRES_USER=app\n      - POSTGRES_PASSWORD=Zk3p9Lq2Xv8m\n      - POSTGRES_DB=app\n  api:\n    environment:\n      API_TOKEN: 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\n";
    let s = scan_text(&scanner(), "docker-compose.yml", t);
    assert_eq!(s.findings.len(), 2, "{}", describe(&s.findings));
    assert_eq!(
        (
            s.findings[0].line,
            s.findings[0].column,
            s.findings[0].key.as_deref()
        ),
        (6, 27, Some("POSTGRES_PASSWORD"))
    );
    assert_eq!(
        (s.findings[1].line, s.findings[1].key.as_deref()),
        (10, Some("API_TOKEN"))
    );
}

#[test]
fn config_formats_in_the_same_scan() {
    let s = scanner();
    assert_eq!(
        scan_text(&s, "app.toml", "[db]\npassword = \"Zk3p9Lq2Xv8m\" # x\n").findings[0]
            .key
            .as_deref(),
        Some("password")
    );
    assert_eq!(
        scan_text(&s, "app.ini", "[db]\npassword: Zk3p9Lq2Xv8m\n")
            .findings
            .len(),
        1
    );
    assert_eq!(
        scan_text(
            &s,
            "app.json",
            "{\n  \"db\": {\"password\": \"Zk3p9Lq2Xv8m\"}\n}\n"
        )
        .findings[0]
            .line,
        2
    );
    assert_eq!(
        scan_text(&s, "deploy.sh", "export DB_PASSWORD=Zk3p9Lq2Xv8m\n")
            .findings
            .len(),
        1
    );
}

#[test]
fn user_patterns_from_the_seed() {
    let s = Scanner::builder()
        .with_patterns([r"API_KEY.*=.*", r"PASSWORD.*=.*", r"SECRET.*=.*"])
        .build()
        .expect("builds");
    // A value the built-in rules ignore (short, low entropy) is reported by the user's pattern.
    let f = scan_text(&s, ".env", "MY_API_KEY=abc\nHOST=x\n").findings;
    assert_eq!(f.len(), 1, "{}", describe(&f));
    assert_eq!(
        (f[0].rule_id.as_str(), f[0].key.as_deref()),
        ("custom-1", Some("MY_API_KEY"))
    );
    assert!(f[0].value_matches("abc"));
    let bad = Scanner::builder()
        .with_patterns(["(unclosed"])
        .build()
        .expect_err("bad regex");
    assert!(bad.to_string().contains("pattern #1"), "{bad}");
}

/// A tiny deterministic generator (no extra dependency) for garbage input.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

#[test]
fn garbage_never_panics_in_any_parser() {
    let alphabet: Vec<char> = "AZaz09_=:-\"'`#$ {}[]<>\\\n\r\t.é€\u{feff}|>-!&*/@"
        .chars()
        .collect();
    let mut rng = Lcg(7);
    let s = scanner();
    for round in 0..1500 {
        let len = (rng.next() % 120) as usize;
        let t: String = (0..len)
            .map(|_| alphabet[(rng.next() as usize) % alphabet.len()])
            .collect();
        for kind in [
            FileKind::Dotenv,
            FileKind::Yaml,
            FileKind::Ini,
            FileKind::Toml,
            FileKind::Generic,
        ] {
            let p = parse::parse(kind, &t);
            for e in &p.entries {
                assert!(
                    e.span.end <= t.len()
                        && t.is_char_boundary(e.span.start)
                        && t.is_char_boundary(e.span.end),
                    "round {round}"
                );
            }
        }
        for name in [".env", "a.yml", "a.ini", "a.toml", "a.txt"] {
            let _ = s.scan_text(std::path::Path::new(name), &t);
        }
    }
}
