//! A line-oriented YAML reader: enough structure to know which key a scalar belongs to.
//!
//! It tracks indentation to build key paths (`deploy.password.secure`), reads plain, single- and
//! double-quoted scalars (with inline ` #` comments and tags such as `!!binary` stripped), block
//! scalars (`|`, `>`), list items (`- value`, `- key: value`) and docker-compose
//! `environment:` lists (`- KEY=value`). Flow collections and anchors are read as plain text.
//! It is not a YAML validator: nothing it sees is an error.

use super::lines::{Line, child_path};
use super::{Entry, Parsed, Quote};

/// Parse YAML text into entries.
pub fn parse(text: &str) -> Parsed {
    let mut out = Parsed::default();
    let mut stack: Vec<(usize, String)> = Vec::new();
    let mut pos = if text.starts_with('\u{feff}') { 3 } else { 0 };
    while pos < text.len() {
        let Line {
            content_end,
            next,
            indent,
            body,
        } = Line::at(text, pos);
        if body.is_empty()
            || body.starts_with('#')
            || body.starts_with("---")
            || body.starts_with("...")
        {
            pos = next;
            continue;
        }
        while stack.last().is_some_and(|(i, _)| *i >= indent) {
            stack.pop();
        }
        let parent = join(&stack);
        let mut abs = pos + indent;
        let mut item = body;
        let mut in_list = false;
        // List items: `- x`, possibly nested `- - x`.
        while item.starts_with("- ") || item == "-" {
            let skip = if item == "-" {
                1
            } else {
                2 + item[2..].bytes().take_while(|b| *b == b' ').count()
            };
            abs += skip;
            item = &item[skip..];
            in_list = true;
        }
        if item.is_empty() {
            pos = next;
            continue;
        }
        match split_key(item) {
            Some((key, rest_off)) => {
                let value_abs = abs + rest_off;
                let raw = &text[value_abs..content_end];
                let key_path = child_path(&parent, &key);
                let trimmed = raw.trim_start();
                let value_abs = value_abs + (raw.len() - trimmed.len());
                let block = trimmed.starts_with('|') || trimmed.starts_with('>');
                if block {
                    let (entry, after) = block_scalar(text, next, indent, key.clone(), key_path);
                    if let Some(e) = entry {
                        out.entries.push(e);
                    }
                    pos = after;
                    continue;
                }
                if strip_comment(trimmed).is_empty() {
                    // A parent key. List items that are mappings nest one level deeper.
                    let level = if in_list { abs - pos } else { indent };
                    stack.push((level, key));
                } else if let Some(e) = scalar(text, value_abs, content_end, key, key_path) {
                    out.entries.push(e);
                }
            }
            None if in_list => {
                // `- KEY=value` (docker-compose environment list) or a bare scalar.
                if let Some(eq) = env_assignment(item) {
                    let key = item[..eq].to_string();
                    let key_path = child_path(&parent, &key);
                    if let Some(e) = scalar(text, abs + eq + 1, content_end, key, key_path) {
                        out.entries.push(e);
                    }
                } else if let Some(e) =
                    scalar(text, abs, content_end, String::new(), parent.clone())
                {
                    out.entries.push(e);
                }
            }
            None => {}
        }
        pos = next;
    }
    out
}

fn join(stack: &[(usize, String)]) -> String {
    let parts: Vec<&str> = stack
        .iter()
        .map(|(_, k)| k.as_str())
        .filter(|k| !k.is_empty())
        .collect();
    parts.join(".")
}

/// `KEY=value` with a shell-style key.
fn env_assignment(item: &str) -> Option<usize> {
    let eq = item.find('=')?;
    let key = &item[..eq];
    let ok = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
        && !key.as_bytes()[0].is_ascii_digit();
    ok.then_some(eq)
}

/// Split `key: rest` → (key, offset of rest). Handles quoted keys; the separator is `: `, `:\t` or
/// `:` at the end of the line.
fn split_key(item: &str) -> Option<(String, usize)> {
    let b = item.as_bytes();
    if b[0] == b'"' || b[0] == b'\'' {
        let close = item[1..].find(b[0] as char)? + 1;
        let after = &item[close + 1..];
        let ws = after.bytes().take_while(|c| *c == b' ').count();
        let rest = &after[ws..];
        if let Some(r) = rest.strip_prefix(':')
            && (r.is_empty() || r.starts_with([' ', '\t']))
        {
            return Some((item[1..close].to_string(), close + 1 + ws + 1));
        }
        return None;
    }
    if b[0] == b'{' || b[0] == b'[' || b[0] == b'#' {
        return None;
    }
    let mut i = 0;
    while i < b.len() {
        if b[i] == b':' && (i + 1 == b.len() || b[i + 1] == b' ' || b[i + 1] == b'\t') {
            let key = item[..i].trim_end();
            if key.is_empty() || key.contains(" #") {
                return None;
            }
            return Some((key.to_string(), i + 1));
        }
        if b[i] == b' ' && b.get(i + 1) == Some(&b'#') {
            return None;
        }
        i += 1;
    }
    None
}

fn strip_comment(s: &str) -> &str {
    let b = s.as_bytes();
    if b.first() == Some(&b'#') {
        return "";
    }
    for i in 1..b.len() {
        if b[i] == b'#' && (b[i - 1] == b' ' || b[i - 1] == b'\t') {
            return s[..i].trim_end();
        }
    }
    s.trim_end()
}

/// A scalar starting at byte `start` and ending before `end` (line end).
fn scalar(text: &str, start: usize, end: usize, key: String, key_path: String) -> Option<Entry> {
    let mut s = start;
    let b = text.as_bytes();
    while s < end && (b[s] == b' ' || b[s] == b'\t') {
        s += 1;
    }
    // Tags (`!!binary`, `!Ref`) and anchors (`&a`).
    while s < end && (b[s] == b'!' || b[s] == b'&') {
        while s < end && b[s] != b' ' {
            s += 1;
        }
        while s < end && b[s] == b' ' {
            s += 1;
        }
    }
    if s >= end {
        return None;
    }
    let (value, span, quote) = match b[s] {
        q @ (b'\'' | b'"') => {
            let inner = &text[s + 1..end];
            let close = if q == b'"' {
                let mut i = 0;
                let ib = inner.as_bytes();
                loop {
                    match ib.get(i) {
                        None => break None,
                        Some(b'\\') => i += 2,
                        Some(c) if *c == q => break Some(i),
                        _ => i += 1,
                    }
                }
            } else {
                // `''` is an escaped quote inside a single-quoted scalar.
                let ib = inner.as_bytes();
                let mut i = 0;
                loop {
                    match ib.get(i) {
                        None => break None,
                        Some(b'\'') if ib.get(i + 1) == Some(&b'\'') => i += 2,
                        Some(b'\'') => break Some(i),
                        _ => i += 1,
                    }
                }
            };
            let close = close.unwrap_or(inner.len());
            let raw = &inner[..close];
            let value = if q == b'\'' {
                raw.replace("''", "'")
            } else {
                unescape_double(raw)
            };
            (value, s + 1..s + 1 + close, Quote::of(q))
        }
        _ => {
            let v = strip_comment(&text[s..end]);
            (v.to_string(), s..s + v.len(), Quote::None)
        }
    };
    if value.is_empty() {
        return None;
    }
    Some(Entry::new(key, key_path, value, span, quote))
}

fn unescape_double(raw: &str) -> String {
    if !raw.contains('\\') {
        return raw.to_string();
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            Some('/') => out.push('/'),
            Some(o) => {
                out.push('\\');
                out.push(o);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// A block scalar (`key: |`) whose content lines start at `body_start` and are indented deeper
/// than `indent`. Returns the entry and the byte offset after the block.
fn block_scalar(
    text: &str,
    body_start: usize,
    indent: usize,
    key: String,
    key_path: String,
) -> (Option<Entry>, usize) {
    let mut pos = body_start.min(text.len());
    let mut first: Option<usize> = None;
    let mut last_end = pos;
    let mut lines: Vec<&str> = Vec::new();
    while pos < text.len() {
        let line = Line::at(text, pos);
        let ce = line.content_end;
        let line_text = &text[pos..ce];
        let ind = line_text.bytes().take_while(|c| *c == b' ').count();
        if !line_text.trim().is_empty() && ind <= indent {
            break;
        }
        if !line_text.trim().is_empty() {
            first.get_or_insert(pos + ind);
            last_end = ce;
        }
        lines.push(line_text.trim());
        pos = line.next;
    }
    let Some(start) = first else {
        return (None, pos);
    };
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    while lines.first().is_some_and(|l| l.is_empty()) {
        lines.remove(0);
    }
    let value = lines.join("\n");
    (
        Some(Entry {
            key,
            key_path,
            value,
            span: start..last_end,
            quote: Quote::None,
            is_reference: false,
        }),
        pos,
    )
}

#[cfg(test)]
mod tests {
    use super::super::test_util::{owned, path_values};
    use super::*;

    #[test]
    fn nested_paths_and_comments() {
        let t = "deploy:\n    user: bob\n    password:\n        secure: abc # c\nother: 'q''x'\n";
        assert_eq!(
            path_values(&parse(t)),
            owned(&[
                ("deploy.user", "bob"),
                ("deploy.password.secure", "abc"),
                ("other", "q'x")
            ])
        );
    }

    #[test]
    fn compose_environment_list_and_tags() {
        let t = "services:\n  db:\n    environment:\n      - POSTGRES_PASSWORD=s3cr3t-pw\n      - FOO\nbin: !!binary QUJD\n";
        let got = path_values(&parse(t));
        assert_eq!(
            got[0],
            (
                "services.db.environment.POSTGRES_PASSWORD".into(),
                "s3cr3t-pw".into()
            )
        );
        assert_eq!(got[1], ("services.db.environment".into(), "FOO".into()));
        assert_eq!(got[2], ("bin".into(), "QUJD".into()));
    }

    #[test]
    fn block_scalar_is_one_entry() {
        let t = "key: |\n  line1\n  line2\nnext: v\n";
        let got = path_values(&parse(t));
        assert_eq!(got[0], ("key".into(), "line1\nline2".into()));
        assert_eq!(got[1], ("next".into(), "v".into()));
    }
}
