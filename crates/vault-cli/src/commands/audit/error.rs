//! vault-audit's errors as CLI errors: the exit code comes from the error's Python-module class
//! (`Classify::class`), see [`CliError::classified`].

use vault_audit::AuditError;

use crate::error::CliError;

pub(crate) fn audit_error(e: AuditError) -> CliError {
    CliError::classified(&e)
}
