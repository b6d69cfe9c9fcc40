//! `cargo xtask bench <name>`: run a benchmark against its peer in the same run and record the
//! figures, with the command, in docs/benchmarks.md (between `<!-- bench:NAME -->` markers).
//!
//! `audit` and `scan` drive release-built example binaries from this (std-only) process. `kv` needs
//! a client stack in-process, so it re-runs xtask itself in release with the `bench` feature.

use std::path::Path;

use crate::{setup, util};

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let Some(name) = args.first() else {
        return Err(
            "usage: cargo xtask bench <kv|rotation|audit|audit-pretty|audit-memory|scan|backup>"
                .to_string(),
        );
    };
    let root = util::workspace_root();
    let section = match name.as_str() {
        "audit" => {
            setup::run()?;
            setup::install_apt(&[("jq", "jq"), ("time", "time")])?;
            let pretty = crate::bench_audit_pretty::run()?;
            record(&root, "audit-pretty", &pretty)?;
            let memory = crate::bench_audit_memory::run(&root)?;
            record(&root, "audit-memory", &memory)?;
            crate::bench_audit::run(&root)?
        }
        "audit-pretty" => crate::bench_audit_pretty::run()?,
        "audit-memory" => {
            setup::install_apt(&[("time", "time")])?;
            crate::bench_audit_memory::run(&root)?
        }
        "scan" => {
            setup::run()?;
            crate::bench_scan::run(&root)?
        }
        "backup" => {
            setup::run()?;
            setup::install_apt(&[("time", "time")])?;
            crate::bench_backup::run(&root)?
        }
        "kv" | "rotation" => {
            setup::run()?;
            // Re-run in release with the client stack compiled in (see `run_inner`).
            return util::cargo(
                &root,
                &[
                    "run",
                    "--quiet",
                    "--release",
                    "--package",
                    "xtask",
                    "--features",
                    "bench",
                    "--",
                    "bench-inner",
                    name,
                ],
            );
        }
        other => {
            return Err(format!(
                "unknown benchmark `{other}` (known: kv, rotation, audit, audit-pretty, audit-memory, scan, backup)"
            ));
        }
    };
    record(&root, name, &section)
}

/// The in-process part of benchmarks that need the `bench` feature (called as `xtask bench-inner NAME`).
pub(crate) fn run_inner(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        #[cfg(feature = "bench")]
        Some("kv") => {
            let root = util::workspace_root();
            let section = crate::bench_kv::run(&root)?;
            record(&root, "kv", &section)
        }
        #[cfg(feature = "bench")]
        Some("rotation") => {
            let root = util::workspace_root();
            let section = crate::bench_rotation::run()?;
            record(&root, "rotation", &section)
        }
        Some(other) => Err(format!(
            "benchmark `{other}` is not available in this build (run it as `cargo xtask bench {other}`)"
        )),
        None => Err("usage: xtask bench-inner <name>".to_string()),
    }
}

/// Replace (or append) the section for `name` in docs/benchmarks.md.
pub(crate) fn record(root: &Path, name: &str, section: &str) -> Result<(), String> {
    let path = root.join("docs/benchmarks.md");
    let old = std::fs::read_to_string(&path).unwrap_or_else(|_| "# Benchmarks\n".to_string());
    let start = format!("<!-- bench:{name} -->");
    let end = format!("<!-- /bench:{name} -->");
    let block = format!("{start}\n{}\n{end}", section.trim_end());
    let new = match (old.find(&start), old.find(&end)) {
        (Some(s), Some(e)) if e > s => format!("{}{}{}", &old[..s], block, &old[e + end.len()..]),
        _ => format!("{}\n\n{}\n", old.trim_end(), block),
    };
    std::fs::write(&path, new).map_err(|e| format!("write {}: {e}", path.display()))?;
    println!("{section}");
    eprintln!("recorded in {}", path.display());
    Ok(())
}
