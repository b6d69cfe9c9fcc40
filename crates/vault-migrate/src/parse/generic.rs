//! Assignment shapes in any text (code, JSON, shell, unknown formats), line by line:
//! `key = value`, `key: value`, `key := value`, `key => value`, `"key": "value"`,
//! `['key'] = "value"`, `export KEY=value`, and XML elements `<key>value</key>`.
//! Comparisons (`==`, `!=`, `<=`, `>=`), paths (`a::b`) and URLs (`http://`) are not assignments.

use super::lines::Line;
use super::{Entry, Parsed, Quote};

/// Parse every line of `text` for assignments.
pub fn parse(text: &str) -> Parsed {
    parse_min(text, 0)
}

/// [`parse`], keeping only values of at least `min_len` bytes (cheaper: short values are never
/// secrets for the built-in rules).
pub fn parse_min(text: &str, min_len: usize) -> Parsed {
    let mut out = Parsed::default();
    let bytes = text.as_bytes();
    let mut pos = 0;
    while pos < text.len() {
        let Line {
            content_end: ce,
            next,
            ..
        } = Line::at(text, pos);
        if memchr::memchr3(b'=', b':', b'<', &bytes[pos..ce]).is_some() {
            scan_line(text, pos, ce, min_len, &mut out.entries);
        }
        pos = next;
    }
    out
}

fn is_key_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-' | b'$')
}

fn scan_line(text: &str, start: usize, end: usize, min_len: usize, out: &mut Vec<Entry>) {
    let b = text.as_bytes();
    let mut i = start;
    while i < end {
        let c = b[i];
        if c == b'<' {
            i = xml_element(text, i, end, min_len, out).unwrap_or(i + 1);
            continue;
        }
        if c != b'=' && c != b':' {
            i += 1;
            continue;
        }
        let next = b.get(i + 1).copied().filter(|_| i + 1 < end);
        let prev = if i > start { Some(b[i - 1]) } else { None };
        let op_len = match (c, next) {
            (b':', Some(b'=')) => 2,
            (b':', Some(b':')) => {
                i += 2;
                continue;
            }
            (b':', Some(b'/')) => {
                i += 1;
                continue;
            }
            (b':', _) if prev == Some(b':') => {
                i += 1;
                continue;
            }
            (b'=', Some(b'>')) => 2,
            (b'=', Some(b'=')) => {
                i += 2;
                while i < end && b[i] == b'=' {
                    i += 1;
                }
                continue;
            }
            (b'=', _)
                if matches!(
                    prev,
                    Some(
                        b'!' | b'<'
                            | b'>'
                            | b'+'
                            | b'-'
                            | b'*'
                            | b'/'
                            | b'|'
                            | b'&'
                            | b'^'
                            | b'%'
                            | b'~'
                    )
                ) =>
            {
                i += 1;
                continue;
            }
            _ => 1,
        };
        // Key: back over blanks, closing quotes/brackets, then key characters.
        let mut j = i;
        while j > start && matches!(b[j - 1], b' ' | b'\t') {
            j -= 1;
        }
        let mut closers = 0;
        while j > start && closers < 2 && matches!(b[j - 1], b'"' | b'\'' | b']' | b'`') {
            j -= 1;
            closers += 1;
        }
        let key_end = j;
        while j > start && is_key_byte(b[j - 1]) {
            j -= 1;
        }
        let key = &text[j..key_end];
        let after_op = i + op_len;
        // `scheme://user:password@host`: userinfo, not an assignment (the URL rule reads it).
        if j >= start + 2 && &b[j - 2..j] == b"//" {
            i = after_op;
            continue;
        }
        if key.is_empty() || !key.bytes().any(|c| c.is_ascii_alphabetic()) {
            i = after_op;
            continue;
        }
        match value_at(text, after_op, end) {
            Some((vs, ve, quote, resume)) => {
                let value = &text[vs..ve];
                if !value.is_empty() && value.len() >= min_len {
                    let key = key.trim_start_matches('$').to_string();
                    out.push(Entry::new(
                        key.clone(),
                        key,
                        value.to_string(),
                        vs..ve,
                        quote,
                    ));
                }
                i = resume.max(after_op);
            }
            None => i = after_op,
        }
    }
}

/// The value after an operator: (start, end, quote, where to resume scanning).
fn value_at(text: &str, from: usize, end: usize) -> Option<(usize, usize, Quote, usize)> {
    let b = text.as_bytes();
    let mut s = from;
    while s < end && matches!(b[s], b' ' | b'\t') {
        s += 1;
    }
    if s >= end {
        return None;
    }
    match b[s] {
        q @ (b'"' | b'\'' | b'`') => {
            let mut k = s + 1;
            while k < end {
                if b[k] == b'\\' && q != b'\'' {
                    k += 2;
                    continue;
                }
                if b[k] == q {
                    return Some((s + 1, k, Quote::of(q), k + 1));
                }
                k += 1;
            }
            None
        }
        _ => {
            let mut k = s;
            while k < end
                && !matches!(
                    b[k],
                    b' ' | b'\t'
                        | b','
                        | b';'
                        | b'('
                        | b')'
                        | b'{'
                        | b'}'
                        | b'['
                        | b']'
                        | b'"'
                        | b'\''
                        | b'`'
                        | b'<'
                        | b'>'
                )
            {
                k += 1;
            }
            Some((s, k, Quote::None, k))
        }
    }
}

/// `<tag>value</tag>` on one line. Returns where to resume.
fn xml_element(
    text: &str,
    lt: usize,
    end: usize,
    min_len: usize,
    out: &mut Vec<Entry>,
) -> Option<usize> {
    let b = text.as_bytes();
    let mut k = lt + 1;
    while k < end && (b[k].is_ascii_alphanumeric() || matches!(b[k], b'_' | b'-' | b'.' | b':')) {
        k += 1;
    }
    if k == lt + 1 || k >= end || b[k] != b'>' {
        return None;
    }
    let tag = &text[lt + 1..k];
    let vs = k + 1;
    let close = format!("</{tag}>");
    let rel = text[vs..end].find(&close)?;
    let ve = vs + rel;
    let value = &text[vs..ve];
    if !value.is_empty() && value.len() >= min_len && !value.contains('<') {
        out.push(Entry::new(
            tag.to_string(),
            tag.to_string(),
            value.to_string(),
            vs..ve,
            Quote::None,
        ));
    }
    Some(ve + close.len())
}

#[cfg(test)]
mod tests {
    use super::super::test_util::{key_values, owned};
    use super::*;

    #[test]
    fn shapes() {
        let got = key_values(&parse(concat!(
            "APP_KEY = \"abc\"\n",
            "x := \"go\"\n",
            "\"key\": \"json\",\n",
            "['dict_key'] = \"py\"\n",
            "export secret_key=sh\n",
            "<password>xml</password>\n",
            "if a == b: c\n",
            "url = http://h/x\n",
        )));
        let want = [
            ("APP_KEY", "abc"),
            ("x", "go"),
            ("key", "json"),
            ("dict_key", "py"),
            ("secret_key", "sh"),
            ("password", "xml"),
            ("b", "c"),
            ("url", "http://h/x"),
        ];
        assert_eq!(got, owned(&want));
    }

    #[test]
    fn escaped_quotes_and_multiple_pairs() {
        let got = key_values(&parse(r#"{"a": "x\"y", "b": "z"}"#));
        assert_eq!(
            got,
            vec![("a".into(), r#"x\"y"#.into()), ("b".into(), "z".into())]
        );
    }
}
