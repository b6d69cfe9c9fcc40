//! `cargo xtask bench scan`: secret-scanning throughput, memory and accuracy of vaultkit's
//! scanner (vault-migrate) against detect-secrets, in the same run on the same machine.
//!
//! Method:
//! - Generate a deterministic tree under `target/bench/scan-tree/` (20,000 files, ~95 MB: `.env`,
//!   YAML, JSON and source files with realistic decoys — templated values, env references,
//!   UUIDs, commit hashes, package-lock integrity hashes — and 1 planted secret in one file of 8,
//!   whose file and line are written to `target/bench/scan-planted.tsv`).
//! - Build the release example binary (`cargo build --release --workspace --examples`) and run
//!   `target/release/examples/scan --no-gitignore --format lines` on the whole tree and on a
//!   10% subset (`svc000`…`svc019`), best of 3 runs each.
//! - Install detect-secrets 1.5.0 into a venv under `target/bench/` (pip) and run
//!   `detect-secrets scan --all-files` on the subset once (it is ~1000× slower).
//! - Peak RSS: the sum of VmRSS over the process and its children, sampled every 50 ms from
//!   `/proc` (detect-secrets scans with a process pool), and the root process's VmHWM.
//! - Accuracy: recall and precision against the planted lines (subset), and against labelled
//!   fixtures (ripsecrets `one_per_line` = 46 positives, ripsecrets `none` lines 1–11 and
//!   gitleaks `.env.prod` lines 1–3, 5–6 = negatives, `.env.prod` line 4 positive).
//!
//! Needs: python3 with venv + pip, network access to PyPI the first time. Std only.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const FILES: usize = 20_000;
const DIRS: usize = 200;
const SUBSET_DIRS: usize = 20;
const SEED: u64 = 0x5eed_5ca7;
const DETECT_SECRETS: &str = "detect-secrets==1.5.0";
const RUNS: usize = 3;

/// Run the benchmark; returns the markdown section for docs/benchmarks.md.
pub(crate) fn run(workspace_root: &Path) -> Result<String, String> {
    let bench = workspace_root.join("target/bench");
    let tree = bench.join("scan-tree");
    let planted_file = bench.join("scan-planted.tsv");
    fs::create_dir_all(&bench).map_err(|e| format!("create {}: {e}", bench.display()))?;
    let planted = ensure_tree(&tree, &planted_file)?;
    let subset: Vec<String> = (0..SUBSET_DIRS).map(dir_name).collect();
    let subset_planted: BTreeSet<(String, usize)> = planted
        .iter()
        .filter(|(f, _)| subset.iter().any(|d| f.starts_with(&format!("{d}/"))))
        .cloned()
        .collect();

    eprintln!("building the release example binary (cargo build --release --workspace --examples)");
    run_status(
        workspace_root,
        &cargo(),
        &["build", "--release", "--workspace", "--examples"],
    )?;
    let scan_bin = workspace_root.join("target/release/examples/scan");
    if !scan_bin.is_file() {
        return Err(format!("{} was not built", scan_bin.display()));
    }
    let ds = ensure_detect_secrets(&bench)?;

    // vaultkit, whole tree and subset.
    let full_bytes = dir_bytes(&tree)?;
    let subset_paths: Vec<PathBuf> = subset.iter().map(|d| tree.join(d)).collect();
    let subset_bytes: u64 = subset_paths.iter().map(|p| dir_bytes(p).unwrap_or(0)).sum();
    let mut args_full = vec!["--no-gitignore", "--format", "lines", "."];
    let ours_full = best_of(RUNS, || {
        measure(
            &scan_bin,
            &args_full,
            &tree,
            &bench.join("scan-ours-full.out"),
        )
    })?;
    args_full.truncate(3);
    let mut args_sub: Vec<&str> = args_full.clone();
    args_sub.extend(subset.iter().map(String::as_str));
    let ours_sub = best_of(RUNS, || {
        measure(
            &scan_bin,
            &args_sub,
            &tree,
            &bench.join("scan-ours-subset.out"),
        )
    })?;
    let ours_sub_found = parse_lines(&read(&bench.join("scan-ours-subset.out"))?);
    let ours_full_found = parse_lines(&read(&bench.join("scan-ours-full.out"))?);

    // detect-secrets, subset.
    let mut ds_args = vec!["scan", "--all-files"];
    ds_args.extend(subset.iter().map(String::as_str));
    let ds_sub = measure(&ds, &ds_args, &tree, &bench.join("scan-ds-subset.json"))?;
    let ds_sub_found = parse_detect_secrets(&read(&bench.join("scan-ds-subset.json"))?);

    // Labelled fixtures.
    let labelled = bench.join("scan-labelled");
    let labels = write_labelled(workspace_root, &labelled)?;
    measure(
        &scan_bin,
        &["--no-gitignore", "--format", "lines", "."],
        &labelled,
        &bench.join("scan-ours-labelled.out"),
    )?;
    let ours_lab = parse_lines(&read(&bench.join("scan-ours-labelled.out"))?);
    let names: Vec<String> = labels.files.clone();
    let mut ds_lab_args = vec!["scan", "--all-files"];
    ds_lab_args.extend(names.iter().map(String::as_str));
    measure(
        &ds,
        &ds_lab_args,
        &labelled,
        &bench.join("scan-ds-labelled.json"),
    )?;
    let ds_lab = parse_detect_secrets(&read(&bench.join("scan-ds-labelled.json"))?);

    let s_ours_full = score(
        &ours_full_found,
        &planted.iter().cloned().collect(),
        &BTreeSet::new(),
    );
    let s_ours_sub = score(&ours_sub_found, &subset_planted, &BTreeSet::new());
    let s_ds_sub = score(&ds_sub_found, &subset_planted, &BTreeSet::new());
    let s_ours_lab = score(&ours_lab, &labels.positives, &labels.excluded);
    let s_ds_lab = score(&ds_lab, &labels.positives, &labels.excluded);

    let mbs = |bytes: u64, m: &Measured| bytes as f64 / 1e6 / m.wall.as_secs_f64().max(1e-9);
    let full_files = FILES as f64;
    let sub_files = (FILES / DIRS * SUBSET_DIRS) as f64;
    let ratio_full = mbs(full_bytes, &ours_full) / mbs(subset_bytes, &ds_sub).max(1e-12);
    let ratio_sub = mbs(subset_bytes, &ours_sub) / mbs(subset_bytes, &ds_sub).max(1e-12);
    let cpus = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);

    let mut md = String::new();
    let _ = writeln!(md, "## Secret scanning: `cargo xtask bench scan`\n");
    let _ = writeln!(
        md,
        "Generated tree: {FILES} files in {DIRS} directories, {:.1} MB (`.env`, YAML, JSON, source), {} planted secrets \
         (one file in 8) among decoys (per file: templated and referenced credentials, UUIDs, image tags; one content hash per source file, `sha256:` checksums in YAML, `sha512-` integrity and some commit hashes in JSON). Subset for detect-secrets: {SUBSET_DIRS} directories, {:.1} MB, {} planted. \
         Machine: {cpus} CPUs. vaultkit: release example `scan` (`--no-gitignore`, one thread per CPU), best of {RUNS}. \
         detect-secrets {}: `detect-secrets scan --all-files`, one run.\n",
        full_bytes as f64 / 1e6,
        planted.len(),
        subset_bytes as f64 / 1e6,
        subset_planted.len(),
        DETECT_SECRETS.trim_start_matches("detect-secrets=="),
    );
    let _ = writeln!(
        md,
        "| tool | input | wall s | MB/s (wall) | files/s | CPU s | MB per CPU-s | peak RSS MB | findings | recall | precision |"
    );
    let _ = writeln!(md, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    row(
        &mut md,
        "vaultkit",
        "full tree",
        &ours_full,
        full_bytes,
        full_files,
        &s_ours_full,
    );
    row(
        &mut md,
        "vaultkit",
        "subset",
        &ours_sub,
        subset_bytes,
        sub_files,
        &s_ours_sub,
    );
    row(
        &mut md,
        "detect-secrets",
        "subset",
        &ds_sub,
        subset_bytes,
        sub_files,
        &s_ds_sub,
    );
    let per_cpu = |bytes: u64, m: &Measured| bytes as f64 / 1e6 / m.cpu.max(1e-9);
    let cpu_ratio = per_cpu(full_bytes, &ours_full) / per_cpu(subset_bytes, &ds_sub).max(1e-12);
    let load = fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load = load.split_whitespace().next().unwrap_or("?").to_string();
    let _ = writeln!(
        md,
        "\nThroughput ratio vaultkit / detect-secrets: **{cpu_ratio:.0}× per CPU-second** (vaultkit on the full tree vs detect-secrets on \
         the subset); by wall clock {ratio_full:.0}×, and {ratio_sub:.0}× on the same subset (small inputs understate vaultkit: process \
         start and rule compilation dominate). Wall-clock figures depend on other load on the machine (1-minute load average at the \
         end of this run: {load}); CPU time much less.\n"
    );
    let _ = writeln!(
        md,
        "Labelled fixtures ({} positives, {} negative lines):\n",
        labels.positives.len(),
        labels.negatives
    );
    let _ = writeln!(md, "| tool | TP | FP | recall | precision |");
    let _ = writeln!(md, "|---|---:|---:|---:|---:|");
    for (name, s) in [("vaultkit", &s_ours_lab), ("detect-secrets", &s_ds_lab)] {
        let _ = writeln!(
            md,
            "| {name} | {} | {} | {:.3} | {:.3} |",
            s.tp, s.fp, s.recall, s.precision
        );
    }
    let _ = writeln!(
        md,
        "\nCommand: `cargo xtask bench scan` (outputs kept in `target/bench/scan-*`)."
    );
    Ok(md)
}

fn row(md: &mut String, tool: &str, input: &str, m: &Measured, bytes: u64, files: f64, s: &Score) {
    let mb = bytes as f64 / 1e6;
    let _ = writeln!(
        md,
        "| {tool} | {input} | {:.2} | {:.1} | {:.0} | {:.2} | {:.2} | {:.0} | {} | {:.3} | {:.3} |",
        m.wall.as_secs_f64(),
        mb / m.wall.as_secs_f64().max(1e-9),
        files / m.wall.as_secs_f64().max(1e-9),
        m.cpu,
        mb / m.cpu.max(1e-9),
        m.peak_rss_kb as f64 / 1024.0,
        s.found,
        s.recall,
        s.precision
    );
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string())
}

fn read(p: &Path) -> Result<String, String> {
    fs::read_to_string(p).map_err(|e| format!("read {}: {e}", p.display()))
}

fn dir_name(i: usize) -> String {
    format!("svc{i:03}")
}

// ---------------------------------------------------------------------------------------------
// Process measurement

#[derive(Debug, Clone, Copy)]
struct Measured {
    wall: Duration,
    /// User + system CPU seconds of the process and its waited-for children (from
    /// `/usr/bin/time`; 0 when it is not installed).
    cpu: f64,
    peak_rss_kb: u64,
}

fn best_of(n: usize, mut f: impl FnMut() -> Result<Measured, String>) -> Result<Measured, String> {
    let mut best: Option<Measured> = None;
    for _ in 0..n {
        let m = f()?;
        best = Some(match best {
            Some(b) if b.wall <= m.wall => Measured {
                peak_rss_kb: b.peak_rss_kb.max(m.peak_rss_kb),
                cpu: b.cpu.min(m.cpu),
                ..b
            },
            Some(b) => Measured {
                peak_rss_kb: b.peak_rss_kb.max(m.peak_rss_kb),
                cpu: b.cpu.min(m.cpu),
                ..m
            },
            None => m,
        });
    }
    best.ok_or_else(|| "no runs".to_string())
}

fn run_status(dir: &Path, program: &str, args: &[&str]) -> Result<(), String> {
    eprintln!("$ {program} {}", args.join(" "));
    let st = Command::new(program)
        .args(args)
        .current_dir(dir)
        .status()
        .map_err(|e| format!("start `{program}`: {e}"))?;
    if st.success() {
        Ok(())
    } else {
        Err(format!("`{program} {}` failed: {st}", args.join(" ")))
    }
}

/// Run `program args` in `dir` with stdout to `out`; wall time and peak RSS of the process tree.
/// Exit codes 0 and 1 (findings) count as success.
fn measure(program: &Path, args: &[&str], dir: &Path, out: &Path) -> Result<Measured, String> {
    eprintln!(
        "$ (cd {} && {} {} > {})",
        dir.display(),
        program.display(),
        args.join(" "),
        out.display()
    );
    let stdout = fs::File::create(out).map_err(|e| format!("create {}: {e}", out.display()))?;
    let time_bin = Path::new("/usr/bin/time");
    let times = out.with_extension("time");
    let _ = fs::remove_file(&times);
    let mut cmd = if time_bin.is_file() {
        let mut c = Command::new(time_bin);
        c.arg("-f").arg("%U %S").arg("-o").arg(&times).arg(program);
        c
    } else {
        Command::new(program)
    };
    let start = Instant::now();
    let mut child = cmd
        .args(args)
        .current_dir(dir)
        .stdout(stdout)
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("start {}: {e}", program.display()))?;
    let pid = child.id();
    let mut peak = 0u64;
    let status = loop {
        peak = peak.max(tree_rss_kb(pid));
        match child.try_wait() {
            Ok(Some(st)) => break st,
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => return Err(format!("wait for {}: {e}", program.display())),
        }
    };
    let wall = start.elapsed();
    let cpu = fs::read_to_string(&times)
        .ok()
        .and_then(|t| {
            let mut it = t
                .lines()
                .last()?
                .split_whitespace()
                .map(|x| x.parse::<f64>().ok());
            Some(it.next()?? + it.next()??)
        })
        .unwrap_or(0.0);
    match status.code() {
        Some(0 | 1) => Ok(Measured {
            wall,
            cpu,
            peak_rss_kb: peak,
        }),
        _ => Err(format!(
            "{} {} failed: {status}",
            program.display(),
            args.join(" ")
        )),
    }
}

/// Sum of VmRSS over `pid` and its descendants, or its VmHWM if larger (kB).
fn tree_rss_kb(pid: u32) -> u64 {
    let mut parent: HashMap<u32, u32> = HashMap::new();
    if let Ok(rd) = fs::read_dir("/proc") {
        for e in rd.flatten() {
            let Some(p) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
                continue;
            };
            if let Ok(stat) = fs::read_to_string(format!("/proc/{p}/stat"))
                && let Some(after) = stat.rfind(')').map(|i| &stat[i + 1..])
                && let Some(pp) = after.split_whitespace().nth(1).and_then(|s| s.parse().ok())
            {
                parent.insert(p, pp);
            }
        }
    }
    let in_tree = |mut p: u32| {
        for _ in 0..64 {
            if p == pid {
                return true;
            }
            match parent.get(&p) {
                Some(&pp) if pp != 0 => p = pp,
                _ => return false,
            }
        }
        false
    };
    let field = |p: u32, name: &str| -> u64 {
        fs::read_to_string(format!("/proc/{p}/status"))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with(name))
                    .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
            })
            .unwrap_or(0)
    };
    let sum: u64 = parent
        .keys()
        .copied()
        .filter(|p| in_tree(*p))
        .map(|p| field(p, "VmRSS:"))
        .sum();
    sum.max(field(pid, "VmHWM:"))
}

// ---------------------------------------------------------------------------------------------
// detect-secrets

fn ensure_detect_secrets(bench: &Path) -> Result<PathBuf, String> {
    let venv = bench.join("detect-secrets-venv");
    let bin = venv.join("bin/detect-secrets");
    if bin.is_file() {
        return Ok(bin);
    }
    let venv_s = venv.to_string_lossy().into_owned();
    run_status(bench, "python3", &["-m", "venv", &venv_s])?;
    let pip = venv.join("bin/pip").to_string_lossy().into_owned();
    run_status(bench, &pip, &["install", "--quiet", DETECT_SECRETS])?;
    if bin.is_file() {
        Ok(bin)
    } else {
        Err(format!("{} missing after pip install", bin.display()))
    }
}

/// (file, line) pairs from detect-secrets' baseline JSON (each result has `filename` then
/// `line_number`).
fn parse_detect_secrets(json: &str) -> BTreeSet<(String, usize)> {
    let mut out = BTreeSet::new();
    let mut rest = json;
    while let Some(i) = rest.find("\"filename\": \"") {
        rest = &rest[i + 13..];
        let Some(end) = rest.find('"') else { break };
        let file = rest[..end].trim_start_matches("./").to_string();
        let Some(j) = rest.find("\"line_number\": ") else {
            break;
        };
        let num: String = rest[j + 15..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if let Ok(n) = num.parse() {
            out.insert((file, n));
        }
        rest = &rest[j..];
    }
    out
}

/// (file, line) pairs from the example's `lines` output (`file\tline\trule`).
fn parse_lines(text: &str) -> BTreeSet<(String, usize)> {
    text.lines()
        .filter_map(|l| {
            let mut it = l.split('\t');
            let f = it.next()?.trim_start_matches("./").to_string();
            let n = it.next()?.parse().ok()?;
            Some((f, n))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Scoring

#[derive(Debug, Clone, Copy, Default)]
struct Score {
    found: usize,
    tp: usize,
    fp: usize,
    recall: f64,
    precision: f64,
}

/// Line-level scoring: a finding on a positive line is a true positive (each line once), on an
/// excluded line it does not count, anywhere else it is a false positive.
fn score(
    found: &BTreeSet<(String, usize)>,
    positives: &BTreeSet<(String, usize)>,
    excluded: &BTreeSet<(String, usize)>,
) -> Score {
    let tp = found.iter().filter(|f| positives.contains(*f)).count();
    let fp = found
        .iter()
        .filter(|f| !positives.contains(*f) && !excluded.contains(*f))
        .count();
    Score {
        found: found.len(),
        tp,
        fp,
        recall: tp as f64 / positives.len().max(1) as f64,
        precision: if tp + fp == 0 {
            1.0
        } else {
            tp as f64 / (tp + fp) as f64
        },
    }
}

struct Labels {
    files: Vec<String>,
    positives: BTreeSet<(String, usize)>,
    excluded: BTreeSet<(String, usize)>,
    negatives: usize,
}

fn write_labelled(root: &Path, dir: &Path) -> Result<Labels, String> {
    let data = root.join("crates/vault-migrate/tests/data");
    let _ = fs::remove_dir_all(dir);
    fs::create_dir_all(dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    let mut labels = Labels {
        files: Vec::new(),
        positives: BTreeSet::new(),
        excluded: BTreeSet::new(),
        negatives: 0,
    };
    let opl = data.join("ripsecrets/test/one_per_line");
    let mut entries: Vec<PathBuf> = fs::read_dir(&opl)
        .map_err(|e| format!("read {}: {e}", opl.display()))?
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        let name = format!(
            "rs_{}",
            p.file_name().and_then(|n| n.to_str()).unwrap_or("x")
        );
        let text = read(&p)?;
        for n in 1..=text.matches('\n').count() {
            labels.positives.insert((name.clone(), n));
        }
        fs::write(dir.join(&name), text).map_err(|e| e.to_string())?;
        labels.files.push(name);
    }
    fs::copy(data.join("ripsecrets/test/none"), dir.join("rs_none")).map_err(|e| e.to_string())?;
    labels.files.push("rs_none".into());
    labels.negatives += 11;
    // Line 12 is only clean because of ripsecrets' .secretsignore, which detect-secrets cannot read.
    labels.excluded.insert(("rs_none".into(), 12));
    fs::copy(data.join("gitleaks/.env.prod"), dir.join("gl.env.prod"))
        .map_err(|e| e.to_string())?;
    labels.files.push("gl.env.prod".into());
    labels.positives.insert(("gl.env.prod".into(), 4));
    labels.negatives += 5;
    Ok(labels)
}

// ---------------------------------------------------------------------------------------------
// Tree generation

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn from(&mut self, alphabet: &[u8], len: usize) -> String {
        // Always mix in a digit and letters so planted values look like real credentials.
        let mut s: String = (0..len)
            .map(|_| alphabet[self.below(alphabet.len())] as char)
            .collect();
        if len >= 4
            && !s.bytes().any(|c| c.is_ascii_digit())
            && alphabet.iter().any(u8::is_ascii_digit)
        {
            s.replace_range(1..2, "7");
        }
        s
    }
    fn alnum(&mut self, len: usize) -> String {
        self.from(
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
            len,
        )
    }
    fn hex(&mut self, len: usize) -> String {
        self.from(b"0123456789abcdef", len)
    }
    fn b64(&mut self, len: usize) -> String {
        self.from(
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
            len,
        )
    }
    fn uuid(&mut self) -> String {
        let h = self.hex(32);
        format!(
            "{}-{}-4{}-a{}-{}",
            &h[..8],
            &h[8..12],
            &h[13..16],
            &h[17..20],
            &h[20..]
        )
    }
}

const WORDS: &[&str] = &[
    "station", "bike", "trip", "dock", "rider", "route", "city", "price", "member", "event",
    "batch", "metric", "window", "record", "update", "status", "payload", "config", "client",
    "server", "result", "buffer", "cursor", "report",
];

fn ensure_tree(tree: &Path, planted_file: &Path) -> Result<Vec<(String, usize)>, String> {
    let marker = tree.join(".generated");
    let want = format!("files={FILES} dirs={DIRS} seed={SEED:x} v3");
    if fs::read_to_string(&marker).is_ok_and(|m| m == want)
        && let Ok(t) = fs::read_to_string(planted_file)
    {
        return Ok(t
            .lines()
            .filter_map(|l| {
                let mut it = l.split('\t');
                Some((it.next()?.to_string(), it.next()?.parse().ok()?))
            })
            .collect());
    }
    eprintln!("generating {FILES} files under {}", tree.display());
    let _ = fs::remove_dir_all(tree);
    let mut rng = Rng(SEED);
    let mut planted = Vec::new();
    for i in 0..FILES {
        let dir = dir_name(i % DIRS);
        // Mix kinds and planted files across directories (file i goes to directory i % DIRS).
        let j = i / DIRS + i;
        let kind = j % 10;
        let plant = j % 8 == 3;
        let (name, body, line) = match kind {
            0 => env_file(&mut rng, i, plant),
            1 | 2 => yaml_file(&mut rng, i, plant),
            3 | 4 => json_file(&mut rng, i, plant),
            _ => code_file(&mut rng, i, plant),
        };
        let rel = format!("{dir}/{name}");
        let path = tree.join(&rel);
        if let Some(p) = path.parent() {
            fs::create_dir_all(p).map_err(|e| format!("create {}: {e}", p.display()))?;
        }
        fs::write(&path, body).map_err(|e| format!("write {}: {e}", path.display()))?;
        if let Some(l) = line {
            planted.push((rel, l));
        }
    }
    let tsv: String = planted.iter().map(|(f, l)| format!("{f}\t{l}\n")).collect();
    fs::write(planted_file, tsv).map_err(|e| e.to_string())?;
    fs::write(&marker, want).map_err(|e| e.to_string())?;
    Ok(planted)
}

fn dir_bytes(dir: &Path) -> Result<u64, String> {
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d)
            .map_err(|e| format!("read {}: {e}", d.display()))?
            .flatten()
        {
            let ft = e.file_type().map_err(|e| e.to_string())?;
            if ft.is_dir() {
                stack.push(e.path());
            } else if ft.is_file() && e.file_name() != ".generated" {
                total += e.metadata().map(|m| m.len()).unwrap_or(0);
            }
        }
    }
    Ok(total)
}

/// Insert `secret` at a random line of `lines`; returns its 1-based line.
fn plant_at(rng: &mut Rng, lines: &mut Vec<String>, secret: Vec<String>) -> usize {
    let at = 1 + rng.below(lines.len().max(2) - 1);
    for (k, s) in secret.into_iter().enumerate() {
        lines.insert(at + k, s);
    }
    at + 1
}

fn env_file(rng: &mut Rng, i: usize, plant: bool) -> (String, String, Option<usize>) {
    let mut l = vec![format!("# service {i} settings")];
    for k in 0..6 {
        let w = WORDS[rng.below(WORDS.len())].to_uppercase();
        l.push(format!("{w}_HOST=db-{i}-{k}.internal"));
        l.push(format!("{w}_PORT={}", 1024 + rng.below(50000)));
        l.push(format!("{w}_USER=svc_{}_{k}", w.to_lowercase()));
        l.push(format!("{w}_PASSWORD=${{{w}_PASSWORD}}"));
        l.push(format!("{w}_API_KEY=changeme"));
        l.push(format!("{w}_REQUEST_ID={}", rng.uuid()));
        l.push(format!("{w}_URL=redis://cache-{k}:6379/{}", rng.below(16)));
        l.push(format!("LOG_LEVEL_{k}=info"));
    }
    let line = plant.then(|| {
        let s = match rng.below(3) {
            0 => format!("DB_PASSWORD={}", rng.alnum(20)),
            1 => format!("STRIPE_SECRET_KEY=sk_live_{}", rng.alnum(24)),
            _ => format!(
                "DATABASE_URL=postgres://app:{}@db.internal:5432/app",
                rng.alnum(16)
            ),
        };
        plant_at(rng, &mut l, vec![s])
    });
    (format!("env{i}/.env"), l.join("\n") + "\n", line)
}

fn yaml_file(rng: &mut Rng, i: usize, plant: bool) -> (String, String, Option<usize>) {
    let mut l = vec![
        "apiVersion: apps/v1".to_string(),
        "kind: Deployment".into(),
        "metadata:".into(),
        format!("  name: svc-{i}"),
    ];
    for k in 0..22 {
        let w = WORDS[rng.below(WORDS.len())];
        l.push(format!("{w}_{k}:"));
        l.push(format!(
            "  image: registry.example.org/team/{w}:1.{k}.{}",
            rng.below(30)
        ));
        l.push(format!("  replicas: {}", 1 + rng.below(5)));
        l.push(format!("  checksum: sha256:{}", rng.hex(64)));
        l.push(format!("  uid: {}", rng.uuid()));
        l.push(format!("  password: ${{{}_PASSWORD}}", w.to_uppercase()));
        l.push(format!("  token: \"{{{{ .Values.{w}.token }}}}\""));
        l.push(format!(
            "  description: handles the {w} {} pipeline",
            WORDS[rng.below(WORDS.len())]
        ));
    }
    let line = plant.then(|| {
        let s = match rng.below(3) {
            0 => vec![
                "database:".to_string(),
                format!("  password: {}", rng.alnum(20)),
            ],
            1 => vec![
                "aws:".to_string(),
                format!(
                    "  aws_access_key_id: AKIA{}",
                    rng.from(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
                ),
            ],
            _ => vec![
                "slack:".to_string(),
                format!(
                    "  webhook_token: xoxb-{}-{}-{}",
                    rng.below(1 << 30),
                    rng.below(1 << 30),
                    rng.alnum(24)
                ),
            ],
        };
        plant_at(rng, &mut l, s) + 1
    });
    // The first line of the planted block is its parent key; the secret is on the next line.
    (format!("deploy{i}.yaml"), l.join("\n") + "\n", line)
}

/// Even files: an npm `package-lock.json` (hashes and UUIDs, never a planted secret: scanners
/// may skip lock files by name). Odd files: a settings JSON that may hold a planted secret.
fn json_file(rng: &mut Rng, i: usize, plant: bool) -> (String, String, Option<usize>) {
    let lock = i.is_multiple_of(2);
    let plant = plant && !lock;
    let mut l = vec![
        "{".to_string(),
        format!("  \"name\": \"pkg-{i}\","),
        "  \"packages\": {".into(),
    ];
    for k in 0..24 {
        let w = WORDS[rng.below(WORDS.len())];
        l.push(format!("    \"node_modules/{w}-{k}\": {{"));
        l.push(format!(
            "      \"version\": \"{}.{}.{}\",",
            rng.below(9),
            rng.below(20),
            rng.below(40)
        ));
        l.push(format!(
            "      \"resolved\": \"https://registry.npmjs.org/{w}-{k}/-/{w}-{k}-1.0.{}.tgz\",",
            rng.below(40)
        ));
        l.push(format!(
            "      \"integrity\": \"sha512-{}==\",",
            rng.b64(86)
        ));
        if k % 4 == 0 {
            l.push(format!("      \"commit\": \"{}\",", rng.hex(40)));
        }
        l.push(format!("      \"id\": \"{}\"", rng.uuid()));
        l.push("    },".into());
    }
    l.push("    \"end\": {}".into());
    l.push("  }".into());
    let line = plant.then(|| {
        let s = if rng.below(2) == 0 {
            format!("  \"api_token\": \"{}\",", rng.hex(32))
        } else {
            format!("  \"client_secret\": \"{}\",", rng.b64(40))
        };
        // After the opening brace, never inside the nested objects.
        l.insert(1, s);
        2
    });
    l.push("}".into());
    let name = if lock {
        format!("pkg{i}/package-lock.json")
    } else {
        format!("config{i}.json")
    };
    (name, l.join("\n") + "\n", line)
}

fn code_file(rng: &mut Rng, i: usize, plant: bool) -> (String, String, Option<usize>) {
    let mut l = vec![
        format!("# module {i}"),
        "import os".into(),
        "import logging".into(),
        String::new(),
    ];
    for k in 0..16 {
        let w = WORDS[rng.below(WORDS.len())];
        let v = WORDS[rng.below(WORDS.len())];
        l.push(format!(
            "def {w}_{v}_{k}(session, {v}_id, limit={}):",
            rng.below(500)
        ));
        l.push(format!(
            "    \"\"\"Return the {v} records of one {w}.\"\"\""
        ));
        l.push("    password = os.environ[\"DB_PASSWORD\"]".into());
        l.push("    token = session.headers.get(\"Authorization\", \"\")".to_string());
        l.push(format!("    cache_key = f\"{w}:{{{v}_id}}:{k}\""));
        l.push(format!(
            "    rows = session.query({w}_table).filter_by({v}_id={v}_id).limit(limit).all()"
        ));
        l.push(format!(
            "    logging.info(\"loaded %d {v} rows for %s\", len(rows), {v}_id)"
        ));
        if k == 0 {
            // One content hash per file, as real code has now and then.
            l.push(format!("    etag = \"{}\"", rng.hex(40)));
        }
        l.push("    return [r.to_dict() for r in rows if r.status != \"deleted\"]".to_string());
        l.push(String::new());
    }
    let line = plant.then(|| match rng.below(3) {
        0 => {
            let s = format!("GITHUB_TOKEN = \"ghp_{}\"", rng.alnum(36));
            plant_at(rng, &mut l, vec![s])
        }
        1 => {
            let s = format!("client_secret = \"{}\"", rng.b64(40));
            plant_at(rng, &mut l, vec![s])
        }
        _ => {
            let mut block = vec![
                "PRIVATE_KEY = \"\"\"".to_string(),
                "-----BEGIN RSA PRIVATE KEY-----".to_string(),
            ];
            for _ in 0..6 {
                block.push(rng.b64(64));
            }
            block.push("-----END RSA PRIVATE KEY-----".into());
            block.push("\"\"\"".into());
            plant_at(rng, &mut l, block) + 1
        }
    });
    (
        format!("app{i}/{}_{i}.py", WORDS[i % WORDS.len()]),
        l.join("\n") + "\n",
        line,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_detect_secrets_results() {
        let j = r#"{"results": {"a/x.env": [{"type": "Secret Keyword", "filename": "a/x.env", "hashed_secret": "h", "is_verified": false, "line_number": 4}, {"type": "Hex", "filename": "a/x.env", "hashed_secret": "h", "is_verified": false, "line_number": 9}]}}"#;
        let got = parse_detect_secrets(j);
        assert_eq!(
            got,
            [("a/x.env".to_string(), 4), ("a/x.env".to_string(), 9)]
                .into_iter()
                .collect()
        );
    }

    #[test]
    fn scores_by_line() {
        let found: BTreeSet<_> = [
            ("f".to_string(), 1),
            ("f".to_string(), 2),
            ("g".to_string(), 9),
        ]
        .into_iter()
        .collect();
        let pos: BTreeSet<_> = [("f".to_string(), 1), ("f".to_string(), 3)]
            .into_iter()
            .collect();
        let excl: BTreeSet<_> = [("g".to_string(), 9)].into_iter().collect();
        let s = score(&found, &pos, &excl);
        assert_eq!((s.tp, s.fp), (1, 1));
        assert!((s.recall - 0.5).abs() < 1e-9 && (s.precision - 0.5).abs() < 1e-9);
    }

    #[test]
    fn generated_files_plant_where_they_say() {
        let mut rng = Rng(1);
        for i in 0..40 {
            for f in [env_file, yaml_file, json_file, code_file] {
                let (_, body, line) = f(&mut rng, i, true);
                let Some(l) = line else { continue };
                let text = body.lines().nth(l - 1).expect("line exists");
                assert!(
                    [
                        "PASSWORD=",
                        "sk_live_",
                        "postgres://",
                        "password: ",
                        "AKIA",
                        "xoxb-",
                        "api_token",
                        "client_secret",
                        "ghp_",
                        "BEGIN RSA"
                    ]
                    .iter()
                    .any(|m| text.contains(m)),
                    "line {l}: {text}"
                );
            }
        }
    }
}
