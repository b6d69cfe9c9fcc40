//! Real logs: a file audit device on OpenBao (vault-testkit), known operations, then parse.

use serde_json::json;
use vault_audit::{AuditLogCollection, EntryKind, find_value};
use vault_core::{SecretString, VaultClient};
use vault_testkit::OpenBao;

const PLANTED: &str = "Planted-Value-7f3a9c";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_openbao_log_is_parsed_and_hmac_lookup_finds_the_value() {
    let bao = OpenBao::dev().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("audit.log");
    bao.enable_file_audit("file", &log).await;
    bao.enable_kv_v2("kv2").await;
    let (st, _) = bao
        .api(
            "POST",
            "kv2/data/app/db",
            Some(json!({"data": {"password": PLANTED, "user": "app"}})),
        )
        .await;
    assert_eq!(st, 200);
    let (st, _) = bao.api("GET", "kv2/data/app/db", None).await;
    assert_eq!(st, 200);
    bao.write_policy(
        "readonly",
        r#"path "kv2/data/*" { capabilities = ["read"] }"#,
    )
    .await;
    let ro = bao.create_token(&["readonly"], "1h").await;
    let (st, _) = bao
        .api_as(
            &ro,
            "POST",
            "kv2/data/app/db",
            Some(json!({"data": {"x": "y"}})),
        )
        .await;
    assert_eq!(st, 403, "the denied write");
    let (st, _) = bao
        .api(
            "POST",
            "sys/auth/userpass",
            Some(json!({"type": "userpass"})),
        )
        .await;
    assert_eq!(st, 204);
    let (st, _) = bao
        .api(
            "POST",
            "auth/userpass/users/alice",
            Some(json!({"password": "alice-right-pw", "policies": "readonly"})),
        )
        .await;
    assert_eq!(st, 204);
    let (st, _) = bao
        .api_as(
            "",
            "POST",
            "auth/userpass/login/alice",
            Some(json!({"password": "wrong-pw"})),
        )
        .await;
    assert_eq!(st, 400, "failed login");
    let (st, _) = bao
        .api_as(
            "",
            "POST",
            "auth/userpass/login/alice",
            Some(json!({"password": "alice-right-pw"})),
        )
        .await;
    assert_eq!(st, 200);

    let c = AuditLogCollection::from_path(&log).expect("parse the real log");
    let s = c.statistics();
    assert_eq!(s.malformed.count, 0, "{:?}", s.malformed);
    assert_eq!(s.paired + s.unpaired_requests, s.requests);
    // Only the audit device's own start-up probe / enabling entries lack a partner.
    assert!(
        s.unpaired.iter().all(|u| u
            .path
            .as_deref()
            .is_some_and(|p| p.starts_with("sys/audit/"))),
        "{:?}",
        s.unpaired
    );
    let find = |kind: EntryKind, op: &[&str], path: &str| {
        c.iter()
            .filter(|e| {
                e.kind == kind
                    && e.path.as_deref() == Some(path)
                    && e.operation
                        .as_ref()
                        .is_some_and(|o| op.contains(&o.as_str()))
            })
            .collect::<Vec<_>>()
    };
    let writes = find(
        EntryKind::Response,
        &["create", "update"],
        "kv2/data/app/db",
    );
    assert_eq!(writes.len(), 2, "root write and denied write");
    assert!(
        writes[0].is_success() && writes[0].root_token,
        "{:?}",
        writes[0].display_name
    );
    assert!(!writes[1].root_token);
    assert!(writes[1].is_permission_denied(), "{:?}", writes[1].error);
    assert_eq!(writes[1].display_name.as_deref(), Some("token"));
    let reads = find(EntryKind::Response, &["read"], "kv2/data/app/db");
    assert_eq!(reads.len(), 1);
    assert!(reads[0].is_success());
    let logins = find(
        EntryKind::Response,
        &["update"],
        "auth/userpass/login/alice",
    );
    assert_eq!(logins.len(), 2);
    assert!(
        !logins[0].is_success() && !logins[0].issued_token,
        "failed login: {:?}",
        logins[0].error
    );
    assert!(logins[1].is_success() && logins[1].issued_token);
    assert_eq!(logins[1].issued_to.as_deref(), Some("userpass-alice"));
    assert_eq!((s.logins_ok, s.logins_failed), (1, 1));
    assert_eq!(
        c.filter_by_client_ip("127.0.0.0/8").expect("cidr").len(),
        c.len() - c.iter().filter(|e| e.remote_address.is_none()).count()
    );

    // HMAC lookup through the server's sys/audit-hash, never writing the plaintext.
    let raw = std::fs::read_to_string(&log).expect("read log");
    assert!(
        !raw.contains(PLANTED),
        "the audit log never holds the plaintext"
    );
    let client = VaultClient::builder()
        .with_address(bao.addr())
        .with_token(bao.root_token())
        .build()
        .expect("client");
    let (hmac, found) = find_value(&client, "file", &SecretString::new(PLANTED), &c)
        .await
        .expect("lookup");
    assert!(hmac.starts_with("hmac-sha256:") && !hmac.contains(PLANTED));
    let got: Vec<(EntryKind, String)> = found
        .iter()
        .map(|m| (m.kind, m.operation.clone().unwrap_or_default()))
        .collect();
    assert_eq!(
        got.len(),
        3,
        "write request + write response + read response: {found:?}"
    );
    assert_eq!(got[0].0, EntryKind::Request);
    assert_eq!(got[1].0, EntryKind::Response);
    assert_eq!(got[2], (EntryKind::Response, "read".to_string()));
    assert!(
        found
            .iter()
            .all(|m| m.path.as_deref() == Some("kv2/data/app/db"))
    );
    assert!(
        found[2]
            .fields
            .contains(&"/response/data/data/password".to_string()),
        "{:?}",
        found[2].fields
    );
    assert!(!format!("{found:?}").contains(PLANTED));
    // A wrong device name is a clear error without the plaintext.
    let err = find_value(&client, "nope", &SecretString::new(PLANTED), &c)
        .await
        .expect_err("no such device");
    assert!(!err.to_string().contains(PLANTED) && !format!("{err:?}").contains(PLANTED));
    let after = std::fs::read_to_string(&log).expect("read log");
    assert!(
        !after.contains(PLANTED),
        "the audit-hash call is HMAC'd in the log too"
    );
}
