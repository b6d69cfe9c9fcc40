//! The memory case of `cargo xtask bench audit` (also alone: `cargo xtask bench audit-memory`):
//! `audit stats` streams, so its peak memory must not grow with the size of the log.
//!
//! Generates a 100 MiB and a 1 GiB log under `target/bench/` (deleted afterwards), runs the
//! release `audit_stats` example (the same `vault_audit::stats` call as `vaultkit audit stats`)
//! on each as a child process, and reads the child's peak RSS (`ru_maxrss`, reported by
//! `/usr/bin/time -f %M`). Flat memory means a ratio near 1 for 10× the input; a reader that
//! kept the log, or a per-entry structure, would show a ratio near 10.

use std::path::Path;
use std::process::Command;

/// Sizes compared (MiB): the small run and one ten times larger.
const SIZES_MIB: [u64; 2] = [100, 1024];

/// One child run: peak RSS (KiB), seconds, and the `entries` it counted.
struct Sample {
    mib: u64,
    bytes: u64,
    rss_kb: u64,
    secs: f64,
    entries: u64,
}

/// Runs `bin file` under `/usr/bin/time` and returns the child's peak RSS and time.
fn measure(bin: &Path, file: &Path) -> Result<(u64, f64, u64), String> {
    let out = Command::new("/usr/bin/time")
        .args(["-f", "VKMEM %M %e"])
        .arg(bin)
        .arg(file)
        .output()
        .map_err(|e| format!("run {} under /usr/bin/time: {e}", bin.display()))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!(
            "audit_stats failed ({}): {}",
            out.status,
            stderr.trim()
        ));
    }
    let line = stderr
        .lines()
        .rev()
        .find(|l| l.starts_with("VKMEM "))
        .ok_or_else(|| "no figures from /usr/bin/time".to_string())?;
    let mut parts = line.split_whitespace().skip(1);
    let rss_kb = parts
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad /usr/bin/time line `{line}`"))?;
    let secs = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0.0);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let entries = stdout
        .split("\"entries\":")
        .nth(1)
        .and_then(|t| t.trim_start().split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|d| d.parse().ok())
        .ok_or_else(|| "audit_stats printed no `entries`".to_string())?;
    Ok((rss_kb, secs, entries))
}

fn line_count(file: &Path) -> Result<u64, String> {
    let out = Command::new("wc")
        .arg("-l")
        .arg(file)
        .output()
        .map_err(|e| format!("wc -l: {e}"))?;
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| "wc -l printed no count".to_string())
}

/// Runs the case and returns its markdown section. Builds the release `audit_stats` example.
pub(crate) fn run(workspace_root: &Path) -> Result<String, String> {
    if !Path::new("/usr/bin/time").exists() {
        return Err(
            "/usr/bin/time is missing (Debian package `time`); run `cargo xtask setup`".into(),
        );
    }
    let dir = crate::util::bench_dir()?;
    let bin = crate::util::build_audit_stats()?;
    let load = crate::util::load_average();

    let mut samples = Vec::new();
    for mib in SIZES_MIB {
        let file = dir.join(format!("audit-memory-{mib}mib.log"));
        eprintln!("generating {} ({mib} MiB)…", file.display());
        let result =
            crate::bench_audit::generate(workspace_root, &file, mib << 20).and_then(|()| {
                let bytes = std::fs::metadata(&file)
                    .map(|m| m.len())
                    .map_err(|e| format!("stat {}: {e}", file.display()))?;
                let lines = line_count(&file)?;
                let (rss_kb, secs, entries) = measure(&bin, &file)?;
                if entries != lines {
                    return Err(format!(
                        "audit_stats counted {entries} entries in {}, wc -l says {lines}",
                        file.display()
                    ));
                }
                Ok(Sample {
                    mib,
                    bytes,
                    rss_kb,
                    secs,
                    entries,
                })
            });
        // The logs are large: never leave them behind, whatever happened.
        let _ = std::fs::remove_file(&file);
        samples.push(result?);
    }
    let (small, large) = (&samples[0], &samples[1]);
    let ratio = large.rss_kb as f64 / (small.rss_kb.max(1)) as f64;
    let size_ratio = large.bytes as f64 / small.bytes.max(1) as f64;

    let mut md = String::new();
    md.push_str("## Audit stats memory vs log size (`cargo xtask bench audit-memory`)\n\n");
    md.push_str(&format!(
        "Command: `cargo xtask bench audit-memory` (also run by `cargo xtask bench audit`). Input: generated logs \
         (real line shapes from the vault-guides and OpenBao 2.7 corpora, as in the audit benchmark) of {} MiB and {} MiB, \
         written under `target/bench/` and deleted afterwards. Each is read by the release `audit_stats` example \
         (`vault_audit::stats`, what `vaultkit audit stats` runs) as a child process; peak RSS is the child's \
         `ru_maxrss` from `/usr/bin/time -f %M`. Entry counts are checked against `wc -l`. One run each. \
         Machine: {} cores, load average {load} at start.\n\n",
        SIZES_MIB[0],
        SIZES_MIB[1],
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
    ));
    md.push_str(
        "| log | size (MB) | entries | time (s) | peak RSS (MB) |\n|---|---:|---:|---:|---:|\n",
    );
    for s in &samples {
        md.push_str(&format!(
            "| {} MiB | {:.0} | {} | {:.2} | {:.1} |\n",
            s.mib,
            s.bytes as f64 / 1e6,
            s.entries,
            s.secs,
            s.rss_kb as f64 / 1024.0
        ));
    }
    md.push_str(&format!(
        "\nPeak RSS ratio, {} MiB run / {} MiB run: **{ratio:.2}** for {size_ratio:.1}× the input \
         (flat: near 1; growing with the file: near {size_ratio:.0}).\n",
        SIZES_MIB[1], SIZES_MIB[0],
    ));
    Ok(md)
}
