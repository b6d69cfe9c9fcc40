//! `cargo xtask report-screenshot`: render the audit HTML report of the vault-guides corpus in
//! headless Chromium (Debian's `chromium`), fail on any console error, and save a screenshot to
//! docs/img/audit-report.png.

use std::path::Path;
use std::process::Command;

use crate::{setup, util};

pub(crate) fn run() -> Result<(), String> {
    let root = util::workspace_root();
    setup::install_apt(&[("chromium", "chromium")])?;
    util::cargo(
        &root,
        &["build", "--workspace", "--bin", "vaultkit", "--quiet"],
    )?;

    let out_dir = util::target_dir().join("report");
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("create {}: {e}", out_dir.display()))?;
    let html = out_dir.join("audit-report.html");
    let log = root.join("crates/vault-audit/tests/data/vault-guides/vault-audit.log");
    let vaultkit = util::target_dir().join("debug/vaultkit");
    util::run(
        &root,
        &vaultkit.to_string_lossy(),
        &[
            "audit",
            "report",
            &log.to_string_lossy(),
            "-o",
            &html.to_string_lossy(),
        ],
    )?;

    let png = root.join("docs/img/audit-report.png");
    if let Some(dir) = png.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    }
    let errors = render(&html, &png, &out_dir.join("chromium-profile"))?;
    if !errors.is_empty() {
        return Err(format!(
            "the report logged {} console error(s):\n{}",
            errors.len(),
            errors.join("\n")
        ));
    }
    eprintln!("no console errors; screenshot saved to {}", png.display());
    Ok(())
}

/// Run headless Chromium on `html`, write `png`, return the console errors it logged.
fn render(html: &Path, png: &Path, profile: &Path) -> Result<Vec<String>, String> {
    let _ = std::fs::remove_dir_all(profile);
    let url = format!("file://{}", html.display());
    let out = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
            &format!("--user-data-dir={}", profile.display()),
            "--window-size=1280,2200",
            &format!("--screenshot={}", png.display()),
            &url,
        ])
        .output()
        .map_err(|e| format!("could not run chromium (run `cargo xtask setup`): {e}"))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() || !png.is_file() {
        return Err(format!("chromium failed ({}):\n{stderr}", out.status));
    }
    // Chromium prints every page console message as `[…:INFO:CONSOLE:line] "message", source: …`
    // whatever its level (console.error included), so any console output counts: the report is
    // meant to log nothing at all.
    Ok(stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught"))
        .map(str::to_string)
        .collect())
}
