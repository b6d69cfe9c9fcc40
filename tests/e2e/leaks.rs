//! A planted secret value must never appear in any output unless the command was asked to print
//! it (`kv get`, `kv tree --reveal`, `kv export`, `env`).

use serde_json::json;

use crate::support::World;

const PLANTED: &str = "PLANTED-zq9Xv7-secret-value";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn planted_secret_appears_only_when_asked_for() {
    let w = World::new().await;
    let put = w
        .vk(&["kv", "put", "secret/app/db", "user=etl", "password=-"])
        .stdin(PLANTED)
        .run()
        .await;
    put.ok();
    w.seed("secret/app/api", json!({"token": PLANTED})).await;
    let import = w.home().join("import.json");
    std::fs::write(
        &import,
        format!(r#"{{"db": {{"password": "{PLANTED}-new", "user": "etl"}}}}"#),
    )
    .expect("write");
    let import = import.to_str().expect("path").to_string();

    let quiet: Vec<Vec<&str>> = vec![
        vec!["status"],
        vec!["kv", "list", "secret/app"],
        vec!["kv", "tree", "secret"],
        vec!["kv", "tree", "secret", "--format", "json"],
        vec!["kv", "versions", "secret/app/db"],
        vec!["kv", "metadata", "get", "secret/app/db"],
        vec!["kv", "patch", "secret/app/db", "extra=1"],
        vec!["kv", "import", &import, "secret/app"],
        vec!["kv", "import", &import, "secret/app", "--apply"],
        vec!["kv", "get", "secret/app/db", "--field", "missing"],
        vec!["kv", "get", "-version=99", "secret/app/db"],
        vec!["kv", "put", "-cas=1", "secret/app/db", "password=x"],
        vec!["env", "-s", "X=secret/app/db#nokey"],
        vec![
            "exec",
            "-s",
            "DB_PASSWORD=secret/app/db#password",
            "--",
            "true",
        ],
        vec![
            "exec",
            "-s",
            "DB_PASSWORD=secret/app/db#password",
            "--",
            "sh",
            "-c",
            "exit 3",
        ],
        vec!["exec", "-s", "secret/app/api", "--", "/nonexistent"],
    ];
    for args in &quiet {
        let out = w.vk(args).run().await;
        assert!(
            !out.all().contains(PLANTED),
            "`vaultkit {}` printed the secret:\n{}",
            args.join(" "),
            out.all()
        );
    }
    // Errors when the secret value is where a name is expected, or a whole secret is bad input.
    let weird = w
        .vk(&["kv", "put", "secret/app/x", &format!("={PLANTED}")])
        .run()
        .await;
    weird.code(2);
    assert!(!weird.all().contains(PLANTED), "{}", weird.all());

    let loud: Vec<Vec<&str>> = vec![
        vec!["kv", "get", "secret/app/api"],
        vec!["kv", "get", "-field=token", "secret/app/api"],
        vec!["kv", "tree", "secret", "--reveal"],
        vec!["kv", "export", "secret/app"],
        vec!["env", "-s", "T=secret/app/api#token"],
    ];
    for args in &loud {
        let out = w.vk(args).run().await;
        out.ok();
        assert!(
            out.stdout.contains(PLANTED),
            "`vaultkit {}` should print the secret:\n{}",
            args.join(" "),
            out.stdout
        );
        assert!(
            !out.stderr.contains(PLANTED),
            "stderr of `vaultkit {}` has the secret",
            args.join(" ")
        );
    }
}
