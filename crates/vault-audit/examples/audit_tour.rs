//! A tour of the vault-audit API on a log (default: the vault-guides corpus in tests/data).
//! Every output shown in docs/audit.md comes from this program:
//! `cargo run --example audit_tour -- [LOG]` (after `cargo build --workspace --examples`).

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use vault_audit::output::{self, Format};
use vault_audit::{
    ActorMatch, AuditLogCollection, AuditSource, DetectionConfig, Operation, PathPattern,
    ScanOptions, find_hmac, render_report_html, stats,
};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), vault_audit::AuditError> {
    let default = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/vault-guides/vault-audit.log"
    );
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| default.to_string());
    let out = &mut std::io::stdout().lock();
    let say = |out: &mut std::io::StdoutLock<'_>, t: &str| {
        let _ = writeln!(out, "\n### {t}\n");
    };

    say(out, "stats (streaming) — table");
    let s = stats(&AuditSource::open(&path)?, &mut ScanOptions::default())?;
    output::write_stats(out, &s, Format::Table)?;

    let c = AuditLogCollection::from_path(&path)?;
    say(out, "filter_by_success(false) — table");
    output::write_entries(out, c.filter_by_success(false).entries(), Format::Table)?;

    say(
        out,
        "filter_by_operation([Delete]).filter_by_path(glob \"kv/event/event-1*\") — CSV",
    );
    let deletes = c
        .filter_by_operation(&[Operation::Delete])
        .filter_by_path(&PathPattern::glob("kv/event/event-1*")?);
    output::write_entries(out, deletes.entries(), Format::Csv)?;

    say(
        out,
        "filter_by_path(regex) + filter_by_actor + filter_by_client_ip — JSON lines (first 2)",
    );
    let logins = c
        .filter_by_path(&PathPattern::regex("^auth/userpass/login/lab-user-4$")?)
        .filter_by_client_ip("10.10.42.0/24")?;
    output::write_json_lines(out, logins.entries().iter().take(2))?;
    let _ = writeln!(
        out,
        "filter_by_actor(\"root\", DisplayName): {} entries",
        c.filter_by_actor("root", ActorMatch::DisplayName).len()
    );
    let _ = writeln!(
        out,
        "search_logs(\"missing client token\"): lines {:?}",
        c.search_logs("missing client token")
            .iter()
            .map(|e| e.location.line)
            .collect::<Vec<_>>()
    );

    say(out, "aggregate_by_operation()");
    let _ = writeln!(out, "{:?}", c.aggregate_by_operation());

    say(out, "aggregate_by_time(1h)");
    for b in c.aggregate_by_time(Duration::from_secs(3600)) {
        let _ = writeln!(
            out,
            "{}  entries {:>4}  requests {:>4}  errors {}",
            b.start.format("%Y-%m-%dT%H:%MZ"),
            b.entries,
            b.requests,
            b.errors
        );
    }

    say(out, "get_access_patterns(5)");
    let p = c.get_access_patterns(5);
    let _ = writeln!(out, "top paths:  {:?}", p.top_paths);
    let _ = writeln!(out, "top actors: {:?}", p.top_actors);
    let _ = writeln!(out, "mounts:     {:?}", p.mounts);
    let _ = writeln!(out, "hour of day (UTC): {:?}", p.hour_of_day);

    say(out, "pairs()");
    let pr = c.pairs();
    let _ = writeln!(
        out,
        "{} pairs, {} unpaired: {:?}",
        pr.pairs.len(),
        pr.unpaired.len(),
        pr.unpaired
            .iter()
            .map(|u| (u.location.line, u.kind, u.path.clone()))
            .collect::<Vec<_>>()
    );
    let _ = writeln!(
        out,
        "latency ms: p50 {:.2}  p95 {:.2}  p99 {:.2}  max {:.2}",
        pr.latency.p50_ms, pr.latency.p95_ms, pr.latency.p99_ms, pr.latency.max_ms
    );

    say(out, "detect(DetectionConfig::default()) — table");
    let d = c.detect(&DetectionConfig::default());
    output::write_detections(out, &d, Format::Table)?;

    say(
        out,
        "detect_anomalies(threshold 100, window 1h) — the Python module's example",
    );
    let anomalies = c.detect_anomalies(100, Duration::from_secs(3600));
    output::write_detections(out, &anomalies, Format::Table)?;

    say(
        out,
        "detect_anomalies(threshold 2, window 5m) — permission-denied bursts only",
    );
    let burst: Vec<_> = c
        .detect_anomalies(2, Duration::from_secs(300))
        .into_iter()
        .filter(|x| x.rule == "permission-denied-burst")
        .collect();
    output::write_detections(out, &burst, Format::Table)?;

    say(out, "find_hmac (a client-token HMAC from line 1371)");
    if let Some(tok) = c
        .entries()
        .iter()
        .find(|e| e.location.line == 1371)
        .and_then(|e| e.client_token.clone())
    {
        let m = find_hmac(&c, &tok);
        let _ = writeln!(
            out,
            "{tok}\n{} entries, lines {:?}",
            m.len(),
            m.iter().map(|x| x.location.line).collect::<Vec<_>>()
        );
        if let Some(first) = m.first() {
            let _ = writeln!(out, "fields in the first: {:?}", first.fields);
        }
    }

    say(out, "render_report_html");
    let html = render_report_html(&c.statistics(), &d, "vault-audit.log");
    let _ = writeln!(
        out,
        "{} bytes, {} inline SVG charts, {} data-stat numbers",
        html.len(),
        html.matches("<svg").count(),
        html.matches("data-stat=").count()
    );
    if let Some(dest) = std::env::args().nth(2) {
        std::fs::write(&dest, html).map_err(vault_audit::AuditError::Output)?;
    }
    Ok(())
}
