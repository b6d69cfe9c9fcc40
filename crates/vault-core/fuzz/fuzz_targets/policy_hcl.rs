//! The policy HCL renderer on arbitrary paths, descriptions, TTLs and parameters: never panics,
//! and the output has exactly the intended structure — one `path` block, every string
//! well-quoted (it decodes back to the input), descriptions only as `#` comments. A value can
//! never close a string or a block early and add rules of its own.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vault_core::{AccessPolicy, Capability, PolicyRule};

/// Decode one HCL string starting at `s[0] == '"'`; returns (decoded, bytes used).
fn unquote(s: &str) -> Option<(String, usize)> {
    let mut out = String::new();
    let mut chars = s.char_indices();
    if chars.next()?.1 != '"' {
        return None;
    }
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, i + 1)),
            '\\' => match chars.next()?.1 {
                '"' => out.push('"'),
                '\\' => out.push('\\'),
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                _ => return None,
            },
            '\n' => return None,
            c => out.push(c),
        }
    }
    None
}

/// Strings of a non-comment line, checking that everything outside them is HCL punctuation,
/// spaces or a bare word.
fn strings_of(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find('"') {
        let outside = &rest[..i];
        assert!(
            outside
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || " _=[]{},".contains(c)),
            "unexpected text outside strings: {outside:?} in {line:?}"
        );
        let (s, used) = unquote(&rest[i..]).unwrap_or_else(|| panic!("bad string in {line:?}"));
        out.push(s);
        rest = &rest[i + used..];
    }
    assert!(
        rest.chars()
            .all(|c| c.is_ascii_alphanumeric() || " _=[]{},".contains(c)),
        "unexpected tail {rest:?} in {line:?}"
    );
    out
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut fields = text.split('\u{1}');
    let path = fields.next().unwrap_or("").to_string();
    let description = fields.next().map(str::to_string);
    let ttl = fields.next().map(str::to_string);
    let param = fields.next().map(str::to_string);
    let value = fields.next().unwrap_or("").to_string();

    let mut rule = PolicyRule::new(path.clone(), [Capability::Read, Capability::List]);
    if let Some(d) = description {
        rule = rule.with_description(d);
    }
    if let Some(t) = ttl {
        rule = rule.with_min_wrapping_ttl(t);
    }
    if let Some(p) = param {
        rule = rule
            .with_allowed_parameter(p.clone(), [value.clone()])
            .with_required_parameter(p);
    }
    let hcl = AccessPolicy::new("fuzz").with_rule(rule).to_hcl();

    let mut path_lines = 0;
    let mut depth = 0i32;
    for line in hcl.split('\n') {
        if line.starts_with('#') {
            assert_eq!(depth, 0, "comment inside a block");
            continue;
        }
        let strings = strings_of(line);
        if line.starts_with("path ") {
            path_lines += 1;
            assert_eq!(strings.first(), Some(&path));
        }
        depth += line.matches('{').count() as i32 - line.matches('}').count() as i32;
        // Braces inside strings were excluded by `strings_of`'s outside check only; count
        // those in decoded strings back out.
        for s in &strings {
            depth -= s.matches('{').count() as i32 - s.matches('}').count() as i32;
        }
        assert!(depth >= 0, "block closed early: {line:?}");
    }
    assert_eq!(path_lines, 1, "{hcl}");
    assert_eq!(depth, 0, "{hcl}");
});
