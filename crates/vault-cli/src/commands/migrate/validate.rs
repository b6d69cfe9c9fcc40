//! `migrate validate PLAN`: prove every planned secret arrived.

use std::path::Path;

use super::{load_plan, print};
use crate::commands::Ctx;
use crate::error::{CliError, CliResult};

/// `migrate validate PLAN`: exit 6 when a planned secret is missing, unreadable or different.
pub(super) async fn run(ctx: &Ctx, plan_path: &Path) -> CliResult<()> {
    let plan = load_plan(plan_path)?;
    let client = ctx.client()?;
    let results = vault_migrate::validate(&client, &plan).await;
    print(ctx, &results, || vault_migrate::validation_table(&results))?;
    let missing = results
        .iter()
        .filter(|v| v.readable && (!v.exists || !v.missing_keys.is_empty()))
        .count();
    let differ = results
        .iter()
        .filter(|v| v.exists && v.readable && !v.mismatched_keys.is_empty())
        .count();
    let unreadable = results.iter().filter(|v| !v.readable).count();
    if missing + differ + unreadable == 0 {
        return Ok(());
    }
    let shown = plan_path.display();
    let mut parts = Vec::new();
    if missing > 0 {
        parts.push(format!("{missing} not (fully) in Vault"));
    }
    if differ > 0 {
        parts.push(format!(
            "{differ} with other values in Vault than in the sources"
        ));
    }
    if unreadable > 0 {
        parts.push(format!("{unreadable} unreadable with this token"));
    }
    // Each hint leads somewhere new: after a refused `apply`, plain `apply` would be refused
    // again, so differing values point to `--force` or to a new plan instead.
    let hint = if unreadable > 0 {
        "see the table's error column; for `permission denied`, check the token's policy (`vaultkit policy read NAME`)".to_string()
    } else if differ > 0 {
        format!(
            "keep Vault's values by updating the sources and making a new plan, or overwrite Vault with the sources: `vaultkit migrate apply {shown} --force` (see them first with `--dry-run`)"
        )
    } else {
        format!("write them: `vaultkit migrate apply {shown}`")
    };
    Err(CliError::validation(format!("planned secrets: {}", parts.join(", "))).with_hint(hint))
}
