//! `audit hash` and `audit find-value`: the audit HMAC of a value read from stdin (never argv),
//! computed by the server's `sys/audit-hash`.

use std::io::Write;
use std::path::Path;

use vault_audit::output::{self, Format};

use super::audit_error;
use super::source::{load, read_value};
use crate::commands::Ctx;
use crate::error::CliResult;

/// `audit hash [--device D]`.
pub(super) async fn hash(ctx: &Ctx, device: &str, buf: &mut Vec<u8>) -> CliResult<()> {
    let value = read_value()?;
    let hmac = vault_audit::audit_hash(&ctx.client()?, device, &value)
        .await
        .map_err(audit_error)?;
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
    let (hmac, found) = vault_audit::find_value(&ctx.client()?, device, &value, &c)
        .await
        .map_err(audit_error)?;
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
