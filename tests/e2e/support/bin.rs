//! Where the `vaultkit` binary under test is.
//!
//! `CARGO_BIN_EXE_vaultkit` exists only in vault-cli's own tests, so this crate finds the binary
//! next to its own test executable (`<target>/<profile>/deps/e2e-…` → `<target>/<profile>/vaultkit`).
//! `cargo test --workspace` / `cargo nextest run --workspace` build it in the same run, because
//! vault-cli has an integration test target. When it is missing, or older than a source file of
//! vault-cli (someone ran only this crate's tests after an edit), it is built once with
//! `cargo build --workspace --bin vaultkit` (workspace-wide, so no feature set changes and nothing
//! else recompiles). `VAULTKIT_BIN` overrides all of this.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::SystemTime;

static BIN: OnceLock<PathBuf> = OnceLock::new();

pub(crate) fn vaultkit() -> &'static Path {
    BIN.get_or_init(locate)
}

fn locate() -> PathBuf {
    if let Some(p) = std::env::var_os("VAULTKIT_BIN") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().expect("the test executable's path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("test executable lives in <target>/<profile>/deps");
    let bin = profile_dir.join("vaultkit");
    if needs_build(&bin) {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut cmd = Command::new(cargo);
        cmd.args(["build", "--workspace", "--bin", "vaultkit", "--quiet"])
            .current_dir(&root);
        if profile_dir.file_name().is_some_and(|n| n == "release") {
            cmd.arg("--release");
        }
        if let Some(target) = profile_dir.parent() {
            cmd.env("CARGO_TARGET_DIR", target);
        }
        let status = cmd
            .status()
            .expect("run cargo build for the vaultkit binary");
        assert!(
            status.success(),
            "`cargo build --workspace --bin vaultkit` failed"
        );
    }
    assert!(bin.is_file(), "no vaultkit binary at {}", bin.display());
    bin
}

fn needs_build(bin: &Path) -> bool {
    let Ok(built) = bin.metadata().and_then(|m| m.modified()) else {
        return true;
    };
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/vault-cli");
    newest(&src).is_some_and(|t| t > built)
}

fn newest(dir: &Path) -> Option<SystemTime> {
    let mut best = None;
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        let t = if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "tests") {
                continue;
            }
            newest(&path)
        } else {
            entry.metadata().and_then(|m| m.modified()).ok()
        };
        best = best.max(t);
    }
    best
}
