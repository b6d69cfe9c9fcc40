//! Visible escapes for characters that must never reach a terminal raw.

use std::borrow::Cow;
use std::fmt::Write;

/// Whether `c` is shown escaped by [`escape_text`]: every C0 control (U+0000–U+001F, tab and
/// line feed included), DEL (U+007F), every C1 control (U+0080–U+009F), the Unicode
/// bidirectional controls (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069) and the line and
/// paragraph separators (U+2028, U+2029).
pub(crate) fn needs_escape(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{61c}'
        | '\u{200e}'
        | '\u{200f}'
        | '\u{2028}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}')
}

/// `s` with every control character written as a visible escape: `\n`, `\r`, `\t`
/// for the usual three, `\xHH` for other C0 controls and DEL, `\u{HHHH}` for the rest. Other
/// text (including a plain backslash) is unchanged, and borrowed when there is nothing to escape.
///
/// The result is for people: it is single-line and inert on any terminal, but not meant to be
/// parsed back (a value that contains the four characters `\x1b` reads the same as one ESC).
///
/// Escaped: every C0 control (U+0000–U+001F, tab and line feed included), DEL (U+007F), every C1
/// control (U+0080–U+009F), the Unicode bidirectional controls (U+061C, U+200E, U+200F,
/// U+202A–U+202E, U+2066–U+2069) and the line and paragraph separators (U+2028, U+2029).
///
/// ```
/// use vault_core::escape_text;
/// assert_eq!(escape_text("a\x1b[2Jb\u{202e}c\n"), "a\\x1b[2Jb\\u{202e}c\\n");
/// assert_eq!(escape_text("C:\\plain ✓"), "C:\\plain ✓");
/// ```
pub fn escape_text(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dangerous_character_is_escaped_and_nothing_else() {
        for c in (0u32..0x30000).filter_map(char::from_u32) {
            let shown = escape_text(c.encode_utf8(&mut [0; 4])).into_owned();
            if needs_escape(c) {
                assert!(shown.starts_with('\\'), "{c:?} -> {shown}");
                assert!(!shown.chars().any(needs_escape), "{c:?} -> {shown}");
            } else {
                assert_eq!(shown, c.to_string());
            }
        }
        assert_eq!(escape_text("\u{0}\u{7f}\u{9b}"), "\\x00\\x7f\\u{9b}");
        assert_eq!(escape_text("\u{2066}x\u{2069}"), "\\u{2066}x\\u{2069}");
    }
}
