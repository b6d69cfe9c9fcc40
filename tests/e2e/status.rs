use crate::support::{Cmd, World, golden};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_in_every_format() {
    let w = World::new().await;
    let out = w.vk(&["status"]).run().await;
    out.ok();
    golden::check("status", &golden::normalize(&out.stdout, &w.bao.addr()));

    let json = w.vk(&["status", "--format", "json"]).run().await;
    json.ok();
    let v = json.json();
    assert_eq!(v["sealed"], false);
    assert_eq!(v["initialized"], true);
    assert_eq!(v["status"], "active");
    assert_eq!(v["credentials"], "VAULT_TOKEN");

    let yaml = w.vk(&["status", "--format", "yaml"]).run().await;
    yaml.ok();
    let y: serde_json::Value = serde_norway::from_str(&yaml.stdout).expect("YAML");
    assert_eq!(y["address"], w.bao.addr());

    // VAULT_FORMAT like Vault's CLI, and Vault's single-dash spelling of flags.
    let env_fmt = w.vk(&["status"]).env("VAULT_FORMAT", "json").run().await;
    assert_eq!(env_fmt.json()["sealed"], false);
    let field = w.vk(&["status", "-field=sealed"]).run().await;
    field.ok();
    assert_eq!(field.stdout, "false\n");

    // No token needed for status.
    w.vk_anon(&["status"]).run().await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_server_is_exit_5_with_one_line() {
    let home = tempfile::tempdir().expect("tmp");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let out = Cmd::new(home.path(), &["kv", "get", "secret/app"])
        .env("VAULT_ADDR", &format!("http://127.0.0.1:{port}"))
        .env("VAULT_TOKEN", "t")
        .run()
        .await;
    out.code(5).one_line_error();
    assert!(
        out.stderr.contains(&format!("127.0.0.1:{port}")),
        "{}",
        out.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sealed_server_is_exit_5() {
    let w = World::new().await;
    w.bao.seal().await;
    let out = w.vk(&["status", "--format", "json"]).run().await;
    out.code(5);
    assert_eq!(out.json()["sealed"], true);
    let out = w.vk(&["kv", "get", "secret/app"]).run().await;
    out.code(5).one_line_error();
    assert!(
        out.stderr.to_lowercase().contains("sealed"),
        "{}",
        out.stderr
    );
}
