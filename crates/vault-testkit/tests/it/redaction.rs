//! Tokens, keys and JWTs never appear in logs, `Debug` output or helper panics.

use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;
use vault_testkit::{OpenBao, TokenReviewer};

async fn panic_message(future: impl std::future::Future<Output = ()>) -> String {
    let payload = AssertUnwindSafe(future)
        .catch_unwind()
        .await
        .expect_err("the helper panics");
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .expect("a string panic message")
}

#[tokio::test]
async fn dev_log_debug_and_helper_panics_hide_the_root_token_and_unseal_key() {
    let bao = OpenBao::dev().await;
    let token = bao.root_token();
    let key = bao.unseal_key().expect("dev unseal key");
    let log = bao.log();
    assert!(
        log.contains("Root Token: ***"),
        "the banner is there, redacted: {log}"
    );
    for text in [log, format!("{bao:?}")] {
        assert!(!text.contains(&token) && !text.contains(&key), "{text}");
    }
    let message = panic_message(bao.write_policy("broken", "this is { not hcl")).await;
    assert!(message.contains("HTTP 400"), "{message}");
    assert!(message.contains("server log"), "{message}");
    assert!(
        !message.contains(&token) && !message.contains(&key),
        "{message}"
    );
}

#[tokio::test]
async fn raft_log_and_debug_hide_the_root_token() {
    let bao = OpenBao::raft().await;
    let token = bao.root_token();
    let key = bao.unseal_key().expect("key");
    for text in [bao.log(), format!("{bao:?}")] {
        assert!(!text.contains(&token) && !text.contains(&key), "{text}");
    }
}

#[tokio::test]
async fn token_reviewer_debug_hides_issued_jwts() {
    let reviewer = TokenReviewer::start().await;
    let jwt = reviewer.issue_jwt("ns", "sa");
    let debug = format!("{reviewer:?}");
    assert!(debug.contains("issued: 1"), "{debug}");
    assert!(
        !debug.contains(&jwt) && !debug.contains(jwt.split('.').nth(1).expect("payload")),
        "{debug}"
    );
}
