//! The first-hour defects of issue 14 (section 2, items 2, 5, 7 and 9): what a new user meets
//! with `kv get/put/import`, against a real OpenBao dev server.

use serde_json::json;

use crate::support::World;

/// Item 2: a mount that does not exist is "no such mount" (exit 3) with the root token, both
/// possibilities (exit 4) with a token that may not read the mount table; an API-style path
/// (`secret/data/app/db`) gets a hint.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_mount_and_an_api_style_path_are_explained() {
    let w = World::new().await;
    w.seed("secret/app/db", json!({"user": "etl"})).await;

    let out = w.vk(&["kv", "get", "app/db"]).run().await;
    out.code(3).one_line_error();
    assert!(
        out.stderr
            .contains("no such mount `app`; the KV mounts are `secret`"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("permission denied"), "{}", out.stderr);

    w.bao
        .write_policy(
            "app-only",
            r#"path "secret/data/app/*" { capabilities = ["read"] }"#,
        )
        .await;
    let token = w.bao.create_token(&["app-only"], "1h").await;
    let out = w
        .vk(&["kv", "get", "app/db"])
        .env("VAULT_TOKEN", &token)
        .run()
        .await;
    out.code(4).one_line_error();
    assert!(
        out.stderr.contains(
            "no such mount `app`, or the token's policies grant nothing under it; \
             the KV mounts this token can see are `secret`"
        ),
        "{}",
        out.stderr
    );

    let out = w.vk(&["kv", "get", "secret/data/app/db"]).run().await;
    out.code(3).one_line_error();
    assert!(
        out.stderr
            .contains("did you mean `secret/app/db`? vaultkit adds `data/` itself"),
        "{}",
        out.stderr
    );
    let out = w
        .vk(&["kv", "put", "secret/data/app/other", "k=v"])
        .run()
        .await;
    out.ok();
    assert!(
        out.stderr.contains("did you mean `secret/app/other`?"),
        "{}",
        out.stderr
    );
}

/// Item 5: `cas_required` names the CLI's flag and the version to pass, never the library's
/// `with_cas(n)`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cas_required_names_the_cli_flag_and_the_current_version() {
    let w = World::new().await;
    w.seed("secret/app/db", json!({"user": "etl"})).await;
    w.vk(&[
        "kv",
        "metadata",
        "put",
        "--cas-required",
        "true",
        "secret/app/db",
    ])
    .run()
    .await
    .ok();
    let out = w
        .vk(&["kv", "put", "secret/app/db", "user=etl2"])
        .run()
        .await;
    out.code(6).one_line_error();
    assert!(out.stderr.contains("`-cas=1`"), "{}", out.stderr);
    assert!(!out.stderr.contains("with_cas"), "{}", out.stderr);
    w.vk(&["kv", "put", "-cas=1", "secret/app/db", "user=etl2"])
        .run()
        .await
        .ok();

    // The mount-wide setting: a new secret needs -cas=0.
    let (status, body) = w
        .bao
        .api("POST", "secret/config", Some(json!({"cas_required": true})))
        .await;
    assert!(status < 300, "{body}");
    let out = w.vk(&["kv", "put", "secret/new", "k=v"]).run().await;
    out.code(6).one_line_error();
    assert!(out.stderr.contains("`-cas=0`"), "{}", out.stderr);
    let out = w
        .vk(&["kv", "put", "-cas=0", "secret/app/db", "k=v"])
        .run()
        .await;
    out.code(6).one_line_error();
    assert!(out.stderr.contains("`-cas=2`"), "{}", out.stderr);
}

/// Item 7: `key=@file` and `key=-` drop exactly one trailing newline, `key=@@file` keeps every
/// byte, and an empty value from stdin or a file is refused unless `--allow-empty`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_and_stdin_values_agree_and_empty_ones_are_refused() {
    let w = World::new().await;
    let file = w.home().join("pw.txt");
    std::fs::write(&file, "hunter2\n").expect("pw");
    let at = format!("from_file=@{}", file.display());
    let exact = format!("exact=@@{}", file.display());
    w.vk(&["kv", "put", "secret/v", &at, &exact, "from_stdin=-"])
        .stdin("hunter2\n")
        .run()
        .await
        .ok();
    let v = w
        .vk(&["kv", "get", "--format", "json", "secret/v"])
        .run()
        .await
        .json();
    assert_eq!(v["data"]["from_file"], "hunter2");
    assert_eq!(v["data"]["from_stdin"], "hunter2");
    assert_eq!(v["data"]["exact"], "hunter2\n");

    // `printf '%s' "$UNSET" | vaultkit kv put … password=-`
    let out = w
        .vk(&["kv", "put", "secret/empty", "password=-"])
        .stdin("")
        .run()
        .await;
    out.code(6).one_line_error();
    assert!(out.stderr.contains("--allow-empty"), "{}", out.stderr);
    let empty = w.home().join("empty.txt");
    std::fs::write(&empty, "\n").expect("empty");
    let at_empty = format!("password=@{}", empty.display());
    w.vk(&["kv", "put", "secret/empty", &at_empty])
        .run()
        .await
        .code(6)
        .one_line_error();
    w.vk(&["kv", "get", "secret/empty"]).run().await.code(3);

    w.vk(&["kv", "put", "--allow-empty", "secret/empty", "password=-"])
        .stdin("")
        .run()
        .await
        .ok();
    let v = w
        .vk(&["kv", "get", "--format", "json", "secret/empty"])
        .run()
        .await
        .json();
    assert_eq!(v["data"]["password"], "");
}

/// Item 9: `kv import --apply` prints a summary, not one row per key; rows with `-v` (and on the
/// dry run); `-q` prints nothing at all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_apply_prints_a_summary_rows_only_with_verbose_nothing_with_quiet() {
    let w = World::new().await;
    w.seed("secret/imp/same", json!({"k": "v"})).await;
    let mut secrets = serde_json::Map::new();
    secrets.insert("same".into(), json!({"k": "v"}));
    for i in 0..40 {
        secrets.insert(format!("s{i}"), json!({"user": "u", "password": "p"}));
    }
    let file = w.home().join("import.json");
    std::fs::write(&file, serde_json::Value::Object(secrets).to_string()).expect("file");
    let f = file.to_str().expect("path");

    let dry = w.vk(&["kv", "import", f, "secret/imp"]).run().await;
    dry.ok();
    assert!(
        dry.stdout.lines().count() > 80,
        "dry run shows every key:\n{}",
        dry.stdout
    );

    let applied = w
        .vk(&["kv", "import", f, "secret/imp", "--apply"])
        .run()
        .await;
    applied.ok();
    assert_eq!(applied.stdout, "", "no per-key rows on apply");
    assert_eq!(
        applied.stderr.trim_end(),
        "Imported into secret/imp: 40 secret(s) written, 1 unchanged, 0 conflict(s), \
         0 skipped (changed in Vault meanwhile)"
    );

    let verbose = w
        .vk(&["kv", "import", f, "secret/imp", "--apply", "-v"])
        .run()
        .await;
    verbose.ok();
    assert!(
        verbose.stdout.contains("secret/imp/s7") && verbose.stdout.contains("unchanged"),
        "-v shows the rows:\n{}",
        verbose.stdout
    );
    assert!(
        verbose.stderr.contains("0 secret(s) written, 41 unchanged"),
        "{}",
        verbose.stderr
    );

    let quiet = w
        .vk(&["kv", "import", f, "secret/imp", "--apply", "-q"])
        .run()
        .await;
    quiet.ok();
    assert_eq!((quiet.stdout.as_str(), quiet.stderr.as_str()), ("", ""));
}
