//! vault-migrate's errors as CLI errors: the exit code comes from the error's Python-module class
//! (`Classify::class`), see [`CliError::classified`].

use vault_migrate::MigrateError;

use crate::error::CliError;

pub(crate) fn migrate_error(e: MigrateError) -> CliError {
    CliError::classified(&e)
}
