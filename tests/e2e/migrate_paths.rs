//! `migrate scan|plan|apply|validate` with every way of naming the sources and the plan
//! (relative, absolute, `.`, `..`, several paths, from other working directories), on KV v2 and
//! KV v1, and `migrate plan --diff`.

use std::path::{Path, PathBuf};

use crate::support::World;

const PROJ_PW: &str = "Proj-Pw-9xK2mQ7vL4-planted";
const TWO_KEY: &str = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";

/// `HOME/proj/.env` (a database password) and `HOME/two/.env` (a Stripe key).
fn sources(w: &World) -> (PathBuf, PathBuf) {
    let proj = w.home().join("proj");
    let two = w.home().join("two");
    std::fs::create_dir_all(proj.join("sub")).expect("mkdir");
    std::fs::create_dir_all(&two).expect("mkdir");
    std::fs::write(
        proj.join(".env"),
        format!("DB_HOST=db.internal\nDB_PASSWORD={PROJ_PW}\n"),
    )
    .expect("write");
    std::fs::write(two.join(".env"), format!("STRIPE_API_KEY={TWO_KEY}\n")).expect("write");
    (proj, two)
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// scan (exit 1, the finding listed), plan -o, apply, validate, all from `cwd` with `args`;
/// then apply and validate again from `/` with the plan's absolute path.
async fn whole_flow(w: &World, cwd: &Path, args: &[&str], prefix: &str, mount: &str) {
    let mut scan = vec!["migrate", "scan"];
    scan.extend(args);
    let out = w.vk(&scan).current_dir(cwd).run().await;
    out.code(1);
    assert!(out.stdout.contains("DB_PASSWORD"), "{}", out.stdout);

    let plan_name = format!("plan-{}.toml", prefix.replace('/', "-"));
    let mut plan = vec![
        "migrate", "plan", "--mount", mount, "--prefix", prefix, "-o", &plan_name,
    ];
    plan.extend(args);
    w.vk(&plan).current_dir(cwd).run().await.ok();
    let apply = w
        .vk(&["migrate", "apply", &plan_name])
        .current_dir(cwd)
        .run()
        .await;
    apply.ok();
    assert!(apply.stdout.contains("created"), "{}", apply.stdout);
    w.vk(&["migrate", "validate", &plan_name])
        .current_dir(cwd)
        .run()
        .await
        .ok();
    let pw = w
        .vk(&[
            "kv",
            "get",
            "-field=password",
            &format!("{mount}/{prefix}/database"),
        ])
        .run()
        .await;
    assert_eq!(pw.stdout.trim_end(), PROJ_PW, "{}", pw.stderr);

    // The plan applies and validates the same from anywhere: nothing left to write.
    let abs = cwd.join(&plan_name);
    let again = w
        .vk(&["migrate", "apply", s(&abs)])
        .current_dir(Path::new("/"))
        .run()
        .await;
    again.ok();
    assert!(
        again.stdout.contains("0 secret(s) written") && !again.stdout.contains("created"),
        "{}",
        again.stdout
    );
    w.vk(&["migrate", "validate", s(&abs)])
        .current_dir(Path::new("/"))
        .run()
        .await
        .ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_way_of_naming_the_sources_works_for_scan_plan_apply_validate() {
    let w = World::new().await;
    let (proj, two) = sources(&w);
    let home = w.home().to_path_buf();
    // `plan proj` from proj's parent (the reported bug: `…/proj/proj/.env`).
    whole_flow(&w, &home, &["proj"], "relative", "secret").await;
    // An absolute path, from an unrelated directory.
    whole_flow(&w, &two, &[s(&proj)], "absolute", "secret").await;
    // `.` inside the project.
    whole_flow(&w, &proj, &["."], "dot", "secret").await;
    // `..` from a folder inside the project.
    whole_flow(&w, &proj.join("sub"), &[".."], "dotdot", "secret").await;
    // Several paths, one relative and one absolute.
    whole_flow(&w, &home, &["proj", s(&two)], "several", "secret").await;
    let key = w
        .vk(&["kv", "get", "-field=stripe", "secret/several/api-keys"])
        .run()
        .await;
    assert_eq!(key.stdout.trim_end(), TWO_KEY, "{}", key.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kv_v1_mount_works_for_apply_and_validate() {
    let w = World::new().await;
    w.bao.enable_kv_v1("kv1").await;
    let (proj, _) = sources(&w);
    whole_flow(&w, &proj, &["."], "v1", "kv1").await;
    // A changed value in Vault: validate and apply report it, --force restores the source's.
    w.vk(&[
        "kv",
        "put",
        "kv1/v1/database",
        "password=rotated",
        "host=db.internal",
    ])
    .run()
    .await
    .ok();
    w.vk(&["migrate", "validate", "plan-v1.toml"])
        .current_dir(&proj)
        .run()
        .await
        .code(6);
    let refused = w
        .vk(&["migrate", "apply", "plan-v1.toml"])
        .current_dir(&proj)
        .run()
        .await;
    refused.code(6);
    assert!(refused.stdout.contains("conflict"), "{}", refused.stdout);
    w.vk(&["migrate", "apply", "plan-v1.toml", "--force"])
        .current_dir(&proj)
        .run()
        .await
        .ok();
    let pw = w
        .vk(&["kv", "get", "-field=password", "kv1/v1/database"])
        .run()
        .await;
    assert_eq!(pw.stdout.trim_end(), PROJ_PW);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_diff_compares_the_plan_with_vault_without_showing_values() {
    let w = World::new().await;
    let (proj, _) = sources(&w);
    let diff = |w: &World, format: &'static str| {
        w.vk(&[
            "migrate", "plan", "--prefix", "p", "--diff", "--format", format,
        ])
        .current_dir(&proj)
        .run()
    };
    let before = diff(&w, "table").await;
    before.ok();
    assert!(
        before.stdout.contains("p/database (new secret)")
            && before.stdout.contains("+ password")
            && !before.stdout.contains("[[secrets]]"),
        "{}",
        before.stdout
    );
    // With -o the plan is written too; then applied, everything is unchanged.
    w.vk(&[
        "migrate",
        "plan",
        "--prefix",
        "p",
        "--diff",
        "-o",
        "../plan.toml",
    ])
    .current_dir(&proj)
    .run()
    .await
    .ok();
    w.vk(&["migrate", "apply", "../plan.toml"])
        .current_dir(&proj)
        .run()
        .await
        .ok();
    let after = diff(&w, "table").await;
    assert!(
        after.stdout.contains("p/database (exists, version 1)")
            && after.stdout.contains("= password"),
        "{}",
        after.stdout
    );
    // A value changed in Vault shows as `~`, a key only in Vault as `.`.
    w.vk(&[
        "kv",
        "patch",
        "secret/p/database",
        "password=rotated-Xy",
        "note=x",
    ])
    .run()
    .await
    .ok();
    let changed = diff(&w, "json").await;
    changed.ok();
    let json = changed.json();
    let db = json
        .as_array()
        .and_then(|a| a.iter().find(|s| s["path"] == "p/database"))
        .cloned()
        .unwrap_or_default();
    let keys = db["keys"].as_array().cloned().unwrap_or_default();
    let status = |k: &str| {
        keys.iter()
            .find(|x| x["key"] == k)
            .map(|x| x["status"].clone())
    };
    assert_eq!(status("password"), Some("changed".into()), "{json}");
    assert_eq!(status("host"), Some("unchanged".into()), "{json}");
    assert_eq!(db["extra_keys"], serde_json::json!(["note"]), "{json}");
    let table = diff(&w, "table").await;
    assert!(
        table.stdout.contains("~ password") && table.stdout.contains(". note"),
        "{}",
        table.stdout
    );
    for out in [&before, &after, &changed, &table] {
        assert!(
            !out.all().contains(PROJ_PW) && !out.all().contains("rotated-Xy"),
            "plan --diff shows a value:\n{}",
            out.all()
        );
    }
    // Without a server, --diff fails plainly (exit 5); plain `plan` needs none.
    w.vk(&["migrate", "plan", "--diff"])
        .env("VAULT_ADDR", "http://127.0.0.1:9")
        .current_dir(&proj)
        .run()
        .await
        .code(5);
}
