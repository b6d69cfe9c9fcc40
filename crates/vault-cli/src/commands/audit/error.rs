//! vault-audit's errors as CLI errors (exit codes).

use vault_audit::AuditError;

use crate::error::{CliError, ExitKind};

pub fn audit_error(e: AuditError) -> CliError {
    let kind = match &e {
        AuditError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
            ExitKind::NotFound
        }
        AuditError::NoLogs { .. } => ExitKind::NotFound,
        AuditError::InvalidArgument { .. } | AuditError::Config(_) => ExitKind::Usage,
        AuditError::Vault(v) => ExitKind::from_vault(v.kind()),
        _ => ExitKind::Other,
    };
    CliError::new(kind, e.to_string())
}
