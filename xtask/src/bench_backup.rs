//! `cargo xtask bench backup`: a 1 GiB Raft-snapshot-shaped stream through vault-backup's real
//! pipeline (archive check + SHA-256 of plain and stored bytes + OpenPGP encryption + upload to
//! a local store, catalog entry included), against `gpg --encrypt` of the same file alone.
//!
//! The input (a gzip'd tar with `meta.json`, an incompressible `state.bin`, `SHA256SUMS`,
//! `SHA256SUMS.sealed`) is generated once into `target/bench/` by the release `backup_bench`
//! example, which also runs each case as a child process under `/usr/bin/time`, so the peak RSS
//! (`ru_maxrss`) is that case's alone. Targets: peak RSS ≤ 64 MiB, throughput ≥ 0.8× gpg's.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Size of the generated `state.bin` (the archive is a few hundred bytes more).
const STATE_MIB: u64 = 1024;

/// Peak RSS (KiB) and wall seconds of a child run.
struct Measured {
    rss_kb: u64,
    secs: f64,
}

/// Runs `program args` under `/usr/bin/time -f '%M %e'`, with `gnupg` as GNUPGHOME.
fn measure(program: &Path, args: &[&str], gnupg: &Path) -> Result<Measured, String> {
    let out = Command::new("/usr/bin/time")
        .args(["-f", "VKMEM %M %e"])
        .arg(program)
        .args(args)
        .env("GNUPGHOME", gnupg)
        .output()
        .map_err(|e| format!("run {} under /usr/bin/time: {e}", program.display()))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!(
            "{} {} failed ({}): {}",
            program.display(),
            args.join(" "),
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
    Ok(Measured { rss_kb, secs })
}

fn run_ok(cmd: &mut Command, what: &str) -> Result<String, String> {
    let out = cmd.output().map_err(|e| format!("{what}: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "{what} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// A gpg key without passphrase in a fresh GNUPGHOME under `dir`; returns (home, fingerprint,
/// exported certificate).
fn gpg_key(dir: &Path) -> Result<(PathBuf, String, PathBuf), String> {
    let home = dir.join("gnupg");
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(&home).map_err(|e| format!("mkdir {}: {e}", home.display()))?;
    std::fs::set_permissions(&home, std::os::unix::fs::PermissionsExt::from_mode(0o700))
        .map_err(|e| format!("chmod {}: {e}", home.display()))?;
    let gpg = |args: &[&str]| {
        let mut cmd = Command::new("gpg");
        cmd.env("GNUPGHOME", &home).arg("--batch").args(args);
        cmd
    };
    run_ok(
        &mut gpg(&[
            "--passphrase",
            "",
            "--quick-gen-key",
            "bench <bench@example.com>",
            "future-default",
            "default",
            "never",
        ]),
        "gpg --quick-gen-key",
    )?;
    let listing = run_ok(
        &mut gpg(&["--with-colons", "--list-keys", "bench"]),
        "gpg --list-keys",
    )?;
    let fpr = listing
        .lines()
        .find_map(|l| {
            l.strip_prefix("fpr:")
                .map(|r| r.trim_matches(':').to_string())
        })
        .ok_or_else(|| "gpg listed no fingerprint".to_string())?;
    let cert = dir.join("bench-cert.asc");
    run_ok(
        &mut gpg(&[
            "--armor",
            "--yes",
            "--output",
            &cert.display().to_string(),
            "--export",
            &fpr,
        ]),
        "gpg --export",
    )?;
    Ok((home, fpr, cert))
}

/// Runs the benchmark and returns its markdown section.
pub(crate) fn run(_workspace_root: &Path) -> Result<String, String> {
    if !Path::new("/usr/bin/time").exists() {
        return Err(
            "/usr/bin/time is missing (Debian package `time`); run `cargo xtask setup`".into(),
        );
    }
    let dir = crate::util::bench_dir()?;
    crate::util::cargo(
        &crate::util::workspace_root(),
        &[
            "build",
            "--release",
            "--package",
            "vault-backup",
            // The S3 SDK is not needed here and is slow to build.
            "--no-default-features",
            "--example",
            "backup_bench",
        ],
    )?;
    let bin = crate::util::target_dir().join("release/examples/backup_bench");
    let load = crate::util::load_average();

    let input = dir.join(format!("backup-{STATE_MIB}mib.snap"));
    if !input.exists() {
        eprintln!("generating {} (once)…", input.display());
        run_ok(
            Command::new(&bin).args([
                "generate",
                &input.display().to_string(),
                &STATE_MIB.to_string(),
            ]),
            "backup_bench generate",
        )?;
    }
    let bytes = std::fs::metadata(&input)
        .map(|m| m.len())
        .map_err(|e| format!("stat {}: {e}", input.display()))?;
    let (gnupg, fpr, cert) = gpg_key(&dir)?;
    let (input_s, cert_s) = (input.display().to_string(), cert.display().to_string());

    let store = dir.join("backup-store");
    let _ = std::fs::remove_dir_all(&store);
    eprintln!("pipeline: check + sha256 + encrypt + local store…");
    let pipeline = measure(
        &bin,
        &["pipeline", &input_s, &cert_s, &store.display().to_string()],
        &gnupg,
    );
    let _ = std::fs::remove_dir_all(&store);
    let pipeline = pipeline?;

    let ours_out = dir.join("backup-ours.pgp");
    eprintln!("vault-backup encryption alone…");
    let ours = measure(
        &bin,
        &[
            "encrypt",
            &input_s,
            &cert_s,
            &ours_out.display().to_string(),
        ],
        &gnupg,
    );
    let _ = std::fs::remove_file(&ours_out);
    let ours = ours?;

    let gpg_out = dir.join("backup-gpg.pgp");
    eprintln!("gpg --encrypt alone…");
    let gpg = measure(
        Path::new("/usr/bin/gpg"),
        &[
            "--batch",
            "--yes",
            "--trust-model",
            "always",
            "--recipient",
            &fpr,
            "--output",
            &gpg_out.display().to_string(),
            "--encrypt",
            &input_s,
        ],
        &gnupg,
    );
    let _ = std::fs::remove_file(&gpg_out);
    let gpg = gpg?;

    let mb = bytes as f64 / 1e6;
    let rate = |m: &Measured| mb / m.secs.max(0.001);
    let ratio = rate(&pipeline) / rate(&gpg).max(0.001);
    let mut md = String::new();
    md.push_str("## Backup pipeline: memory and throughput (`cargo xtask bench backup`)\n\n");
    md.push_str(&format!(
        "Command: `cargo xtask bench backup`. Input: a generated Raft-snapshot-shaped file of {mb:.0} MB \
         (gzip'd tar: `meta.json`, a {STATE_MIB} MiB incompressible `state.bin`, `SHA256SUMS`, \
         `SHA256SUMS.sealed`), kept in `target/bench/`. Each case is a child process under \
         `/usr/bin/time -f %M` (peak RSS = its `ru_maxrss`), release build, one run, to the same \
         gpg-generated Curve25519 key. *Pipeline* is `SnapshotManager::import_snapshot` (archive and \
         inner-checksum check, SHA-256 of plain and stored bytes, OpenPGP encryption, upload to a \
         `LocalDirStore`, catalog entry) via the `backup_bench` example; *encrypt* is vault-backup's \
         `encrypt_to` alone; *gpg* is `gpg --encrypt` (gpg 2.2) of the same file. Machine: {} cores \
         (shared), load average {load} at start.\n\n",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
    ));
    md.push_str("| case | time (s) | MB/s | peak RSS (MiB) |\n|---|---:|---:|---:|\n");
    for (name, m) in [
        ("pipeline", &pipeline),
        ("encrypt only", &ours),
        ("gpg --encrypt", &gpg),
    ] {
        md.push_str(&format!(
            "| {name} | {:.2} | {:.0} | {:.1} |\n",
            m.secs,
            rate(m),
            m.rss_kb as f64 / 1024.0
        ));
    }
    md.push_str(&format!(
        "\nPipeline throughput / gpg's: **{ratio:.2}** (target ≥ 0.8); pipeline peak RSS \
         **{:.1} MiB** (target ≤ 64).\n",
        pipeline.rss_kb as f64 / 1024.0
    ));
    Ok(md)
}
