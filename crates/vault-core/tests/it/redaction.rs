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
        vault_core::transport::HttpTransport::builder()
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
