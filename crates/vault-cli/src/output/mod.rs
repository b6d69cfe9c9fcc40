//! How results reach the user: a table for people, JSON or YAML for machines, or one raw field.
//!
//! - [`Table`]: the aligned text tables, vaultkit's one renderer ([`vault_core::render`]), which
//!   escapes every cell for the terminal.
//! - [`progress`]: indicatif bars, drawn only when stderr is a terminal.
//! - this file: [`Output`], which every command prints through.
//!
//! The default format is `table`, as in Vault's CLI, whether or not stdout is a terminal: output
//! never changes shape just because it is piped. Scripts ask for `--format json` (or set
//! `VAULT_FORMAT=json`). Colours appear only on a terminal and never with `--no-color` / `NO_COLOR`.

use std::io::{IsTerminal, Write};

use serde_json::Value;

use crate::args::OutputFormat;
use crate::error::{CliError, CliResult};

pub(crate) mod progress;
#[cfg(test)]
mod yaml_tests;

pub(crate) use vault_core::Table;
use vault_core::escape_text;

/// The printer every command uses.
#[derive(Debug, Clone)]
pub(crate) struct Output {
    pub format: OutputFormat,
    pub field: Option<String>,
    pub color: bool,
    pub quiet: bool,
}

impl Output {
    pub(crate) fn new(
        format: OutputFormat,
        field: Option<String>,
        no_color: bool,
        quiet: bool,
    ) -> Output {
        let color =
            !no_color && std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal();
        Output {
            format,
            field,
            color,
            quiet,
        }
    }

    /// Print `value` as JSON/YAML, or `table()` for the table format; `--field` prints one raw
    /// value of the object instead.
    pub(crate) fn print(&self, value: &Value, table: impl FnOnce() -> Table) -> CliResult<()> {
        if let Some(field) = &self.field {
            return self.print_field(value, field);
        }
        match self.format {
            OutputFormat::Json => self.write(&format!("{}\n", to_json(value)?)),
            OutputFormat::Yaml => self.write(&to_yaml(value)?),
            OutputFormat::Table => {
                let t = table();
                if t.is_empty() {
                    return Ok(());
                }
                let bold = |s: &str| {
                    if self.color {
                        format!("\x1b[1m{s}\x1b[0m")
                    } else {
                        s.to_string()
                    }
                };
                self.write(&t.render_with(&bold))
            }
        }
    }

    /// `--field KEY`: the raw value (strings unquoted, anything else as JSON). Exact when stdout
    /// is a pipe or a file; on a terminal, control characters and bidi overrides are shown
    /// escaped ([`escape_text`]) so that a value cannot drive the terminal.
    fn print_field(&self, value: &Value, field: &str) -> CliResult<()> {
        let found = value
            .get(field)
            .or_else(|| value.pointer(&format!("/{}", field.replace('.', "/"))));
        match found {
            Some(Value::String(s)) if std::io::stdout().is_terminal() => {
                self.write(&format!("{}\n", escape_text(s)))
            }
            Some(Value::String(s)) => self.write(&format!("{s}\n")),
            Some(other) => self.write(&format!("{}\n", to_json(other)?)),
            None => {
                let keys: Vec<&str> = value
                    .as_object()
                    .map(|m| m.keys().map(String::as_str).collect())
                    .unwrap_or_default();
                Err(
                    CliError::not_found(format!("no field `{field}` in the result")).with_hint(
                        format!(
                            "fields are: {}",
                            if keys.is_empty() {
                                "none".into()
                            } else {
                                keys.join(", ")
                            }
                        ),
                    ),
                )
            }
        }
    }

    /// Print a message for people (on stderr, so it never mixes with data); nothing with `-q`.
    /// Messages quote paths and keys that came from Vault or files, so each line is escaped for
    /// the terminal ([`escape_text`]); the message's own line breaks are kept.
    pub(crate) fn info(&self, message: &str) {
        if !self.quiet {
            let lines: Vec<String> = message
                .split('\n')
                .map(|l| escape_text(l).into_owned())
                .collect();
            eprintln!("{}", lines.join("\n"));
        }
    }

    /// Write text for people to stdout with each line escaped for the terminal (for reports
    /// built outside [`Table`], e.g. migrate's apply and validation lists).
    pub(crate) fn write_human(&self, text: &str) -> CliResult<()> {
        let lines: Vec<String> = text
            .split('\n')
            .map(|l| escape_text(l).into_owned())
            .collect();
        self.write(&lines.join("\n"))
    }

    /// Write text to stdout; a closed pipe (e.g. `| head`) is not an error.
    pub(crate) fn write(&self, text: &str) -> CliResult<()> {
        let mut out = std::io::stdout().lock();
        match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            Err(e) => Err(CliError::other(format!("could not write to stdout: {e}"))),
        }
    }

    /// Write text that holds secrets to `file` (owner-only, atomic, never through a symlink: see
    /// [`vault_core::write_private`]) or, without one, to stdout.
    pub(crate) fn write_to(&self, file: Option<&std::path::Path>, text: &str) -> CliResult<()> {
        match file {
            None => self.write(text),
            Some(path) => {
                vault_core::write_private(path, text.as_bytes())
                    .map_err(|e| CliError::io("write", path, &e))?;
                self.info(&format!("Written to {} (mode 0600).", path.display()));
                Ok(())
            }
        }
    }

    /// Green/red/yellow when colours are on.
    pub(crate) fn paint(&self, text: &str, color: Color) -> String {
        if !self.color {
            return text.to_string();
        }
        let code = match color {
            Color::Green => 32,
            Color::Red => 31,
            Color::Yellow => 33,
            Color::Dim => 2,
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Color {
    Green,
    Red,
    Yellow,
    Dim,
}

pub(crate) fn to_json(value: &Value) -> CliResult<String> {
    serde_json::to_string_pretty(value)
        .map_err(|e| CliError::other(format!("could not encode JSON: {e}")))
}

pub(crate) fn to_yaml(value: &Value) -> CliResult<String> {
    serde_norway::to_string(value)
        .map_err(|e| CliError::other(format!("could not encode YAML: {e}")))
}

/// A JSON value as table text: strings raw, `null` empty, the rest as compact JSON.
pub(crate) fn cell(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}
