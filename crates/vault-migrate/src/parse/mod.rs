//! Parsers that turn a file's text into [`Entry`]s: every `key = value` pair with the exact
//! position of its value.
//!
//! | file kind | parser |
//! |---|---|
//! | `.env`, `*.env`, `.env.*`, `.envrc` | [`dotenv`]: the full dotenv grammar (quotes, escapes, multi-line, `export`) |
//! | `.yml`, `.yaml` | [`yaml`]: indentation-aware `key: value`, lists, docker-compose `environment:`, block scalars |
//! | `.ini`, `.cfg`, `.conf`, `.properties`, `.toml` | [`ini`]: sections, `key = value`, continuation lines, TOML strings |
//! | anything else (JSON, code, shell) | [`generic`]: assignment shapes on each line (`k = v`, `"k": "v"`, `k := v`, `<k>v</k>`) |
//!
//! Parsers never panic on any input; problems become [`ParseIssue`]s and parsing resumes on the
//! next line.

pub mod dotenv;
pub mod generic;
pub mod ini;
mod lines;
pub mod yaml;

use std::ops::Range;
use std::path::Path;

pub use lines::LineIndex;
pub(crate) use lines::join_under;

/// How a value was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quote {
    /// Bare (unquoted).
    None,
    /// In `'…'`: no escapes, no interpolation.
    Single,
    /// In `"…"`: escapes (and, in dotenv, `${VAR}`) apply.
    Double,
    /// In `` `…` ``.
    Backtick,
}

impl Quote {
    /// The quoting that the byte `q` opens: `"`, `'` or `` ` ``; anything else is bare.
    pub(crate) fn of(q: u8) -> Quote {
        match q {
            b'"' => Quote::Double,
            b'\'' => Quote::Single,
            b'`' => Quote::Backtick,
            _ => Quote::None,
        }
    }
}

/// One `key = value` pair found in a file.
///
/// `Debug` never shows the value.
#[derive(Clone)]
pub struct Entry {
    /// The key as written (without quotes), e.g. `DB_PASSWORD`.
    pub key: String,
    /// Parent keys or section joined with `.`, then the key (`deploy.password.secure`), or the key
    /// alone in flat formats. List items carry their parent's path and an empty `key`.
    pub key_path: String,
    /// The value after unquoting and unescaping.
    pub value: String,
    /// Byte range of the raw value in the file (inside the quotes).
    pub span: Range<usize>,
    /// How the value was quoted.
    pub quote: Quote,
    /// The whole value is a reference to another variable (`${VAR}`, `$VAR`): not a secret.
    pub is_reference: bool,
}

impl Entry {
    /// An entry whose `is_reference` is true when the whole value is a plain reference
    /// (`${VAR}`, `$VAR`, no default).
    pub(crate) fn new(
        key: String,
        key_path: String,
        value: String,
        span: Range<usize>,
        quote: Quote,
    ) -> Entry {
        let is_reference = reference_default(&value).is_some_and(|r| r.is_empty());
        Entry {
            key,
            key_path,
            value,
            span,
            quote,
            is_reference,
        }
    }
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Entry")
            .field("key", &self.key)
            .field("key_path", &self.key_path)
            .field(
                "value",
                &format_args!("<{} chars>", self.value.chars().count()),
            )
            .field("span", &self.span)
            .field("quote", &self.quote)
            .field("is_reference", &self.is_reference)
            .finish()
    }
}

/// A problem found while parsing; the parser skipped the offending line and went on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseIssue {
    /// 1-based line.
    pub line: usize,
    /// What is wrong and what to do; never contains the value.
    pub message: String,
}

/// A key set more than once in one dotenv file (the last one wins).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    /// The key as written.
    pub key: String,
    /// Every line where the key is set, in order; the last one is in effect.
    pub lines: Vec<usize>,
}

/// The result of parsing one file.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// Every `key = value` pair, in file order.
    pub entries: Vec<Entry>,
    /// Lines that could not be parsed (the rest of the file still was).
    pub issues: Vec<ParseIssue>,
    /// Keys set more than once (dotenv only).
    pub duplicates: Vec<DuplicateKey>,
}

/// Which parser handles a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// `.env`, `.env.*`, `*.env`, `.envrc`, `.flaskenv`.
    Dotenv,
    /// `.yml`, `.yaml`.
    Yaml,
    /// `.ini`, `.cfg`, `.conf`, `.properties`.
    Ini,
    /// `.toml`.
    Toml,
    /// Anything else: assignments found by a line-based heuristic.
    Generic,
}

impl FileKind {
    /// Pick the parser from the file name.
    pub fn detect(path: &Path) -> FileKind {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        if name == ".env"
            || name.starts_with(".env.")
            || name.ends_with(".env")
            || name == ".envrc"
            || name == ".flaskenv"
        {
            return FileKind::Dotenv;
        }
        let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        match ext {
            "yml" | "yaml" => FileKind::Yaml,
            "ini" | "cfg" | "conf" | "properties" => FileKind::Ini,
            "toml" => FileKind::Toml,
            _ => FileKind::Generic,
        }
    }
}

/// Parse `text` with the parser for `kind`.
pub fn parse(kind: FileKind, text: &str) -> Parsed {
    match kind {
        FileKind::Dotenv => dotenv::parse(text),
        FileKind::Yaml => yaml::parse(text),
        FileKind::Ini => ini::parse(text, false),
        FileKind::Toml => ini::parse(text, true),
        FileKind::Generic => generic::parse(text),
    }
}

/// [`parse`], but the generic parser drops values shorter than `min_len` bytes (never
/// findings for the built-in rules; saves allocations on large source trees).
pub fn parse_min(kind: FileKind, text: &str, min_len: usize) -> Parsed {
    match kind {
        FileKind::Generic => generic::parse_min(text, min_len),
        other => parse(other, text),
    }
}

/// `${VAR}`, `${VAR:-default}` or `$VAR`: returns `Some(range of the default inside s)` for a
/// reference with a non-empty default, `Some(empty)` for a plain reference, `None` otherwise.
pub(crate) fn reference_default(s: &str) -> Option<Range<usize>> {
    let b = s.as_bytes();
    if b.len() >= 2 && b[0] == b'$' && b[1] != b'{' {
        let rest = &s[1..];
        let ok = !rest.is_empty()
            && rest.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
            && !rest.as_bytes()[0].is_ascii_digit();
        return if ok { Some(0..0) } else { None };
    }
    if b.len() >= 4 && s.starts_with("${") && s.ends_with('}') {
        let inner = &s[2..s.len() - 1];
        let name_len = inner
            .bytes()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == b'_')
            .count();
        if name_len == 0 {
            return None;
        }
        let rest = &inner[name_len..];
        if rest.is_empty() {
            return Some(0..0);
        }
        if rest.contains('}') || rest.contains("${") {
            return None;
        }
        let op_len = if rest.starts_with(":-")
            || rest.starts_with(":=")
            || rest.starts_with(":?")
            || rest.starts_with(":+")
        {
            2
        } else if rest.starts_with('-')
            || rest.starts_with('=')
            || rest.starts_with('?')
            || rest.starts_with('+')
        {
            1
        } else {
            return None;
        };
        let start = 2 + name_len + op_len;
        let is_default = matches!(rest.as_bytes()[op_len - 1], b'-' | b'=');
        return if is_default && start < s.len() - 1 {
            Some(start..s.len() - 1)
        } else {
            Some(0..0)
        };
    }
    None
}

/// Helpers shared by the parsers' unit tests.
#[cfg(test)]
pub(crate) mod test_util {
    use super::{Entry, Parsed};

    /// `(key_path, value)` of every entry, in order.
    pub(crate) fn path_values(p: &Parsed) -> Vec<(String, String)> {
        pairs(p, |e| &e.key_path)
    }

    /// `(key, value)` of every entry, in order.
    pub(crate) fn key_values(p: &Parsed) -> Vec<(String, String)> {
        pairs(p, |e| &e.key)
    }

    fn pairs(p: &Parsed, name: fn(&Entry) -> &String) -> Vec<(String, String)> {
        p.entries
            .iter()
            .map(|e| (name(e).clone(), e.value.clone()))
            .collect()
    }

    /// The expected pairs, owned.
    pub(crate) fn owned(want: &[(&str, &str)]) -> Vec<(String, String)> {
        want.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_kinds() {
        assert_eq!(FileKind::detect(Path::new("a/.env")), FileKind::Dotenv);
        assert_eq!(FileKind::detect(Path::new(".env.prod")), FileKind::Dotenv);
        assert_eq!(FileKind::detect(Path::new("config.env")), FileKind::Dotenv);
        assert_eq!(
            FileKind::detect(Path::new("x/docker-compose.YML")),
            FileKind::Yaml
        );
        assert_eq!(FileKind::detect(Path::new("setup.cfg")), FileKind::Ini);
        assert_eq!(FileKind::detect(Path::new("Cargo.toml")), FileKind::Toml);
        assert_eq!(FileKind::detect(Path::new("main.rs")), FileKind::Generic);
        assert_eq!(FileKind::detect(Path::new("none")), FileKind::Generic);
    }

    #[test]
    fn references() {
        assert_eq!(reference_default("${DB_PASS}"), Some(0..0));
        assert_eq!(reference_default("$DB_PASS"), Some(0..0));
        assert_eq!(reference_default("${DB_PASS:-hunter22}"), Some(11..19));
        assert_eq!(reference_default("${DB_PASS:?required}"), Some(0..0));
        assert_eq!(reference_default("$"), None);
        assert_eq!(reference_default("$1abc"), None);
        assert_eq!(reference_default("pre${X}"), None);
        assert_eq!(reference_default("${X}${Y}"), None);
        assert_eq!(reference_default("${}"), None);
    }
}
