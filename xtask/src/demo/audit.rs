//! The audit step: the demo server's own file audit log, analysed offline — statistics, the
//! detections (the policy the tour wrote must be among them), and the HTML report.

use std::path::{Path, PathBuf};

use super::vaultkit::{Vaultkit, step};

/// Analyse `log`; returns where the HTML report was written.
pub(crate) fn run(vk: &Vaultkit, log: &Path) -> Result<PathBuf, String> {
    let log_arg = log.to_string_lossy().into_owned();
    step("Everything the tour did is in the server's audit log: statistics (offline, no token)");
    let stats = vk.run(&["audit", "stats", &log_arg], None, None)?;
    if !stats.contains("requests") {
        return Err("`vaultkit audit stats` printed no request count".into());
    }

    step(
        "Detections over the same log: root-token use, the policy we wrote, the AppRole we enabled",
    );
    let found = vk.run(&["audit", "anomalies", &log_arg], None, None)?;
    for rule in ["policy-change", "auth-method-change", "root-token-use"] {
        if !found.contains(rule) {
            return Err(format!(
                "`vaultkit audit anomalies` did not report `{rule}` although the tour did it"
            ));
        }
    }

    step("A self-contained HTML report of the log (statistics, charts, detections)");
    let report = super::report_path();
    if let Some(dir) = report.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("could not create {}: {e}", dir.display()))?;
    }
    let report_arg = report.to_string_lossy().into_owned();
    vk.run(
        &[
            "audit",
            "report",
            &log_arg,
            "-o",
            &report_arg,
            "--title",
            "vaultkit demo",
        ],
        None,
        None,
    )?;
    let size = std::fs::metadata(&report)
        .map_err(|e| format!("the report {} was not written: {e}", report.display()))?
        .len();
    if size == 0 {
        return Err(format!("the report {} is empty", report.display()));
    }
    println!("    report: {} ({size} bytes)", report.display());
    Ok(report)
}
