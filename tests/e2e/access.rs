use serde_json::json;

use crate::support::{Cmd, World, golden};

const POLICY_TOML: &str = r#"
name = "ignored-by-write"

[[rules]]
path = "secret/data/bike-data-flow/*"
capabilities = ["read", "list"]
description = "the pipeline reads its secrets"

[[rules]]
path = "secret/metadata/bike-data-flow/*"
capabilities = ["list"]
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policy_render_write_read_list_delete() {
    let w = World::new().await;
    let toml = w.home().join("pipeline.toml");
    std::fs::write(&toml, POLICY_TOML).expect("write");
    let render = w
        .vk_anon(&["policy", "render", toml.to_str().expect("path")])
        .run()
        .await;
    render.ok();
    golden::check("policy_render", &render.stdout);

    let yaml = w.home().join("pipeline.yaml");
    std::fs::write(
        &yaml,
        "name: p\nrules:\n  - path: secret/data/x\n    capabilities: [read]\n",
    )
    .expect("write");
    let rendered = w
        .vk_anon(&["policy", "render", yaml.to_str().expect("path")])
        .run()
        .await;
    assert!(
        rendered.stdout.contains("path \"secret/data/x\""),
        "{}",
        rendered.stdout
    );

    w.vk(&[
        "policy",
        "write",
        "bike-pipeline",
        toml.to_str().expect("path"),
    ])
    .run()
    .await
    .ok();
    let hcl = w.home().join("raw.hcl");
    std::fs::write(
        &hcl,
        "path \"secret/data/raw\" {\n  capabilities = [\"read\"]\n}\n",
    )
    .expect("write");
    w.vk(&["policy", "write", "raw", hcl.to_str().expect("path")])
        .run()
        .await
        .ok();
    w.vk(&["policy", "write", "from-stdin", "-"])
        .stdin("path \"sys/health\" { capabilities = [\"read\"] }")
        .run()
        .await
        .ok();

    let read = w.vk(&["policy", "read", "bike-pipeline"]).run().await;
    read.ok();
    assert_eq!(read.stdout, render.stdout);
    let list = w
        .vk(&["policy", "list", "--format", "json"])
        .run()
        .await
        .json();
    assert_eq!(
        list,
        json!(["bike-pipeline", "default", "from-stdin", "raw", "root"])
    );
    let list_table = w.vk(&["policy", "list"]).run().await;
    golden::check("policy_list", &list_table.stdout);

    w.vk(&["policy", "delete", "raw"]).run().await.ok();
    w.vk(&["policy", "read", "raw"])
        .run()
        .await
        .code(3)
        .one_line_error();

    let bad = w.home().join("bad.toml");
    std::fs::write(
        &bad,
        "name = \"x\"\n[[rules]]\npath = \"secret/*\"\ncapabilities = [\"fly\"]\n",
    )
    .expect("write");
    let err = w
        .vk_anon(&["policy", "render", bad.to_str().expect("path")])
        .run()
        .await;
    err.code(6).one_line_error();
    assert!(err.stderr.contains("bad.toml"), "{}", err.stderr);
    w.vk_anon(&["policy", "render", hcl.to_str().expect("path")])
        .run()
        .await
        .code(2)
        .one_line_error();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn permission_denied_and_bad_tokens_are_exit_4() {
    let w = World::new().await;
    w.seed("secret/bike-data-flow/database", json!({"password": "p"}))
        .await;
    w.seed("secret/finance/ledger", json!({"k": "v"})).await;
    w.bao
        .write_policy(
            "bike",
            r#"path "secret/data/bike-data-flow/*" { capabilities = ["read"] }"#,
        )
        .await;
    let token = w.bao.create_token(&["bike"], "1h").await;
    let as_bike = |args: &[&str]| {
        Cmd::new(w.home(), args)
            .env("VAULT_ADDR", &w.bao.addr())
            .env("VAULT_TOKEN", &token)
    };

    let ok = as_bike(&[
        "kv",
        "get",
        "-field=password",
        "secret/bike-data-flow/database",
    ])
    .run()
    .await;
    ok.ok();
    assert_eq!(ok.stdout, "p\n");
    let denied = as_bike(&["kv", "get", "secret/finance/ledger"]).run().await;
    denied.code(4).one_line_error();
    assert!(
        denied.stderr.contains("secret/finance/ledger"),
        "{}",
        denied.stderr
    );
    as_bike(&["policy", "list"])
        .run()
        .await
        .code(4)
        .one_line_error();

    let invalid = Cmd::new(w.home(), &["kv", "get", "secret/bike-data-flow/database"])
        .env("VAULT_ADDR", &w.bao.addr())
        .env("VAULT_TOKEN", "not-a-real-token")
        .run()
        .await;
    invalid.code(4).one_line_error();
    assert!(
        !invalid.stderr.contains("not-a-real-token"),
        "the token is never echoed"
    );
    // No credentials at all.
    let none = w.vk_anon(&["kv", "get", "secret/x"]).run().await;
    none.code(4).one_line_error();
    assert!(none.stderr.contains("vaultkit login"), "{}", none.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_with_token_and_approle_stores_only_when_asked() {
    let w = World::new().await;
    w.seed("secret/bike-data-flow/api-keys", json!({"weather": "wk-9"}))
        .await;
    w.bao
        .write_policy(
            "bike",
            r#"path "secret/data/bike-data-flow/*" { capabilities = ["read"] }"#,
        )
        .await;
    let token_file = w.home().join(".vault-token");

    // Token login from stdin, not stored: the token is not printed and no file appears.
    let login = w.vk_anon(&["login"]).stdin(&w.bao.root_token()).run().await;
    login.ok();
    assert!(
        !login.all().contains(&w.bao.root_token()),
        "token printed:\n{}",
        login.all()
    );
    assert!(login.stdout.contains("token_policies"), "{}", login.stdout);
    assert!(!token_file.exists());
    // --field token prints it because it was asked for.
    let field = w
        .vk_anon(&["login", "--field", "token"])
        .stdin(&w.bao.root_token())
        .run()
        .await;
    assert_eq!(field.stdout.trim(), w.bao.root_token());

    // AppRole: role id from the environment, secret id from a file; --store writes ~/.vault-token.
    let (role_id, secret_id) = w.bao.enable_approle("pipeline", &["bike"], "1h").await;
    let sid = w.home().join("secret-id");
    std::fs::write(&sid, &secret_id).expect("write");
    let approle = w
        .vk_anon(&[
            "login",
            "--method",
            "approle",
            "--secret-id-file",
            sid.to_str().expect("path"),
            "--store",
        ])
        .env("VAULT_ROLE_ID", &role_id)
        .run()
        .await;
    approle.ok();
    assert!(!approle.all().contains(&secret_id), "secret id printed");
    let stored = std::fs::read_to_string(&token_file).expect("token stored");
    assert!(
        !stored.is_empty() && !approle.all().contains(stored.trim()),
        "new token printed"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&token_file)
                .expect("meta")
                .permissions()
                .mode()
                & 0o777,
            0o600
        );
    }
    // Later commands use ~/.vault-token when VAULT_TOKEN is not set.
    let read = w
        .vk_anon(&[
            "kv",
            "get",
            "-field=weather",
            "secret/bike-data-flow/api-keys",
        ])
        .run()
        .await;
    read.ok();
    assert_eq!(read.stdout, "wk-9\n");
    let status = w.vk_anon(&["status", "--field", "credentials"]).run().await;
    assert_eq!(status.stdout, "~/.vault-token\n");

    // A wrong secret id: exit 4, one line, no secret in it.
    std::fs::write(&sid, "wrong-secret-id-value").expect("write");
    let bad = w
        .vk_anon(&[
            "login",
            "-method=approle",
            "--secret-id-file",
            sid.to_str().expect("path"),
        ])
        .env("VAULT_ROLE_ID", &role_id)
        .run()
        .await;
    bad.code(4).one_line_error();
    assert!(!bad.stderr.contains("wrong-secret-id-value"));
    w.vk_anon(&["login", "--method", "approle"])
        .run()
        .await
        .code(2)
        .one_line_error();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubernetes_login_and_profile() {
    let w = World::new().await;
    let reviewer = vault_testkit::TokenReviewer::start().await;
    w.seed("secret/app", json!({"k": "from-k8s"})).await;
    w.bao
        .write_policy(
            "app-read",
            r#"path "secret/data/app" { capabilities = ["read"] }"#,
        )
        .await;
    w.bao
        .enable_kubernetes_auth(&reviewer, "app", "app-sa", "prod", &["app-read"])
        .await;
    let jwt = w.home().join("sa-token");
    std::fs::write(&jwt, reviewer.issue_jwt("prod", "app-sa")).expect("write jwt");
    let j = jwt.to_str().expect("path");

    let login = w
        .vk_anon(&[
            "login",
            "-m",
            "kubernetes",
            "--role",
            "app",
            "--jwt-path",
            j,
            "--format",
            "json",
        ])
        .run()
        .await;
    login.ok();
    assert!(
        login.json()["token_policies"]
            .as_array()
            .is_some_and(|p| p.iter().any(|x| x == "app-read")),
        "{}",
        login.stdout
    );

    // A profile that logs in with Kubernetes on its own, for every command.
    let dir = w.home().join(".config/vaultkit");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(
        dir.join("config.toml"),
        format!("[profiles.k8s]\naddress = \"{}\"\nauth = {{ method = \"kubernetes\", role = \"app\", jwt_path = \"{j}\" }}\n", w.bao.addr()),
    )
    .expect("write config");
    let get = Cmd::new(
        w.home(),
        &["--profile", "k8s", "kv", "get", "-field=k", "secret/app"],
    )
    .run()
    .await;
    get.ok();
    assert_eq!(get.stdout, "from-k8s\n");

    // A JWT the cluster never issued: exit 4.
    std::fs::write(
        &jwt,
        vault_testkit::TokenReviewer::start()
            .await
            .issue_jwt("prod", "app-sa"),
    )
    .expect("write jwt");
    w.vk_anon(&[
        "login",
        "-m",
        "kubernetes",
        "--role",
        "app",
        "--jwt-path",
        j,
    ])
    .run()
    .await
    .code(4)
    .one_line_error();
}
