//! Planted secrets never appear in `Debug`/`Display` of the config, the client, tokens or errors.

use std::sync::Arc;

use vault_core::{
    AppRoleAuth, AuthMethod, AuthToken, TokenAuth, VaultClient, VaultConnectionConfig,
};
use vault_testkit::OpenBao;

const PLANTED_SECRET_ID: &str = "planted-secret-id-9c2f71";
const PLANTED_TOKEN: &str = "hvs.planted-token-4b8e0d";

fn assert_clean(what: &str, text: &str) {
    for planted in [PLANTED_SECRET_ID, PLANTED_TOKEN] {
        assert!(
            !text.contains(planted),
            "{what} shows a planted secret: {text}"
        );
    }
}

#[tokio::test]
async fn planted_secrets_never_print() {
    let bao = OpenBao::dev().await;
    let (role_id, _) = bao.enable_approle("app", &["default"], "1h").await;

    let config = VaultConnectionConfig::from_env_with(|name| match name {
        "VAULT_ADDR" => Some(bao.addr()),
        "VAULT_ROLE_ID" => Some(role_id.clone()),
        "VAULT_SECRET_ID" => Some(PLANTED_SECRET_ID.into()),
        "VAULT_TOKEN" => Some(PLANTED_TOKEN.into()),
        _ => None,
    })
    .expect("config");
    assert_clean("config Debug", &format!("{config:?} {config:#?}"));

    let client = VaultClient::from_config(&config).expect("client");
    assert_clean("client Debug", &format!("{client:?} {client:#?}"));

    // A failed AppRole login (the planted secret_id is wrong): the error stays clean.
    let e = client
        .read("secret/data/x")
        .await
        .expect_err("wrong secret_id");
    assert_clean(
        "login error",
        &format!("{e} {e:?} {:?}", std::error::Error::source(&e)),
    );

    let auth = AppRoleAuth::new("r", PLANTED_SECRET_ID);
    assert_clean("AppRoleAuth Debug", &format!("{auth:?}"));
    let token_auth = TokenAuth::new(PLANTED_TOKEN);
    assert_clean("TokenAuth Debug", &format!("{token_auth:?}"));
    let transport: Arc<dyn vault_core::Transport> = Arc::new(
        vault_core::HttpTransport::builder()
            .with_address(bao.addr())
            .build()
            .expect("transport"),
    );
    let token: AuthToken = token_auth
        .login(transport.as_ref(), None)
        .await
        .expect("static token");
    assert_eq!(token.token.expose(), PLANTED_TOKEN);
    assert_clean("AuthToken Debug", &format!("{token:?}"));

    // A token-only client whose token the server rejects.
    let static_client = VaultClient::builder()
        .with_address(bao.addr())
        .with_token(PLANTED_TOKEN)
        .build()
        .expect("client");
    assert_clean("static client Debug", &format!("{static_client:?}"));
    let e = static_client
        .read("secret/data/x")
        .await
        .expect_err("unknown token");
    assert_clean("rejected token error", &format!("{e} {e:?}"));
}

/// Collects everything the tracing subscriber writes.
#[derive(Clone, Default)]
struct Capture(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn trace_logs_never_show_credentials_or_tokens() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let bao = OpenBao::dev().await;
    let (role_id, _) = bao.enable_approle("app", &["default"], "1h").await;
    let (status, body) = bao
        .api(
            "POST",
            "auth/approle/role/app/custom-secret-id",
            Some(serde_json::json!({ "secret_id": PLANTED_SECRET_ID })),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    let client = VaultClient::builder()
        .with_address(bao.addr())
        .with_auth(Arc::new(AppRoleAuth::new(role_id, PLANTED_SECRET_ID)))
        .build()
        .expect("client");
    client
        .read("cubbyhole/none")
        .await
        .expect("read with a planted secret_id");
    let root = VaultClient::builder()
        .with_address(bao.addr())
        .with_token(bao.root_token())
        .build()
        .expect("client");
    root.write(
        "secret/data/x",
        serde_json::json!({"data": {"password": "planted-password-77"}}),
    )
    .await
    .expect("write");
    root.read("secret/data/x").await.expect("read");

    let logs = String::from_utf8_lossy(&capture.0.lock().expect("lock")).into_owned();
    assert!(
        logs.contains("vault.request"),
        "the capture saw no request spans:\n{logs}"
    );
    for planted in [
        PLANTED_SECRET_ID,
        bao.root_token().as_str(),
        "planted-password-77",
    ] {
        assert!(
            !logs.contains(planted),
            "a secret reached the logs: {planted}\n{logs}"
        );
    }
}
