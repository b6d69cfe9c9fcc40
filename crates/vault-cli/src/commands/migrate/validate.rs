//! `migrate validate PLAN`: prove every planned secret arrived.

use std::path::Path;

use super::{load_plan, print};
use crate::commands::Ctx;
use crate::error::{CliError, CliResult};

/// `migrate validate PLAN`: exit 6 when a planned secret is missing, unreadable or different.
pub(super) async fn run(ctx: &Ctx, plan: &Path) -> CliResult<()> {
    let plan = load_plan(plan)?;
    let client = ctx.client()?;
    let results = vault_migrate::validate(&client, &plan).await;
    print(ctx, &results, || vault_migrate::validation_table(&results))?;
    let bad = results
        .iter()
        .filter(|v| {
            !v.exists || !v.readable || !v.missing_keys.is_empty() || !v.mismatched_keys.is_empty()
        })
        .count();
    if bad > 0 {
        return Err(CliError::validation(format!(
            "{bad} planned secret(s) are missing, unreadable or different in Vault"
        ))
        .with_hint("run `vaultkit migrate apply PLAN`"));
    }
    Ok(())
}
