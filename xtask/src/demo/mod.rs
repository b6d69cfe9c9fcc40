//! `cargo xtask demo`: a short guided tour of the `vaultkit` binary against a real OpenBao dev
//! server: store the bike-data-flow pipeline's database secret and API keys, read them back, show
//! the tree, give the pipeline a policy and an AppRole, run it with `exec`, analyse the server's
//! own audit log (statistics, detections, an HTML report), migrate a `.env` file into Vault, and
//! rotate the database password against a throwaway PostgreSQL, and back up a Raft-backed server
//! into an encrypted snapshot, then restore it.
//!
//! - `server.rs`: the dev server (with a file audit device declared in its configuration) and the
//!   single-node Raft server of the backup step.
//! - `vaultkit.rs`: running the binary and printing steps (no ANSI codes unless on a terminal).
//! - `audit.rs`, `migrate.rs`, `rotate.rs`, `backup.rs`: the audit, migration, rotation and
//!   backup steps; `postgres.rs` runs the rotation step's throwaway PostgreSQL.
//!
//! Every step must succeed (exit codes are checked); the server is stopped and the temporary
//! HOME removed however the tour ends. The HTML report stays under `target/demo/`.

mod audit;
mod backup;
mod migrate;
mod postgres;
mod rotate;
mod server;
mod vaultkit;

use std::path::PathBuf;

use crate::util;
use server::DevServer;
use vaultkit::{Vaultkit, step};

pub(crate) fn run() -> Result<(), String> {
    let root = util::workspace_root();
    step("Building the vaultkit binary");
    util::cargo(
        &root,
        &["build", "--workspace", "--bin", "vaultkit", "--quiet"],
    )?;
    let bin = util::target_dir().join("debug/vaultkit");

    step(
        "Starting a local OpenBao dev server (what `vaultkit dev` does for you), with a file audit device",
    );
    let home = std::env::temp_dir().join(format!("vaultkit-demo-{}", std::process::id()));
    std::fs::create_dir_all(&home)
        .map_err(|e| format!("could not create {}: {e}", home.display()))?;
    let _cleanup = RemoveOnDrop(home.clone());
    let audit_log = home.join("audit.log");
    let server = DevServer::start(&audit_log)?;
    let vk = Vaultkit {
        bin,
        addr: server.addr.clone(),
        home,
    };
    let root_token = Some(server.token.as_str());
    vk.run(&["status"], None, None)?;

    step(
        "Storing the bike-data-flow pipeline's secrets (values from stdin, never on the command line)",
    );
    vk.run(
        &[
            "kv",
            "put",
            "-mount=secret",
            "bike-data-flow/production/database",
            "host=db.example.com",
            "port=5432",
            "username=db_user",
            "database=bike_data",
            "password=-",
        ],
        root_token,
        Some("demo-Pg-pass-4711"),
    )?;
    vk.run(
        &[
            "kv",
            "put",
            "secret/bike-data-flow/production/api-keys",
            "-",
        ],
        root_token,
        Some(r#"{"openweather": "demo-ow-8f3a9c", "citibike": "demo-cb-21d7e0"}"#),
    )?;

    step("Reading them back: a table, one raw field, JSON for scripts");
    vk.run(
        &["kv", "get", "secret/bike-data-flow/production/database"],
        root_token,
        None,
    )?;
    vk.run(
        &[
            "kv",
            "get",
            "-field=host",
            "secret/bike-data-flow/production/database",
        ],
        root_token,
        None,
    )?;
    vk.run(
        &[
            "kv",
            "get",
            "--format",
            "json",
            "secret/bike-data-flow/production/api-keys",
        ],
        root_token,
        None,
    )?;

    step("The whole mount as a tree (values masked unless --reveal)");
    vk.run(&["kv", "tree", "secret"], root_token, None)?;

    step("A read-only policy for the pipeline, written from TOML, and an AppRole that uses it");
    let policy = vk.home.join("bike-pipeline.toml");
    std::fs::write(
        &policy,
        "name = \"bike-pipeline\"\n\n[[rules]]\npath = \"secret/data/bike-data-flow/*\"\ncapabilities = [\"read\", \"list\"]\n\
         description = \"the pipeline reads its own secrets\"\n",
    )
    .map_err(|e| format!("could not write {}: {e}", policy.display()))?;
    let policy = policy.to_string_lossy().into_owned();
    vk.run(&["policy", "render", &policy], None, None)?;
    vk.run(
        &["policy", "write", "bike-pipeline", &policy],
        root_token,
        None,
    )?;
    server.bao(&["auth", "enable", "approle"])?;
    server.bao(&[
        "write",
        "auth/approle/role/bike-pipeline",
        "token_policies=bike-pipeline",
        "token_ttl=1h",
    ])?;
    let role_id = server.bao(&[
        "read",
        "-field=role_id",
        "auth/approle/role/bike-pipeline/role-id",
    ])?;
    let secret_id = server.bao(&[
        "write",
        "-f",
        "-field=secret_id",
        "auth/approle/role/bike-pipeline/secret-id",
    ])?;

    step(
        "The pipeline logs in with AppRole (secret id on stdin) and stores its token in ~/.vault-token",
    );
    vk.run(
        &[
            "login",
            "--method",
            "approle",
            "--role-id",
            &role_id,
            "--secret-id-file",
            "-",
            "--store",
        ],
        None,
        Some(&secret_id),
    )?;

    step("Running the pipeline with its secrets in the environment only (no argv, no files)");
    vk.run(
        &["exec", "-s", "DB_PASSWORD=secret/bike-data-flow/production/database#password",
          "-s", "OPENWEATHER_API_KEY=secret/bike-data-flow/production/api-keys#openweather", "--",
          "sh", "-c", "echo \"pipeline: DB_PASSWORD has ${#DB_PASSWORD} characters, OPENWEATHER_API_KEY starts with ${OPENWEATHER_API_KEY%%-*}\""],
        None,
        None,
    )?;
    step("...and the same token may not read anything else (exit code 4: permission denied)");
    vk.run_expecting(4, &["policy", "list"], None)?;
    println!("    (refused, as it should be)");

    let root = server.token.as_str();
    migrate::run(&vk, root)?;
    rotate::run(&vk, root)?;
    let report = audit::run(&vk, &audit_log)?;
    backup::run(&vk.bin, &vk.home)?;

    println!(
        "\nDone. The audit report is at {}.\nTry it yourself: `vaultkit dev` in one shell, then `vaultkit --help`. The dev server stops now.",
        report.display()
    );
    Ok(())
}

/// Where the demo leaves its HTML report (it outlives the tour's temporary HOME).
fn report_path() -> PathBuf {
    util::target_dir().join("demo/audit-report.html")
}

/// Removes the demo's temporary HOME when the tour ends.
struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
