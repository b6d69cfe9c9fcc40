//! A policy-limited token gets Permission errors that name the path.

use serde_json::json;
use vault_kv::{KvErrorKind, KvExt};

use crate::common::{client_for, server};

#[tokio::test]
async fn limited_token_gets_permission_errors_with_the_path() {
    let (bao, root) = server().await;
    root.write_secret("app/db", &json!({"user": "u"}), "secret")
        .await
        .expect("seed app");
    root.write_secret("billing/db", &json!({"user": "b"}), "secret")
        .await
        .expect("seed billing");
    bao.write_policy(
        "app-read",
        r#"
        path "secret/data/app/*" { capabilities = ["read"] }
        path "secret/metadata/app/*" { capabilities = ["read", "list"] }
        "#,
    )
    .await;
    let token = bao.create_token(&["app-read"], "1h").await;
    let client = client_for(&bao.addr(), &token);

    let ok = client
        .get_secret("app/db", "secret")
        .await
        .expect("allowed read");
    assert_eq!(ok.get_str("user"), Some("u"));

    let e = client
        .get_secret("billing/db", "secret")
        .await
        .expect_err("forbidden read");
    assert_eq!(e.kind(), KvErrorKind::Permission, "{e}");
    assert_eq!(e.path(), Some("secret/billing/db"));
    assert!(e.to_string().contains("secret/data/billing/db"), "{e}");

    let e = client
        .write_secret("app/db", &json!({"user": "x"}), "secret")
        .await
        .expect_err("forbidden write");
    assert_eq!(e.kind(), KvErrorKind::Permission, "{e}");
    assert!(
        e.to_string()
            .starts_with("write `secret/app/db`: permission denied"),
        "{e}"
    );

    let e = client
        .kv2("secret")
        .destroy_versions("app/db", &[1])
        .await
        .expect_err("forbidden destroy");
    assert_eq!(e.kind(), KvErrorKind::Permission, "{e}");
}
