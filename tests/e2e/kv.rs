use serde_json::json;

use crate::support::{World, golden};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn put_get_in_every_input_form_and_format() {
    let w = World::new().await;
    let pem = w.home().join("key.pem");
    std::fs::write(&pem, "-----BEGIN KEY-----\nabc\n-----END KEY-----\n").expect("pem");
    let obj = w.home().join("extra.json");
    std::fs::write(&obj, r#"{"port": "5432"}"#).expect("json");

    let put = w
        .vk(&[
            "kv",
            "put",
            "-mount=secret",
            "app/db",
            "user=etl",
            "password=-",
            &format!("tls_key=@{}", pem.display()),
            &format!("@{}", obj.display()),
        ])
        .stdin("s3cr3t value\n")
        .run()
        .await;
    put.ok();
    assert!(
        put.stderr
            .contains("Success! Data written to: secret/app/db"),
        "{}",
        put.stderr
    );
    assert!(put.stdout.contains("version        1"), "{}", put.stdout);

    // -q: no confirmation on stderr, the data still on stdout.
    let quiet = w
        .vk(&["kv", "put", "-q", "secret/quiet", "k=v"])
        .run()
        .await;
    quiet.ok();
    assert_eq!(quiet.stderr, "");
    assert!(quiet.stdout.contains("version"), "{}", quiet.stdout);
    let get = w
        .vk(&["kv", "get", "--format", "json", "secret/app/db"])
        .run()
        .await;
    get.ok();
    let v = get.json();
    assert_eq!(v["data"]["user"], "etl");
    assert_eq!(
        v["data"]["password"], "s3cr3t value",
        "key=- strips one trailing newline"
    );
    assert_eq!(
        v["data"]["tls_key"], "-----BEGIN KEY-----\nabc\n-----END KEY-----",
        "key=@file strips one trailing newline, like key=-"
    );
    assert_eq!(v["data"]["port"], "5432");
    assert_eq!(v["metadata"]["version"], 1);

    let field = w
        .vk(&["kv", "get", "--field", "password", "secret/app/db"])
        .run()
        .await;
    field.ok();
    assert_eq!(field.stdout, "s3cr3t value\n");
    w.vk(&["kv", "get", "--field", "nope", "secret/app/db"])
        .run()
        .await
        .code(3)
        .one_line_error();

    let yaml = w
        .vk(&["kv", "get", "-format=yaml", "secret/app/db"])
        .run()
        .await;
    let y: serde_json::Value = serde_norway::from_str(&yaml.stdout).expect("yaml");
    assert_eq!(y["data"]["user"], "etl");

    // A whole JSON object on stdin.
    w.vk(&["kv", "put", "secret/app/api", "-"])
        .stdin(r#"{"weather": "wk-1", "citibike": "ck-2"}"#)
        .run()
        .await
        .ok();
    let table = w.vk(&["kv", "get", "secret/app/api"]).run().await;
    table.ok();
    golden::check("kv_get", &golden::normalize(&table.stdout, &w.bao.addr()));

    let list = w.vk(&["kv", "list", "secret/app"]).run().await;
    list.ok();
    golden::check("kv_list", &list.stdout);
    let list_json = w
        .vk(&["kv", "list", "secret/app", "--format", "json"])
        .run()
        .await;
    assert_eq!(list_json.json(), json!(["api", "db"]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn versions_patch_delete_undelete_destroy_rollback_metadata() {
    let w = World::new().await;
    w.vk(&["kv", "put", "secret/svc", "a=1"]).run().await.ok();
    w.vk(&["kv", "patch", "secret/svc", "b=2"]).run().await.ok();
    let v2 = w
        .vk(&["kv", "get", "secret/svc", "--format", "json"])
        .run()
        .await
        .json();
    assert_eq!(v2["data"], json!({"a": "1", "b": "2"}));
    assert_eq!(v2["metadata"]["version"], 2);

    // -version reads an old one; -cas protects writes.
    let old = w
        .vk(&["kv", "get", "-version=1", "secret/svc", "--format", "json"])
        .run()
        .await
        .json();
    assert_eq!(old["data"], json!({"a": "1"}));
    let cas = w
        .vk(&["kv", "put", "-cas=1", "secret/svc", "a=x"])
        .run()
        .await;
    cas.code(6).one_line_error();
    assert!(cas.stderr.contains("check-and-set"), "{}", cas.stderr);
    w.vk(&["kv", "put", "-cas=2", "secret/svc", "a=3"])
        .run()
        .await
        .ok();

    w.vk(&["kv", "delete", "secret/svc"]).run().await.ok();
    w.vk(&["kv", "get", "secret/svc"])
        .run()
        .await
        .code(3)
        .one_line_error();
    w.vk(&["kv", "undelete", "-versions=3", "secret/svc"])
        .run()
        .await
        .ok();
    assert_eq!(
        w.vk(&["kv", "get", "-field=a", "secret/svc"])
            .run()
            .await
            .stdout,
        "3\n"
    );
    w.vk(&["kv", "destroy", "--versions", "1", "secret/svc"])
        .run()
        .await
        .ok();

    let versions = w
        .vk(&["kv", "versions", "secret/svc", "--format", "json"])
        .run()
        .await
        .json();
    let states: Vec<(u64, String)> = versions
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r["version"].as_u64().unwrap_or(0),
                r["state"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        states,
        vec![
            (3, "live".into()),
            (2, "live".into()),
            (1, "destroyed".into())
        ]
    );
    let table = w.vk(&["kv", "versions", "secret/svc"]).run().await;
    assert!(table.stdout.contains("3 (current)"), "{}", table.stdout);
    w.vk(&["kv", "get", "-version=1", "secret/svc"])
        .run()
        .await
        .code(3)
        .one_line_error();

    w.vk(&["kv", "rollback", "-version=2", "secret/svc"])
        .run()
        .await
        .ok();
    let now = w
        .vk(&["kv", "get", "secret/svc", "--format", "json"])
        .run()
        .await
        .json();
    assert_eq!(now["data"], json!({"a": "1", "b": "2"}));
    assert_eq!(now["metadata"]["version"], 4);

    w.vk(&[
        "kv",
        "metadata",
        "put",
        "--max-versions",
        "7",
        "--custom-metadata",
        "owner=data-team",
        "secret/svc",
    ])
    .run()
    .await
    .ok();
    let meta = w
        .vk(&["kv", "metadata", "get", "secret/svc", "--format", "json"])
        .run()
        .await
        .json();
    assert_eq!(meta["max_versions"], 7);
    assert_eq!(meta["custom_metadata"]["owner"], "data-team");
    assert_eq!(meta["current_version"], 4);
    w.vk(&["kv", "metadata", "put", "secret/svc"])
        .run()
        .await
        .code(2)
        .one_line_error();
    w.vk(&["kv", "metadata", "delete", "secret/svc"])
        .run()
        .await
        .ok();
    w.vk(&["kv", "metadata", "get", "secret/svc"])
        .run()
        .await
        .code(3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kv_v1_mount_and_v2_only_commands() {
    let w = World::new().await;
    w.bao.enable_kv_v1("kv1").await;
    w.vk(&["kv", "put", "kv1/app", "k=v"]).run().await.ok();
    let v = w
        .vk(&["kv", "get", "kv1/app", "--format", "json"])
        .run()
        .await
        .json();
    assert_eq!(v["data"], json!({"k": "v"}));
    assert_eq!(
        w.vk(&["kv", "list", "-mount=kv1", ""]).run().await.stdout,
        "Keys\n----\napp\n"
    );
    let versions = w.vk(&["kv", "versions", "kv1/app"]).run().await;
    versions.code(2).one_line_error();
    assert!(versions.stderr.contains("KV v2"), "{}", versions.stderr);
    w.vk(&["kv", "put", "-cas=0", "kv1/app", "k=v"])
        .run()
        .await
        .code(2);
    w.vk(&["kv", "delete", "kv1/app"]).run().await.ok();
    w.vk(&["kv", "get", "kv1/app"]).run().await.code(3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_usage_or_validation() {
    let w = World::new().await;
    w.vk(&["kv", "put", "secret/x", "novalue"])
        .run()
        .await
        .code(2)
        .one_line_error();
    w.vk(&["kv", "put", "secret/x", "a=-", "b=-"])
        .stdin("x")
        .run()
        .await
        .code(2)
        .one_line_error();
    w.vk(&["kv", "put", "secret/x", "-"])
        .stdin("[1, 2]")
        .run()
        .await
        .code(6)
        .one_line_error();
    w.vk(&["kv", "put", "secret/x", "@/nonexistent/file.json"])
        .run()
        .await
        .code(3)
        .one_line_error();
    w.vk(&["kv", "get", "secret"])
        .run()
        .await
        .code(2)
        .one_line_error();
    // OpenBao answers 403 for the mount lookup of a mount that does not exist; the root token
    // may read the mount table, so vault-kv knows it is missing (exit 3, not a permission error).
    let no_mount = w.vk(&["kv", "get", "nomount/x"]).run().await;
    no_mount.code(3).one_line_error();
    assert!(
        no_mount.stderr.contains("no such mount `nomount`"),
        "{}",
        no_mount.stderr
    );
    w.vk(&["kv", "frobnicate"]).run().await.code(2);
    w.vk(&["status", "--format", "xml"])
        .run()
        .await
        .code(2)
        .one_line_error();
}
