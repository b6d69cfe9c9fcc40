//! The pretty-record case of `cargo xtask bench audit` (also alone: `cargo xtask bench
//! audit-pretty`): framing must stay linear in the size of a pretty-printed record.
//!
//! A crafted record (issue 10, item 13) has one indented `}` line every ~20 bytes. The framer used
//! to re-scan the record from its start at each of them: quadratic, minutes for 4 MiB. Here the
//! same number of records of 1 MiB and of 4 MiB are framed and scanned by the release
//! `audit_stats` example; linear framing takes about 4× as long for 4× the bytes, quadratic ~16×.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// Records per file: enough for the run to dwarf process start-up.
const RECORDS: usize = 16;

/// One crafted audit entry of about `bytes` bytes, pretty-printed, with an indented `}` line
/// every other line.
fn crafted_record(out: &mut impl Write, bytes: usize, n: usize) -> std::io::Result<()> {
    writeln!(out, "{{")?;
    writeln!(out, "  \"type\": \"request\",")?;
    writeln!(
        out,
        "  \"time\": \"2026-01-01T00:00:{:02}.000000Z\",",
        n % 60
    )?;
    writeln!(out, "  \"request\": {{")?;
    writeln!(out, "    \"id\": \"crafted-{n}\",")?;
    writeln!(out, "    \"operation\": \"update\",")?;
    writeln!(out, "    \"path\": \"secret/data/crafted\",")?;
    writeln!(out, "    \"data\": {{")?;
    let mut written = 0;
    let mut k = 0usize;
    while written < bytes {
        let chunk = format!("      \"k{k}\": {{\n      }},\n");
        written += chunk.len();
        out.write_all(chunk.as_bytes())?;
        k += 1;
    }
    writeln!(out, "      \"end\": {{\n      }}")?;
    writeln!(out, "    }}")?;
    writeln!(out, "  }}")?;
    writeln!(out, "}}")
}

fn generate(path: &Path, record_bytes: usize) -> Result<u64, String> {
    let file =
        std::fs::File::create(path).map_err(|e| format!("create {}: {e}", path.display()))?;
    let mut w = BufWriter::new(file);
    for n in 0..RECORDS {
        crafted_record(&mut w, record_bytes, n).map_err(|e| format!("write: {e}"))?;
    }
    w.flush().map_err(|e| format!("write: {e}"))?;
    drop(w);
    std::fs::metadata(path)
        .map(|m| m.len())
        .map_err(|e| format!("stat {}: {e}", path.display()))
}

/// Seconds for `audit_stats FILE` (best of 3), checking it counted every record.
fn time_stats(bin: &Path, file: &Path) -> Result<f64, String> {
    let mut best = f64::INFINITY;
    for _ in 0..3 {
        let start = Instant::now();
        let out = Command::new(bin)
            .arg(file)
            .output()
            .map_err(|e| format!("run {}: {e}", bin.display()))?;
        let secs = start.elapsed().as_secs_f64();
        if !out.status.success() {
            return Err(format!(
                "audit_stats failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let entries = text
            .split("\"entries\":")
            .nth(1)
            .and_then(|t| t.trim_start().split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|d| d.parse::<usize>().ok());
        if entries != Some(RECORDS) {
            return Err(format!(
                "audit_stats counted {entries:?} entries in {}, expected {RECORDS}",
                file.display()
            ));
        }
        best = best.min(secs);
    }
    Ok(best)
}

/// Runs the case and returns its markdown section. Builds the release `audit_stats` example.
pub(crate) fn run() -> Result<String, String> {
    let dir = crate::util::bench_dir()?;
    let bin = crate::util::build_audit_stats()?;
    let mut rows = Vec::new();
    for mib in [1usize, 4] {
        let file = dir.join(format!("audit-pretty-{mib}mib.log"));
        let size = generate(&file, mib << 20)?;
        let secs = time_stats(&bin, &file)?;
        let _ = std::fs::remove_file(&file);
        rows.push((mib, size, secs));
    }
    let ratio = rows[1].2 / rows[0].2.max(1e-9);
    let mut md = String::new();
    md.push_str(
        "## Audit log: crafted pretty-printed records (`cargo xtask bench audit-pretty`)\n\n",
    );
    md.push_str(&format!(
        "Command: `cargo xtask bench audit-pretty` (also run by `cargo xtask bench audit`). Input: {RECORDS} crafted \
         pretty-printed audit entries per file, each with an indented `}}` line every ~20 bytes (issue 10, item 13), \
         framed and counted by the release `audit_stats` example. Best of 3. Machine: {} cores, load average {} at start.\n\n",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        crate::util::load_average(),
    ));
    md.push_str("| record size | file size (MB) | time (s) | MB/s |\n|---|---:|---:|---:|\n");
    for (mib, size, secs) in &rows {
        md.push_str(&format!(
            "| {mib} MiB | {:.1} | {secs:.3} | {:.0} |\n",
            *size as f64 / 1e6,
            *size as f64 / 1e6 / secs.max(1e-9)
        ));
    }
    md.push_str(&format!(
        "\n4 MiB / 1 MiB time ratio: **{ratio:.2}** (linear ≈ 4, quadratic ≈ 16): {}.\n",
        if ratio < 8.0 { "linear" } else { "NOT linear" }
    ));
    Ok(md)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crafted_record_is_one_json_object_of_the_asked_size() {
        let mut buf = Vec::new();
        crafted_record(&mut buf, 4096, 3).expect("write");
        assert!(buf.len() >= 4096 && buf.len() < 4096 + 512, "{}", buf.len());
        let text = String::from_utf8(buf).expect("utf-8");
        let indented_closers = text
            .lines()
            .filter(|l| l.trim_start().starts_with('}') && l.starts_with(' '))
            .count();
        assert!(indented_closers > 100, "{indented_closers}");
        assert!(text.starts_with("{\n") && text.ends_with("\n}\n"));
    }
}
