//! Kubernetes auth against the `TokenReviewer`.

use serde_json::json;
use vault_testkit::{OpenBao, TokenReviewer};

#[tokio::test]
async fn kubernetes_login_with_an_issued_jwt() {
    let bao = OpenBao::dev().await;
    let reviewer = TokenReviewer::start().await;
    bao.write_policy(
        "app-read",
        r#"path "secret/data/app" { capabilities = ["read"] }"#,
    )
    .await;
    bao.enable_kubernetes_auth(&reviewer, "app", "app-sa", "prod", &["app-read"])
        .await;
    let jwt = reviewer.issue_jwt("prod", "app-sa");

    let (status, body) = bao
        .api_as(
            "",
            "POST",
            "auth/kubernetes/login",
            Some(json!({"role": "app", "jwt": jwt})),
        )
        .await;
    assert_eq!(status, 200, "{body}\n{}", bao.log_tail(20));
    let auth = &body["auth"];
    assert!(
        auth["client_token"].as_str().is_some_and(|t| !t.is_empty()),
        "{body}"
    );
    assert!(
        auth["policies"]
            .as_array()
            .expect("policies")
            .contains(&json!("app-read")),
        "{body}"
    );
    assert_eq!(auth["metadata"]["service_account_namespace"], "prod");
    assert_eq!(auth["metadata"]["service_account_name"], "app-sa");
    assert_eq!(reviewer.review_count(), 1);
}

#[tokio::test]
async fn kubernetes_login_rejects_unknown_revoked_and_unbound_tokens() {
    let bao = OpenBao::dev().await;
    let reviewer = TokenReviewer::start().await;
    bao.enable_kubernetes_auth(&reviewer, "app", "app-sa", "prod", &["default"])
        .await;
    let login = |jwt: String| {
        let bao = &bao;
        async move {
            bao.api_as(
                "",
                "POST",
                "auth/kubernetes/login",
                Some(json!({"role": "app", "jwt": jwt})),
            )
            .await
        }
    };

    // Same shape, but not issued by the reviewer: the TokenReview says not authenticated.
    let other = TokenReviewer::start().await;
    let (status, body) = login(other.issue_jwt("prod", "app-sa")).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(reviewer.review_count(), 1);

    // Issued, then revoked (deleted service account).
    let jwt = reviewer.issue_jwt("prod", "app-sa");
    assert_eq!(login(jwt.clone()).await.0, 200);
    reviewer.revoke(&jwt);
    assert_eq!(login(jwt).await.0, 403);

    // Issued for a service account the role is not bound to: rejected before any review.
    let before = reviewer.review_count();
    let (status, body) = login(reviewer.issue_jwt("prod", "someone-else")).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(reviewer.review_count(), before);

    // Not a JWT at all.
    let (status, body) = login("not-a-jwt".to_string()).await;
    assert!(status == 400 || status == 403, "{status} {body}");
}

#[tokio::test]
async fn reviewer_answers_like_the_api_server() {
    let reviewer = TokenReviewer::start().await;
    let jwt = reviewer.issue_jwt("ns1", "sa1");
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let url = format!(
        "{}/apis/authentication.k8s.io/v1/tokenreviews",
        reviewer.addr()
    );
    let review = json!({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": {"token": jwt}});

    let unauthenticated = client
        .post(&url)
        .json(&review)
        .send()
        .await
        .expect("answer");
    assert_eq!(unauthenticated.status(), 401);

    let answer = client
        .post(&url)
        .bearer_auth("caller")
        .json(&review)
        .send()
        .await
        .expect("answer");
    assert_eq!(answer.status(), 201);
    let body: serde_json::Value = answer.json().await.expect("json");
    assert_eq!(body["status"]["authenticated"], true);
    assert_eq!(
        body["status"]["user"]["username"],
        "system:serviceaccount:ns1:sa1"
    );
    assert!(
        body["status"]["user"]["groups"]
            .as_array()
            .expect("groups")
            .contains(&json!("system:serviceaccounts:ns1"))
    );

    let unknown = json!({"spec": {"token": "x.y.z"}});
    let answer = client
        .post(&url)
        .bearer_auth("caller")
        .json(&unknown)
        .send()
        .await
        .expect("answer");
    let body: serde_json::Value = answer.json().await.expect("json");
    assert_eq!(body["status"]["authenticated"], false);
}
