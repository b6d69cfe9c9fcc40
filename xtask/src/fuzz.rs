//! `cargo xtask fuzz [SECS] [TARGET…]`: run every cargo-fuzz target of the workspace (each
//! `crates/*/fuzz/fuzz_targets/*.rs` that calls `fuzz_target!`) for SECS seconds each (default
//! 60), or only the named ones, and print executions and findings per target as a markdown
//! table (docs/security.md records it). Installs cargo-fuzz when missing; only the stable
//! toolchain exists here, so `RUSTC_BOOTSTRAP=1` unlocks the nightly flags cargo-fuzz passes.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util;

/// A fuzz target: its fuzz crate folder and its name.
struct Target {
    dir: PathBuf,
    name: String,
}

fn discover(root: &Path) -> Vec<Target> {
    let mut out = Vec::new();
    let Ok(crates) = std::fs::read_dir(root.join("crates")) else {
        return out;
    };
    let mut crates: Vec<PathBuf> = crates.flatten().map(|e| e.path()).collect();
    crates.sort();
    for krate in crates {
        let dir = krate.join("fuzz");
        let Ok(files) = std::fs::read_dir(dir.join("fuzz_targets")) else {
            continue;
        };
        let mut files: Vec<PathBuf> = files.flatten().map(|e| e.path()).collect();
        files.sort();
        for file in files {
            let is_target = file.extension().is_some_and(|e| e == "rs")
                && std::fs::read_to_string(&file).is_ok_and(|t| t.contains("fuzz_target!"));
            if let (true, Some(name)) = (is_target, file.file_stem().and_then(|s| s.to_str())) {
                out.push(Target {
                    dir: dir.clone(),
                    name: name.to_string(),
                });
            }
        }
    }
    out
}

/// `Done N runs in S second(s)` from libFuzzer's output.
fn runs_of(stderr: &str) -> Option<u64> {
    stderr
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("Done "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

pub(crate) fn run(rest: &[String]) -> Result<(), String> {
    let root = util::workspace_root();
    let (secs, wanted): (String, Vec<&String>) = match rest.first() {
        Some(s) if s.parse::<u64>().is_ok() => (s.clone(), rest[1..].iter().collect()),
        _ => ("60".to_string(), rest.iter().collect()),
    };
    let targets: Vec<Target> = discover(&root)
        .into_iter()
        .filter(|t| wanted.is_empty() || wanted.iter().any(|w| **w == t.name))
        .collect();
    if targets.is_empty() {
        return Err(format!(
            "no fuzz target matches {wanted:?} (targets live in crates/*/fuzz/fuzz_targets)"
        ));
    }
    if util::run_quiet("cargo", &["fuzz", "--version"], &root).is_err() {
        util::run(&root, "cargo", &["install", "cargo-fuzz", "--locked"])?;
    }
    let max_time = format!("-max_total_time={secs}");
    let mut rows = Vec::new();
    let mut failed = Vec::new();
    for t in &targets {
        eprintln!(
            "$ (cd {}; RUSTC_BOOTSTRAP=1 cargo fuzz run {} -- {max_time})",
            t.dir.display(),
            t.name
        );
        let out = Command::new("cargo")
            .args(["fuzz", "run", &t.name, "--", &max_time])
            .env("RUSTC_BOOTSTRAP", "1")
            .current_dir(&t.dir)
            .output()
            .map_err(|e| format!("could not start cargo fuzz: {e}"))?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        let crate_name = t
            .dir
            .parent()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let finding = if out.status.success() {
            "none".to_string()
        } else {
            failed.push(t.name.clone());
            let tail: Vec<&str> = stderr.lines().rev().take(30).collect();
            eprintln!("{}", tail.into_iter().rev().collect::<Vec<_>>().join("\n"));
            format!(
                "**failed** ({}; see crates/{crate_name}/fuzz/artifacts)",
                out.status
            )
        };
        rows.push(format!(
            "| {crate_name} | `{}` | {secs} | {} | {finding} |",
            t.name,
            runs_of(&stderr).map_or("?".to_string(), |n| n.to_string())
        ));
    }
    println!("| crate | target | seconds | executions | findings |\n|---|---|---:|---:|---|");
    for r in rows {
        println!("{r}");
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("fuzz targets failed: {}", failed.join(", ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_workspace_targets_and_reads_run_counts() {
        let names: Vec<String> = discover(&util::workspace_root())
            .into_iter()
            .map(|t| t.name)
            .collect();
        for want in [
            "scan_record",
            "retry_after",
            "policy_hcl",
            "dotenv",
            "parsers",
        ] {
            assert!(names.iter().any(|n| n == want), "{want} in {names:?}");
        }
        assert!(
            !names.iter().any(|n| n == "check"),
            "helper modules are not targets"
        );
        assert_eq!(
            runs_of("#2 INITED\nDone 123456 runs in 61 second(s)\n"),
            Some(123_456)
        );
        assert_eq!(runs_of("crash"), None);
    }
}
