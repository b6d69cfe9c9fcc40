//! vault-migrate's errors as CLI errors (exit codes).

use std::error::Error as _;

use vault_migrate::{MigrateError, MigrateErrorKind};

use crate::error::{CliError, ExitKind};

pub fn migrate_error(e: MigrateError) -> CliError {
    let kind = match e.kind() {
        MigrateErrorKind::Io => {
            let not_found = e
                .source()
                .and_then(|s| s.downcast_ref::<std::io::Error>())
                .is_some_and(|io| io.kind() == std::io::ErrorKind::NotFound);
            if not_found {
                ExitKind::NotFound
            } else {
                ExitKind::Other
            }
        }
        MigrateErrorKind::Parse | MigrateErrorKind::Conflict => ExitKind::Validation,
        MigrateErrorKind::Pattern | MigrateErrorKind::Config => ExitKind::Usage,
        MigrateErrorKind::Vault => match e
            .source()
            .and_then(|s| s.downcast_ref::<vault_core::VaultError>())
        {
            Some(v) => ExitKind::from_vault(v.kind()),
            None => ExitKind::Other,
        },
        _ => ExitKind::Other,
    };
    CliError::new(kind, e.to_string())
}
