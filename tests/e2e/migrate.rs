//! `vaultkit migrate scan|plan|apply|validate` on a bike-data-flow style `.env`.

use crate::support::World;

const DB_PASSWORD: &str = "Xk9#mP2vL8qR4tW7-planted";
const API_KEY: &str = "wk_5f8a9c2e7b1d4f6a8c3e9b2d";

fn project(w: &World) -> std::path::PathBuf {
    let dir = w.home().join("bike-data-flow");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(
        dir.join(".env"),
        format!("DB_HOST=db.internal\nDB_PASSWORD={DB_PASSWORD}\nWEATHER_API_KEY={API_KEY}\nLOG_LEVEL=info\n"),
    )
    .expect("write .env");
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scan_plan_apply_validate() {
    let w = World::new().await;
    let dir = project(&w);
    let d = dir.to_str().expect("utf-8 path");

    let scan = w.vk(&["migrate", "scan", d]).run().await;
    scan.code(1);
    assert!(
        scan.stdout.contains("DB_PASSWORD") && scan.stdout.contains("WEATHER_API_KEY"),
        "{}",
        scan.stdout
    );
    let json = w
        .vk(&["migrate", "scan", d, "--format", "json"])
        .run()
        .await;
    assert!(
        json.json()["findings"]
            .as_array()
            .is_some_and(|f| f.len() == 2),
        "{}",
        json.stdout
    );
    let sarif = w
        .vk(&["migrate", "scan", d, "--format", "sarif"])
        .run()
        .await;
    assert_eq!(sarif.json()["version"], "2.1.0");
    let clean = w.home().join("clean");
    std::fs::create_dir_all(&clean).expect("mkdir");
    std::fs::write(clean.join(".env"), "LOG_LEVEL=info\n").expect("write");
    w.vk(&["migrate", "scan", clean.to_str().expect("path")])
        .run()
        .await
        .ok();

    let plan = w.home().join("plan.toml");
    let p = plan.to_str().expect("path");
    w.vk(&[
        "migrate",
        "plan",
        d,
        "--prefix",
        "bike-data-flow/production",
        "-o",
        p,
    ])
    .run()
    .await
    .ok();
    let text = std::fs::read_to_string(&plan).expect("plan");
    assert!(text.contains("bike-data-flow/production/database") && !text.contains(DB_PASSWORD));

    let dry = w.vk(&["migrate", "apply", p, "--dry-run"]).run().await;
    dry.ok();
    w.vk(&["kv", "get", "secret/bike-data-flow/production/database"])
        .run()
        .await
        .code(3);
    w.vk(&["migrate", "validate", p])
        .run()
        .await
        .code(6)
        .one_line_error_last();

    w.vk(&["migrate", "apply", p]).run().await.ok();
    let pw = w
        .vk(&[
            "kv",
            "get",
            "-field=password",
            "secret/bike-data-flow/production/database",
        ])
        .run()
        .await;
    assert_eq!(pw.stdout.trim_end(), DB_PASSWORD);
    w.vk(&["migrate", "validate", p]).run().await.ok();

    // Someone changes the password in Vault: validate and apply notice; --force restores it.
    w.vk(&[
        "kv",
        "patch",
        "secret/bike-data-flow/production/database",
        "password=rotated",
    ])
    .run()
    .await
    .ok();
    w.vk(&["migrate", "validate", p, "--format", "json"])
        .run()
        .await
        .code(6);
    let refused = w.vk(&["migrate", "apply", p]).run().await;
    refused.code(6).one_line_error_last();
    assert!(
        refused
            .stderr
            .contains(&format!("vaultkit migrate apply {p} --dry-run")),
        "{}",
        refused.stderr
    );
    // After a refused apply, validate's hint leads somewhere new (--force or a new plan), never
    // back to the plain `apply` that was just refused.
    let after = w.vk(&["migrate", "validate", p]).run().await;
    after.code(6).one_line_error_last();
    let hint = after
        .stderr
        .lines()
        .last()
        .and_then(|l| l.split_once("; try: "))
        .map(|(_, h)| h.to_string())
        .unwrap_or_else(|| panic!("no hint:\n{}", after.stderr));
    assert!(
        hint.contains(&format!("vaultkit migrate apply {p} --force"))
            && hint.contains("new plan")
            && !hint.contains(&format!("`vaultkit migrate apply {p}`")),
        "{hint}"
    );
    w.vk(&["migrate", "apply", p, "--force"]).run().await.ok();
    let pw = w
        .vk(&[
            "kv",
            "get",
            "-field=password",
            "secret/bike-data-flow/production/database",
        ])
        .run()
        .await;
    assert_eq!(pw.stdout.trim_end(), DB_PASSWORD);

    // No migrate output ever shows the values.
    for args in [
        vec!["migrate", "scan", d],
        vec!["migrate", "apply", p, "--dry-run"],
        vec!["migrate", "validate", p],
    ] {
        for fmt in ["table", "json"] {
            let mut a = args.clone();
            a.extend(["--format", fmt]);
            let out = w.vk(&a).run().await;
            assert!(
                !out.all().contains(DB_PASSWORD) && !out.all().contains(API_KEY),
                "`vaultkit {}` leaked",
                a.join(" ")
            );
        }
    }
    w.vk(&["migrate", "apply", "/nonexistent/plan.toml"])
        .run()
        .await
        .code(3)
        .one_line_error();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn baseline_accepts_current_findings_and_reports_only_new_ones() {
    let w = World::new().await;
    let dir = project(&w);
    let d = dir.to_str().expect("utf-8 path");
    let baseline = w.home().join("baseline.json");
    let b = baseline.to_str().expect("path");

    let wrote = w
        .vk(&["migrate", "scan", d, "--write-baseline", b])
        .run()
        .await;
    wrote.code(0);
    let text = std::fs::read_to_string(&baseline).expect("baseline written");
    assert!(
        !text.contains(DB_PASSWORD) && !text.contains(API_KEY),
        "the baseline holds no values"
    );

    // Everything known is suppressed: a clean exit.
    w.vk(&["migrate", "scan", d, "--baseline", b])
        .run()
        .await
        .code(0);

    // A new secret shows up, and only it.
    let new_token = "ghp_Zq8vN3kR7tY2wP5mL9cX4bH6jD1fS0aE3gU7";
    std::fs::write(dir.join("ci.env"), format!("GITHUB_TOKEN={new_token}\n")).expect("write");
    let scan = w
        .vk(&["migrate", "scan", d, "--baseline", b, "--format", "json"])
        .run()
        .await;
    scan.code(1);
    let findings = scan.json()["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(findings.len(), 1, "{}", scan.stdout);
    assert_eq!(findings[0]["key"], "GITHUB_TOKEN", "{}", scan.stdout);
    assert!(!scan.stdout.contains(new_token) && !scan.stderr.contains(new_token));
}

/// A `.env` value changed after the plan was reviewed: a validation conflict (exit 6) that says
/// so, not "invalid configuration"; nothing is written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_changed_since_the_plan_is_a_conflict() {
    let w = World::new().await;
    let dir = project(&w);
    let plan = w.home().join("plan.toml");
    let p = plan.to_str().expect("path");
    w.vk(&["migrate", "plan", dir.to_str().expect("path"), "-o", p])
        .run()
        .await
        .ok();
    std::fs::write(
        dir.join(".env"),
        format!(
            "DB_HOST=db.internal\nDB_PASSWORD=changed-after-review-77\nWEATHER_API_KEY={API_KEY}\n"
        ),
    )
    .expect("rewrite .env");
    let apply = w.vk(&["migrate", "apply", p]).run().await;
    apply.code(6).one_line_error();
    assert!(
        apply.stderr.contains("`DB_PASSWORD`")
            && apply.stderr.contains("has changed since the plan was made")
            && !apply.stderr.contains("invalid configuration")
            && !apply.stderr.contains("changed-after-review-77"),
        "{}",
        apply.stderr
    );
    w.vk(&["kv", "get", "secret/database"]).run().await.code(3);
}
