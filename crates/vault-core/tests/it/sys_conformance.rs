//! The shipped `Transport` and `AuthMethod`s pass the conformance suites of the `testing`
//! feature against real OpenBao (feature crates run the same suites on their own implementations).

use vault_core::HttpTransport;
use vault_core::testing::{auth_method_suite, transport_suite};
use vault_core::{AppRoleAuth, TokenAuth};
use vault_testkit::OpenBao;

fn transport(bao: &OpenBao) -> HttpTransport {
    HttpTransport::builder()
        .with_address(bao.addr())
        .build()
        .expect("transport")
}

#[tokio::test]
async fn http_transport_passes_transport_suite() {
    let bao = OpenBao::dev().await;
    transport_suite(&transport(&bao), &bao.root_token()).await;
}

#[tokio::test]
async fn token_and_approle_pass_auth_method_suite() {
    let bao = OpenBao::dev().await;
    let t = transport(&bao);
    let token = bao.create_token(&["default"], "1h").await;
    auth_method_suite(&TokenAuth::new(token), &t, None).await;

    bao.write_policy(
        "reader",
        r#"path "secret/data/*" { capabilities = ["read"] }"#,
    )
    .await;
    let (role_id, secret_id) = bao.enable_approle("suite", &["reader"], "1h").await;
    auth_method_suite(&AppRoleAuth::new(role_id, secret_id), &t, None).await;
}

#[tokio::test]
async fn token_passes_auth_method_suite_inside_a_namespace() {
    let bao = OpenBao::dev().await;
    bao.create_namespace("team").await;
    let (status, body) = bao
        .api_in(
            "team",
            "POST",
            "auth/token/create",
            Some(serde_json::json!({"ttl": "1h"})),
        )
        .await;
    assert_eq!(status, 200, "create a token in namespace team: {body}");
    let token = body["auth"]["client_token"]
        .as_str()
        .expect("token")
        .to_string();
    auth_method_suite(&TokenAuth::new(token), &transport(&bao), Some("team")).await;
}
