//! The rotation step: the pipeline's database password, stored in Vault, is rotated for real
//! against a throwaway PostgreSQL — a policy from TOML, a forced rotation, the old password
//! refused and the new one accepted, then the status and history.

use super::postgres::DemoPostgres;
use super::vaultkit::{Vaultkit, step};

/// The database secret's path and its password before the rotation (set by the first steps).
const SECRET: &str = "secret/bike-data-flow/production/database";
const OLD_PASSWORD: &str = "demo-Pg-pass-4711";

pub(crate) fn run(vk: &Vaultkit, root_token: &str) -> Result<(), String> {
    step("Rotation: a throwaway PostgreSQL whose role db_user has the password stored in Vault");
    let admin_password = format!("demo-admin-{}", std::process::id());
    let pg = DemoPostgres::start(&vk.home.join("postgres"), &admin_password)?;
    pg.psql(
        "postgres",
        &admin_password,
        &format!("CREATE ROLE db_user LOGIN PASSWORD '{OLD_PASSWORD}'"),
    )?;
    println!("    PostgreSQL listens on 127.0.0.1:{}", pg.port);
    let root = Some(root_token);
    vk.run(
        &[
            "kv",
            "put",
            "secret/bike-data-flow/production/pg-admin",
            "username=postgres",
            "password=-",
        ],
        root,
        Some(&admin_password),
    )?;

    step("A rotation policy: every 30 days, the PostgreSQL rotator, admin login read from Vault");
    let policy = format!(
        "[[policy]]\nname = \"bike-db\"\npath = \"bike-data-flow/production/database\"\n\
         interval = \"30d\"\ngrace_period = \"24h\"\n\
         rotator = {{ type = \"postgres\", host = \"127.0.0.1\", port = {}, \
         admin = {{ source = \"kv\", path = \"bike-data-flow/production/pg-admin\" }} }}\n",
        pg.port
    );
    let file = vk.home.join("rotation.toml");
    std::fs::write(&file, &policy).map_err(|e| format!("write {}: {e}", file.display()))?;
    for line in policy.lines() {
        println!("    | {line}");
    }
    let file = file.to_string_lossy().into_owned();
    vk.run(&["rotate", "policy", "add", "--file", &file], root, None)?;
    vk.run(&["rotate", "policy", "list"], root, None)?;

    step(
        "Rotate it now: ALTER ROLE with the new password's SCRAM hash, a test login, then current",
    );
    vk.run(&["rotate", "now", SECRET], root, None)?;

    step("The old password is refused; the new one, handed to psql by `vaultkit exec`, works");
    match pg.psql("db_user", OLD_PASSWORD, "SELECT 1") {
        Ok(_) => return Err("the old password still works after the rotation".into()),
        Err(message) => println!(
            "    old password: refused ({})",
            message.lines().last().unwrap_or("").trim()
        ),
    }
    let port = pg.port.to_string();
    let psql = pg.psql_path();
    let secret = format!("PGPASSWORD={SECRET}#password");
    vk.run(
        &[
            "exec",
            "-s",
            &secret,
            "--",
            &psql,
            "-X",
            "-t",
            "-A",
            "-h",
            "127.0.0.1",
            "-p",
            &port,
            "-U",
            "db_user",
            "-d",
            "postgres",
            "-c",
            "SELECT 'new password: accepted, connected as ' || current_user",
        ],
        root,
        None,
    )?;

    step("Where the rotation stands, and its history");
    vk.run(&["rotate", "status"], root, None)?;
    vk.run(&["rotate", "history", SECRET], root, None)?;
    Ok(())
}
