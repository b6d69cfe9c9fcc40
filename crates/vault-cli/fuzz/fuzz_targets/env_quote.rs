//! Round trip of `vaultkit env` quoting on arbitrary values.
//!
//! `quote.rs` has no dependencies, so it is compiled in directly (the same file the CLI uses)
//! rather than pulling the whole vault-cli dependency tree into the fuzz build.
//!
//! For every UTF-8 input:
//! - `export`: refused exactly when the value has a NUL; otherwise the line is `export NAME=`
//!   followed only by `'…'` words and `\'`, and decoding them with POSIX rules gives the value
//!   back (so sh/bash/dash read it exactly and nothing outside quotes can run);
//! - `dotenv`: refused exactly by the documented rule; otherwise the value is bare (safe
//!   characters only), single-quoted, or double-quoted with only `\\` and `\"` escapes and no `$`
//!   or backtick; POSIX decoding gives the value back, and so does dotenvy.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[allow(dead_code)]
#[path = "../../src/quote.rs"]
mod quote;

/// Decode a shell word made only of `'…'`, `"…"` (with `\\`, `\"` escapes, no `$`/backtick),
/// `\'` and bare safe characters. `None` if anything else appears.
fn posix_decode(word: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = word.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => loop {
                match chars.next()? {
                    '\'' => break,
                    c => out.push(c),
                }
            },
            '"' => loop {
                match chars.next()? {
                    '"' => break,
                    '\\' => match chars.next()? {
                        c @ ('\\' | '"') => out.push(c),
                        _ => return None,
                    },
                    '$' | '`' => return None,
                    c => out.push(c),
                }
            },
            '\\' => match chars.next()? {
                '\'' => out.push('\''),
                _ => return None,
            },
            c if c.is_ascii_alphanumeric() || "_-./:@%+,".contains(c) => out.push(c),
            _ => return None,
        }
    }
    Some(out)
}

fuzz_target!(|data: &[u8]| {
    let Ok(value) = std::str::from_utf8(data) else {
        return;
    };
    match quote::shell_export("V", value) {
        Err(_) => assert!(value.contains('\0')),
        Ok(line) => {
            let word = line.strip_prefix("export V=").expect("export prefix");
            assert!(word.starts_with('\''), "export always quotes");
            assert_eq!(posix_decode(word).as_deref(), Some(value));
        }
    }
    let refused = value.contains('\0')
        || (!(!value.is_empty()
            && value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-./:@%+,".contains(c)))
            && (value.contains('\r')
                || value.ends_with('\\')
                || (value.contains(['$', '`'])
                    && (value.contains('\'') || value.contains("\\\\")))));
    match quote::dotenv("V", value) {
        Err(_) => assert!(refused, "refused outside the documented rule"),
        Ok(line) => {
            assert!(!refused, "accepted what the docs say is refused");
            let word = line.strip_prefix("V=").expect("name");
            assert_eq!(posix_decode(word).as_deref(), Some(value), "sh");
            let read: Vec<(String, String)> = dotenvy::from_read_iter(line.as_bytes())
                .collect::<Result<_, _>>()
                .expect("dotenvy parses it");
            assert_eq!(read, vec![("V".to_string(), value.to_string())], "dotenvy");
        }
    }
});
