//! Plain-text table for terminals, through vaultkit's one table renderer
//! ([`vault_core::Table`]): file names, keys and previews are escaped, so a file named
//! with an ESC sequence or a line break cannot drive the terminal or forge a row.

use std::fmt::Write;

use vault_core::{Table, escape_text};

use crate::scan::ScanReport;

/// One row per finding, then a summary line.
pub fn to_table(report: &ScanReport) -> String {
    let mut table = Table::new([
        "LOCATION",
        "KEY",
        "RULE",
        "CONFIDENCE",
        "ENTROPY",
        "PREVIEW",
    ]);
    for f in &report.findings {
        table.push([
            format!("{}:{}:{}", f.file.display(), f.line, f.column),
            f.key.clone().unwrap_or_else(|| "-".into()),
            f.rule_id.clone(),
            f.confidence.to_string(),
            format!("{:.2}", f.entropy),
            f.preview.clone(),
        ]);
    }
    let mut out = if table.is_empty() {
        String::new()
    } else {
        table.render()
    };
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
            escape_text(&i.path.display().to_string()),
            i.line,
            escape_text(&i.message)
        );
    }
    for d in &report.duplicates {
        let lines: Vec<String> = d.lines.iter().map(ToString::to_string).collect();
        let _ = writeln!(
            out,
            "warning: {}: `{}` is set on lines {}; the last one wins",
            escape_text(&d.path.display().to_string()),
            escape_text(&d.key),
            lines.join(", ")
        );
    }
    out
}
