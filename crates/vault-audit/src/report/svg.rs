//! Inline SVG bar charts (no scripts, no external resources).

use super::esc;

/// A vertical bar chart of `(label, value)`; labels are shown as tooltips and, sparsely, on
/// the x axis.
pub fn bars(id: &str, title: &str, data: &[(String, u64)], horizontal: bool) -> String {
    if data.is_empty() {
        return format!("<p class=\"empty\">{}: no data</p>", esc(title));
    }
    if horizontal {
        return hbars(id, title, data);
    }
    let (w, h, pad) = (900.0_f64, 220.0_f64, 30.0_f64);
    let max = data.iter().map(|d| d.1).max().unwrap_or(1).max(1) as f64;
    let bw = (w - 2.0 * pad) / data.len() as f64;
    let mut s = format!(
        "<figure id=\"{id}\"><figcaption>{}</figcaption><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {}\" role=\"img\" aria-label=\"{}\">",
        esc(title),
        h + 40.0,
        esc(title)
    );
    s.push_str(&format!(
        "<line x1=\"{pad}\" y1=\"{h}\" x2=\"{}\" y2=\"{h}\" class=\"axis\"/>",
        w - pad
    ));
    s.push_str(&format!(
        "<text x=\"2\" y=\"14\" class=\"tick\">{}</text>",
        max as u64
    ));
    let every = (data.len() / 8).max(1);
    for (i, (label, v)) in data.iter().enumerate() {
        let bh = (*v as f64 / max) * (h - 20.0);
        let x = pad + i as f64 * bw;
        s.push_str(&format!(
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{bh:.1}\" data-label=\"{}\" data-value=\"{v}\"><title>{}: {v}</title></rect>",
            h - bh,
            (bw - 1.0).max(0.5),
            esc(label),
            esc(label)
        ));
        if i % every == 0 {
            s.push_str(&format!(
                "<text x=\"{x:.1}\" y=\"{}\" class=\"tick\">{}</text>",
                h + 16.0,
                esc(label)
            ));
        }
    }
    s.push_str("</svg></figure>");
    s
}

fn hbars(id: &str, title: &str, data: &[(String, u64)]) -> String {
    let (w, row) = (900.0_f64, 22.0_f64);
    let label_w = 360.0;
    let max = data.iter().map(|d| d.1).max().unwrap_or(1).max(1) as f64;
    let h = row * data.len() as f64 + 4.0;
    let mut s = format!(
        "<figure id=\"{id}\"><figcaption>{}</figcaption><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{}\">",
        esc(title),
        esc(title)
    );
    for (i, (label, v)) in data.iter().enumerate() {
        let y = i as f64 * row;
        let bw = (*v as f64 / max) * (w - label_w - 70.0);
        let shown: String = if label.chars().count() > 48 {
            format!(
                "…{}",
                label
                    .chars()
                    .rev()
                    .take(47)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect::<String>()
            )
        } else {
            label.clone()
        };
        s.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" class=\"lbl\" text-anchor=\"end\">{}</text><rect x=\"{label_w}\" y=\"{:.1}\" width=\"{bw:.1}\" height=\"{:.1}\" data-label=\"{}\" data-value=\"{v}\"><title>{}: {v}</title></rect><text x=\"{:.1}\" y=\"{:.1}\" class=\"tick\">{v}</text>",
            label_w - 6.0,
            y + 15.0,
            esc(&shown),
            y + 3.0,
            row - 6.0,
            esc(label),
            esc(label),
            label_w + bw + 4.0,
            y + 15.0
        ));
    }
    s.push_str("</svg></figure>");
    s
}
