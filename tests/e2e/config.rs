use serde_json::json;

use crate::support::{Cmd, World};

fn write_config(w: &World, text: &str) {
    let dir = w.home().join(".config/vaultkit");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("config.toml"), text).expect("write config");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profiles_and_precedence_flags_env_file() {
    let w = World::new().await;
    w.seed("secret/app", json!({"k": "v"})).await;
    let dead = "http://127.0.0.1:9";
    let token_file = w.home().join("prod-token");
    std::fs::write(&token_file, w.bao.root_token()).expect("token file");
    write_config(
        &w,
        &format!(
            "default_profile = \"broken\"\n\
             [profiles.broken]\naddress = \"{dead}\"\n\
             [profiles.prod]\naddress = \"{}\"\nformat = \"json\"\nauth = {{ method = \"token\", token_file = \"{}\" }}\n",
            w.bao.addr(),
            token_file.display()
        ),
    );
    let base = |args: &[&str]| Cmd::new(w.home(), args);

    // The named profile gives address, token and format.
    let prod = base(&["kv", "get", "secret/app", "--profile", "prod"])
        .run()
        .await;
    prod.ok();
    assert_eq!(prod.json()["data"]["k"], "v");
    let env_profile = base(&["kv", "get", "secret/app"])
        .env("VAULTKIT_PROFILE", "prod")
        .run()
        .await;
    assert_eq!(env_profile.json()["data"]["k"], "v");
    // The default profile points at a dead address: exit 5.
    base(&["status"]).run().await.code(5);
    // env beats file ...
    base(&["status"])
        .env("VAULT_ADDR", &w.bao.addr())
        .run()
        .await
        .ok();
    // ... and flags beat env.
    base(&["status", "--address", &w.bao.addr()])
        .env("VAULT_ADDR", dead)
        .run()
        .await
        .ok();
    base(&["status", "--address", dead])
        .env("VAULT_ADDR", &w.bao.addr())
        .run()
        .await
        .code(5);
    // --format beats the profile's format; VAULT_FORMAT beats it too.
    let table = base(&[
        "kv",
        "get",
        "secret/app",
        "--profile",
        "prod",
        "--format",
        "table",
    ])
    .run()
    .await;
    assert!(table.stdout.contains("== Data =="), "{}", table.stdout);
    let yaml = base(&["kv", "get", "secret/app", "--profile", "prod"])
        .env("VAULT_FORMAT", "yaml")
        .run()
        .await;
    assert!(yaml.stdout.contains("data:"), "{}", yaml.stdout);
    // VAULT_TOKEN beats the profile's token file.
    base(&["kv", "get", "secret/app", "--profile", "prod"])
        .env("VAULT_TOKEN", "bogus")
        .run()
        .await
        .code(4);

    let unknown = base(&["status", "--profile", "staging"]).run().await;
    unknown.code(2).one_line_error();
    assert!(
        unknown.stderr.contains("broken, prod"),
        "{}",
        unknown.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_file_location_and_errors() {
    let w = World::new().await;
    // XDG_CONFIG_HOME is honoured.
    let xdg = w.home().join("xdg");
    std::fs::create_dir_all(xdg.join("vaultkit")).expect("mkdir");
    std::fs::write(
        xdg.join("vaultkit/config.toml"),
        format!("[profiles.local]\naddress = \"{}\"\n", w.bao.addr()),
    )
    .expect("write");
    Cmd::new(w.home(), &["status", "--profile", "local"])
        .env("XDG_CONFIG_HOME", xdg.to_str().expect("path"))
        .run()
        .await
        .ok();
    // --config names a file explicitly; a missing one is an error.
    let explicit = xdg.join("vaultkit/config.toml");
    Cmd::new(
        w.home(),
        &[
            "status",
            "--profile",
            "local",
            "--config",
            explicit.to_str().expect("path"),
        ],
    )
    .run()
    .await
    .ok();
    Cmd::new(
        w.home(),
        &["status", "--config", "/nonexistent/config.toml"],
    )
    .run()
    .await
    .code(3)
    .one_line_error();
    // A typo is a usage error naming file and line.
    write_config(&w, "[profiles.a]\nadress = \"x\"\n");
    let typo = Cmd::new(w.home(), &["status"]).run().await;
    typo.code(2).one_line_error();
    assert!(
        typo.stderr.contains("config.toml` line 2"),
        "{}",
        typo.stderr
    );
}
