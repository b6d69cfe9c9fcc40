//! Kubernetes auth against a real server whose `kubernetes` method posts TokenReviews to the
//! testkit's responder: login, the JWT file re-read at every login, and clear errors.

use std::sync::Arc;

use serde_json::json;
use vault_core::{KubernetesAuth, VaultClient, VaultErrorKind};
use vault_testkit::{OpenBao, TokenReviewer};

use crate::client_common::{SECRET_RW, accessor_of_login, fast_retry};

async fn setup() -> (OpenBao, TokenReviewer, tempfile::TempDir) {
    let bao = OpenBao::dev().await;
    let reviewer = TokenReviewer::start().await;
    bao.write_policy("secret-rw", SECRET_RW).await;
    bao.enable_kubernetes_auth(&reviewer, "pipeline", "etl", "data", &["secret-rw"])
        .await;
    (bao, reviewer, tempfile::tempdir().expect("temp dir"))
}

fn client(bao: &OpenBao, auth: KubernetesAuth) -> VaultClient {
    VaultClient::builder()
        .with_address(bao.addr())
        .with_auth(Arc::new(auth))
        .with_retry(fast_retry(2))
        .build()
        .expect("client")
}

#[tokio::test]
async fn kubernetes_login_rereads_the_jwt_at_each_login() {
    let (bao, reviewer, dir) = setup().await;
    let jwt_path = dir.path().join("token");
    let first = reviewer.issue_jwt("data", "etl");
    std::fs::write(&jwt_path, &first).expect("write jwt");

    let client = client(
        &bao,
        KubernetesAuth::new("pipeline").with_jwt_path(&jwt_path),
    );
    assert_eq!(client.auth_method(), "kubernetes");
    client
        .write("secret/data/k8s", json!({"data": {"k": "v"}}))
        .await
        .expect("write after kubernetes login");
    assert_eq!(client.stats().logins, 1);
    let reviews = reviewer.review_count();
    assert!(reviews >= 1, "OpenBao asked the TokenReview endpoint");

    // The kubelet rotates the projected token: the old one is no longer valid.
    let second = reviewer.issue_jwt("data", "etl");
    reviewer.revoke(&first);
    std::fs::write(&jwt_path, &second).expect("rotate jwt");
    // The Vault token dies; the client logs in again with the rotated JWT from the file.
    let accessor = accessor_of_login(&bao, "auth/kubernetes/login").await;
    let (status, body) = bao
        .api(
            "POST",
            "auth/token/revoke-accessor",
            Some(json!({ "accessor": accessor })),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    assert!(
        client
            .read("secret/data/k8s")
            .await
            .expect("read after re-login")
            .is_some()
    );
    assert_eq!(client.stats().logins, 2);
    assert!(reviewer.review_count() > reviews);
}

#[tokio::test]
async fn kubernetes_failures_name_what_to_check() {
    let (bao, reviewer, dir) = setup().await;

    // A service account the role does not bind.
    let jwt_path = dir.path().join("other-sa");
    std::fs::write(&jwt_path, reviewer.issue_jwt("data", "intruder")).expect("write jwt");
    let e = client(
        &bao,
        KubernetesAuth::new("pipeline").with_jwt_path(&jwt_path),
    )
    .read("secret/data/k8s")
    .await
    .expect_err("unbound service account");
    assert_eq!(e.kind(), VaultErrorKind::Authentication, "{e}");
    let text = e.to_string();
    assert!(
        text.contains("kubernetes") && text.contains("pipeline"),
        "{text}"
    );

    // A JWT file that does not exist.
    let missing = dir.path().join("missing");
    let e = client(
        &bao,
        KubernetesAuth::new("pipeline").with_jwt_path(&missing),
    )
    .read("secret/data/k8s")
    .await
    .expect_err("no JWT file");
    assert_eq!(e.kind(), VaultErrorKind::Authentication, "{e}");
    assert!(
        e.to_string().contains(&missing.display().to_string()),
        "{e}"
    );

    // A mount that does not exist.
    std::fs::write(&jwt_path, reviewer.issue_jwt("data", "etl")).expect("write jwt");
    let e = client(
        &bao,
        KubernetesAuth::new("pipeline")
            .with_jwt_path(&jwt_path)
            .with_mount("k8s-missing"),
    )
    .read("secret/data/k8s")
    .await
    .expect_err("no such mount");
    assert_eq!(e.kind(), VaultErrorKind::Authentication, "{e}");
    assert!(e.to_string().contains("k8s-missing"), "{e}");
}
