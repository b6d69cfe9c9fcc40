//! `WebhookNotifier` against a small local receiver: the `Notifier` conformance suite in both
//! payload formats, the JSON and Slack payloads as received, extra headers, and errors that name
//! the status but never the token in the URL.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::{Value, json};
use vault_core::VaultErrorKind;
use vault_core::testing::notifier_suite;
use vault_core::{Notifier, NotifyMessage, NotifySeverity, WebhookFormat, WebhookNotifier};

/// One received request: path, `authorization` header, JSON body.
type Seen = Arc<Mutex<Vec<(String, Option<String>, Value)>>>;

/// A receiver on a loopback port: `/ok/{token}` answers 204, `/status/{code}/{token}` answers
/// `code`, `/slow/{token}` answers after 5 s.
async fn receiver() -> (String, Seen) {
    async fn handle(
        State(seen): State<Seen>,
        Path(rest): Path<String>,
        headers: HeaderMap,
        body: Bytes,
    ) -> StatusCode {
        let auth = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        seen.lock().expect("lock").push((rest.clone(), auth, json));
        let mut parts = rest.split('/');
        match parts.next() {
            Some("status") => {
                let code = parts.next().and_then(|c| c.parse().ok()).unwrap_or(500);
                StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            }
            Some("slow") => {
                tokio::time::sleep(Duration::from_secs(5)).await;
                StatusCode::OK
            }
            _ => StatusCode::NO_CONTENT,
        }
    }
    let seen: Seen = Arc::default();
    let app = Router::new()
        .route("/{*rest}", post(handle))
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), seen)
}

fn message() -> NotifyMessage {
    NotifyMessage::new(
        NotifySeverity::Critical,
        "backup failed",
        "S3 refused the upload",
    )
    .with_field("job", "nightly")
}

#[tokio::test]
async fn webhook_notifier_passes_the_notifier_suite_in_both_formats() {
    for format in [WebhookFormat::Json, WebhookFormat::SlackText] {
        let (base, seen) = receiver().await;
        let build = |path: &str| {
            WebhookNotifier::builder(format!(
                "{base}/{path}/planted-hook-token?sig=planted-query"
            ))
            .with_format(format)
            .with_header("Authorization", "Bearer planted-header-secret")
            .build()
            .expect("notifier")
        };
        let accepting = build("ok");
        let refusing = build("status/500");
        // What the accepting URL received: each request body as text.
        let received = move || -> Vec<String> {
            seen.lock()
                .expect("lock")
                .iter()
                .filter(|(path, _, _)| path.starts_with("ok/"))
                .map(|(_, _, body)| body.to_string())
                .collect()
        };
        notifier_suite(
            &accepting,
            &refusing,
            &received,
            &[
                "planted-hook-token",
                "planted-query",
                "planted-header-secret",
            ],
        )
        .await;
    }
}

#[tokio::test]
async fn json_payload_is_received_as_documented() {
    let (base, seen) = receiver().await;
    let notifier = WebhookNotifier::builder(format!("{base}/ok/planted-hook-token"))
        .with_header("Authorization", "Bearer planted-header-secret")
        .build()
        .expect("notifier");
    notifier.notify(&message()).await.expect("delivered");
    let seen = seen.lock().expect("lock").clone();
    assert_eq!(seen.len(), 1);
    let (path, auth, body) = &seen[0];
    assert_eq!(path, "ok/planted-hook-token");
    assert_eq!(auth.as_deref(), Some("Bearer planted-header-secret"));
    assert_eq!(
        body,
        &json!({"subject": "backup failed", "body": "S3 refused the upload", "severity": "critical",
                "fields": {"job": "nightly"}, "source": "vaultkit"})
    );
    assert_eq!(notifier.name(), "webhook");
    let debug = format!("{notifier:?}");
    assert!(!debug.contains("planted"), "{debug}");
}

#[tokio::test]
async fn slack_payload_is_received_as_text() {
    let (base, seen) = receiver().await;
    let notifier = WebhookNotifier::builder(format!("{base}/ok/T0/B0/planted"))
        .with_format(WebhookFormat::SlackText)
        .build()
        .expect("notifier");
    let shared: Arc<dyn Notifier> = Arc::new(notifier);
    shared.notify(&message()).await.expect("delivered");
    let body = seen.lock().expect("lock")[0].2.clone();
    assert_eq!(
        body,
        json!({"text": "*[CRITICAL] backup failed*\nS3 refused the upload\n• *job*: nightly"})
    );
}

#[tokio::test]
async fn non_2xx_names_the_status_and_hides_the_token() {
    let (base, _seen) = receiver().await;
    for (code, kind) in [
        (500, VaultErrorKind::Server),
        (404, VaultErrorKind::RouteNotFound),
        (403, VaultErrorKind::Permission),
        (400, VaultErrorKind::Validation),
        (429, VaultErrorKind::RateLimited),
    ] {
        let url = format!("{base}/status/{code}/planted-hook-token?sig=planted-query-secret");
        let notifier = WebhookNotifier::new(url).expect("notifier");
        let e = notifier
            .notify(&message())
            .await
            .expect_err("non-2xx must fail");
        assert_eq!((e.kind(), e.status()), (kind, Some(code)), "{e}");
        let shown = format!("{e} {e:?}");
        assert!(shown.contains(&format!("HTTP {code}")), "{shown}");
        assert!(shown.contains("/<redacted>"), "{shown}");
        for secret in ["planted-hook-token", "planted-query-secret", "status/"] {
            assert!(!shown.contains(secret), "{secret} leaked: {shown}");
        }
    }
}

#[tokio::test]
async fn unreachable_and_slow_receivers_are_connection_errors_without_the_token() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let notifier = WebhookNotifier::new(format!("http://127.0.0.1:{port}/hook/planted-hook-token"))
        .expect("notifier");
    let e = notifier
        .notify(&message())
        .await
        .expect_err("nothing listens");
    assert_eq!(e.kind(), VaultErrorKind::Connection, "{e}");
    let shown = format!("{e} {e:?}");
    assert!(!shown.contains("planted-hook-token"), "{shown}");

    let (base, _seen) = receiver().await;
    let notifier = WebhookNotifier::builder(format!("{base}/slow/planted-hook-token"))
        .with_timeout(Duration::from_millis(300))
        .build()
        .expect("notifier");
    let e = notifier.notify(&message()).await.expect_err("too slow");
    assert_eq!(e.kind(), VaultErrorKind::Connection, "{e}");
    let shown = format!("{e} {e:?}");
    assert!(shown.contains("did not answer in time"), "{shown}");
    assert!(!shown.contains("planted-hook-token"), "{shown}");
}
