//! The HTML report: self-contained, and its numbers equal the JSON statistics.

use regex::Regex;
use vault_audit::{
    AuditLogCollection, AuditSource, DetectionConfig, ScanOptions, render_report_html,
};

use super::{data, load};

#[test]
fn report_numbers_equal_json_stats() {
    let c = load(&data("vault-guides/vault-audit.log"));
    let s = c.statistics();
    let d = c.detect(&DetectionConfig::default());
    let html = render_report_html(&s, &d, "vault-audit.log <lab>");
    let json = serde_json::to_value(&s).expect("json");
    let re = Regex::new(r#"data-stat="([^"]+)">([^<]*)<"#).expect("re");
    let mut checked = 0;
    for cap in re.captures_iter(&html) {
        let (key, shown) = (&cap[1], &cap[2]);
        let expected = match key {
            "malformed" => json["malformed"]["count"].clone(),
            "detections" => serde_json::json!(d.len()),
            "error_rate" => serde_json::json!(format!("{:.4}", s.error_rate)),
            k if k.contains('.') => {
                let (map, field) = k.split_once('.').expect("dot");
                json[map][field].clone()
            }
            k => json[k].clone(),
        };
        let expected = match expected {
            serde_json::Value::String(x) => x,
            other => other.to_string(),
        };
        assert_eq!(shown, expected, "data-stat {key}");
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} numbers found");
    assert!(html.contains("data-stat=\"requests\">698<"));
    assert!(html.contains("data-stat=\"distinct_paths\">211<"));
    // Self-contained: no scripts, no external references; the title is escaped.
    assert!(!html.contains("<script"));
    assert_no_network_reference(&html);
    assert!(html.contains("vault-audit.log &lt;lab&gt;"));
    // Every error line appears in the errors table as the log's file name and physical line
    // (not the file's index in the scan: `0:1371`).
    for line in [1371, 1373, 1379, 1390, 1391, 1392, 1393] {
        assert!(
            html.contains(&format!("<td>vault-audit.log:{line}</td>")),
            "error line {line}"
        );
    }
    assert!(!html.contains("<td>0:1371</td>"));
    assert_eq!(html.matches("<svg").count(), 4);
}

/// The report must open offline: the only URL allowed is the SVG namespace in an `xmlns`
/// attribute (a name, never fetched). Every other `http://`/`https://`, `src=`, `<link`,
/// `url(` or `@import` is a network reference and fails.
fn assert_no_network_reference(html: &str) {
    let svgs = html.matches("<svg").count();
    let ns = r#"xmlns="http://www.w3.org/2000/svg""#;
    assert_eq!(
        html.matches(ns).count(),
        svgs,
        "every <svg> carries its namespace, nothing else does"
    );
    let rest = html.replace(ns, "");
    let lower = rest.to_ascii_lowercase();
    for needle in [
        "http://", "https://", "src=", "<link", "url(", "@import", "//www.",
    ] {
        assert!(
            !lower.contains(needle),
            "network reference `{needle}` in the report: …{}…",
            lower
                .find(needle)
                .map(|i| &rest[i.saturating_sub(60)..(i + 60).min(rest.len())])
                .unwrap_or_default()
        );
    }
}

#[test]
fn no_network_check_catches_a_url_next_to_an_svg() {
    // The checker itself: an SVG namespace is fine, any other URL beside it is not.
    let ok = r#"<svg xmlns="http://www.w3.org/2000/svg"></svg>"#;
    assert_no_network_reference(ok);
    for bad in [
        r#"<svg xmlns="http://www.w3.org/2000/svg"></svg><a href="https://evil.example/">x</a>"#,
        r#"<svg xmlns="http://www.w3.org/2000/svg"><image href="http://evil.example/p.png"/></svg>"#,
        r#"<svg xmlns="http://www.w3.org/2000/svg"></svg><style>@import 'x.css'</style>"#,
    ] {
        let caught = std::panic::catch_unwind(|| assert_no_network_reference(bad));
        assert!(caught.is_err(), "not caught: {bad}");
    }
}

#[test]
fn hostile_log_fields_and_title_are_escaped_everywhere() {
    // An attacker who can make requests controls the path, the display name (via an auth
    // method's metadata) and parts of the error text; none of it may become markup.
    let actor = "<script>alert('actor')</script>";
    let path = r#"secret/"><img src=x onerror=alert(1)>"#;
    let mut log = String::new();
    for i in 0..6 {
        let line = serde_json::json!({
            "time": format!("2026-11-28T17:49:0{i}.6Z"),
            "type": "response",
            "auth": {"display_name": actor, "client_token": "hmac-sha256:ab12"},
            "request": {
                "id": format!("r{i}"),
                "operation": "read",
                "path": path,
                "remote_address": "10.0.0.7\"><script>",
            },
            "error": "permission denied <script>alert('error')</script>",
        });
        log.push_str(&line.to_string());
        log.push('\n');
    }
    log.push_str("<script>not json</script>\n");
    let c = AuditLogCollection::load(
        &AuditSource::bytes("<script>file</script>", log),
        &mut ScanOptions::default(),
    )
    .expect("loads");
    let s = c.statistics();
    let d = c.detect(&DetectionConfig::default());
    assert!(
        d.iter().any(|d| d.rule == "permission-denied-burst"),
        "a detection row carries the hostile fields: {d:?}"
    );
    assert_eq!(s.malformed.count, 1);
    let html = render_report_html(&s, &d, "<script>alert('title')</script>");

    assert!(!html.contains("<script"), "a raw <script> tag got through");
    assert!(!html.contains("<img"), "a raw <img> tag got through");
    assert!(html.contains("&lt;script&gt;alert('title')&lt;/script&gt;"));
    assert!(html.contains("&lt;script&gt;alert('actor')&lt;/script&gt;"));
    assert!(html.contains("permission denied &lt;script&gt;alert('error')&lt;/script&gt;"));
    assert!(html.contains("files: &lt;script&gt;file&lt;/script&gt;"));
    // In attributes the quote is escaped too, so the value cannot close its attribute.
    assert!(html.contains(r#"data-label="secret/&quot;&gt;&lt;img src=x onerror=alert(1)&gt;""#));
    assert!(!html.contains(r#"data-label="secret/">"#));
}
