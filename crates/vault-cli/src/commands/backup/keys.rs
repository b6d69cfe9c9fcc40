//! The OpenPGP side of `vaultkit backup`: recipients for `create`, the secret key for `verify`
//! and `restore`, and `keygen`. Passphrases come from an environment variable or a file, never
//! from the command line.

use std::path::Path;

use vault_backup::{DecryptionKey, Recipients};
use vault_core::SecretString;

use super::backup_error;
use crate::args::backup::{KeyArgs, RecipientArgs};
use crate::commands::Ctx;
use crate::error::{CliError, CliResult};
use crate::output::Table;

/// The recipients `create` encrypts to; `None` with `--no-encrypt`.
pub(crate) fn recipients(args: &RecipientArgs) -> CliResult<Option<Recipients>> {
    if args.no_encrypt {
        return Ok(None);
    }
    let mut all = Vec::new();
    if !args.recipient_files.is_empty() {
        all.push(Recipients::from_files(&args.recipient_files).map_err(backup_error)?);
    }
    if let Some(ring) = &args.keyring {
        all.push(Recipients::from_keyring(ring, &args.recipients).map_err(backup_error)?);
    }
    match all.len() {
        0 => Err(
            CliError::usage("a snapshot is encrypted unless --no-encrypt is given").with_hint(
                "pass --recipient-file CERT (or --keyring RING --recipient FPR); \
                 `vaultkit backup keygen` makes a key pair",
            ),
        ),
        1 => Ok(all.pop()),
        _ => Err(CliError::usage(
            "use either --recipient-file or --keyring/--recipient, not both",
        )),
    }
}

/// The decryption key of `--key`, if given.
pub(crate) fn decryption_key(args: &KeyArgs) -> CliResult<Option<DecryptionKey>> {
    let Some(path) = &args.key else {
        return Ok(None);
    };
    DecryptionKey::from_env_or_file(
        path,
        args.passphrase_env.as_deref(),
        args.passphrase_file.as_deref(),
    )
    .map(Some)
    .map_err(backup_error)
}

/// `backup keygen`: a new key pair, the secret half written 0600 and never over a file.
pub(crate) fn keygen(
    ctx: &Ctx,
    user_id: &str,
    cert: &Path,
    secret_key: &Path,
    passphrase_env: Option<&str>,
) -> CliResult<()> {
    let passphrase = match passphrase_env {
        Some(var) => Some(SecretString::new(std::env::var(var).map_err(|_| {
            CliError::usage(format!("the passphrase variable {var} is not set"))
        })?)),
        None => None,
    };
    // Both names are checked before anything is written, so a taken cert name cannot leave a
    // new secret key behind whose fingerprint was never shown.
    refuse_existing(cert)?;
    refuse_existing(secret_key)?;
    let key = vault_backup::generate_key(user_id, passphrase.as_ref()).map_err(backup_error)?;
    write_new(secret_key, key.secret_key.expose().as_bytes())?;
    write_new(cert, key.public_cert.as_bytes())?;
    let value = serde_json::json!({
        "fingerprint": key.fingerprint,
        "cert": cert.display().to_string(),
        "secret_key": secret_key.display().to_string(),
        "passphrase_protected": passphrase.is_some(),
    });
    ctx.out().print(&value, || {
        let mut t = Table::new(["Key", "Value"]);
        t.push(["fingerprint".to_string(), key.fingerprint.clone()]);
        t.push(["cert".to_string(), cert.display().to_string()]);
        t.push(["secret key".to_string(), secret_key.display().to_string()]);
        t
    })
}

/// Writes a new file readable only by its owner, atomically ([`vault_core::write_private`]),
/// refusing to replace an existing file: a key file is never silently lost.
fn write_new(path: &Path, bytes: &[u8]) -> CliResult<()> {
    refuse_existing(path)?;
    vault_core::write_private(path, bytes).map_err(|e| CliError::io("write", path, &e))
}

fn refuse_existing(path: &Path) -> CliResult<()> {
    if std::fs::symlink_metadata(path).is_ok() {
        return Err(
            CliError::usage(format!("{} already exists", path.display()))
                .with_hint("refusing to overwrite a key file; choose another name"),
        );
    }
    Ok(())
}
