//! The migration step: a staging `.env` with plaintext secrets is scanned, planned, applied to
//! Vault and validated; its plaintext values are then removed and a second scan is clean.

use super::vaultkit::{Vaultkit, step};

/// The sample project's `.env`: two secrets and some plain settings (made-up values).
const DOTENV: &str = "\
# bike-data-flow pipeline, staging
APP_ENV=staging
DB_HOST=db.staging.example.com
DB_PORT=5432
DB_USER=bike_etl
DB_PASSWORD=Xk9mQ2vLp7wZ4nRt
OPENWEATHER_API_KEY=8f3a9c1d7e5b2a4f6c8e0d1b3a5c7e9f
";

/// The same file once its secrets live in Vault.
const DOTENV_AFTER: &str = "\
# bike-data-flow pipeline, staging
APP_ENV=staging
DB_HOST=db.staging.example.com
DB_PORT=5432
DB_USER=bike_etl
# DB_PASSWORD and OPENWEATHER_API_KEY now come from Vault:
#   vaultkit exec -s DB_PASSWORD=secret/bike-data-flow/staging/database#DB_PASSWORD -- ./pipeline
";

/// Run the migration tour with the root token (apply and validate write and read Vault).
pub(crate) fn run(vk: &Vaultkit, root_token: &str) -> Result<(), String> {
    let project = vk.home.join("bike-data-flow");
    std::fs::create_dir_all(&project)
        .map_err(|e| format!("could not create {}: {e}", project.display()))?;
    let dotenv = project.join(".env");
    std::fs::write(&dotenv, DOTENV)
        .map_err(|e| format!("could not write {}: {e}", dotenv.display()))?;
    let project_arg = project.to_string_lossy().into_owned();
    let plan = vk.home.join("migration-plan.toml");
    let plan_arg = plan.to_string_lossy().into_owned();

    step("Migration: a staging .env holds plaintext secrets — scan it (exit 1: secrets found)");
    vk.run_expecting(1, &["migrate", "scan", &project_arg], None)?;

    step("Plan where each secret goes in Vault (the plan holds hashes, never values)");
    vk.run(
        &[
            "migrate",
            "plan",
            &project_arg,
            "--prefix",
            "bike-data-flow/staging",
            "-o",
            &plan_arg,
        ],
        None,
        None,
    )?;

    step(
        "Apply the plan (values re-read from the .env and checked against the plan), then validate",
    );
    vk.run(&["migrate", "apply", &plan_arg], Some(root_token), None)?;
    vk.run(&["migrate", "validate", &plan_arg], Some(root_token), None)?;

    step("The values are in Vault now: drop them from the .env and scan again (exit 0: clean)");
    std::fs::write(&dotenv, DOTENV_AFTER)
        .map_err(|e| format!("could not write {}: {e}", dotenv.display()))?;
    vk.run_expecting(0, &["migrate", "scan", &project_arg], None)?;
    Ok(())
}
