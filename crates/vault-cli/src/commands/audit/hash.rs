//! `audit hash` and `audit find-value`: the audit HMAC of a value read from stdin (never argv),
//! computed by the server's `sys/audit-hash`.

use std::io::Write;
use std::path::Path;

use vault_audit::AuditError;
use vault_audit::output::{self, Format};
use vault_core::{Classify, ErrorClass, VaultClient};

use super::audit_error;
use super::source::{load, read_value};
use crate::commands::Ctx;
use crate::error::{CliError, CliResult};

/// `audit hash [--device D]`.
pub(super) async fn hash(ctx: &Ctx, device: &str, buf: &mut Vec<u8>) -> CliResult<()> {
    let value = read_value()?;
    let client = ctx.client()?;
    let hmac = match vault_audit::audit_hash(&client, device, &value).await {
        Ok(h) => h,
        Err(e) => return Err(explain_missing_device(&client, device, e).await),
    };
    let _ = writeln!(buf, "{hmac}");
    Ok(())
}

/// `audit find-value LOG [--device D]`.
pub(super) async fn find_value(
    ctx: &Ctx,
    log: &Path,
    device: &str,
    format: Format,
    buf: &mut Vec<u8>,
) -> CliResult<()> {
    let value = read_value()?;
    let c = load(ctx, log)?;
    let client = ctx.client()?;
    let (hmac, found) = match vault_audit::find_value(&client, device, &value, &c).await {
        Ok(r) => r,
        Err(e) => return Err(explain_missing_device(&client, device, e).await),
    };
    ctx.out().info(&format!(
        "{hmac}: {} entr{}",
        found.len(),
        if found.len() == 1 { "y" } else { "ies" }
    ));
    if format != Format::Table {
        return output::write_json(buf, &found).map_err(audit_error);
    }
    let rows: Vec<Vec<String>> = found
        .iter()
        .map(|m| {
            vec![
                m.location.line.to_string(),
                m.time.clone().unwrap_or_default(),
                m.kind.to_string(),
                m.path.clone().unwrap_or_default(),
                m.actor.clone().unwrap_or_default(),
                m.fields.join(" "),
            ]
        })
        .collect();
    output::write_table(
        buf,
        &["line", "time", "type", "path", "actor", "fields"],
        &rows,
    )
    .map_err(audit_error)
}

/// A refused `sys/audit-hash/DEVICE` (HTTP 400) on a server that has no such device becomes a
/// plain "no audit device" error (exit 3) that says how to get one, instead of Vault's raw
/// "unknown audit backend". The device list comes from `sys/audit`; when the token may not read
/// it, the original error stays.
async fn explain_missing_device(client: &VaultClient, device: &str, err: AuditError) -> CliError {
    if err.class() != ErrorClass::Validation {
        return audit_error(err);
    }
    let Ok(Some(envelope)) = client.read("sys/audit").await else {
        return audit_error(err);
    };
    let devices: Vec<String> = envelope
        .data
        .as_ref()
        .and_then(serde_json::Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let wanted = format!("{}/", device.trim_matches('/'));
    if devices.contains(&wanted) {
        return audit_error(err);
    }
    let listed = if devices.is_empty() {
        "it has none".to_string()
    } else {
        format!("it has: {}", devices.join(", "))
    };
    CliError::not_found(format!(
        "the server has no audit device `{wanted}` ({listed}), so it cannot compute audit HMACs"
    ))
    .with_hint(if devices.is_empty() {
        "start a local server with one: `vaultkit dev --audit-log FILE`; on your own server, enable a file audit device (OpenBao: an `audit` block in its configuration)".to_string()
    } else {
        format!(
            "pass one of them with --device {}",
            devices[0].trim_end_matches('/')
        )
    })
}
