//! Output writers for a [`ScanReport`]: a table for people, JSON and SARIF 2.1.0
//! for machines, and the exit code.
//!
//! Architecture Invariant: writers only see [`Finding`](crate::Finding)'s public fields; the
//! secret value is not reachable from here except through `Finding::secret`, which no writer calls;
//! the JSON writer's keyed hashes come from `Finding::value_hmac` under a per-report key.

mod json;
mod sarif;
mod table;

pub use json::to_json;
pub use sarif::to_sarif;
pub use table::to_table;

use crate::finding::Confidence;
use crate::scan::ScanReport;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// Aligned, human-readable columns; values masked.
    Table,
    /// The report as JSON; values masked.
    Json,
    /// SARIF 2.1.0, for code-scanning tools (GitHub, GitLab); values masked.
    Sarif,
}

impl std::str::FromStr for Format {
    type Err = crate::MigrateError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "table" | "text" => Ok(Format::Table),
            "json" => Ok(Format::Json),
            "sarif" => Ok(Format::Sarif),
            other => Err(crate::MigrateError::new(
                crate::MigrateErrorKind::Config,
                format!("unknown output format `{other}`"),
            )
            .with_hint("use table, json or sarif")),
        }
    }
}

/// Render `report` in `format`.
pub fn render(report: &ScanReport, format: Format) -> String {
    match format {
        Format::Table => to_table(report),
        Format::Json => to_json(report),
        Format::Sarif => to_sarif(report),
    }
}

/// Process exit codes of `vaultkit migrate scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// No findings at or above the threshold.
    Clean = 0,
    /// At least one finding at or above the threshold.
    Findings = 1,
    /// The scan itself failed (bad arguments, unreadable root).
    Error = 2,
}

/// Exit code for a finished scan: [`ExitCode::Findings`] if any finding has at least
/// `fail_on` confidence.
pub fn exit_code(report: &ScanReport, fail_on: Confidence) -> ExitCode {
    if report.findings.iter().any(|f| f.confidence >= fail_on) {
        ExitCode::Findings
    } else {
        ExitCode::Clean
    }
}
