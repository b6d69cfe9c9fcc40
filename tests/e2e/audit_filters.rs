//! The `audit filter` options select exactly the entries they promise, from a fixture whose
//! entries are known by id: `--since` (inclusive), `--until` (exclusive), `--client-ip` (address or
//! network, IPv4 and IPv6), `--actor` (display name, entity id or accessor), `--in-namespace`
//! (`root`, with or without a trailing `/`), `--succeeded` / `--failed`, combinations, and `-`
//! for a log on stdin. No server is needed.

use serde_json::{Value, json};

use crate::support::Cmd;

/// id, time, client address, (display name, entity id, accessor), namespace path, error.
type Row = (
    &'static str,
    &'static str,
    &'static str,
    (Option<&'static str>, Option<&'static str>, &'static str),
    Option<&'static str>,
    Option<&'static str>,
);

const ROWS: [Row; 6] = [
    (
        "e1",
        "2026-11-28T08:00:00Z",
        "10.0.0.5",
        (Some("alice"), None, "hmac-sha256:acc1"),
        None,
        None,
    ),
    (
        "e2",
        "2026-11-28T09:30:00Z",
        "10.0.1.7",
        (Some("bob"), None, "hmac-sha256:acc2"),
        Some("team-a/"),
        Some("1 error occurred:\n\t* permission denied\n\n"),
    ),
    (
        "e3",
        "2026-11-28T10:00:00Z",
        "192.168.1.20",
        (None, Some("ent-123"), "hmac-sha256:acc3"),
        None,
        None,
    ),
    (
        "e4",
        "2026-11-28T11:59:59.999Z",
        "10.0.0.5",
        (Some("alice"), None, "hmac-sha256:acc4"),
        Some("team-b/"),
        Some("internal error"),
    ),
    (
        "e5",
        "2026-11-28T12:00:00Z",
        "2001:db8::7",
        (None, None, "hmac-sha256:acc5"),
        Some("team-a/"),
        None,
    ),
    (
        "e6",
        "2026-11-28T13:00:00Z",
        "10.200.3.4",
        (Some("bob"), None, "hmac-sha256:acc6"),
        None,
        None,
    ),
];

/// The fixture as OpenBao's file device writes it: one JSON object per line.
fn fixture() -> String {
    let mut log = String::new();
    for (id, time, ip, (name, entity, accessor), ns, error) in ROWS {
        let mut auth = json!({"accessor": accessor, "client_token": "hmac-sha256:tok",
            "policies": ["default"], "token_type": "service"});
        if let Some(n) = name {
            auth["display_name"] = json!(n);
        }
        if let Some(e) = entity {
            auth["entity_id"] = json!(e);
        }
        let namespace = match ns {
            Some(p) => json!({"id": format!("ns-{p}"), "path": p}),
            None => json!({"id": "root"}),
        };
        let mut entry = json!({
            "time": time,
            "type": "request",
            "auth": auth,
            "request": {"id": id, "operation": "read", "path": format!("secret/data/{id}"),
                "remote_address": ip, "namespace": namespace, "mount_type": "kv"},
        });
        if let Some(e) = error {
            entry["error"] = json!(e);
        }
        log.push_str(&entry.to_string());
        log.push('\n');
    }
    log
}

/// The request ids `vaultkit audit filter LOG ARGS --format json` prints, in order.
async fn ids(home: &std::path::Path, log: &str, args: &[&str], stdin: Option<&str>) -> Vec<String> {
    let mut all = vec!["audit", "filter", log];
    all.extend(args);
    all.extend(["--format", "json"]);
    let mut cmd = Cmd::new(home, &all);
    if let Some(s) = stdin {
        cmd = cmd.stdin(s);
    }
    let out = cmd.run().await;
    out.ok();
    let v: Value = out.json();
    v.as_array()
        .unwrap_or_else(|| panic!("an array: {v}"))
        .iter()
        .map(|e| {
            e["request_id"]
                .as_str()
                .unwrap_or_else(|| panic!("request_id in {e}"))
                .to_string()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_filters_select_exactly_the_expected_entries() {
    let home = tempfile::tempdir().expect("home");
    let log = home.path().join("audit.log");
    std::fs::write(&log, fixture()).expect("write fixture");
    let l = log.to_str().expect("path");

    let cases: &[(&[&str], &[&str])] = &[
        (&[], &["e1", "e2", "e3", "e4", "e5", "e6"]),
        // --since is inclusive, --until exclusive.
        (
            &["--since", "2026-11-28T10:00:00Z"],
            &["e3", "e4", "e5", "e6"],
        ),
        (
            &["--until", "2026-11-28T12:00:00Z"],
            &["e1", "e2", "e3", "e4"],
        ),
        (
            &[
                "--since",
                "2026-11-28T09:00:00Z",
                "--until",
                "2026-11-28T12:00:00Z",
            ],
            &["e2", "e3", "e4"],
        ),
        // Another offset, same instant: 11:00+01:00 is 10:00Z.
        (
            &["--since", "2026-11-28T11:00:00+01:00"],
            &["e3", "e4", "e5", "e6"],
        ),
        (&["--client-ip", "10.0.0.5"], &["e1", "e4"]),
        (&["--client-ip", "10.0.0.0/16"], &["e1", "e2", "e4"]),
        (&["--client-ip", "2001:db8::/32"], &["e5"]),
        (&["--client-ip", "172.16.0.0/12"], &[]),
        (&["--actor", "alice"], &["e1", "e4"]),
        (&["--actor", "ent-123"], &["e3"]),
        (&["--actor", "hmac-sha256:acc1"], &["e1"]),
        (&["--actor", "hmac-sha256:acc5"], &["e5"]),
        (&["--actor", "ali"], &[]),
        (&["--in-namespace", "team-a"], &["e2", "e5"]),
        (&["--in-namespace", "team-a/"], &["e2", "e5"]),
        (&["--in-namespace", "root"], &["e1", "e3", "e6"]),
        (&["--succeeded"], &["e1", "e3", "e5", "e6"]),
        (&["--failed"], &["e2", "e4"]),
        (&["--actor", "bob", "--succeeded"], &["e6"]),
        (
            &[
                "--in-namespace",
                "team-a",
                "--since",
                "2026-11-28T10:00:00Z",
            ],
            &["e5"],
        ),
        (&["--client-ip", "10.0.0.0/8", "--failed"], &["e2", "e4"]),
    ];
    for (args, expected) in cases {
        let got = ids(home.path(), l, args, None).await;
        assert_eq!(got, *expected, "audit filter {}", args.join(" "));
    }

    // `-`: the log on stdin, same selection.
    let text = fixture();
    let got = ids(home.path(), "-", &["--client-ip", "10.0.0.5"], Some(&text)).await;
    assert_eq!(got, ["e1", "e4"]);
    let got = ids(home.path(), "-", &[], Some(&text)).await;
    assert_eq!(got.len(), ROWS.len());
    let stats = Cmd::new(home.path(), &["audit", "stats", "-", "--format", "json"])
        .stdin(&text)
        .run()
        .await;
    stats.ok();
    let s = stats.json();
    assert_eq!(s["requests"], 6, "{s}");
    assert_eq!(s["errors"], 2, "{s}");
    assert_eq!(s["permission_denied"], 1, "{s}");

    // The same filters on `search` and `tail --from-start` are the same code; one check each.
    let search = Cmd::new(
        home.path(),
        &[
            "audit",
            "search",
            l,
            "secret/data",
            "--actor",
            "alice",
            "--format",
            "jsonl",
        ],
    )
    .run()
    .await;
    search.ok();
    let found: Vec<String> = search
        .stdout
        .lines()
        .map(|line| {
            let v: Value = serde_json::from_str(line).expect("JSON line");
            v["request_id"].as_str().expect("request_id").to_string()
        })
        .collect();
    assert_eq!(found, ["e1", "e4"]);
}
