//! Inline SVG bar charts (no scripts, no external resources). Built with [`maud`], which
//! escapes every interpolated label.

use maud::{Markup, html};

/// A number with one decimal, as the chart coordinates are written.
fn f1(x: f64) -> String {
    format!("{x:.1}")
}

/// A bar chart of `(label, value)`: vertical bars with labels shown as tooltips and, sparsely,
/// on the x axis; or, when `horizontal`, one labelled row per item.
pub(super) fn bars(id: &str, title: &str, data: &[(String, u64)], horizontal: bool) -> Markup {
    if data.is_empty() {
        return html! { p.empty { (title) ": no data" } };
    }
    if horizontal {
        return hbars(id, title, data);
    }
    let (w, h, pad) = (900.0_f64, 220.0_f64, 30.0_f64);
    let max = data.iter().map(|d| d.1).max().unwrap_or(1).max(1) as f64;
    let bw = (w - 2.0 * pad) / data.len() as f64;
    let every = (data.len() / 8).max(1);
    html! {
        figure id=(id) {
            figcaption { (title) }
            svg xmlns="http://www.w3.org/2000/svg" viewBox={ "0 0 " (w) " " (h + 40.0) }
                role="img" aria-label=(title) {
                line x1=(pad) y1=(h) x2=(w - pad) y2=(h) class="axis" {}
                text x="2" y="14" class="tick" { (max as u64) }
                @for (i, (label, v)) in data.iter().enumerate() {
                    @let bh = (*v as f64 / max) * (h - 20.0);
                    @let x = pad + i as f64 * bw;
                    rect x=(f1(x)) y=(f1(h - bh)) width=(f1((bw - 1.0).max(0.5))) height=(f1(bh))
                        data-label=(label) data-value=(v) {
                        title { (label) ": " (v) }
                    }
                    @if i % every == 0 {
                        text x=(f1(x)) y=(h + 16.0) class="tick" { (label) }
                    }
                }
            }
        }
    }
}

/// The last 47 characters of a long label behind an ellipsis; short labels unchanged.
fn shorten(label: &str) -> String {
    let n = label.chars().count();
    if n > 48 {
        let tail: String = label.chars().skip(n - 47).collect();
        format!("…{tail}")
    } else {
        label.to_string()
    }
}

fn hbars(id: &str, title: &str, data: &[(String, u64)]) -> Markup {
    let (w, row) = (900.0_f64, 22.0_f64);
    let label_w = 360.0_f64;
    let max = data.iter().map(|d| d.1).max().unwrap_or(1).max(1) as f64;
    let h = row * data.len() as f64 + 4.0;
    html! {
        figure id=(id) {
            figcaption { (title) }
            svg xmlns="http://www.w3.org/2000/svg" viewBox={ "0 0 " (w) " " (h) }
                role="img" aria-label=(title) {
                @for (i, (label, v)) in data.iter().enumerate() {
                    @let y = i as f64 * row;
                    @let bw = (*v as f64 / max) * (w - label_w - 70.0);
                    text x=(f1(label_w - 6.0)) y=(f1(y + 15.0)) class="lbl" text-anchor="end" {
                        (shorten(label))
                    }
                    rect x=(label_w) y=(f1(y + 3.0)) width=(f1(bw)) height=(f1(row - 6.0))
                        data-label=(label) data-value=(v) {
                        title { (label) ": " (v) }
                    }
                    text x=(f1(label_w + bw + 4.0)) y=(f1(y + 15.0)) class="tick" { (v) }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_labels_keep_their_tail() {
        let long = format!("secret/{}", "a".repeat(60));
        let s = shorten(&long);
        assert_eq!(s.chars().count(), 48);
        assert!(s.starts_with('…') && s.ends_with("aaa"));
        assert_eq!(shorten("secret/x"), "secret/x");
    }

    #[test]
    fn labels_are_escaped_in_text_and_attributes() {
        let data = [("\"><script>x</script>".to_string(), 3)];
        for horizontal in [false, true] {
            let out = bars("c", "t&<", &data, horizontal).into_string();
            assert!(!out.contains("<script"), "{out}");
            assert!(out.contains("data-label=\"&quot;&gt;&lt;script&gt;x&lt;/script&gt;\""));
            assert!(out.contains("<figcaption>t&amp;&lt;</figcaption>"));
        }
    }
}
