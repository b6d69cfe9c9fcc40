//! The test corpora (tests/data; sources, commits and licences in tests/data/SOURCES.md) with
//! exact counts established by hand from the files.

use std::collections::BTreeMap;

use vault_audit::{
    ActorMatch, DetectionConfig, EntryKind, Operation, PathPattern, find_hmac, scan::scan_record,
};

use super::{data, load, stats_of};

fn map(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

#[test]
fn vault_guides_counts() {
    let s = stats_of(&data("vault-guides/vault-audit.log"));
    assert_eq!(s.lines, 1397);
    assert_eq!(s.entries, 1397);
    assert_eq!(s.bytes, 1_268_970);
    assert_eq!((s.requests, s.responses), (698, 699));
    assert_eq!(s.malformed.count, 0);
    assert_eq!(s.distinct_paths, 211);
    assert_eq!(
        s.operations,
        map(&[
            ("update", 573),
            ("read", 346),
            ("create", 274),
            ("list", 184),
            ("delete", 20)
        ])
    );
    assert_eq!(
        s.request_operations,
        map(&[
            ("update", 286),
            ("read", 173),
            ("create", 137),
            ("list", 92),
            ("delete", 10)
        ])
    );
    assert_eq!(
        s.mounts,
        map(&[
            ("auth", 498),
            ("sys", 305),
            ("kv-v2", 202),
            ("transit", 202),
            ("kv", 68),
            ("totp", 54),
            ("pki_int", 50),
            ("cubbyhole", 8),
            ("pki", 8),
            ("approle", 2)
        ])
    );
    let error_lines: Vec<u64> = s.error_entries.iter().map(|e| e.location.line).collect();
    assert_eq!(error_lines, [1371, 1373, 1379, 1390, 1391, 1392, 1393]);
    assert_eq!(s.errors, 7);
    assert_eq!(
        s.error_entries[0].path.as_deref(),
        Some("sys/internal/ui/mounts/kv-v2/lab")
    );
    assert_eq!(
        s.error_entries[2].error,
        "1 error occurred:\n\t* unsupported path\n\n"
    );
    assert_eq!(s.error_entries[3].kind, "request");
    // Pairing: 698 pairs, line 1 is an orphan response (the device enabling itself).
    assert_eq!(
        (s.paired, s.unpaired_requests, s.unpaired_responses),
        (698, 0, 1)
    );
    assert_eq!(s.unpaired[0].location.line, 1);
    assert_eq!(s.unpaired[0].path.as_deref(), Some("sys/audit/file"));
    assert_eq!(
        s.first_time.as_deref(),
        Some("2020-04-30T14:27:10.665648500Z")
    );
    assert_eq!(
        s.last_time.as_deref().map(|t| &t[..21]),
        Some("2020-04-30T19:35:23.2")
    );
    assert_eq!(s.distinct_client_ips, 4);
    assert_eq!(s.logins_failed, 0);
}

#[test]
fn vault_guides_collection_agrees_and_filters() {
    let c = load(&data("vault-guides/vault-audit.log"));
    assert_eq!(c.len(), 1397);
    assert_eq!(
        c.statistics(),
        stats_of(&data("vault-guides/vault-audit.log"))
    );
    assert_eq!(c.filter_by_success(false).len(), 7);
    assert_eq!(c.filter_by_operation(&[Operation::Delete]).len(), 20);
    // Logins per user, as listed in the README.
    for (user, n) in [(1, 22), (3, 148), (4, 2), (5, 66), (7, 204)] {
        let p = PathPattern::glob(&format!("auth/userpass/login/lab-user-{user}")).expect("glob");
        assert_eq!(c.filter_by_path(&p).len(), n, "lab-user-{user}");
    }
    assert_eq!(
        c.filter_by_path(&PathPattern::regex("^auth/approle/login$").expect("re"))
            .len(),
        20
    );
    assert_eq!(
        c.filter_by_path(&PathPattern::glob("auth/**").expect("glob"))
            .len(),
        498
    );
    assert_eq!(c.iter().filter(|e| e.issued_token).count(), 231);
    assert_eq!(c.iter().filter(|e| e.display_name.is_none()).count(), 229);
    assert_eq!(
        c.filter_by_client_ip("10.10.42.222").expect("ip").len(),
        1389
    );
    assert_eq!(
        c.filter_by_client_ip("10.10.42.208/29")
            .expect("cidr")
            .len(),
        8
    );
    assert!(c.filter_by_client_ip("10.10.42.300").is_err());
    assert_eq!(c.filter_by_namespace(None).len(), 1397);
    // Known answer (counted in the file with a JSON parser): 10 requests and 11 responses
    // carry `auth.display_name` "root"; the filter keeps exactly those.
    let root = c.filter_by_actor("root", ActorMatch::DisplayName);
    assert_eq!(root.len(), 21);
    assert!(
        root.iter()
            .all(|e| e.display_name.as_deref() == Some("root"))
    );
    assert_eq!(
        root.iter().filter(|e| e.kind == EntryKind::Request).count(),
        10
    );
    // An actor that appears nowhere matches nothing (the filter is not a pass-through).
    assert_eq!(
        c.filter_by_actor("nobody-here", ActorMatch::DisplayName)
            .len(),
        0
    );
    assert_eq!(c.search_logs("MISSING CLIENT TOKEN").len(), 1);
    // One per call: the 286 update requests, not their 573 request + response entries.
    let by_op = c.aggregate_by_operation();
    assert_eq!(by_op.get("update"), Some(&286));
    assert_eq!(by_op.values().sum::<u64>(), 698);
    let hourly = c.aggregate_by_time(std::time::Duration::from_secs(3600));
    assert_eq!(hourly.len(), 6, "14:00 through 19:00");
    assert_eq!(hourly.iter().map(|b| b.entries).sum::<u64>(), 1397);
    let p = c.get_access_patterns(5);
    assert_eq!(p.hour_of_day.iter().sum::<u64>(), 698);
    assert_eq!(p.mounts.values().sum::<u64>(), 698);
    assert_eq!(p.top_paths.len(), 5);
    let sorted = c.sort_by_timestamp(false);
    assert!(sorted.entries().windows(2).all(|w| w[0].time >= w[1].time));
    let pairs = c.pairs();
    assert_eq!(pairs.pairs.len(), 698);
    assert_eq!(pairs.unpaired.len(), 1);
    assert_eq!(
        (pairs.unpaired[0].location.line, pairs.unpaired[0].kind),
        (1, EntryKind::Response)
    );
    assert!(pairs.latency.max_ms >= pairs.latency.p50_ms && pairs.latency.p50_ms >= 0.0);
}

/// The example in docs/audit.md: `detect_anomalies(100, 1h)` on the vault-guides log.
#[test]
fn vault_guides_anomalies_at_100_per_hour() {
    let c = load(&data("vault-guides/vault-audit.log"));
    let d = c.detect_anomalies(100, std::time::Duration::from_secs(3600));
    let found: Vec<(&str, Option<&str>, Option<&str>, u64)> = d
        .iter()
        .map(|x| (x.rule, x.actor.as_deref(), x.client_ip.as_deref(), x.count))
        .collect();
    assert_eq!(
        found,
        [
            ("request-burst", None, Some("10.10.42.222"), 692),
            ("request-burst", Some("token-lab-admins"), None, 215),
            ("request-burst", Some("token"), None, 227),
        ]
    );
    // Writes count: token-lab-admins' burst is mostly writes (it configures the lab).
    let admins = c.filter_by_actor("token-lab-admins", ActorMatch::DisplayName);
    let writes = admins
        .iter()
        .filter(|e| e.kind == vault_audit::EntryKind::Request)
        .filter(|e| e.operation.as_ref().is_some_and(|o| o.is_write()))
        .count();
    assert!(writes > 100, "{writes}");
    // 692 of 698 requests came from one IP; the other IPs stay under 100.
    assert!(d.iter().all(|x| x.rule == "request-burst"));
}

#[test]
fn openbao_counts_and_known_answer_hmac() {
    let path = data("openbao-2.7.2-generated/audit.log");
    let s = stats_of(&path);
    assert_eq!((s.lines, s.bytes), (93, 140_511));
    assert_eq!((s.requests, s.responses), (47, 46));
    assert_eq!(s.distinct_paths, 26);
    assert_eq!(
        s.operations,
        map(&[
            ("read", 54),
            ("update", 27),
            ("create", 6),
            ("patch", 2),
            ("list", 2),
            ("delete", 2)
        ])
    );
    let lines: Vec<u64> = s.error_entries.iter().map(|e| e.location.line).collect();
    assert_eq!(lines, [55, 64, 65, 66, 67, 93]);
    assert_eq!(s.error_entries[0].error, "invalid credentials");
    assert_eq!(s.logins_failed, 1);
    assert_eq!(s.logins_ok, 1);
    assert_eq!((s.unpaired_requests, s.unpaired_responses), (1, 0));
    assert_eq!(s.unpaired[0].location.line, 1);

    let c = load(&path);
    let hmac = "hmac-sha256:afc66909559e11b53f6f172519d041df122dab0636b5a796a1cef90b683b36c3";
    let found: Vec<u64> = find_hmac(&c, hmac)
        .iter()
        .map(|m| m.location.line)
        .collect();
    assert_eq!(found, [6, 7, 11, 19, 61, 86, 87]);
    let m = find_hmac(&c, hmac);
    assert!(
        m[0].fields.iter().any(|f| f.ends_with("/password")),
        "{:?}",
        m[0].fields
    );
    assert!(
        m[5].fields.contains(&"/request/data/input".to_string()),
        "{:?}",
        m[5].fields
    );
    // A prefix of the HMAC is not a match.
    assert!(find_hmac(&c, &hmac[..40]).is_empty());

    let d = c.detect(&DetectionConfig::default());
    let rule_lines = |rule: &str| -> Vec<u64> {
        d.iter()
            .filter(|x| x.rule == rule)
            .flat_map(|x| x.evidence.iter().map(|l| l.line))
            .collect()
    };
    assert_eq!(rule_lines("raft-snapshot"), [90]);
    assert_eq!(rule_lines("audit-device-disabled"), Vec::<u64>::new());
    assert!(!rule_lines("policy-change").is_empty());
    assert!(!rule_lines("auth-method-change").is_empty());
    assert!(d.iter().any(|x| x.rule == "root-token-use"));
    // With a threshold of 2 denials per 5 minutes, alice's two denials form a burst.
    let d2 = c.detect_anomalies(2, std::time::Duration::from_secs(300));
    assert!(
        d2.iter().all(|x| matches!(
            x.rule,
            "request-burst" | "permission-denied-burst" | "login-failure-burst"
        )),
        "detect_anomalies reports threshold rules only"
    );
    let burst = d2
        .iter()
        .find(|x| x.rule == "permission-denied-burst" && x.actor.is_some())
        .expect("burst");
    assert_eq!(
        burst.evidence.iter().map(|l| l.line).collect::<Vec<_>>(),
        [65, 67]
    );
}

#[test]
fn ops_agent_two_lines_without_trailing_newline() {
    let s = stats_of(&data("ops-agent-pr1950/input.log"));
    assert_eq!((s.lines, s.entries, s.bytes), (2, 2, 1256));
    assert_eq!((s.requests, s.responses), (1, 1));
    let c = load(&data("ops-agent-pr1950/input.log"));
    let e = &c.entries()[1];
    assert_eq!(e.location.line, 2);
    assert_eq!(e.path.as_deref(), Some("sys/audit/file"));
    assert_eq!(e.client_token.as_deref(), Some("hmac-sha256:aaaaa11111"));
    assert_eq!(e.mount_type.as_deref(), Some("system"));
    assert_eq!(c.entries()[0].display_name, None);
}

#[test]
fn datadog_pretty_printed_and_server_lines() {
    let text =
        std::fs::read_to_string(data("datadog-integrations-core/vault_tests.yaml")).expect("read");
    let doc: serde_norway::Value = serde_norway::from_str(&text).expect("yaml");
    let tests = doc["tests"].as_sequence().expect("tests");
    assert_eq!(tests.len(), 4);
    let samples: Vec<&str> = tests
        .iter()
        .map(|t| t["sample"].as_str().expect("sample"))
        .collect();
    for server_line in &samples[..3] {
        assert!(
            scan_record(server_line).is_err(),
            "server log line is not an audit entry: {server_line}"
        );
    }
    let r = scan_record(samples[3]).expect("pretty-printed audit entry");
    assert_eq!(r.request.path.as_deref(), Some("sys/policies/acl/admin"));
    assert_eq!(r.request.operation.as_deref(), Some("update"));
    assert_eq!(r.request.remote_address.as_deref(), Some("127.0.0.1"));
    assert_eq!(r.auth.display_name.as_deref(), Some("root"));

    // As a stream: server lines, then the pretty object, then an NDJSON line.
    let ndjson = std::fs::read_to_string(data("ops-agent-pr1950/input.log")).expect("read");
    let first = ndjson.lines().next().expect("line");
    let stream = format!("{}\n{}\n{}\n{first}\n", samples[0], samples[1], samples[3]);
    let s = super::stats_of_bytes(stream);
    assert_eq!(s.entries, 2);
    assert_eq!(s.malformed.count, 2);
    assert_eq!(
        s.malformed.first.iter().map(|m| m.line).collect::<Vec<_>>(),
        [1, 2]
    );
    assert_eq!(s.request_operations.get("update"), Some(&2));
    assert_eq!(s.lines, 3 + samples[3].lines().count() as u64);
}
