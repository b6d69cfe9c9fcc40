//! A dotenv parser that keeps the exact position of every value.
//!
//! Grammar (what docker compose, python-dotenv and the Ruby/Node dotenv libraries agree on):
//! - blank lines and lines whose first non-blank character is `#` are ignored; a UTF-8 BOM at the
//!   start of the file is skipped; `\r\n` ends a line like `\n`;
//! - `[export ]KEY=VALUE`, spaces allowed around `=`; `KEY` is `[A-Za-z_][A-Za-z0-9_.-]*`;
//!   `export KEY` alone (re-exporting an existing variable) sets nothing;
//! - `KEY=` with nothing after it is the empty value: the next line is never part of it;
//! - `'single'`: literal, may span lines; `` `backtick` `` likewise;
//! - `"double"`: may span lines; escapes `\n \r \t \\ \" \' \$` (others stay as written);
//! - unquoted: up to the end of the line, minus an inline comment (` #` after whitespace) and
//!   trailing blanks;
//! - after a closing quote only blanks and an inline comment may follow;
//! - `${VAR}`/`$VAR` as the whole value is a reference, not a value; `${VAR:-default}` exposes
//!   `default`;
//! - a key set twice: the last one wins and the pair is reported as a [`DuplicateKey`].
//!
//! Malformed lines become [`ParseIssue`]s and parsing resumes on the next line: an unterminated
//! quote never swallows the rest of the file.

use std::collections::HashMap;

use super::{DuplicateKey, Entry, ParseIssue, Parsed, Quote, reference_default};
use crate::error::MigrateError;

/// Parse dotenv text leniently: issues are collected, every well-formed line is kept.
/// Entries come in file order; for duplicate keys only the last one is kept.
pub fn parse(text: &str) -> Parsed {
    let mut p = Parser {
        text,
        pos: 0,
        line: 1,
        out: Parsed::default(),
    };
    if text.starts_with('\u{feff}') {
        p.pos = 3;
    }
    let mut seen: HashMap<String, Vec<usize>> = HashMap::new();
    let mut all: Vec<(usize, Entry)> = Vec::new();
    while p.pos < text.len() {
        let start_line = p.line;
        if let Some(entry) = p.statement() {
            seen.entry(entry.key.clone()).or_default().push(start_line);
            all.push((start_line, entry));
        }
    }
    // Last one wins.
    let mut dups: Vec<DuplicateKey> = seen
        .into_iter()
        .filter(|(_, lines)| lines.len() > 1)
        .map(|(key, lines)| DuplicateKey { key, lines })
        .collect();
    dups.sort_by_key(|d| d.lines[0]);
    let last_line: HashMap<&str, usize> = dups
        .iter()
        .map(|d| (d.key.as_str(), *d.lines.last().unwrap_or(&0)))
        .collect();
    let entries = all
        .into_iter()
        .filter(|(line, e)| last_line.get(e.key.as_str()).is_none_or(|l| l == line))
        .map(|(_, e)| e)
        .collect();
    p.out.entries = entries;
    p.out.duplicates = dups;
    p.out
}

/// Parse strictly: the first problem is an error naming its line.
pub fn parse_strict(text: &str) -> Result<Parsed, MigrateError> {
    let parsed = parse(text);
    match parsed.issues.first() {
        Some(issue) => Err(MigrateError::parse(issue.line, issue.message.clone())),
        None => Ok(parsed),
    }
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
    out: Parsed,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn skip_blanks(&mut self) {
        while let Some(b' ' | b'\t') = self.peek() {
            self.pos += 1;
        }
    }

    /// Move to the start of the next line.
    fn skip_line(&mut self) {
        match memchr::memchr(b'\n', &self.text.as_bytes()[self.pos..]) {
            Some(i) => {
                self.pos += i + 1;
                self.line += 1;
            }
            None => self.pos = self.text.len(),
        }
    }

    /// At end of line (`\n`, `\r\n` or end of text)?
    fn at_eol(&self) -> bool {
        match self.peek() {
            None | Some(b'\n') => true,
            Some(b'\r') => matches!(self.text.as_bytes().get(self.pos + 1), None | Some(b'\n')),
            _ => false,
        }
    }

    fn issue(&mut self, line: usize, message: String) {
        self.out.issues.push(ParseIssue { line, message });
    }

    /// One line (or several for a multi-line quoted value). Leaves `pos` at the next line.
    fn statement(&mut self) -> Option<Entry> {
        self.skip_blanks();
        if self.at_eol() || self.peek() == Some(b'#') {
            self.skip_line();
            return None;
        }
        let bytes = self.text.as_bytes();
        if self.text[self.pos..].starts_with("export")
            && matches!(bytes.get(self.pos + 6), Some(b' ' | b'\t'))
        {
            self.pos += 6;
            self.skip_blanks();
        }
        let key_start = self.pos;
        while let Some(c) = self.peek() {
            if c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-') {
                self.pos += 1;
            } else {
                break;
            }
        }
        let key = &self.text[key_start..self.pos];
        let line = self.line;
        if key.is_empty() || key.as_bytes()[0].is_ascii_digit() || key.starts_with(['.', '-']) {
            self.issue(line, "expected `KEY=VALUE` with a key made of letters, digits and `_` (not starting with a digit)".into());
            self.skip_line();
            return None;
        }
        self.skip_blanks();
        if self.at_eol() || self.peek() == Some(b'#') {
            // `export KEY` (re-export) or a bare word.
            if !self.text[..key_start].trim_end().ends_with("export") {
                self.issue(
                    line,
                    format!("key `{key}` has no `=`; write `{key}=` for an empty value"),
                );
            }
            self.skip_line();
            return None;
        }
        if self.peek() != Some(b'=') {
            self.issue(line, format!("expected `=` after key `{key}`"));
            self.skip_line();
            return None;
        }
        self.pos += 1;
        self.skip_blanks();
        let key = key.to_string();
        let entry = match self.peek() {
            Some(q @ (b'\'' | b'"' | b'`')) => self.quoted(key, q, line)?,
            _ => self.unquoted(key),
        };
        Some(entry)
    }

    fn unquoted(&mut self, key: String) -> Entry {
        let start = self.pos;
        let bytes = self.text.as_bytes();
        let line_end =
            memchr::memchr(b'\n', &bytes[start..]).map_or(self.text.len(), |i| start + i);
        let mut end = line_end;
        // Inline comment: `#` preceded by a blank.
        let mut i = start;
        while i < line_end {
            if bytes[i] == b'#' && i > start && matches!(bytes[i - 1], b' ' | b'\t') {
                end = i;
                break;
            }
            i += 1;
        }
        while end > start && matches!(bytes[end - 1], b' ' | b'\t' | b'\r') {
            end -= 1;
        }
        self.pos = line_end;
        self.skip_line();
        make_entry(
            key,
            self.text[start..end].to_string(),
            start..end,
            Quote::None,
        )
    }

    fn quoted(&mut self, key: String, q: u8, line: usize) -> Option<Entry> {
        let open = self.pos;
        let start = open + 1;
        let bytes = self.text.as_bytes();
        let mut value = String::new();
        let mut i = start;
        let mut lines_crossed = 0;
        let mut seg_start = start;
        let close = loop {
            let Some(&c) = bytes.get(i) else { break None };
            if c == q {
                break Some(i);
            }
            if c == b'\n' {
                lines_crossed += 1;
            }
            if q == b'"' && c == b'\\' {
                value.push_str(&self.text[seg_start..i]);
                let repl = match bytes.get(i + 1) {
                    Some(b'n') => Some('\n'),
                    Some(b'r') => Some('\r'),
                    Some(b't') => Some('\t'),
                    Some(b'\\') => Some('\\'),
                    Some(b'"') => Some('"'),
                    Some(b'\'') => Some('\''),
                    Some(b'$') => Some('$'),
                    _ => None,
                };
                match repl {
                    Some(r) => {
                        value.push(r);
                        i += 2;
                    }
                    None => {
                        value.push('\\');
                        i += 1;
                    }
                }
                seg_start = i;
                continue;
            }
            i += 1;
        };
        let Some(close) = close else {
            let what = match q {
                b'\'' => "single",
                b'"' => "double",
                _ => "backtick",
            };
            self.issue(
                line,
                format!("unterminated {what} quote in the value of `{key}`; the rest of this line was skipped (close the quote, or escape it)"),
            );
            self.skip_line();
            return None;
        };
        value.push_str(&self.text[seg_start..close]);
        // Normalise CRLF inside multi-line values.
        if value.contains("\r\n") {
            value = value.replace("\r\n", "\n");
        }
        self.line += lines_crossed;
        self.pos = close + 1;
        self.skip_blanks();
        if !self.at_eol() && self.peek() != Some(b'#') {
            let l = self.line;
            self.issue(
                l,
                format!(
                    "unexpected text after the closing quote of `{key}`; put a `#` before a comment"
                ),
            );
        }
        self.skip_line();
        let quote = Quote::of(q);
        let mut e = make_entry(key, value, start..close, quote);
        if quote == Quote::Single {
            // Single quotes do not expand: `'${X}'` is a literal value.
            e.is_reference = false;
        }
        Some(e)
    }
}

fn make_entry(key: String, value: String, span: std::ops::Range<usize>, quote: Quote) -> Entry {
    let (value, span, is_reference) = match reference_default(&value) {
        Some(d) if d.is_empty() => (value, span, true),
        // `${VAR:-default}`: the default is what matters. Spans differ from the decoded value
        // only for escaped double-quoted text, where the default is rare; keep the whole span then.
        Some(d) => {
            let sub = value[d.clone()].to_string();
            let raw_span = if span.len() == value.len() {
                span.start + d.start..span.start + d.end
            } else {
                span
            };
            (sub, raw_span, false)
        }
        None => (value, span, false),
    };
    Entry {
        key_path: key.clone(),
        key,
        value,
        span,
        quote,
        is_reference,
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::{key_values as kv, owned};
    use super::*;

    #[test]
    fn basic_forms() {
        let t = "# c\nA=1\nexport B = two # note\nC='x # y'\nD=\"a\\nb\\\"c\"\nE=\nF=f\n";
        let p = parse(t);
        assert!(p.issues.is_empty(), "{:?}", p.issues);
        assert_eq!(
            kv(&p),
            owned(&[
                ("A", "1"),
                ("B", "two"),
                ("C", "x # y"),
                ("D", "a\nb\"c"),
                ("E", ""),
                ("F", "f")
            ])
        );
        assert_eq!(&t[p.entries[1].span.clone()], "two");
    }

    #[test]
    fn empty_value_does_not_swallow_next_line() {
        let p = parse("EMPTY=\nNEXT=value\n");
        assert_eq!(kv(&p)[0], ("EMPTY".into(), "".into()));
        assert_eq!(kv(&p)[1], ("NEXT".into(), "value".into()));
    }

    #[test]
    fn unterminated_quote_reports_and_recovers() {
        let p = parse("A=\"open\nB=fine\n");
        assert_eq!(p.issues.len(), 1);
        assert_eq!(p.issues[0].line, 1);
        assert!(p.issues[0].message.contains("`A`"));
        // The closing quote never came, so B is still read.
        assert_eq!(kv(&p), vec![("B".into(), "fine".into())]);
        assert!(parse_strict("A=\"open\n").is_err());
    }
}
