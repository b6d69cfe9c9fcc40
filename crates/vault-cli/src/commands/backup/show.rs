//! How `vaultkit backup` prints: catalog entries, restore and cleanup reports (tables for
//! people, the same fields as JSON/YAML for machines). None of them holds a secret value.

use serde_json::{Value, json};
use vault_backup::{CleanupReport, RestoreAction, RestoreReport, SnapshotInfo};

use crate::commands::Ctx;
use crate::error::{CliError, CliResult};
use crate::output::Table;

fn to_value(info: &SnapshotInfo) -> CliResult<Value> {
    serde_json::to_value(info)
        .map_err(|e| CliError::other(format!("encode the snapshot entry: {e}")))
}

fn size(bytes: Option<u64>) -> String {
    match bytes {
        None => "-".to_string(),
        Some(b) if b >= 1 << 30 => format!("{:.2} GiB", b as f64 / f64::from(1u32 << 30)),
        Some(b) if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / f64::from(1u32 << 20)),
        Some(b) if b >= 1 << 10 => format!("{:.1} KiB", b as f64 / 1024.0),
        Some(b) => format!("{b} B"),
    }
}

/// One catalog entry.
pub(crate) fn snapshot(ctx: &Ctx, info: &SnapshotInfo) -> CliResult<()> {
    let value = to_value(info)?;
    ctx.out().print(&value, || {
        let mut t = Table::new(["Key", "Value"]);
        let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".to_string());
        t.push(["id".to_string(), info.id.clone()]);
        t.push(["type".to_string(), info.backup_type.as_str().to_string()]);
        t.push(["status".to_string(), info.status.as_str().to_string()]);
        t.push(["created_at".to_string(), info.created_at.to_rfc3339()]);
        t.push(["plain_size".to_string(), size(info.plain_size)]);
        t.push(["stored_size".to_string(), size(info.stored_size)]);
        t.push(["plain_sha256".to_string(), opt(&info.plain_sha256)]);
        t.push(["encrypted".to_string(), info.encrypted.to_string()]);
        if info.encrypted {
            t.push(["recipients".to_string(), info.recipients.join(", ")]);
        }
        t.push(["cluster_id".to_string(), opt(&info.cluster_id)]);
        t.push(["vault_version".to_string(), opt(&info.vault_version)]);
        if let Some(v) = info.verified_at {
            t.push(["verified_at".to_string(), v.to_rfc3339()]);
        }
        if let Some(f) = &info.failure {
            t.push(["failure".to_string(), f.clone()]);
        }
        t
    })
}

/// Catalog entries, oldest first.
pub(crate) fn list(ctx: &Ctx, entries: &[SnapshotInfo]) -> CliResult<()> {
    let values = entries
        .iter()
        .map(to_value)
        .collect::<CliResult<Vec<_>>>()?;
    if entries.is_empty() && ctx.is_table() {
        ctx.out().info("no snapshots in the store");
        return Ok(());
    }
    ctx.out().print(&Value::Array(values), || {
        let mut t = Table::new(["ID", "Type", "Status", "Created", "Size", "Encrypted"]);
        for e in entries {
            t.push([
                e.id.clone(),
                e.backup_type.as_str().to_string(),
                e.status.as_str().to_string(),
                e.created_at.format("%Y-%m-%d %H:%M:%S").to_string(),
                size(e.stored_size),
                if e.encrypted { "yes" } else { "no" }.to_string(),
            ]);
        }
        t
    })
}

/// What a restore did or would do.
pub(crate) fn restore(ctx: &Ctx, report: &RestoreReport) -> CliResult<()> {
    for w in &report.warnings {
        ctx.out().info(&format!("warning: {w}"));
    }
    let action = |a: RestoreAction| match a {
        RestoreAction::Create => "create",
        RestoreAction::Replace => "replace",
        RestoreAction::Unchanged => "unchanged",
        _ => "other",
    };
    let value = json!({
        "id": report.id,
        "type": report.backup_type.as_str(),
        "dry_run": report.dry_run,
        "warnings": report.warnings,
        "versions_written": report.versions_written,
        "changes": report.changes.iter().map(|c| json!({
            "path": c.path, "action": action(c.action), "versions": c.versions,
        })).collect::<Vec<_>>(),
    });
    ctx.out().print(&value, || {
        let mut t = Table::new(["Path", "Action", "Versions"]);
        for c in &report.changes {
            t.push([
                c.path.clone(),
                action(c.action).to_string(),
                c.versions.to_string(),
            ]);
        }
        if t.is_empty() {
            let what = if report.dry_run {
                "would restore"
            } else {
                "restored"
            };
            t = Table::new(["Snapshot", "Result"]);
            t.push([
                report.id.clone(),
                format!("{what} ({})", report.backup_type.as_str()),
            ]);
        }
        t
    })
}

/// What cleanup removed (or would remove), kept, and found abandoned by a dead writer.
pub(crate) fn cleanup(ctx: &Ctx, report: &CleanupReport) -> CliResult<()> {
    let value = json!({
        "dry_run": report.dry_run,
        "removed": report.removed,
        "kept": report.kept,
        "abandoned": report.abandoned,
    });
    ctx.out().print(&value, || {
        let mut t = Table::new(["Snapshot", "Decision"]);
        let gone = if report.dry_run {
            "would remove"
        } else {
            "removed"
        };
        for id in &report.removed {
            t.push([id.clone(), gone.to_string()]);
        }
        for id in &report.kept {
            t.push([id.clone(), "kept".to_string()]);
        }
        let dead = if report.dry_run {
            "abandoned: would mark failed"
        } else {
            "abandoned: marked failed"
        };
        for id in &report.abandoned {
            t.push([id.clone(), dead.to_string()]);
        }
        t
    })
}
