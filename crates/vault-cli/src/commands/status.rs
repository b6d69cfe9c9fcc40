//! `vaultkit status`: health and seal status, like `vault status`.
//!
//! Needs no token. Exits 0 when the server serves (active or standby), 5 when it is sealed, not
//! initialised or unreachable.

use serde_json::json;

use super::Ctx;
use crate::error::{CliResult, ExitKind};
use crate::output::Table;

pub(crate) async fn run(ctx: &Ctx) -> CliResult<u8> {
    let client = ctx.settings.unauthenticated_client()?;
    let health = client.get_health().await?;
    let seal = client.seal_status().await?;
    let value = json!({
        "address": client.address(),
        "status": health.status.as_str(),
        "initialized": seal.initialized,
        "sealed": seal.sealed,
        "seal_type": seal.seal_type,
        "total_shares": seal.n,
        "threshold": seal.t,
        "unseal_progress": seal.progress,
        "version": if health.version.is_empty() { seal.version.clone() } else { health.version.clone() },
        "storage_type": seal.storage_type,
        "cluster_name": health.cluster_name.clone().or(seal.cluster_name.clone()),
        "cluster_id": health.cluster_id.clone().or(seal.cluster_id.clone()),
        "ha_standby": health.is_standby,
        "leader_address": health.leader_address,
        "profile": ctx.settings.profile,
        "credentials": ctx.settings.credential_source,
    });
    ctx.out().print(&value, || {
        let rows = [
            ("Address", "address"),
            ("Status", "status"),
            ("Initialized", "initialized"),
            ("Sealed", "sealed"),
            ("Seal Type", "seal_type"),
            ("Total Shares", "total_shares"),
            ("Threshold", "threshold"),
            ("Unseal Progress", "unseal_progress"),
            ("Version", "version"),
            ("Storage Type", "storage_type"),
            ("Cluster Name", "cluster_name"),
            ("HA Standby", "ha_standby"),
            ("Profile", "profile"),
            ("Credentials", "credentials"),
        ];
        Table::key_value(
            rows.iter()
                .filter(|(_, k)| !value[*k].is_null())
                .map(|(label, k)| (*label, crate::output::cell(&value[*k]))),
        )
    })?;
    Ok(if health.is_healthy() {
        0
    } else {
        ExitKind::Connection.code()
    })
}
