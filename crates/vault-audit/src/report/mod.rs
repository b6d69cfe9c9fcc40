//! The HTML report: one self-contained file (inline CSS and SVG, no scripts, no network).
//! Every number shown comes from [`Statistics`] and carries a `data-stat` attribute, so a test
//! (or a script) can check it against `stats --format json`.
//!
//! Architecture Invariant: the page is built with [`maud`] templates, which escape every
//! interpolated value; log content (paths, actors, error text, the title) never reaches the
//! page as markup. Only the constant stylesheet is inserted unescaped.

mod svg;

use std::collections::BTreeMap;

use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::detect::Detection;
use crate::stats::Statistics;

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

fn card(key: &str, label: &str, value: &str) -> Markup {
    html! { div.card { (label) b data-stat=(key) { (value) } } }
}

fn table(id: &str, headers: &[&str], rows: impl IntoIterator<Item = Vec<Markup>>) -> Markup {
    html! {
        table id=(id) {
            thead { tr { @for h in headers { th { (h) } } } }
            tbody { @for row in rows { tr { @for cell in row { (cell) } } } }
        }
    }
}

/// A text cell.
fn td(s: &str) -> Markup {
    html! { td { (s) } }
}

/// A number cell that names the statistic it shows.
fn tdn(key: &str, v: u64) -> Markup {
    html! { td.n data-stat=(key) { (v) } }
}

/// The summary cards: (`data-stat` key, label, value).
fn cards(s: &Statistics, detections: usize) -> Vec<(&'static str, &'static str, String)> {
    let mut out: Vec<(&'static str, &'static str, String)> = [
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
    ]
    .into_iter()
    .map(|(k, label, v)| (k, label, v.to_string()))
    .collect();
    out.push(("error_rate", "error rate", format!("{:.4}", s.error_rate)));
    out.push(("detections", "detections", detections.to_string()));
    out
}

fn operations(s: &Statistics) -> Markup {
    let ops: Vec<(String, u64)> = s
        .request_operations
        .iter()
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    let rows = s.operations.iter().map(|(k, v)| {
        let requests = s.request_operations.get(k).copied().unwrap_or(0);
        vec![
            td(k),
            tdn(&format!("request_operations.{k}"), requests),
            tdn(&format!("operations.{k}"), *v),
        ]
    });
    html! {
        h2 { "Operations" }
        (svg::bars("chart-ops", "requests per operation", &ops, true))
        (table("operations", &["operation", "requests", "entries"], rows))
    }
}

/// The name of file `index` of the scan (its last path component), for `file:line` cells.
fn file_name(s: &Statistics, index: u32) -> &str {
    let path = s.files.get(index as usize).map_or("?", String::as_str);
    path.rsplit('/').next().unwrap_or(path)
}

fn errors(s: &Statistics) -> Markup {
    let listed = s.error_entries.len();
    let truncated = s.errors > listed as u64;
    let rows = s.error_entries.iter().map(|e| {
        vec![
            td(&format!(
                "{}:{}",
                file_name(s, e.location.file),
                e.location.line
            )),
            td(&e.kind),
            td(e.operation.as_deref().unwrap_or("")),
            td(e.path.as_deref().unwrap_or("")),
            td(e.error.trim()),
        ]
    });
    html! {
        h2 { "Errors" }
        p {
            (s.errors) " entries with an error"
            @if truncated { " (first " (listed) " listed)" }
        }
        (table("errors", &["file:line", "type", "operation", "path", "error"], rows))
    }
}

fn detection_row(d: &Detection) -> Vec<Markup> {
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
    let evidence = d
        .evidence
        .iter()
        .map(|l| l.line.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let severity = d.severity.as_str();
    vec![
        html! { td class={ "sev-" (severity) } { (severity) } },
        td(d.rule),
        td(&format!("{} – {}", t(d.window_start), t(d.window_end))),
        td(&who),
        html! { td.n { (d.count) } },
        td(&d.message),
        td(&evidence),
    ]
}

fn detections(detections: &[Detection]) -> Markup {
    let headers = [
        "severity",
        "rule",
        "window (UTC)",
        "actor / IP / path",
        "count",
        "what",
        "evidence lines",
    ];
    html! {
        h2 { "Detections" }
        (table("detections", &headers, detections.iter().map(detection_row)))
    }
}

fn malformed(s: &Statistics) -> Markup {
    let rows = s
        .malformed
        .first
        .iter()
        .map(|m| vec![td(&m.file), td(&m.line.to_string()), td(&m.reason)]);
    html! {
        @if s.malformed.count > 0 {
            h2 { "Malformed lines" }
            p { (s.malformed.count) " lines could not be read" }
            (table("malformed", &["file", "line", "reason"], rows))
        }
    }
}

/// Renders the report. `title` is shown as the heading (e.g. the log's file name).
///
/// Everything taken from the log or the caller is escaped, in text and in attributes.
pub fn render_report_html(s: &Statistics, detected: &[Detection], title: &str) -> String {
    let first = s.first_time.as_deref().unwrap_or("-");
    let last = s.last_time.as_deref().unwrap_or("-");
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width";
                title { "Audit report: " (title) }
                style { (PreEscaped(CSS)) }
            }
            body {
                h1 { "Audit report: " (title) }
                p {
                    (first) " to " (last) " (" (format!("{:.0}", s.span_seconds)) " s), files: "
                    (s.files.join(", "))
                }
                h2 { "Summary" }
                div.cards {
                    @for (key, label, value) in cards(s, detected.len()) {
                        (card(key, label, &value))
                    }
                }
                h2 { "Requests over time" }
                (svg::bars("chart-time", "entries per interval (UTC)", &timeline(&s.per_minute), false))
                (operations(s))
                h2 { "Top paths" }
                (svg::bars("chart-paths", "entries per path (top 10)", &s.top_paths, true))
                h2 { "Top actors" }
                (svg::bars("chart-actors", "entries per actor (top 10)", &s.top_actors, true))
                h2 { "Mounts" }
                (table(
                    "mounts",
                    &["first path segment", "entries"],
                    s.mounts.iter().map(|(k, v)| vec![td(k), tdn(&format!("mounts.{k}"), *v)]),
                ))
                (errors(s))
                (detections(detected))
                (malformed(s))
                p { small { "Generated by vaultkit (vault-audit). Self-contained: no scripts, no network." } }
            }
        }
    };
    let mut out = page.into_string();
    out.push('\n');
    out
}
