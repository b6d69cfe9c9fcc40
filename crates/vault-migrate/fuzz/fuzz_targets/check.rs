//! Shared checks: a parse never panics, and every entry's span is a valid range of the input
//! on character boundaries (later code slices the text with it).

use vault_migrate::parse::{FileKind, Parsed, parse};

pub fn parse_and_check(kind: FileKind, text: &str) -> Parsed {
    let parsed = parse(kind, text);
    for e in &parsed.entries {
        assert!(e.span.start <= e.span.end, "{kind:?}: reversed span");
        assert!(e.span.end <= text.len(), "{kind:?}: span past the end");
        assert!(
            text.is_char_boundary(e.span.start) && text.is_char_boundary(e.span.end),
            "{kind:?}: span inside a character"
        );
    }
    parsed
}
