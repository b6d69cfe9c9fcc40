//! `cargo xtask bench audit`: vault-audit's streaming statistics against a Python baseline
//! (json.loads per line + counters, the way the Python module worked) and jq doing the same
//! counts, with `wc -l` as the I/O ceiling, on a generated log (default 1 GiB; set
//! `VAULTKIT_BENCH_AUDIT_MB` for another size). Needs python3, jq and /usr/bin/time.
//!
//! The log is generated once under `target/bench/` from the real line shapes of the test
//! corpora (vault-guides, OpenBao 2.7), with fresh request ids per round (pairs stay paired),
//! increasing times and varied KV paths, and reused while its size matches.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

const PY: &str = r#"
import json, sys, collections
types = collections.Counter(); ops = collections.Counter(); req_ops = collections.Counter()
paths = collections.Counter(); actors = collections.Counter(); mounts = collections.Counter()
errors = 0; entries = 0; bad = 0; pending = {}; paired = 0; orphans = 0; tmin = None; tmax = None
for line in open(sys.argv[1], 'rb'):
    try:
        e = json.loads(line)
    except ValueError:
        bad += 1
        continue
    entries += 1
    t = e.get('type'); types[t] += 1
    r = e.get('request') or {}; a = e.get('auth') or {}
    op = r.get('operation'); p = r.get('path')
    if op: ops[op] += 1
    if op and t == 'request': req_ops[op] += 1
    if p: paths[p] += 1; mounts[p.split('/')[0]] += 1
    who = a.get('display_name') or a.get('entity_id') or a.get('accessor')
    if who: actors[who] += 1
    if e.get('error'): errors += 1
    ts = e.get('time')
    if ts:
        tmin = ts if tmin is None or ts < tmin else tmin
        tmax = ts if tmax is None or ts > tmax else tmax
    rid = r.get('id')
    if rid and t == 'request': pending[rid] = 1
    elif rid and t == 'response':
        if pending.pop(rid, None): paired += 1
        else: orphans += 1
print(json.dumps({"entries": entries, "errors": errors, "distinct_paths": len(paths), "paired": paired}))
"#;

/// jq's parse-and-extract cost alone: the fields every count needs, one compact line per entry.
const JQ_EXTRACT: &str = r#"[.type, .request.operation, .request.path, (.auth.display_name // .auth.entity_id // .auth.accessor), ((.error // "") != "")]"#;

/// jq computing the counts itself (an object per key, updated in a reduce).
const JQ: &str = r#"reduce inputs as $e ({entries:0, errors:0, types:{}, ops:{}, paths:{}, actors:{}};
  .entries += 1
  | .types[$e.type // "none"] += 1
  | .ops[$e.request.operation // "none"] += 1
  | (if $e.request.path then .paths[$e.request.path] += 1 else . end)
  | .actors[$e.auth.display_name // $e.auth.entity_id // $e.auth.accessor // ""] += 1
  | .errors += (if ($e.error // "") != "" then 1 else 0 end))
| {entries, errors, distinct_paths: (.paths | length)}"#;

struct Run {
    name: &'static str,
    secs: f64,
    rss_kb: u64,
    entries: Option<u64>,
}

fn days_to_civil(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn rfc3339(micros: i64) -> String {
    let secs = micros.div_euclid(1_000_000);
    let (y, m, d) = days_to_civil(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:06}Z",
        s / 3600,
        s / 60 % 60,
        s % 60,
        micros.rem_euclid(1_000_000)
    )
}

/// Rewrites one template line for `round`: request id, time, and (for KV data paths) the path.
fn vary(line: &str, round: u64, micros: i64) -> String {
    let mut out = String::with_capacity(line.len() + 16);
    let mut rest = line;
    while let Some(i) = rest.find("\"id\":\"") {
        let (head, tail) = rest.split_at(i + 6);
        out.push_str(head);
        let is_uuid = tail.len() > 36
            && tail.as_bytes()[36] == b'"'
            && tail[..36]
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b'-');
        if is_uuid {
            out.push_str(&tail[..24]);
            out.push_str(&format!("{round:012x}"));
            rest = &tail[36..];
        } else {
            rest = tail;
        }
    }
    out.push_str(rest);
    if let Some(i) = out.find("\"time\":\"")
        && let Some(j) = out[i + 8..].find('"')
    {
        out.replace_range(i + 8..i + 8 + j, &rfc3339(micros));
    }
    let mut cursor = 0;
    while let Some(i) = out[cursor..].find("\"path\":\"") {
        let start = cursor + i + 8;
        let Some(len) = out[start..].find('"') else {
            break;
        };
        let path = &out[start..start + len];
        if path.contains("/data/") {
            let suffix = format!("-{}", round % 2000);
            out.insert_str(start + len, &suffix);
            cursor = start + len + suffix.len();
        } else {
            cursor = start + len;
        }
    }
    out
}

/// Writes a log of about `bytes_wanted` bytes to `path` from the corpora's line shapes.
pub(crate) fn generate(root: &Path, path: &Path, bytes_wanted: u64) -> Result<(), String> {
    let mut templates = Vec::new();
    for rel in [
        "vault-guides/vault-audit.log",
        "openbao-2.7.2-generated/audit.log",
    ] {
        let p = root.join("crates/vault-audit/tests/data").join(rel);
        let text = std::fs::read_to_string(&p).map_err(|e| format!("read {}: {e}", p.display()))?;
        templates.extend(text.lines().map(str::to_string));
    }
    let tmp = path.with_extension("tmp");
    let file = std::fs::File::create(&tmp).map_err(|e| format!("create {}: {e}", tmp.display()))?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    let (mut written, mut round, mut micros) = (0u64, 0u64, 1_767_225_600_000_000i64);
    while written < bytes_wanted {
        for t in &templates {
            let line = vary(t, round, micros);
            micros += 1_500;
            w.write_all(line.as_bytes())
                .and_then(|_| w.write_all(b"\n"))
                .map_err(|e| format!("write: {e}"))?;
            written += line.len() as u64 + 1;
        }
        round += 1;
    }
    w.flush().map_err(|e| format!("write: {e}"))?;
    drop(w);
    std::fs::rename(&tmp, path).map_err(|e| format!("rename: {e}"))
}

fn timed(
    name: &'static str,
    program: &str,
    args: &[&str],
    stdout_to: Option<&Path>,
) -> Result<(Run, String), String> {
    let mut cmd = Command::new("/usr/bin/time");
    cmd.arg("-f").arg("VKBENCH %e %M").arg(program).args(args);
    cmd.stdout(match stdout_to {
        Some(p) => Stdio::from(
            std::fs::File::create(p).map_err(|e| format!("create {}: {e}", p.display()))?,
        ),
        None => Stdio::piped(),
    });
    cmd.stderr(Stdio::piped());
    let start = Instant::now();
    let out = cmd
        .output()
        .map_err(|e| format!("run {program} under /usr/bin/time: {e} (run `cargo xtask setup`)"))?;
    let wall = start.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if !out.status.success() {
        return Err(format!("{name} failed ({}): {}", out.status, stderr.trim()));
    }
    let line = stderr
        .lines()
        .rev()
        .find(|l| l.starts_with("VKBENCH "))
        .ok_or_else(|| format!("{name}: no timing from /usr/bin/time"))?;
    let mut parts = line.split_whitespace().skip(1);
    let secs = parts.next().and_then(|s| s.parse().ok()).unwrap_or(wall);
    let rss_kb = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    Ok((
        Run {
            name,
            secs,
            rss_kb,
            entries: None,
        },
        stdout,
    ))
}

fn json_u64(text: &str, key: &str) -> Option<u64> {
    let k = format!("\"{key}\":");
    let i = text.find(&k)? + k.len();
    let digits: String = text[i..]
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

fn best_of(
    n: u32,
    mut f: impl FnMut() -> Result<(Run, String), String>,
) -> Result<(Run, String), String> {
    let mut best: Option<(Run, String)> = None;
    for _ in 0..n.max(1) {
        let r = f()?;
        if best.as_ref().is_none_or(|b| r.0.secs < b.0.secs) {
            best = Some(r);
        }
    }
    best.ok_or_else(|| "no run".to_string())
}

/// Runs the benchmark and returns the markdown section for docs/benchmarks.md.
pub(crate) fn run(workspace_root: &Path) -> Result<String, String> {
    let mb: u64 = std::env::var("VAULTKIT_BENCH_AUDIT_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1024);
    let runs: u32 = std::env::var("VAULTKIT_BENCH_AUDIT_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    for tool in ["python3", "jq", "wc"] {
        let ok = Command::new(tool)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok();
        if !ok {
            return Err(format!("`{tool}` is missing; run `cargo xtask setup`"));
        }
    }
    if !Path::new("/usr/bin/time").exists() {
        return Err(
            "/usr/bin/time is missing (Debian package `time`); run `cargo xtask setup`".into(),
        );
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root.join("target"));
    let dir = target.join("bench");
    std::fs::create_dir_all(&dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    let log = dir.join(format!("audit-{mb}mb.log"));
    let wanted = mb << 20;
    let have = std::fs::metadata(&log).map(|m| m.len()).unwrap_or(0);
    if have < wanted || have > wanted + (4 << 20) {
        eprintln!("generating {} ({mb} MiB)…", log.display());
        generate(workspace_root, &log, wanted)?;
    }
    let size = std::fs::metadata(&log)
        .map(|m| m.len())
        .map_err(|e| format!("stat {}: {e}", log.display()))?;

    eprintln!("building the release examples…");
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "--release", "--workspace", "--examples"])
        .current_dir(workspace_root)
        .status()
        .map_err(|e| format!("cargo build: {e}"))?;
    if !status.success() {
        return Err("cargo build --release --workspace --examples failed".into());
    }
    let ours_bin = target.join("release/examples/audit_stats");
    let py = dir.join("audit_baseline.py");
    std::fs::write(&py, PY).map_err(|e| format!("write {}: {e}", py.display()))?;
    let log_s = log.to_string_lossy().into_owned();

    // Warm the page cache so every tool reads from memory.
    let _ = timed("warm", "wc", &["-l", &log_s], None)?;
    let (wc, wc_out) = best_of(runs, || timed("wc -l", "wc", &["-l", &log_s], None))?;
    let lines: u64 = wc_out
        .split_whitespace()
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let (mut ours, ours_out) = best_of(runs, || {
        timed(
            "vault-audit (audit_stats)",
            &ours_bin.to_string_lossy(),
            &[&log_s],
            None,
        )
    })?;
    ours.entries = json_u64(&ours_out, "entries");
    let (mut python, py_out) = best_of(runs, || {
        timed(
            "Python json.loads + Counter",
            "python3",
            &[&py.to_string_lossy(), &log_s],
            None,
        )
    })?;
    python.entries = json_u64(&py_out, "entries");
    // jq's reduce grows a keyed object per entry and slows down super-linearly with many
    // distinct keys (it ran for over 10 minutes on 1 GiB); it runs by default up to 256 MiB.
    let reduce_wanted = mb <= 256 || std::env::var_os("VAULTKIT_BENCH_AUDIT_JQ_REDUCE").is_some();
    let jq_reduce = if reduce_wanted {
        let (mut jq, jq_out) = best_of(runs, || {
            timed(
                "jq -n -c (reduce: the same counts)",
                "jq",
                &["-n", "-c", JQ, &log_s],
                None,
            )
        })?;
        jq.entries = json_u64(&jq_out, "entries");
        Some((jq, jq_out))
    } else {
        None
    };
    let sink = dir.join("jq-extract.out");
    let (jq_x, _) = best_of(runs, || {
        timed(
            "jq -c (field extraction only, no counting)",
            "jq",
            &["-c", JQ_EXTRACT, &log_s],
            Some(&sink),
        )
    })?;
    let _ = std::fs::remove_file(&sink);
    let mut checked = vec![&ours, &python];
    if let Some((jq, _)) = &jq_reduce {
        checked.push(jq);
    }
    for r in checked {
        if r.entries != Some(lines) {
            return Err(format!(
                "{} counted {:?} entries, wc -l says {lines}",
                r.name, r.entries
            ));
        }
    }
    let ours_paths = json_u64(&ours_out, "distinct_paths");
    let mut others = vec![("python", json_u64(&py_out, "distinct_paths"))];
    if let Some((_, out)) = &jq_reduce {
        others.push(("jq", json_u64(out, "distinct_paths")));
    }
    for (who, p) in others {
        if p != ours_paths {
            return Err(format!(
                "distinct paths differ: vault-audit {ours_paths:?}, {who} {p:?}"
            ));
        }
    }

    let mbs = |r: &Run| size as f64 / 1e6 / r.secs.max(1e-9);
    let mut md = String::new();
    md.push_str("## Audit log statistics (`cargo xtask bench audit`)\n\n");
    md.push_str(&format!(
        "Command: `VAULTKIT_BENCH_AUDIT_MB={mb} cargo xtask bench audit`. Input: generated log `{}` of {:.0} MB, {lines} lines \
         (real line shapes from the vault-guides and OpenBao 2.7 corpora, fresh ids/times/paths). Page cache warm. \
         vault-audit, Python and jq's reduce compute the same counts (entries, types, operations, paths, actors, errors) and their totals are checked equal; the jq extraction row only parses and extracts those fields. \
         Machine: {} cores, load average {} at start. Best of {runs} run(s).\n\n",
        log.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        size as f64 / 1e6,
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        crate::util::load_average(),
    ));
    md.push_str("| tool | time (s) | MB/s | peak RSS (MB) | vault-audit is … × faster |\n|---|---:|---:|---:|---:|\n");
    let mut rows = vec![&wc, &ours, &python, &jq_x];
    if let Some((jq, _)) = &jq_reduce {
        rows.push(jq);
    }
    for r in rows {
        md.push_str(&format!(
            "| {} | {:.2} | {:.0} | {:.1} | {} |\n",
            r.name,
            r.secs,
            mbs(r),
            r.rss_kb as f64 / 1024.0,
            if std::ptr::eq(r, &ours) {
                "—".to_string()
            } else {
                format!("{:.2}", r.secs / ours.secs.max(1e-9))
            }
        ));
    }
    let vs_py = python.secs / ours.secs.max(1e-9);
    // Judged against the faster jq form (extraction only), which flatters jq.
    let jq_best = jq_reduce
        .as_ref()
        .map_or(jq_x.secs, |(jq, _)| jq.secs.min(jq_x.secs));
    let vs_jq = jq_best / ours.secs.max(1e-9);
    let rss_mb = ours.rss_kb as f64 / 1024.0;
    md.push_str(&format!(
        "\nTargets: ≥ 10× Python: **{vs_py:.1}×** ({}); ≥ 5× jq (its faster, extraction-only form): **{vs_jq:.1}×** ({}); peak RSS < 100 MB: **{rss_mb:.1} MB** ({}). \
         vault-audit reaches {:.0}% of the `wc -l` rate.\n",
        if vs_py >= 10.0 { "met" } else { "not met" },
        if vs_jq >= 5.0 { "met" } else { "not met" },
        if rss_mb < 100.0 { "met" } else { "not met" },
        100.0 * wc.secs / ours.secs.max(1e-9),
    ));
    if jq_reduce.is_none() {
        md.push_str("\njq's reduce form (the same counts inside jq) was skipped at this size: it slows down super-linearly with many distinct keys; set `VAULTKIT_BENCH_AUDIT_JQ_REDUCE=1` to run it.\n");
    }
    Ok(md)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varies_ids_times_and_paths() {
        let line = r#"{"time":"2020-04-30T14:27:10.6656485Z","type":"request","request":{"id":"9714ba87-8309-dd3e-148a-a14c0ece37af","namespace":{"id":"root"},"path":"kv-v2/data/app"}}"#;
        let v = vary(line, 5, 1_767_225_600_000_000);
        assert!(
            v.contains(r#""id":"9714ba87-8309-dd3e-148a-000000000005""#),
            "{v}"
        );
        assert!(v.contains(r#""namespace":{"id":"root"}"#));
        assert!(v.contains(r#""time":"2026-01-01T00:00:00.000000Z""#), "{v}");
        assert!(v.contains(r#""path":"kv-v2/data/app-5""#), "{v}");
    }
}
