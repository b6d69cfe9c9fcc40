//! The HTML report: one self-contained file (inline CSS and SVG, no scripts, no network).
//! Every number shown comes from [`Statistics`] and carries a `data-stat` attribute, so a test
//! (or a script) can check it against `stats --format json`.

mod svg;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::detect::Detection;
use crate::stats::Statistics;

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

const CSS: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1000px;color:#222}
h1{font-size:1.6em}h2{margin-top:1.6em;border-bottom:1px solid #ddd}
.cards{display:flex;flex-wrap:wrap;gap:.6em}.card{border:1px solid #ddd;border-radius:6px;padding:.5em .8em;min-width:8em}
.card b{display:block;font-size:1.4em}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #eee;padding:3px 6px;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}svg{width:100%;height:auto}rect{fill:#3b6fb6}.axis{stroke:#999}
.tick,.lbl{font-size:11px;fill:#555}.sev-high{color:#b00020;font-weight:bold}.sev-medium{color:#b36b00}.sev-low{color:#555}.sev-info{color:#777}
figure{margin:1em 0}figcaption{font-weight:600}.empty{color:#777}code{font-size:12px}";

/// Re-buckets per-minute counts into at most ~72 bars.
fn timeline(per_minute: &BTreeMap<String, u64>) -> Vec<(String, u64)> {
    let n = per_minute.len();
    if n <= 72 {
        return per_minute.iter().map(|(k, v)| (k.clone(), *v)).collect();
    }
    let group = n.div_ceil(72);
    let items: Vec<_> = per_minute.iter().collect();
    items
        .chunks(group)
        .map(|c| (c[0].0.clone(), c.iter().map(|(_, v)| **v).sum()))
        .collect()
}

fn card(out: &mut String, key: &str, label: &str, value: &str) {
    let _ = write!(
        out,
        "<div class=\"card\">{}<b data-stat=\"{key}\">{}</b></div>",
        esc(label),
        esc(value)
    );
}

fn table(out: &mut String, id: &str, headers: &[&str], rows: Vec<Vec<String>>) {
    let _ = write!(out, "<table id=\"{id}\"><thead><tr>");
    for h in headers {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>");
    for r in rows {
        out.push_str("<tr>");
        for c in r {
            out.push_str(&c);
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
}

fn td(s: &str) -> String {
    format!("<td>{}</td>", esc(s))
}

fn tdn(key: &str, v: u64) -> String {
    format!("<td class=\"n\" data-stat=\"{}\">{v}</td>", esc(key))
}

/// Renders the report. `title` is shown as the heading (e.g. the log's file name).
pub fn render_report_html(s: &Statistics, detections: &[Detection], title: &str) -> String {
    let mut o = String::with_capacity(64 * 1024);
    let _ = write!(
        o,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>Audit report: {}</title><style>{CSS}</style></head><body><h1>Audit report: {}</h1>",
        esc(title),
        esc(title)
    );
    let _ = write!(
        o,
        "<p>{} to {} ({:.0} s), files: {}</p>",
        esc(s.first_time.as_deref().unwrap_or("-")),
        esc(s.last_time.as_deref().unwrap_or("-")),
        s.span_seconds,
        esc(&s.files.join(", "))
    );
    o.push_str("<h2>Summary</h2><div class=\"cards\">");
    for (k, label, v) in [
        ("lines", "lines", s.lines),
        ("entries", "entries", s.entries),
        ("requests", "requests", s.requests),
        ("responses", "responses", s.responses),
        ("errors", "errors", s.errors),
        (
            "permission_denied",
            "permission denied",
            s.permission_denied,
        ),
        ("logins_ok", "logins ok", s.logins_ok),
        ("logins_failed", "logins failed", s.logins_failed),
        ("distinct_paths", "distinct paths", s.distinct_paths),
        ("distinct_actors", "distinct actors", s.distinct_actors),
        ("distinct_client_ips", "client IPs", s.distinct_client_ips),
        ("paired", "paired", s.paired),
        (
            "unpaired_requests",
            "unpaired requests",
            s.unpaired_requests,
        ),
        (
            "unpaired_responses",
            "unpaired responses",
            s.unpaired_responses,
        ),
        ("malformed", "malformed lines", s.malformed.count),
    ] {
        card(&mut o, k, label, &v.to_string());
    }
    card(
        &mut o,
        "error_rate",
        "error rate",
        &format!("{:.4}", s.error_rate),
    );
    card(
        &mut o,
        "detections",
        "detections",
        &detections.len().to_string(),
    );
    o.push_str("</div>");

    o.push_str("<h2>Requests over time</h2>");
    o.push_str(&svg::bars(
        "chart-time",
        "entries per interval (UTC)",
        &timeline(&s.per_minute),
        false,
    ));
    o.push_str("<h2>Operations</h2>");
    let ops: Vec<(String, u64)> = s
        .request_operations
        .iter()
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    o.push_str(&svg::bars(
        "chart-ops",
        "requests per operation",
        &ops,
        true,
    ));
    table(
        &mut o,
        "operations",
        &["operation", "requests", "entries"],
        s.operations
            .iter()
            .map(|(k, v)| {
                vec![
                    td(k),
                    tdn(
                        &format!("request_operations.{k}"),
                        s.request_operations.get(k).copied().unwrap_or(0),
                    ),
                    tdn(&format!("operations.{k}"), *v),
                ]
            })
            .collect(),
    );
    o.push_str("<h2>Top paths</h2>");
    o.push_str(&svg::bars(
        "chart-paths",
        "entries per path (top 10)",
        &s.top_paths,
        true,
    ));
    o.push_str("<h2>Top actors</h2>");
    o.push_str(&svg::bars(
        "chart-actors",
        "entries per actor (top 10)",
        &s.top_actors,
        true,
    ));
    o.push_str("<h2>Mounts</h2>");
    table(
        &mut o,
        "mounts",
        &["first path segment", "entries"],
        s.mounts
            .iter()
            .map(|(k, v)| vec![td(k), tdn(&format!("mounts.{k}"), *v)])
            .collect(),
    );

    let _ = write!(o, "<h2>Errors</h2><p>{} entries with an error", s.errors);
    if s.errors as usize > s.error_entries.len() {
        let _ = write!(o, " (first {} listed)", s.error_entries.len());
    }
    o.push_str("</p>");
    table(
        &mut o,
        "errors",
        &["file:line", "type", "operation", "path", "error"],
        s.error_entries
            .iter()
            .map(|e| {
                vec![
                    td(&format!("{}:{}", e.location.file, e.location.line)),
                    td(&e.kind),
                    td(e.operation.as_deref().unwrap_or("")),
                    td(e.path.as_deref().unwrap_or("")),
                    td(e.error.trim()),
                ]
            })
            .collect(),
    );

    o.push_str("<h2>Detections</h2>");
    table(
        &mut o,
        "detections",
        &[
            "severity",
            "rule",
            "window (UTC)",
            "actor / IP / path",
            "count",
            "what",
            "evidence lines",
        ],
        detections
            .iter()
            .map(|d| {
                let t = |x: Option<chrono::DateTime<chrono::Utc>>| {
                    x.map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
                        .unwrap_or_default()
                };
                let who = [
                    d.actor.as_deref(),
                    d.client_ip.as_deref(),
                    d.path.as_deref(),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · ");
                let ev = d
                    .evidence
                    .iter()
                    .map(|l| l.line.to_string())
                    .collect::<Vec<_>>()
                    .join(", ");
                vec![
                    format!("<td class=\"sev-{0}\">{0}</td>", d.severity.as_str()),
                    td(d.rule),
                    td(&format!("{} – {}", t(d.window_start), t(d.window_end))),
                    td(&who),
                    format!("<td class=\"n\">{}</td>", d.count),
                    td(&d.message),
                    td(&ev),
                ]
            })
            .collect(),
    );

    if s.malformed.count > 0 {
        let _ = write!(
            o,
            "<h2>Malformed lines</h2><p>{} lines could not be read",
            s.malformed.count
        );
        o.push_str("</p>");
        table(
            &mut o,
            "malformed",
            &["file", "line", "reason"],
            s.malformed
                .first
                .iter()
                .map(|m| vec![td(&m.file), td(&m.line.to_string()), td(&m.reason)])
                .collect(),
        );
    }
    o.push_str("<p><small>Generated by vaultkit (vault-audit). Self-contained: no scripts, no network.</small></p></body></html>\n");
    o
}
