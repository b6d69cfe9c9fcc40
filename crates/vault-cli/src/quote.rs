//! Writing `NAME=value` assignments that read back exactly and never execute anything, plus the
//! rules for environment variable names.
//!
//! Architecture Invariant: no output of this module runs a command when it is sourced (`.`,
//! `eval`, `set -a`) by sh, bash or dash, whatever the value: `$`, `` ` `` and `\` only ever
//! appear inside single quotes or escaped. A value with a NUL byte is refused (no environment
//! variable can hold one).
//!
//! - `export` ([`shell_export`]): `export NAME='value'`, single quotes with `'` written as
//!   `'\''`. Every value survives `.` / `eval` in sh, bash and dash byte for byte.
//! - `dotenv` ([`dotenv`]): one syntax that python-dotenv, dotenvy (Rust) and a POSIX shell all
//!   read back to the same bytes:
//!   - bare when the value is only `[A-Za-z0-9_./:@%+,-]`;
//!   - `'…'` when it has no `'`, no `\\`, no CR and does not end with `\` (literal in all three);
//!   - `"…"` with only `\\` and `\"` escaped (newlines and `'` raw) when it has no `$`, no
//!     `` ` ``, no CR and does not end with `\`;
//!   - otherwise refused ([`DotenvError`]): a carriage return (python-dotenv turns it into a line
//!     feed), a final backslash (python-dotenv reads it as escaping the closing quote), or `$` /
//!     `` ` `` together with `'` or `\\` (python-dotenv keeps `\$` as two characters while dotenvy
//!     and sh need it escaped or single-quoted, and the shell would run a raw backtick).
//!
//!   python-dotenv also expands `${NAME}` in every value, quoted or not, unless it reads with
//!   `interpolate=False`; [`python_dotenv_expands`] tells which values are affected.

use std::fmt;

/// Why a value cannot be written in a format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DotenvError {
    /// The value holds a NUL byte (no format: environment variables cannot hold one).
    Nul,
    /// The value holds a carriage return.
    CarriageReturn,
    /// The value ends with a backslash.
    TrailingBackslash,
    /// The value holds `$` or a backtick together with `'` or a double backslash.
    NoCommonQuoting,
}

impl fmt::Display for DotenvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DotenvError::Nul => "holds a NUL byte, which no environment variable can hold",
            DotenvError::CarriageReturn => {
                "holds a carriage return, which python-dotenv reads back as a line feed"
            }
            DotenvError::TrailingBackslash => {
                "ends with a backslash, which python-dotenv reads as escaping the closing quote"
            }
            DotenvError::NoCommonQuoting => {
                "holds `$` or a backtick together with `'` or `\\\\`, which no dotenv quoting \
                 shared by python-dotenv, dotenvy and sh can carry"
            }
        })
    }
}

/// Refuse a value no environment variable can hold.
pub fn check_env_value(value: &str) -> Result<(), DotenvError> {
    if value.contains('\0') {
        Err(DotenvError::Nul)
    } else {
        Ok(())
    }
}

/// `export NAME='value'` for POSIX shells (exact for every value without NUL).
pub fn shell_export(name: &str, value: &str) -> Result<String, DotenvError> {
    check_env_value(value)?;
    Ok(format!("export {name}={}", shell_single_quote(value)))
}

/// A POSIX single-quoted word.
pub fn shell_single_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// `NAME=value` in dotenv syntax (see the module docs for the forms and what is refused).
pub fn dotenv(name: &str, value: &str) -> Result<String, DotenvError> {
    check_env_value(value)?;
    let safe = |c: char| c.is_ascii_alphanumeric() || "_-./:@%+,".contains(c);
    if !value.is_empty() && value.chars().all(safe) {
        return Ok(format!("{name}={value}"));
    }
    if value.contains('\r') {
        return Err(DotenvError::CarriageReturn);
    }
    if value.ends_with('\\') {
        return Err(DotenvError::TrailingBackslash);
    }
    if !value.contains('\'') && !value.contains(r"\\") {
        return Ok(format!("{name}='{value}'"));
    }
    if value.contains(['$', '`']) {
        return Err(DotenvError::NoCommonQuoting);
    }
    let mut out = String::with_capacity(value.len() + 2);
    for c in value.chars() {
        match c {
            '\\' => out.push_str(r"\\"),
            '"' => out.push_str("\\\""),
            c => out.push(c),
        }
    }
    Ok(format!("{name}=\"{out}\""))
}

/// Whether python-dotenv, reading with its default `interpolate=True`, would replace part of
/// `value` (a `${…}` with a closing brace) instead of keeping it literally.
pub fn python_dotenv_expands(value: &str) -> bool {
    value
        .find("${")
        .is_some_and(|at| value[at + 2..].contains('}'))
}

/// Whether `name` is a valid environment variable name (`[A-Za-z_][A-Za-z0-9_]*`).
pub fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Turn a key or path into a variable name: upper-case, anything else than `[A-Z0-9_]` becomes
/// `_`, and a leading digit gets a `_` in front.
pub fn env_name(parts: &[&str]) -> String {
    let joined = parts
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("_");
    let mut name: String = joined
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    if name.starts_with(|c: char| c.is_ascii_digit()) || name.is_empty() {
        name.insert(0, '_');
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_quotes_everything_literally() {
        assert_eq!(
            shell_export("A", "it's $HOME\nx").as_deref(),
            Ok("export A='it'\\''s $HOME\nx'")
        );
        assert_eq!(shell_export("A", "a\0b"), Err(DotenvError::Nul));
    }

    #[test]
    fn dotenv_picks_the_lightest_safe_quoting() {
        let d = |v: &str| dotenv("A", v);
        assert_eq!(d("plain-value_1.2").as_deref(), Ok("A=plain-value_1.2"));
        assert_eq!(
            d("has space $X \"q\" `id`").as_deref(),
            Ok("A='has space $X \"q\" `id`'")
        );
        assert_eq!(
            d("it's\n\"x\"\\\\y").as_deref(),
            Ok("A=\"it's\n\\\"x\\\"\\\\\\\\y\"")
        );
        assert_eq!(d("").as_deref(), Ok("A=''"));
        assert_eq!(d("it's `touch /tmp/x`"), Err(DotenvError::NoCommonQuoting));
        assert_eq!(d("a\r\nb"), Err(DotenvError::CarriageReturn));
        assert_eq!(d("C:\\"), Err(DotenvError::TrailingBackslash));
        assert_eq!(d("a\0"), Err(DotenvError::Nul));
    }

    #[test]
    fn python_dotenv_expansion_is_detected() {
        assert!(python_dotenv_expands("a${B}c") && python_dotenv_expands("${:-x}"));
        assert!(!python_dotenv_expands("$B ${") && !python_dotenv_expands("}${"));
    }

    #[test]
    fn names() {
        assert!(
            is_env_name("DB_PASSWORD")
                && is_env_name("_x1")
                && !is_env_name("1A")
                && !is_env_name("A-B")
        );
        assert_eq!(
            env_name(&["bike-data-flow/api", "weather.key"]),
            "BIKE_DATA_FLOW_API_WEATHER_KEY"
        );
        assert_eq!(env_name(&["", "3scale"]), "_3SCALE");
    }
}
