//! The HTML report: self-contained, and its numbers equal the JSON statistics.

use regex::Regex;
use vault_audit::{DetectionConfig, render_report_html};

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
    assert!(
        !html.contains("http://")
            || html
                .matches("http://")
                .all(|_| html.contains("xmlns=\"http://www.w3.org/2000/svg\""))
    );
    assert!(!html.contains("src=") && !html.contains("<link"));
    assert!(html.contains("vault-audit.log &lt;lab&gt;"));
    // Every error line appears in the errors table.
    for line in [1371, 1373, 1379, 1390, 1391, 1392, 1393] {
        assert!(
            html.contains(&format!("<td>0:{line}</td>")),
            "error line {line}"
        );
    }
    assert_eq!(html.matches("<svg").count(), 4);
}
