//! End-to-end demo: a `.env` → scan → plan → diff → apply (twice) → validate, against a real
//! OpenBao dev server started by vault-testkit. Prints what a user sees (values masked).
//!
//! `cargo run --example migrate_demo` (needs `bao`; `cargo xtask setup` installs it).

use vault_core::VaultClient;
use vault_migrate::report::to_table;
use vault_migrate::{
    ApplyOptions, Plan, PlanOptions, Scanner, SourceValues, apply, diff, validate,
};
use vault_migrate::{apply_table, diff_table, validation_table};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    std::fs::write(
        dir.path().join(".env"),
        "# bike-data-flow production settings\nDB_HOST=db.internal\nDB_PORT=5432\nDB_USERNAME=bikes\nDB_PASSWORD=Zk3p9Lq2Xv8mW4\nDB_NAME=bikes\n\
         STRIPE_API_KEY=sk_live_4eC39HqLyjWDarjtT1zdp7dc\nOPENWEATHER_API_KEY=9f8e7d6c5b4a39281706f5e4d3c2b1a0\n\
         JWT_SECRET=\"q8Vt2Lm9Xr4Kd7Ns1Pw6\"\nSENTRY_DSN=${SENTRY_DSN}\nLOG_LEVEL=info\n",
    )?;
    let bao = vault_testkit::OpenBao::dev().await;
    let client = VaultClient::builder()
        .with_address(bao.addr())
        .with_token(bao.root_token())
        .build()?;

    println!("$ vaultkit migrate scan .\n");
    let report = Scanner::builder().build()?.scan_paths(&[dir.path()])?;
    println!("{}", to_table(&report));

    println!("$ vaultkit migrate plan --prefix bike-data-flow/production > plan.toml\n");
    let plan = Plan::from_report(
        &report,
        &PlanOptions::new("secret", "bike-data-flow/production").with_base_dir(dir.path()),
    )?;
    let toml = plan
        .to_toml()?
        .replace(&dir.path().display().to_string(), ".");
    println!("{toml}");

    let values = SourceValues::load(&plan)?;
    println!("$ vaultkit migrate plan --prefix bike-data-flow/production --diff\n");
    println!("{}", diff_table(&diff(&client, &plan, &values).await?));

    println!("$ vaultkit migrate apply plan.toml\n");
    println!(
        "{}",
        apply_table(&apply(&client, &plan, &values, &ApplyOptions::default()).await?)
    );
    println!("$ vaultkit migrate apply plan.toml   # again: nothing to do\n");
    println!(
        "{}",
        apply_table(&apply(&client, &plan, &values, &ApplyOptions::default()).await?)
    );

    println!("$ vaultkit migrate validate plan.toml\n");
    println!("{}", validation_table(&validate(&client, &plan).await));

    // Someone rotates the password in Vault; validate and apply notice.
    client
        .write(
            "secret/data/bike-data-flow/production/database",
            serde_json::json!({"data": {"password": "rotated-elsewhere"}}),
        )
        .await?;
    println!("$ vaultkit migrate validate plan.toml   # after a change in Vault\n");
    println!("{}", validation_table(&validate(&client, &plan).await));
    println!("$ vaultkit migrate apply plan.toml\n");
    println!(
        "{}",
        apply_table(&apply(&client, &plan, &values, &ApplyOptions::default()).await?)
    );
    Ok(())
}
