//! Output writers shared by every `vaultkit audit` command: aligned tables for people,
//! JSON lines / JSON / CSV for machines. The CLI only picks a [`Format`].

use std::io::Write;

use serde::Serialize;
use vault_core::{Table, csv_line, escape_text};

use crate::detect::Detection;
use crate::entry::AuditEntry;
use crate::error::AuditError;
use crate::stats::Statistics;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Aligned columns for a terminal.
    Table,
    /// One JSON object per line (JSON Lines).
    JsonLines,
    /// One JSON array.
    Json,
    /// Comma-separated values with a header row.
    Csv,
}

impl std::str::FromStr for Format {
    type Err = AuditError;
    fn from_str(s: &str) -> Result<Self, AuditError> {
        match s {
            "table" => Ok(Format::Table),
            "jsonl" | "json-lines" | "ndjson" => Ok(Format::JsonLines),
            "json" => Ok(Format::Json),
            "csv" => Ok(Format::Csv),
            _ => Err(AuditError::invalid(
                "format",
                s,
                "use table, jsonl, json or csv",
            )),
        }
    }
}

fn out(e: std::io::Error) -> AuditError {
    AuditError::Output(e)
}

/// Columns of an entry row.
pub const ENTRY_COLUMNS: &[&str] = &[
    "line",
    "time",
    "type",
    "operation",
    "path",
    "actor",
    "remote_address",
    "error",
];

/// One entry as table/CSV cells (same order as [`ENTRY_COLUMNS`]).
pub fn entry_row(e: &AuditEntry) -> Vec<String> {
    vec![
        e.location.line.to_string(),
        e.time
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
            .unwrap_or_default(),
        e.kind.to_string(),
        e.operation
            .as_ref()
            .map(|o| o.to_string())
            .unwrap_or_default(),
        e.path.clone().unwrap_or_default(),
        e.actor().unwrap_or("").to_string(),
        e.remote_address.clone().unwrap_or_default(),
        e.error
            .as_deref()
            .map(|x| x.replace(['\n', '\t'], " ").trim().to_string())
            .unwrap_or_default(),
    ]
}

/// An aligned text table, rendered by vaultkit's one table renderer
/// ([`vault_core::Table`]): every cell is escaped, so an audit-log field with a line
/// break, an ESC sequence or a bidi override shows as one inert line.
pub fn write_table<W: Write>(
    w: &mut W,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<(), AuditError> {
    let mut table = Table::new(headers.iter().copied());
    for r in rows {
        table.push(r.iter().map(String::as_str));
    }
    w.write_all(table.render().as_bytes()).map_err(out)
}

/// One streamed row for `audit tail` in table format: the cells escaped for a terminal
/// ([`escape_text`]) and separated by tabs, so a field can never start a new line.
pub fn tab_line(cells: &[String]) -> String {
    cells
        .iter()
        .map(|c| escape_text(c).into_owned())
        .collect::<Vec<_>>()
        .join("\t")
}

/// RFC 4180 CSV with a header row (when `headers` is not empty); cells that a spreadsheet would
/// run as a formula are neutralised ([`vault_core::csv_cell`]).
pub fn write_csv<W: Write>(
    w: &mut W,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<(), AuditError> {
    if !headers.is_empty() {
        writeln!(w, "{}", csv_line(headers)).map_err(out)?;
    }
    for r in rows {
        writeln!(w, "{}", csv_line(r)).map_err(out)?;
    }
    Ok(())
}

/// One JSON document per line.
pub fn write_json_lines<W: Write, T: Serialize>(
    w: &mut W,
    items: impl IntoIterator<Item = T>,
) -> Result<(), AuditError> {
    for it in items {
        serde_json::to_writer(&mut *w, &it).map_err(|e| out(e.into()))?;
        writeln!(w).map_err(out)?;
    }
    Ok(())
}

/// Pretty JSON of any value.
pub fn write_json<W: Write, T: Serialize>(w: &mut W, value: &T) -> Result<(), AuditError> {
    serde_json::to_writer_pretty(&mut *w, value).map_err(|e| out(e.into()))?;
    writeln!(w).map_err(out)
}

/// Entries in any format (JSON forms write the entry fields, not the raw line).
pub fn write_entries<W: Write>(
    w: &mut W,
    entries: &[AuditEntry],
    format: Format,
) -> Result<(), AuditError> {
    match format {
        Format::Table => write_table(
            w,
            ENTRY_COLUMNS,
            &entries.iter().map(entry_row).collect::<Vec<_>>(),
        ),
        Format::Csv => write_csv(
            w,
            ENTRY_COLUMNS,
            &entries.iter().map(entry_row).collect::<Vec<_>>(),
        ),
        Format::JsonLines => write_json_lines(w, entries),
        Format::Json => write_json(w, &entries),
    }
}

/// Detections in any format.
pub fn write_detections<W: Write>(
    w: &mut W,
    ds: &[Detection],
    format: Format,
) -> Result<(), AuditError> {
    let cols = [
        "severity",
        "rule",
        "start",
        "end",
        "actor",
        "client_ip",
        "count",
        "message",
        "evidence_lines",
    ];
    let rows: Vec<Vec<String>> = ds
        .iter()
        .map(|d| {
            let t = |x: Option<chrono::DateTime<chrono::Utc>>| {
                x.map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
                    .unwrap_or_default()
            };
            vec![
                d.severity.as_str().to_string(),
                d.rule.to_string(),
                t(d.window_start),
                t(d.window_end),
                d.actor.clone().unwrap_or_default(),
                d.client_ip.clone().unwrap_or_default(),
                d.count.to_string(),
                d.message.clone(),
                d.evidence
                    .iter()
                    .map(|l| l.line.to_string())
                    .collect::<Vec<_>>()
                    .join(" "),
            ]
        })
        .collect();
    match format {
        Format::Table => write_table(w, &cols, &rows),
        Format::Csv => write_csv(w, &cols, &rows),
        Format::JsonLines => write_json_lines(w, ds),
        Format::Json => write_json(w, &ds),
    }
}

/// Statistics as a short human summary (table format) or JSON.
pub fn write_stats<W: Write>(w: &mut W, s: &Statistics, format: Format) -> Result<(), AuditError> {
    if format != Format::Table {
        return write_json(w, s);
    }
    let mut rows = vec![
        vec!["lines".into(), s.lines.to_string()],
        vec!["entries".into(), s.entries.to_string()],
        vec!["requests".into(), s.requests.to_string()],
        vec!["responses".into(), s.responses.to_string()],
        vec![
            "errors".into(),
            format!("{} ({:.2}%)", s.errors, s.error_rate * 100.0),
        ],
        vec!["permission denied".into(), s.permission_denied.to_string()],
        vec![
            "logins ok / failed".into(),
            format!("{} / {}", s.logins_ok, s.logins_failed),
        ],
        vec!["distinct paths".into(), s.distinct_paths.to_string()],
        vec!["distinct actors".into(), s.distinct_actors.to_string()],
        vec![
            "paired / unpaired req / unpaired resp".into(),
            format!(
                "{} / {} / {}",
                s.paired, s.unpaired_requests, s.unpaired_responses
            ),
        ],
        vec![
            "first / last".into(),
            format!(
                "{} / {}",
                s.first_time.as_deref().unwrap_or("-"),
                s.last_time.as_deref().unwrap_or("-")
            ),
        ],
        vec!["malformed lines".into(), s.malformed.count.to_string()],
    ];
    for (op, n) in &s.request_operations {
        rows.push(vec![format!("requests: {op}"), n.to_string()]);
    }
    write_table(w, &["statistic", "value"], &rows)
}
