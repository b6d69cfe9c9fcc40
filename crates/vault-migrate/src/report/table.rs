//! Plain-text table for terminals.

use std::fmt::Write;

use crate::scan::ScanReport;

/// One row per finding, then a summary line.
pub fn to_table(report: &ScanReport) -> String {
    let rows: Vec<[String; 6]> = report
        .findings
        .iter()
        .map(|f| {
            [
                format!("{}:{}:{}", f.file.display(), f.line, f.column),
                f.key.clone().unwrap_or_else(|| "-".into()),
                f.rule_id.clone(),
                f.confidence.to_string(),
                format!("{:.2}", f.entropy),
                f.preview.clone(),
            ]
        })
        .collect();
    let header = [
        "LOCATION",
        "KEY",
        "RULE",
        "CONFIDENCE",
        "ENTROPY",
        "PREVIEW",
    ];
    let mut widths = header.map(|h| h.chars().count());
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r.iter()) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    if !rows.is_empty() {
        line(&mut out, &header.map(String::from), &widths);
        for r in &rows {
            line(&mut out, r, &widths);
        }
    }
    let s = &report.suppressed;
    let _ = writeln!(
        out,
        "{} finding(s) in {} file(s) scanned ({} bytes, {} skipped); suppressed: {} inline, {} ignored, {} baseline, {} below confidence",
        report.findings.len(),
        report.files_scanned,
        report.bytes_scanned,
        report.skipped.len(),
        s.inline,
        s.ignored_value,
        s.baseline,
        s.below_confidence
    );
    for i in &report.issues {
        let _ = writeln!(
            out,
            "warning: {}:{}: {}",
            i.path.display(),
            i.line,
            i.message
        );
    }
    for d in &report.duplicates {
        let lines: Vec<String> = d.lines.iter().map(ToString::to_string).collect();
        let _ = writeln!(
            out,
            "warning: {}: `{}` is set on lines {}; the last one wins",
            d.path.display(),
            d.key,
            lines.join(", ")
        );
    }
    out
}

fn line(out: &mut String, cells: &[String; 6], widths: &[usize; 6]) {
    let mut s = String::new();
    for (i, (c, w)) in cells.iter().zip(widths.iter()).enumerate() {
        if i + 1 == cells.len() {
            s.push_str(c);
        } else {
            let _ = write!(s, "{c}{}  ", " ".repeat(w - c.chars().count()));
        }
    }
    out.push_str(s.trim_end());
    out.push('\n');
}
