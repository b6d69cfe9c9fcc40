//! `kv list` on a missing or empty folder is exit 3 (like Vault); `kv tree` reports the folders
//! the token may not list on stderr, skips them, and prints the rest on stdout.

use serde_json::json;

use crate::support::{Cmd, World};

async fn world() -> World {
    let w = World::new().await;
    w.seed("secret/app/db", json!({"user": "etl"})).await;
    w.seed("secret/app/private/key", json!({"k": "hidden-Vq2"}))
        .await;
    w.seed("secret/app/public/info", json!({"i": "shown"}))
        .await;
    w.seed("secret/other", json!({"x": "1"})).await;
    w
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kv_list_on_a_missing_folder_exits_3() {
    let w = world().await;
    let listed = w.vk(&["kv", "list", "secret/app"]).run().await;
    listed.ok();
    assert_eq!(listed.stdout, "Keys\n----\ndb\nprivate/\npublic/\n");
    let json = w
        .vk(&["kv", "list", "secret/app", "--format", "json"])
        .run()
        .await;
    json.ok();
    assert_eq!(json.json(), json!(["db", "private/", "public/"]));

    for missing in [
        "secret/nothing-here",
        "secret/app/nope/",
        "-mount=secret nothing",
    ] {
        let args: Vec<&str> = ["kv", "list"]
            .into_iter()
            .chain(missing.split(' '))
            .collect();
        let out = w.vk(&args).run().await;
        out.code(3).one_line_error();
        assert_eq!(out.stdout, "", "{missing}");
    }
    // A secret is not a folder: listing it is also "nothing there".
    w.vk(&["kv", "list", "secret/other"])
        .run()
        .await
        .code(3)
        .one_line_error();
    // A folder whose only secret was deleted for good is empty: exit 3.
    w.vk(&["kv", "metadata", "delete", "secret/app/public/info"])
        .run()
        .await
        .ok();
    w.vk(&["kv", "list", "secret/app/public"])
        .run()
        .await
        .code(3)
        .one_line_error();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kv_tree_reports_unlistable_folders_on_stderr_and_prints_the_rest() {
    let w = world().await;
    w.bao
        .write_policy(
            "no-private",
            r#"
path "secret/metadata/*" { capabilities = ["list"] }
path "secret/metadata/app/private/*" { capabilities = ["deny"] }
path "secret/data/*" { capabilities = ["read"] }
"#,
        )
        .await;
    let token = w.bao.create_token(&["no-private"], "1h").await;
    let as_limited = |args: &[&str]| {
        Cmd::new(w.home(), args)
            .env("VAULT_ADDR", &w.bao.addr())
            .env("VAULT_TOKEN", &token)
    };
    // The policy does what the test needs: app/private cannot be listed, the rest can.
    as_limited(&["kv", "list", "secret/app/private"])
        .run()
        .await
        .code(4);
    as_limited(&["kv", "list", "secret/app/public"])
        .run()
        .await
        .ok();

    let tree = as_limited(&["kv", "tree", "secret", "--reveal", "--format", "json"])
        .run()
        .await;
    tree.ok();
    let v = tree.json();
    let secrets = v["secrets"].as_object().expect("secrets");
    let mut names: Vec<&str> = secrets.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(names, ["app/db", "app/public/info", "other"], "{v}");
    assert_eq!(v["secrets"]["app/public/info"]["i"], "shown");
    let warnings: Vec<&str> = tree.stderr.lines().collect();
    assert_eq!(warnings.len(), 1, "{}", tree.stderr);
    assert!(
        warnings[0].starts_with("warning: ")
            && warnings[0].contains("secret/app/private")
            && warnings[0].contains("permission denied"),
        "{}",
        tree.stderr
    );
    assert!(!tree.stdout.contains("private"), "{}", tree.stdout);
    assert!(!tree.all().contains("hidden-Vq2"));

    // The table form: the same split between stdout and stderr.
    let table = as_limited(&["kv", "tree", "secret"]).run().await;
    table.ok();
    for shown in ["app/", "db", "public/", "info", "other"] {
        assert!(table.stdout.contains(shown), "{shown}:\n{}", table.stdout);
    }
    assert!(!table.stdout.contains("private"), "{}", table.stdout);
    assert_eq!(table.stderr, tree.stderr);

    // With the root token nothing is skipped and stderr stays empty.
    let full = w
        .vk(&["kv", "tree", "secret", "--format", "json"])
        .run()
        .await;
    full.ok();
    assert_eq!(full.stderr, "");
    assert!(full.json()["secrets"]["app/private/key"].is_object());
}
