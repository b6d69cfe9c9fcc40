//! Developer tasks for vaultkit: `cargo xtask setup | test | ci | demo | bench <name> | fuzz`.
//!
//! Everything a fresh machine needs is installed by `cargo xtask setup`; `cargo xtask test` runs it
//! first, so a clean clone needs nothing else.

mod bench;
mod bench_audit;
mod bench_audit_memory;
mod bench_audit_pretty;
mod bench_backup;
#[cfg(feature = "bench")]
mod bench_kv;
#[cfg(feature = "bench")]
mod bench_rotation;
mod bench_scan;
mod demo;
mod fuzz;
mod screenshot;
mod setup;
mod util;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  setup              install test tools (OpenBao 2.7.2 and python-dotenv into target/tools, apt packages if missing)
  test               setup, then the whole test suite (nextest + doctests)
  ci                 fmt check, clippy -D warnings, package every crate alone, then `test`
  demo               start an OpenBao dev server and tour vaultkit against it
  bench <name>       run a benchmark (kv | rotation | audit | audit-pretty | audit-memory | scan | backup) and record it in docs/benchmarks.md
  fuzz [secs] [t…]   run each cargo-fuzz target (crates/*/fuzz) for SECS seconds (default 60),
                     or only the named targets; prints executions and findings
  report-screenshot  render the audit HTML report in headless Chromium, fail on console errors,
                     save docs/img/audit-report.png
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(cmd) = args.first() else {
        eprint!("{USAGE}");
        return ExitCode::from(2);
    };
    let rest = &args[1..];
    let result = match cmd.as_str() {
        "setup" => setup::run(),
        "test" => setup::run().and_then(|()| test(rest)),
        "ci" => ci(rest),
        "demo" => setup::run().and_then(|()| demo::run()),
        "bench" => bench::run(rest),
        "bench-inner" => bench::run_inner(rest),
        "fuzz" => fuzz::run(rest),
        "report-screenshot" => screenshot::run(),
        "-h" | "--help" | "help" => {
            print!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn test(extra: &[String]) -> Result<(), String> {
    let root = util::workspace_root();
    let have_nextest = util::run_quiet("cargo", &["nextest", "--version"], &root).is_ok();
    let mut args = if have_nextest {
        vec!["nextest", "run", "--workspace", "--no-fail-fast"]
    } else {
        eprintln!("cargo-nextest not found; falling back to `cargo test`");
        vec!["test", "--workspace", "--no-fail-fast"]
    };
    args.extend(extra.iter().map(String::as_str));
    util::cargo(&root, &args)?;
    util::cargo(&root, &["test", "--workspace", "--doc"])
}

fn ci(extra: &[String]) -> Result<(), String> {
    let root = util::workspace_root();
    util::cargo(&root, &["fmt", "--all", "--check"])?;
    util::cargo(
        &root,
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    )?;
    // Each crate ships and versions on its own: every one must package from its own manifest
    // (no dev-dependency pinned to an unpublished version, README and metadata present).
    util::cargo(
        &root,
        &["package", "--workspace", "--no-verify", "--allow-dirty"],
    )?;
    setup::run()?;
    test(extra)
}
