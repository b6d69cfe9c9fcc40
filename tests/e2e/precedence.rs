//! Credential precedence: `VAULT_TOKEN` wins over `VAULT_ROLE_ID` + `VAULT_SECRET_ID`, as in
//! Vault's CLI and docs/cli.md — every combination of the three variables.

use serde_json::json;

use crate::support::{Cmd, World};

#[tokio::test]
async fn vault_token_wins_over_approle_in_every_combination() {
    let w = World::new().await;
    w.seed("secret/tok/x", json!({"who": "token"})).await;
    w.seed("secret/app/x", json!({"who": "approle"})).await;
    w.bao
        .write_policy(
            "tok",
            r#"path "secret/data/tok/*" { capabilities = ["read"] }"#,
        )
        .await;
    w.bao
        .write_policy(
            "app",
            r#"path "secret/data/app/*" { capabilities = ["read"] }"#,
        )
        .await;
    let token = w.bao.create_token(&["tok"], "1h").await;
    let (role_id, secret_id) = w.bao.enable_approle("app", &["app"], "1h").await;

    for has_token in [false, true] {
        for has_role in [false, true] {
            for has_secret in [false, true] {
                let with = |args: &[&str]| {
                    let mut c: Cmd = w.vk_anon(args);
                    if has_token {
                        c = c.env("VAULT_TOKEN", &token);
                    }
                    if has_role {
                        c = c.env("VAULT_ROLE_ID", &role_id);
                    }
                    if has_secret {
                        c = c.env("VAULT_SECRET_ID", &secret_id);
                    }
                    c
                };
                let combo = format!("token={has_token} role={has_role} secret={has_secret}");
                let tok = with(&["kv", "get", "-field=who", "secret/tok/x"])
                    .run()
                    .await;
                let app = with(&["kv", "get", "-field=who", "secret/app/x"])
                    .run()
                    .await;
                if has_token {
                    // The token is used, whatever AppRole variables are also set.
                    tok.ok();
                    assert_eq!(tok.stdout.trim(), "token", "{combo}");
                    app.code(4);
                } else if has_role && has_secret {
                    app.ok();
                    assert_eq!(app.stdout.trim(), "approle", "{combo}");
                    tok.code(4);
                } else {
                    // No usable credentials: a clear permission error, exit 4.
                    tok.code(4).one_line_error();
                    app.code(4);
                }
                assert!(
                    !format!("{}{}", tok.all(), app.all()).contains(&secret_id),
                    "{combo}: secret id printed"
                );
            }
        }
    }
}
