//! Hostile inputs against vault-core (issue 10): one test per item, each of which failed before
//! its fix. docs/security.md lists them.

use serde_json::json;
use vault_core::{Method, VaultErrorKind, VaultRequest, VaultResponse};

use crate::client_redirect::{Redirect, client_for, fake_node};

const PLANTED: &str = "hvs.PLANTED-token-must-never-show";

/// Item 5: a 307 to another host (here: another loopback port) must not carry the token or the
/// body there. Before the fix reqwest followed it and the second listener got `X-Vault-Token`.
#[tokio::test]
async fn redirect_to_another_host_is_refused_without_sending_the_token() {
    let (elsewhere, seen_elsewhere) = fake_node(Redirect::Never).await;
    let (node, seen_node) = fake_node(Redirect::To(elsewhere.clone())).await;
    let client = client_for(&node, PLANTED.into());

    let e = client
        .write("secret/data/app", json!({"data": {"password": "hunter2"}}))
        .await
        .expect_err("cross-origin redirect");
    let text = e.to_string();
    assert_eq!(e.kind(), VaultErrorKind::Server, "{text}");
    let host = |a: &str| a.trim_start_matches("http://").to_string();
    assert!(text.contains(&host(&node)), "names the origin: {text}");
    assert!(text.contains(&host(&elsewhere)), "names the target: {text}");
    assert!(!text.contains(PLANTED), "{text}");

    let writes = seen_node
        .lock()
        .expect("lock")
        .iter()
        .filter(|(_, p, _, _)| p == "/v1/secret/data/app")
        .count();
    assert_eq!(writes, 1, "sent once, not retried");
    let got = seen_elsewhere.lock().expect("lock");
    assert!(
        got.is_empty(),
        "the other host received {} request(s); token sent: {}",
        got.len(),
        got.iter()
            .any(|(_, _, h, _)| h.get("x-vault-token").is_some())
    );
}

/// Item 6: `Debug` of requests and responses shows header names, never values or bodies.
/// Before the fix both were derived and printed the token.
#[test]
fn debug_of_requests_and_responses_hides_tokens_and_bodies() {
    let request = VaultRequest::new(Method::Post, "auth/token/create")
        .with_header("X-Vault-Token", PLANTED)
        .with_query("wrap", PLANTED)
        .with_json(json!({"password": PLANTED}));
    let text = format!("{request:?} {request:#?}");
    assert!(!text.contains("PLANTED"), "{text}");
    assert!(
        text.contains("X-Vault-Token") && text.contains("auth/token/create"),
        "{text}"
    );

    let body = format!(r#"{{"auth":{{"client_token":"{PLANTED}"}}}}"#);
    let response = VaultResponse::new(
        200,
        vec![("x-vault-wrap-token".into(), PLANTED.into())],
        body.clone(),
    );
    let text = format!("{response:?} {response:#?}");
    assert!(!text.contains("PLANTED"), "{text}");
    assert!(text.contains("x-vault-wrap-token"), "{text}");
    assert!(
        text.contains(&body.len().to_string()),
        "body length shown: {text}"
    );
}

/// Item 11: `.`/`..` segments (plain or percent-encoded) never reach the server. Before the fix
/// `secret/../sys/seal-status` was collapsed by URL building into `/v1/sys/seal-status`.
#[tokio::test]
async fn dot_segments_are_refused_before_anything_is_sent() {
    let (node, seen) = fake_node(Redirect::Never).await;
    let client = client_for(&node, PLANTED.into());
    for path in [
        "secret/../sys/seal-status",
        "../sys/seal-status",
        "secret/%2e%2e/sys/seal-status",
        "secret/.%2E/sys/seal-status",
        "secret/./data/x",
        "..",
    ] {
        let e = client.read(path).await.expect_err(path);
        assert_eq!(e.kind(), VaultErrorKind::Validation, "{path}: {e}");
        assert!(e.to_string().contains("`..`"), "{e}");
        let e = client
            .write(path, json!({"data": {"k": "v"}}))
            .await
            .expect_err(path);
        assert_eq!(e.kind(), VaultErrorKind::Validation, "{path}: {e}");
    }
    let e = client.list("../sys/policies/acl").await.expect_err("list");
    assert_eq!(e.kind(), VaultErrorKind::Validation, "{e}");
    // The client may check its token (`auth/token/lookup-self`); nothing else may be sent.
    let sent = || -> Vec<String> {
        seen.lock()
            .expect("lock")
            .iter()
            .map(|(_, p, _, _)| p.clone())
            .filter(|p| p != "/v1/auth/token/lookup-self")
            .collect()
    };
    assert!(
        sent().is_empty(),
        "nothing may reach the server: {:?}",
        sent()
    );
    // A name that merely contains dots is fine.
    client
        .read("secret/data/..env")
        .await
        .expect("dots inside a name");
    assert_eq!(sent(), ["/v1/secret/data/..env"]);
}

/// Answers every request 200 with a fixed body (a server sending something unexpected).
#[derive(Debug)]
struct FixedAnswer(String);

#[async_trait::async_trait]
impl vault_core::Transport for FixedAnswer {
    async fn send(&self, _: VaultRequest) -> Result<VaultResponse, vault_core::VaultError> {
        Ok(VaultResponse::new(200, vec![], self.0.clone()))
    }
    fn address(&self) -> String {
        "http://fixed.invalid".into()
    }
}

/// Item 16: a body of the wrong shape is reported by category and position, never quoted.
/// Before the fix: `answer is not Vault's JSON envelope: invalid type: string "hvs.PLANTED…"`.
#[tokio::test]
async fn unexpected_json_bodies_are_not_quoted_in_errors() {
    for body in [
        format!(r#"{{"lease_duration":"{PLANTED}"}}"#),
        format!(r#"{{"renewable":"{PLANTED}"}}"#),
        format!(r#"{{"data":{{}}, "{PLANTED}"#),
    ] {
        let client = vault_core::VaultClient::builder()
            .with_transport(std::sync::Arc::new(FixedAnswer(body.clone())))
            .with_token("t")
            .build()
            .expect("client");
        let e = client.read("secret/data/x").await.expect_err(&body);
        let text = format!("{e} {e:?}");
        assert!(!text.contains("PLANTED"), "{text}");
        assert!(text.contains("line 1 column"), "{text}");
    }
}
