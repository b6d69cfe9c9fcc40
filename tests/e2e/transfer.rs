use serde_json::json;

use crate::support::{World, golden};

async fn bike_world() -> World {
    let w = World::new().await;
    w.seed(
        "secret/bike-data-flow/database",
        json!({"host": "db.internal", "user": "etl", "password": "pg-pass-1"}),
    )
    .await;
    w.seed(
        "secret/bike-data-flow/api-keys",
        json!({"citibike": "ck-1", "weather": "wk-1"}),
    )
    .await;
    w.seed(
        "secret/bike-data-flow/s3/backup",
        json!({"access_key": "AKIA1", "secret_key": "sk-1"}),
    )
    .await;
    w.seed("secret/other", json!({"x": "1"})).await;
    w
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tree_masks_values_unless_revealed() {
    let w = bike_world().await;
    let tree = w.vk(&["kv", "tree", "secret"]).run().await;
    tree.ok();
    golden::check("kv_tree", &tree.stdout);
    // Piped stderr: no progress bar, no noise.
    assert_eq!(tree.stderr, "");
    for value in ["pg-pass-1", "ck-1", "sk-1", "db.internal"] {
        assert!(
            !tree.all().contains(value),
            "tree leaked {value}:\n{}",
            tree.stdout
        );
    }
    let names = w
        .vk(&["kv", "tree", "secret/bike-data-flow", "--names-only"])
        .run()
        .await;
    names.ok();
    golden::check("kv_tree_names", &names.stdout);

    let revealed = w
        .vk(&[
            "kv",
            "tree",
            "-mount=secret",
            "bike-data-flow",
            "--reveal",
            "--format",
            "json",
        ])
        .run()
        .await;
    revealed.ok();
    let v = revealed.json();
    assert_eq!(v["path"], "secret/bike-data-flow");
    assert_eq!(v["secrets"]["database"]["password"], "pg-pass-1");
    assert_eq!(v["secrets"]["s3/backup"]["secret_key"], "sk-1");
    let masked = w
        .vk(&["kv", "tree", "secret/bike-data-flow", "--format", "json"])
        .run()
        .await
        .json();
    assert_eq!(masked["secrets"]["database"]["password"], "****");
    w.vk(&["kv", "tree", "secret/nothing-here"])
        .run()
        .await
        .code(3)
        .one_line_error();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_in_three_formats_and_import_round_trip() {
    let w = bike_world().await;
    let json_out = w.vk(&["kv", "export", "secret/bike-data-flow"]).run().await;
    json_out.ok();
    let exported = json_out.json();
    assert_eq!(exported["database"]["password"], "pg-pass-1");
    assert_eq!(exported["s3/backup"]["access_key"], "AKIA1");
    assert!(exported.get("other").is_none());

    let yaml = w
        .vk(&["kv", "export", "secret/bike-data-flow", "--format", "yaml"])
        .run()
        .await;
    let y: serde_json::Value = serde_norway::from_str(&yaml.stdout).expect("yaml");
    assert_eq!(y, exported);

    let dotenv = w
        .vk(&[
            "kv",
            "export",
            "secret/bike-data-flow",
            "--format",
            "dotenv",
        ])
        .run()
        .await;
    dotenv.ok();
    assert!(
        dotenv.stdout.contains("DATABASE_PASSWORD=pg-pass-1\n"),
        "{}",
        dotenv.stdout
    );
    assert!(
        dotenv.stdout.contains("S3_BACKUP_SECRET_KEY=sk-1\n"),
        "{}",
        dotenv.stdout
    );
    w.vk(&["kv", "export", "secret/bike-data-flow", "--format", "table"])
        .run()
        .await
        .code(2)
        .one_line_error();

    // A soft-deleted secret is left out of the export (it has no data).
    w.seed("secret/bike-data-flow/retired", json!({"k": "v"}))
        .await;
    w.vk(&["kv", "delete", "secret/bike-data-flow/retired"])
        .run()
        .await
        .ok();
    let again = w.vk(&["kv", "export", "secret/bike-data-flow"]).run().await;
    assert_eq!(again.json(), exported);

    // Import what was exported into another folder: dry run first, nothing written.
    let file = w.home().join("export.json");
    std::fs::write(&file, &json_out.stdout).expect("write export");
    let f = file.to_str().expect("utf-8 path");
    let dry = w.vk(&["kv", "import", f, "secret/copy"]).run().await;
    dry.ok();
    golden::check("kv_import_dry_run", &dry.stdout);
    assert!(
        dry.stderr.contains("Dry run: 3 secret(s) would be written"),
        "{}",
        dry.stderr
    );
    assert!(!dry.all().contains("pg-pass-1"), "the diff shows no values");
    w.vk(&["kv", "get", "secret/copy/database"])
        .run()
        .await
        .code(3);

    w.vk(&["kv", "import", f, "secret/copy", "--apply"])
        .run()
        .await
        .ok();
    let copied = w.vk(&["kv", "export", "secret/copy"]).run().await.json();
    assert_eq!(copied, exported);

    // A second apply changes nothing.
    let again = w
        .vk(&[
            "kv",
            "import",
            f,
            "secret/copy",
            "--apply",
            "--format",
            "json",
        ])
        .run()
        .await;
    again.ok();
    let summary = again.json();
    assert_eq!(
        (&summary["written"], &summary["unchanged"]),
        (&json!(0), &json!(3)),
        "{summary}"
    );
    let outcomes = summary["secrets"].as_array().expect("secrets");
    assert_eq!(outcomes.len(), 3, "{summary}");
    assert!(
        outcomes.iter().all(|r| r["outcome"] == "unchanged"),
        "{summary}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_never_overwrites_a_changed_value_without_force() {
    let w = bike_world().await;
    let file = w.home().join("import.yaml");
    std::fs::write(
        &file,
        "database:\n  password: from-file\n  port: \"5432\"\nnew/secret:\n  k: v\n",
    )
    .expect("write");
    let f = file.to_str().expect("utf-8 path");

    let dry = w
        .vk(&[
            "kv",
            "import",
            f,
            "secret/bike-data-flow",
            "--format",
            "json",
        ])
        .run()
        .await;
    dry.ok();
    let rows = dry.json();
    let change = |path: &str, key: &str| {
        rows.as_array()
            .and_then(|r| r.iter().find(|x| x["path"] == path && x["key"] == key))
            .map(|x| x["change"].as_str().unwrap_or("").to_string())
    };
    assert_eq!(
        change("secret/bike-data-flow/database", "password").as_deref(),
        Some("conflict")
    );
    assert_eq!(
        change("secret/bike-data-flow/database", "port").as_deref(),
        Some("add")
    );
    assert_eq!(
        change("secret/bike-data-flow/new/secret", "k").as_deref(),
        Some("add")
    );

    let refused = w
        .vk(&["kv", "import", f, "secret/bike-data-flow", "--apply"])
        .run()
        .await;
    refused.code(6);
    assert!(
        refused
            .stderr
            .contains("secret/bike-data-flow/database#password"),
        "{}",
        refused.stderr
    );
    assert!(refused.stderr.contains("--force"), "{}", refused.stderr);
    assert!(!refused.all().contains("from-file") && !refused.all().contains("pg-pass-1"));
    // Nothing at all was written.
    w.vk(&["kv", "get", "secret/bike-data-flow/new/secret"])
        .run()
        .await
        .code(3);
    let db = w
        .vk(&[
            "kv",
            "get",
            "secret/bike-data-flow/database",
            "--format",
            "json",
        ])
        .run()
        .await
        .json();
    assert_eq!(db["data"]["password"], "pg-pass-1");
    assert!(db["data"].get("port").is_none());

    w.vk(&[
        "kv",
        "import",
        f,
        "secret/bike-data-flow",
        "--apply",
        "--force",
    ])
    .run()
    .await
    .ok();
    let db = w
        .vk(&[
            "kv",
            "get",
            "secret/bike-data-flow/database",
            "--format",
            "json",
        ])
        .run()
        .await
        .json();
    assert_eq!(
        db["data"],
        json!({"host": "db.internal", "user": "etl", "password": "from-file", "port": "5432"})
    );

    let bad = w.home().join("bad.json");
    std::fs::write(&bad, r#"{"a": "not an object"}"#).expect("write");
    w.vk(&["kv", "import", bad.to_str().expect("path"), "secret/x"])
        .run()
        .await
        .code(6)
        .one_line_error();
}
