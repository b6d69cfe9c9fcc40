//! The CLI side of the Python module's contract: credential precedence (`VAULT_TOKEN` wins over
//! `VAULT_ROLE_ID` + `VAULT_SECRET_ID`, as in Vault's CLI and docs/cli.md — every combination),
//! connection errors that name the user's operation and path in one plain sentence, and help
//! that shows only what a command uses.

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

/// A port nothing listens on (bound, then released).
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

#[tokio::test]
async fn connection_errors_name_the_operation_and_path_plainly() {
    let home = tempfile::tempdir().expect("home");
    let addr = format!("http://127.0.0.1:{}", closed_port());
    let cases: [(&[&str], &str); 5] = [
        (&["kv", "get", "secret/app/db"], "read `secret/app/db`"),
        (&["kv", "tree", "secret"], "list `secret/`"),
        (
            &["kv", "put", "secret/app/db", "k=v"],
            "write `secret/app/db`",
        ),
        (&["kv", "list", "secret/app"], "list `secret/app`"),
        (
            &["kv", "metadata", "get", "secret/app/db"],
            "`secret/app/db`",
        ),
    ];
    for (args, names) in cases {
        let out = Cmd::new(home.path(), args)
            .env("VAULT_ADDR", &addr)
            .env("VAULT_TOKEN", "planted-token")
            .run()
            .await;
        out.code(5).one_line_error();
        let err = out.stderr.trim();
        assert!(err.contains(names), "{args:?}: {err}");
        assert!(err.contains("Connection refused"), "{args:?}: {err}");
        assert_eq!(
            err.matches("connection error").count(),
            1,
            "{args:?}: {err}"
        );
        for noise in [
            "sys/internal/ui/mounts",
            "error sending request",
            "client error (Connect)",
            "tcp connect error",
        ] {
            assert!(!err.contains(noise), "{args:?} shows `{noise}`: {err}");
        }
        assert!(!err.contains("planted-token"));
    }
}

#[tokio::test]
async fn offline_audit_help_lists_no_vault_connection_flags() {
    let home = tempfile::tempdir().expect("home");
    for args in [
        &["audit", "stats", "--help"][..],
        &["audit", "anomalies", "--help"],
        &["migrate", "scan", "--help"],
    ] {
        let out = Cmd::new(home.path(), args).run().await;
        out.ok();
        for flag in ["--address", "--namespace", "--ca-cert", "--tls-skip-verify"] {
            assert!(
                !out.stdout.contains(flag),
                "{args:?} lists {flag}:\n{}",
                out.stdout
            );
        }
        assert!(out.stdout.contains("Arguments:"), "{}", out.stdout);
    }
    let kv = Cmd::new(home.path(), &["kv", "get", "--help"]).run().await;
    kv.ok();
    assert!(kv.stdout.contains("--address"), "{}", kv.stdout);
}
