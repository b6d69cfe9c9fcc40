//! A Vault audit log in a scanned folder: its HMACs and timestamps are not secrets, but a
//! plaintext value in it (a device with `log_raw`) still is.

use crate::{describe, scan_text, scanner};

const OPENBAO_LOG: &str =
    include_str!("../../../vault-audit/tests/data/openbao-2.7.2-generated/audit.log");

#[test]
fn hmacs_and_timestamps_of_an_audit_log_are_not_findings() {
    let s = scan_text(&scanner(), "audit.log", OPENBAO_LOG);
    assert!(
        OPENBAO_LOG.matches("hmac-sha256:").count() > 50,
        "the fixture holds HMACs"
    );
    assert!(
        s.findings.is_empty(),
        "a real OpenBao audit log gave findings:\n{}",
        describe(&s.findings)
    );
}

#[test]
fn a_raw_value_in_an_audit_log_is_still_found() {
    let line = concat!(
        r#"{"time":"2026-11-28T17:49:15.414511788Z","type":"request","#,
        r#""auth":{"client_token":"hmac-sha256:2a5c002f6b871a6bd4f60d21705111b44aefb5368d575af95135873d5b08bf78","token_issue_time":"2026-11-28T17:48:51Z"},"#,
        r#""request":{"path":"secret/data/app/db","data":{"data":{"password":"k9Fq2xZ7pL4wR8vN3mT6"}}}}"#,
        "\n"
    );
    let s = scan_text(&scanner(), "audit.log", line);
    assert_eq!(s.findings.len(), 1, "{}", describe(&s.findings));
    assert!(
        s.findings[0]
            .key
            .as_deref()
            .is_some_and(|k| k.ends_with("password")),
        "{}",
        describe(&s.findings)
    );
}
