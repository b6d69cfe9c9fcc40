//! Unit tests of the request pipeline over a mocked transport: headers, lazy login, the
//! dead-token decision and the re-login-once rule.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;

use super::{RetryPolicy, VaultClient};
use crate::transport::{MockTransport, VaultRequest, VaultResponse};
use crate::{AppRoleAuth, Method, VaultErrorKind};

type Log = Arc<Mutex<Vec<(String, String, Option<String>)>>>;

/// A mock transport whose answers come from `handler`; every request is logged as
/// (method, path, token header).
fn mock(
    handler: impl Fn(&VaultRequest, usize) -> VaultResponse + Send + Sync + 'static,
) -> (Arc<MockTransport>, Log) {
    let log: Log = Arc::default();
    let seen = log.clone();
    let mut m = MockTransport::new();
    m.expect_send().returning(move |req| {
        let mut l = seen.lock().expect("log lock");
        l.push((
            req.method.to_string(),
            req.path.clone(),
            req.header("X-Vault-Token").map(str::to_string),
        ));
        let n = l.len();
        drop(l);
        Ok(handler(req, n))
    });
    m.expect_address()
        .return_const("http://mock:8200".to_string());
    (Arc::new(m), log)
}

fn json_response(status: u16, body: serde_json::Value) -> VaultResponse {
    VaultResponse::new(
        status,
        http::HeaderMap::from_iter([(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        )]),
        body.to_string(),
    )
}

fn login_ok(token: &str) -> VaultResponse {
    json_response(
        200,
        json!({"auth": {"client_token": token, "accessor": "acc", "lease_duration": 3600, "renewable": true, "policies": ["default"]}}),
    )
}

fn denied(invalid_token: bool) -> VaultResponse {
    let msg = if invalid_token {
        "2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n"
    } else {
        "1 error occurred:\n\t* permission denied\n\n"
    };
    json_response(403, json!({ "errors": [msg] }))
}

fn secret() -> VaultResponse {
    json_response(
        200,
        json!({"request_id": "r", "data": {"password": "s3cr3t"}}),
    )
}

/// `client.read` of the secret every test reads.
async fn read_app(client: &VaultClient) -> Result<Option<crate::Envelope>, crate::VaultError> {
    client.read("secret/data/app").await
}

/// Put `token` in the client's slot as if generation `generation` of its logins had produced
/// it (a token with the `default` policy, lifetime unknown).
async fn plant(client: &VaultClient, token: &str, generation: u64) {
    let mut slot = client.inner.slot.lock().await;
    *slot = Some(super::token::TokenState {
        token: token.into(),
        generation,
        lease: None,
        increment: None,
        refreshed_at: std::time::Instant::now(),
        renewable: false,
        capped: false,
        may_lookup_self: true,
    });
    client.inner.publish(&slot);
}

fn approle_client(transport: Arc<MockTransport>) -> VaultClient {
    VaultClient::builder()
        .with_transport(transport)
        .with_auth(Arc::new(AppRoleAuth::new("role", "planted-secret-id")))
        .with_namespace("ns1")
        .with_retry(RetryPolicy {
            max_attempts: 2,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
        })
        .build()
        .expect("client")
}

/// An [`approle_client`] on a [`mock`] transport whose AppRole logins return `token` and whose
/// other requests are answered by `other`.
fn approle_mock(
    token: &'static str,
    other: impl Fn(&VaultRequest, usize) -> VaultResponse + Send + Sync + 'static,
) -> (VaultClient, Log) {
    let (t, log) = mock(move |req, n| {
        if req.path == "auth/approle/login" {
            login_ok(token)
        } else {
            other(req, n)
        }
    });
    (approle_client(t), log)
}

#[tokio::test]
async fn headers_and_lazy_login() {
    let seen_headers = Arc::new(Mutex::new(Vec::new()));
    let sh = seen_headers.clone();
    let (t, log) = mock(move |req, _| {
        if req.path == "auth/approle/login" {
            return login_ok("tok-1");
        }
        sh.lock().expect("lock").push(req.headers.clone());
        secret()
    });
    let client = approle_client(t);
    let env = read_app(&client).await.expect("read").expect("found");
    assert_eq!(
        env.data_as::<serde_json::Value>().expect("json")["password"],
        "s3cr3t"
    );
    let headers = seen_headers.lock().expect("lock")[0].clone();
    let has = |k: &str, v: &str| {
        headers
            .iter()
            .any(|(hk, hv)| hk.eq_ignore_ascii_case(k) && hv == v)
    };
    assert!(has("X-Vault-Token", "tok-1"));
    assert!(has("X-Vault-Namespace", "ns1"));
    assert!(has("X-Vault-Request", "true"));
    let log = log.lock().expect("lock");
    assert_eq!(log[0].1, "auth/approle/login");
    assert_eq!(log[0].2, None, "login carries no token");
    assert_eq!(client.stats().logins, 1);
}

#[tokio::test]
async fn invalid_token_triggers_one_relogin_and_a_replay() {
    let (t, log) = mock(
        |req, _| match (req.path.as_str(), req.header("X-Vault-Token")) {
            ("auth/approle/login", _) => login_ok("tok-new"),
            (_, Some("tok-old")) => denied(true),
            _ => secret(),
        },
    );
    let client = approle_client(t);
    // Plant an old token as if a previous login produced it.
    plant(&client, "tok-old", 1).await;
    let out = client
        .write("secret/data/app", json!({"data": {"a": 1}}))
        .await
        .expect("write after re-login");
    assert!(out.is_some());
    {
        let log = log.lock().expect("lock");
        let paths: Vec<&str> = log
            .iter()
            .map(|(_, p, _)| p.as_str())
            .filter(|p| *p != "auth/token/revoke-self")
            .collect();
        assert_eq!(
            paths,
            ["secret/data/app", "auth/approle/login", "secret/data/app"]
        );
        assert_eq!(
            log.iter()
                .rfind(|(_, p, _)| p == "secret/data/app")
                .and_then(|(_, _, t)| t.as_deref()),
            Some("tok-new")
        );
    }
    assert_eq!(client.stats().logins, 1);
    // The replaced token is revoked (in the background, with its own token).
    for _ in 0..100 {
        if log
            .lock()
            .expect("lock")
            .iter()
            .any(|(_, p, t)| p == "auth/token/revoke-self" && t.as_deref() == Some("tok-old"))
        {
            return;
        }
        tokio::task::yield_now().await;
    }
    panic!("the replaced token was not revoked");
}

#[tokio::test]
async fn relogin_happens_only_once() {
    let (client, log) = approle_mock("tok", |_, _| denied(true));
    let e = read_app(&client).await.expect_err("still denied");
    assert_eq!(e.kind(), VaultErrorKind::Authentication);
    let logins = log
        .lock()
        .expect("lock")
        .iter()
        .filter(|(_, p, _)| p == "auth/approle/login")
        .count();
    assert_eq!(logins, 2, "initial login + exactly one re-login");
}

#[tokio::test]
async fn permission_denied_with_a_live_token_is_a_permission_error() {
    let (t, log) = mock(|req, _| match req.path.as_str() {
        "auth/approle/login" => login_ok("tok"),
        "auth/token/lookup-self" => {
            json_response(200, json!({"data": {"ttl": 3000, "renewable": true}}))
        }
        _ => denied(false),
    });
    let client = approle_client(t);
    let e = client
        .read("secret/data/forbidden")
        .await
        .expect_err("denied");
    assert_eq!(e.kind(), VaultErrorKind::Permission);
    assert_eq!(e.path(), Some("secret/data/forbidden"));
    assert_eq!(client.stats().logins, 1, "no re-login for a live token");
    assert!(
        log.lock()
            .expect("lock")
            .iter()
            .any(|(_, p, _)| p == "auth/token/lookup-self")
    );
}

#[tokio::test]
async fn permission_denied_with_a_dead_token_relogs() {
    let (t, _log) = mock(
        |req, _| match (req.path.as_str(), req.header("X-Vault-Token")) {
            ("auth/approle/login", _) => login_ok("tok-2"),
            (_, Some("tok-2")) => secret(),
            _ => denied(false), // OpenBao style: only "permission denied", lookup-self too
        },
    );
    let client = approle_client(t);
    plant(&client, "tok-dead", 7).await;
    assert!(read_app(&client).await.expect("read").is_some());
    assert_eq!(client.stats().logins, 1);
}

#[tokio::test]
async fn token_only_client_reports_authentication_error() {
    let (t, log) = mock(|req, _| match req.path.as_str() {
        "auth/token/lookup-self" if req.header("X-Vault-Token") == Some("planted-static-token") => {
            json_response(403, json!({"errors": ["permission denied"]}))
        }
        _ => denied(true),
    });
    let client = VaultClient::builder()
        .with_transport(t)
        .with_token("planted-static-token")
        .with_retry(RetryPolicy::none())
        .build()
        .expect("client");
    assert!(!client.can_relogin());
    let e = read_app(&client).await.expect_err("dead token");
    assert_eq!(e.kind(), VaultErrorKind::InvalidToken);
    assert!(e.kind().is_authentication());
    let text = format!("{e} {e:?}");
    assert!(text.contains("cannot log in again"), "{text}");
    assert!(!text.contains("planted-static-token"), "{text}");
    assert!(!format!("{client:?}").contains("planted-static-token"));
    assert!(
        log.lock()
            .expect("lock")
            .iter()
            .all(|(_, p, _)| p != "auth/approle/login")
    );
}

#[tokio::test]
async fn not_found_and_missing_routes_are_told_apart() {
    let (t, _) = mock(|req, _| match (req.method, req.path.as_str()) {
        (_, "auth/approle/login") => login_ok("tok"),
        (_, "secret/data/none") => json_response(404, json!({"errors": []})),
        (Method::List, "secret/metadata/empty") => json_response(404, json!({"errors": []})),
        (Method::List, "secret/metadata/") => {
            json_response(200, json!({"data": {"keys": ["a", "b/"]}}))
        }
        (Method::Delete, _) => VaultResponse::new(204, http::HeaderMap::new(), ""),
        _ => json_response(
            404,
            json!({"errors": ["no handler for route \"nope/x\". route entry not found."]}),
        ),
    });
    let client = approle_client(t);
    assert!(client.read("secret/data/none").await.expect("ok").is_none());
    assert!(
        client
            .list("secret/metadata/empty")
            .await
            .expect("ok")
            .is_empty()
    );
    assert_eq!(
        client.list("secret/metadata/").await.expect("ok"),
        ["a", "b/"]
    );
    assert!(client.delete("secret/data/x").await.expect("ok").is_none());
    let e = client.read("nope/x").await.expect_err("no route");
    assert_eq!(e.kind(), VaultErrorKind::RouteNotFound);
    assert!(e.to_string().contains("no handler for route"), "{e}");
}

#[tokio::test]
async fn failed_approle_login_names_the_mount_and_hides_the_secret() {
    let (t, _) = mock(|_, _| json_response(400, json!({"errors": ["invalid role or secret ID"]})));
    let client = VaultClient::builder()
        .with_transport(t)
        .with_auth(Arc::new(
            AppRoleAuth::new("role", "planted-secret-id").with_mount("corp-approle"),
        ))
        .build()
        .expect("client");
    let e = client.read("secret/data/x").await.expect_err("login fails");
    assert_eq!(e.kind(), VaultErrorKind::Authentication);
    let text = format!("{e} {e:?}");
    assert!(
        text.contains("corp-approle") && text.contains("invalid role or secret ID"),
        "{text}"
    );
    assert!(!text.contains("planted-secret-id"), "{text}");
}

#[tokio::test]
async fn token_auth_learns_ttl_from_lookup_self() {
    let (t, _) = mock(|req, _| match req.path.as_str() {
        "auth/token/lookup-self" => json_response(
            200,
            json!({"data": {"ttl": 90, "creation_ttl": 120, "renewable": true}}),
        ),
        _ => secret(),
    });
    let client = VaultClient::builder()
        .with_transport(t)
        .with_token("tok")
        .build()
        .expect("client");
    client.read("secret/data/x").await.expect("read");
    let slot = client.inner.slot.lock().await;
    let state = slot.as_ref().expect("logged in");
    assert_eq!(state.lease, Some(Duration::from_secs(90)));
    assert_eq!(state.increment, Some(Duration::from_secs(120)));
    assert!(state.renewable);
}

#[tokio::test]
async fn dropping_the_client_releases_its_state() {
    let (client, _) = approle_mock("tok", |_, _| secret());
    read_app(&client).await.expect("read");
    // The login started the renewal task (a 3600 s renewable token): it must hold only a Weak.
    assert!(
        client
            .inner
            .renewal_started
            .load(std::sync::atomic::Ordering::SeqCst)
    );
    let weak = Arc::downgrade(&client.inner);
    let clone = client.clone();
    drop(client);
    assert!(weak.upgrade().is_some(), "a clone keeps the state alive");
    drop(clone);
    // Up to 60 s: the task ends at its next wake-up, however loaded the machine.
    for _ in 0..6000 {
        if weak.upgrade().is_none() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the renewal task kept the client alive");
}

/// Options only the built-in HTTP transport understands are refused next to a custom transport
/// instead of being ignored (a CA file silently dropped would weaken TLS without a word).
#[test]
fn http_only_options_with_a_custom_transport_are_config_errors() {
    let (t, _) = mock(|_, _| secret());
    let e = VaultClient::builder()
        .with_transport(t.clone())
        .with_token("t")
        .with_ca_cert_file("/etc/vault/ca.pem")
        .with_timeout(Duration::from_secs(3))
        .build()
        .expect_err("refused");
    assert_eq!(e.kind(), VaultErrorKind::Config);
    let text = e.to_string();
    assert!(
        text.contains("with_ca_cert_file") && text.contains("with_timeout"),
        "{text}"
    );
    let e = VaultClient::builder()
        .with_transport(t.clone())
        .with_token("t")
        .with_client_cert("/c.pem", "/k.pem")
        .build()
        .expect_err("refused");
    assert!(e.to_string().contains("with_client_cert"), "{e}");
    let e = VaultClient::builder()
        .with_transport(t.clone())
        .with_token("t")
        .with_ca_path("/etc/ssl/vault")
        .with_tls_server_name("vault.internal")
        .build()
        .expect_err("refused");
    let text = e.to_string();
    assert!(
        text.contains("with_ca_path") && text.contains("with_tls_server_name"),
        "{text}"
    );
    VaultClient::builder()
        .with_transport(t)
        .with_token("t")
        .build()
        .expect("a custom transport alone is fine");
}

/// A transport whose `renew-self` never answers until released; everything else answers at once.
#[derive(Debug, Default)]
struct SlowRenew {
    release: tokio::sync::Notify,
    seen: Mutex<Vec<String>>,
}

#[async_trait::async_trait]
impl crate::Transport for SlowRenew {
    async fn send(&self, request: &mut VaultRequest) -> Result<VaultResponse, crate::VaultError> {
        self.seen.lock().expect("lock").push(request.path.clone());
        match request.path.as_str() {
            "auth/approle/login" => {
                let n = self.seen.lock().expect("lock").len();
                Ok(json_response(
                    200,
                    json!({"auth": {"client_token": format!("tok-{n}"), "lease_duration": 30, "renewable": true, "policies": ["default"]}}),
                ))
            }
            "auth/token/renew-self" => {
                self.release.notified().await;
                Ok(json_response(
                    200,
                    json!({"auth": {"client_token": "x", "lease_duration": 30, "renewable": true}}),
                ))
            }
            _ => Ok(secret()),
        }
    }
    fn address(&self) -> String {
        "http://slow-renew".into()
    }
}

/// The renewal task used to hold the token lock while `renew-self` was on the wire (and while
/// it was retried), so a re-login from the request path waited for it. Now the lock is free
/// while the renewal is in flight, and a re-login goes through.
#[tokio::test(start_paused = true)]
async fn renewal_in_flight_does_not_hold_the_token_lock() {
    let transport = Arc::new(SlowRenew::default());
    let client = VaultClient::builder()
        .with_transport(transport.clone())
        .with_auth(Arc::new(AppRoleAuth::new("role", "sid")))
        .with_retry(RetryPolicy::none())
        .build()
        .expect("client");
    assert!(read_app(&client).await.expect("read").is_some());
    // Past ⅔ of the 30 s lease: the renewal task sends renew-self, which hangs.
    tokio::time::advance(Duration::from_secs(21)).await;
    for _ in 0..1000 {
        if transport
            .seen
            .lock()
            .expect("lock")
            .iter()
            .any(|p| p == "auth/token/renew-self")
        {
            break;
        }
        tokio::task::yield_now().await;
    }
    assert!(
        transport
            .seen
            .lock()
            .expect("lock")
            .iter()
            .any(|p| p == "auth/token/renew-self"),
        "the renewal did not start"
    );
    assert!(
        client.inner.slot.try_lock().is_ok(),
        "the token lock is held while renew-self is on the wire"
    );
    // A re-login from the request path completes while the renewal still hangs.
    let generation = client
        .inner
        .slot
        .lock()
        .await
        .as_ref()
        .map(|s| s.generation);
    client
        .inner
        .relogin(generation.expect("logged in"))
        .await
        .expect("re-login not blocked by the renewal");
    assert_eq!(client.stats().logins, 2);
    // The late renewal of the replaced token does not overwrite the new one.
    transport.release.notify_one();
    for _ in 0..100 {
        tokio::task::yield_now().await;
    }
    let slot = client.inner.slot.lock().await;
    assert_eq!(slot.as_ref().map(|s| s.generation), Some(2));
}
