//! INI, `.properties`, `.conf` and TOML: `[section]`, `key = value` / `key: value`, comments
//! (`#`, `;`), INI continuation lines (indented lines without a separator continue the previous
//! key; each line is its own entry), and TOML strings (`"…"`, `'…'`, `"""…"""`, `'''…'''`).

use super::lines::{Line, child_path};
use super::{Entry, Parsed, Quote};

/// Parse INI-like text. `toml` turns on TOML string rules and turns off INI continuations.
pub fn parse(text: &str, toml: bool) -> Parsed {
    let mut out = Parsed::default();
    let mut section = String::new();
    let mut pos = if text.starts_with('\u{feff}') { 3 } else { 0 };
    // The key that indented continuation lines belong to.
    let mut continuing: Option<(String, String)> = None;
    while pos < text.len() {
        let Line {
            content_end: ce,
            next,
            indent,
            body,
        } = Line::at(text, pos);
        if body.is_empty() || body.starts_with('#') || body.starts_with(';') {
            pos = next;
            continue;
        }
        if body.starts_with('[') && body.trim_end().ends_with(']') {
            section = body
                .trim_end()
                .trim_start_matches('[')
                .trim_end_matches(']')
                .trim()
                .to_string();
            continuing = None;
            pos = next;
            continue;
        }
        let sep = find_separator(body, toml);
        match sep {
            Some((k_end, v_start)) => {
                let key = body[..k_end].trim().trim_matches(['"', '\'']).to_string();
                let key_path = child_path(&section, &key);
                let vstart = pos + indent + v_start;
                let (entry, after) =
                    value(text, vstart, ce, next, key.clone(), key_path.clone(), toml);
                if let Some(e) = entry {
                    out.entries.push(e);
                }
                continuing = if toml { None } else { Some((key, key_path)) };
                pos = after;
            }
            None if indent > 0 && continuing.is_some() => {
                if let Some((key, key_path)) = &continuing {
                    let v = strip_inline_comment(body);
                    if !v.is_empty() {
                        let start = pos + indent;
                        out.entries.push(Entry::new(
                            key.clone(),
                            key_path.clone(),
                            v.to_string(),
                            start..start + v.len(),
                            Quote::None,
                        ));
                    }
                }
                pos = next;
            }
            None => {
                continuing = None;
                pos = next;
            }
        }
    }
    out
}

/// Find `=` (or `:` outside TOML) separating key and value. Returns (key end, value start).
fn find_separator(body: &str, toml: bool) -> Option<(usize, usize)> {
    let b = body.as_bytes();
    let mut i = 0;
    if b[0] == b'"' || b[0] == b'\'' {
        i = body[1..].find(b[0] as char)? + 2;
    }
    while i < b.len() {
        match b[i] {
            b'=' => return Some((i, i + 1)),
            b':' if !toml => return Some((i, i + 1)),
            b' ' | b'\t' => {}
            c if c.is_ascii_alphanumeric()
                || matches!(c, b'_' | b'-' | b'.' | b'/' | b'@' | b'$') => {}
            _ => return None,
        }
        i += 1;
    }
    None
}

fn strip_inline_comment(s: &str) -> &str {
    let b = s.as_bytes();
    for i in 1..b.len() {
        if (b[i] == b'#' || b[i] == b';') && (b[i - 1] == b' ' || b[i - 1] == b'\t') {
            return s[..i].trim_end();
        }
    }
    s.trim_end()
}

/// The value starting at `start` on a line whose content ends at `ce` (the next line starts at
/// `next`). Returns the entry and the offset where parsing continues.
fn value(
    text: &str,
    start: usize,
    ce: usize,
    next: usize,
    key: String,
    key_path: String,
    toml: bool,
) -> (Option<Entry>, usize) {
    let b = text.as_bytes();
    let mut s = start;
    while s < ce && (b[s] == b' ' || b[s] == b'\t') {
        s += 1;
    }
    if s >= ce {
        return (None, next);
    }
    let rest = &text[s..ce];
    for delim in ["\"\"\"", "'''"] {
        if toml && rest.starts_with(delim) {
            let body_start = s + 3;
            let Some(close) = text[body_start..].find(delim) else {
                return (None, next);
            };
            let raw = &text[body_start..body_start + close];
            let v = raw
                .strip_prefix('\n')
                .or_else(|| raw.strip_prefix("\r\n"))
                .unwrap_or(raw);
            let vs = body_start + (raw.len() - v.len());
            let end = body_start + close + 3;
            let after = memchr::memchr(b'\n', &b[end..]).map_or(text.len() + 1, |i| end + i + 1);
            let q = Quote::of(delim.as_bytes()[0]);
            return (
                Some(Entry::new(
                    key,
                    key_path,
                    v.to_string(),
                    vs..vs + v.len(),
                    q,
                )),
                after,
            );
        }
    }
    if let Some(q @ (b'"' | b'\'')) = rest.as_bytes().first().copied()
        && let Some(close) = rest[1..].find(q as char)
    {
        {
            let v = &rest[1..1 + close];
            return (
                Some(Entry::new(
                    key,
                    key_path,
                    v.to_string(),
                    s + 1..s + 1 + close,
                    Quote::of(q),
                )),
                next,
            );
        }
    }
    let v = strip_inline_comment(rest);
    if v.is_empty() {
        return (None, next);
    }
    (
        Some(Entry::new(
            key,
            key_path,
            v.to_string(),
            s..s + v.len(),
            Quote::None,
        )),
        next,
    )
}

#[cfg(test)]
mod tests {
    use super::super::test_util::{owned, path_values};
    use super::*;

    #[test]
    fn sections_continuations_and_toml_strings() {
        // (text, TOML?, expected (key path, value) pairs)
        type Case<'a> = (&'a str, bool, &'a [(&'a str, &'a str)]);
        let cases: [Case<'_>; 2] = [
            (
                "[db]\npassword = abc ; c\nkeyA =\n    v1\n    # c\n    v2\nother: x\n",
                false,
                &[
                    ("db.password", "abc"),
                    ("db.keyA", "v1"),
                    ("db.keyA", "v2"),
                    ("db.other", "x"),
                ],
            ),
            (
                "[a]\nk = \"v # not comment\" # c\nm = \"\"\"\nl1\nl2\"\"\"\nn = 'lit'\n",
                true,
                &[
                    ("a.k", "v # not comment"),
                    ("a.m", "l1\nl2"),
                    ("a.n", "lit"),
                ],
            ),
        ];
        for (text, toml, want) in cases {
            assert_eq!(path_values(&parse(text, toml)), owned(want), "{text:?}");
        }
    }
}
