//! The configuration file `vaultkit dev` hands to `bao server -dev -config=FILE`:
//!
//! - a cluster name unique to this run, which `sys/health` reports back, so the readiness check
//!   knows it reached the process vaultkit started and not another server on the same port;
//! - with `--audit-log FILE`, a declarative file audit device. OpenBao refuses to enable audit
//!   devices through the API; it accepts an `audit` block in its configuration
//!   (<https://openbao.org/docs/configuration/audit>).
//!
//! The file is JSON (OpenBao reads `.json` configuration as well as HCL) so that any path is
//! quoted exactly by `serde_json`: HCL strings treat `${` and `%{` specially. It lives in a
//! folder created 0700 for this run (never an existing one: no symlink can be planted) and is
//! removed with it when the server stops.

use std::path::{Path, PathBuf};

use serde_json::json;

use crate::error::{CliError, CliResult};

/// The path the audit device is mounted at (`vaultkit audit hash --device file`, the default).
pub(super) const AUDIT_DEVICE: &str = "file";

/// The configuration text.
pub(super) fn render(cluster_name: &str, audit_log: Option<&Path>) -> String {
    let mut config = json!({ "cluster_name": cluster_name });
    if let Some(path) = audit_log {
        config["audit"] = json!([{
            "file": {
                AUDIT_DEVICE: {
                    "description": "vaultkit dev --audit-log",
                    "options": { "file_path": path.to_string_lossy() },
                }
            }
        }]);
    }
    format!("{config:#}\n")
}

/// `--audit-log FILE` checked and made absolute (the server resolves relative paths against its
/// own working folder; the user meant theirs). The folder must exist; the file may (OpenBao
/// appends to it) but must be a regular file, not a symbolic link or a folder.
pub(super) fn audit_log_path(given: &Path) -> CliResult<PathBuf> {
    let text = given.to_str().ok_or_else(|| {
        CliError::usage(format!(
            "--audit-log `{}` is not valid UTF-8",
            given.display()
        ))
        .with_hint("choose a file name in UTF-8")
    })?;
    if text.is_empty() || text.chars().any(char::is_control) {
        return Err(
            CliError::usage("--audit-log is empty or holds control characters")
                .with_hint("give a file name such as ./audit.log"),
        );
    }
    let joined = if given.is_absolute() {
        given.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|e| CliError::other(format!("could not read the current folder: {e}")))?
            .join(given)
    };
    // `./audit.log` → `/cwd/audit.log` (`..` stays: it may cross a symbolic link).
    let path: PathBuf = joined
        .components()
        .filter(|c| *c != std::path::Component::CurDir)
        .collect();
    let folder = path.parent().unwrap_or(Path::new("/"));
    if !folder.is_dir() {
        return Err(CliError::not_found(format!(
            "--audit-log `{}`: folder `{}` does not exist",
            given.display(),
            folder.display()
        ))
        .with_hint("create the folder first, or pick a file in an existing one"));
    }
    match std::fs::symlink_metadata(&path) {
        Ok(m) if m.file_type().is_symlink() => Err(CliError::usage(format!(
            "--audit-log `{}` is a symbolic link; the audit log is never written through one",
            given.display()
        ))
        .with_hint("name the real file")),
        Ok(m) if !m.is_file() => Err(CliError::usage(format!(
            "--audit-log `{}` exists and is not a regular file",
            given.display()
        ))
        .with_hint("name a new or existing log file, not a folder")),
        _ => Ok(path),
    }
}

/// A private folder holding the configuration file, removed on drop.
#[derive(Debug)]
pub(super) struct ConfigDir {
    dir: PathBuf,
    file: PathBuf,
}

impl ConfigDir {
    /// Create `$TMPDIR/vaultkit-dev-<suffix>` (0700, failing if it exists) and write `text` to
    /// `config.json` in it (0600).
    pub(super) fn create(suffix: &str, text: &str) -> CliResult<ConfigDir> {
        let dir = std::env::temp_dir().join(format!("vaultkit-dev-{suffix}"));
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(&dir)
            .map_err(|e| CliError::io("create the dev server's config folder", &dir, &e))?;
        let out = ConfigDir {
            file: dir.join("config.json"),
            dir,
        };
        vault_core::write_private(&out.file, text.as_bytes())
            .map_err(|e| CliError::io("write the dev server's config", &out.file, &e))?;
        Ok(out)
    }

    /// The configuration file.
    pub(super) fn file(&self) -> &Path {
        &self.file
    }
}

impl Drop for ConfigDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_quotes_any_path_exactly() {
        let path = Path::new("/tmp/we\"ird ${HOME} %{x}\\/audit.log");
        let text = render("vaultkit-dev-abc", Some(path));
        let parsed: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        assert_eq!(parsed["cluster_name"], "vaultkit-dev-abc");
        assert_eq!(
            parsed["audit"][0]["file"][AUDIT_DEVICE]["options"]["file_path"],
            path.to_str().expect("utf-8")
        );
        let plain: serde_json::Value = serde_json::from_str(&render("c", None)).expect("JSON");
        assert!(plain.get("audit").is_none(), "{plain}");
    }

    #[test]
    fn audit_log_path_refuses_links_folders_and_missing_folders() {
        let dir = tempfile::tempdir().expect("tempdir");
        let ok = dir.path().join("audit.log");
        assert_eq!(audit_log_path(&ok).expect("new file"), ok);
        let missing = dir.path().join("nope/audit.log");
        assert_eq!(
            audit_log_path(&missing)
                .expect_err("no folder")
                .kind()
                .code(),
            3
        );
        assert_eq!(
            audit_log_path(dir.path())
                .expect_err("folder")
                .kind()
                .code(),
            2
        );
        #[cfg(unix)]
        {
            let link = dir.path().join("link.log");
            std::os::unix::fs::symlink("/etc/passwd", &link).expect("symlink");
            let e = audit_log_path(&link).expect_err("symlink");
            assert!(e.to_string().contains("symbolic link"), "{e}");
        }
        assert!(audit_log_path(Path::new("a\nb.log")).is_err());
    }
}
