//! Writing `NAME=value` assignments that read back exactly: POSIX shell (`export`), dotenv and
//! JSON, plus the rules for environment variable names.
//!
//! - `export`: `export NAME='value'`, single quotes with `'` written as `'\''`. Any byte sequence,
//!   newlines and `$` included, survives `eval` / `.` in sh, bash, zsh and dash unchanged.
//! - `dotenv`: bare when the value is only safe characters; single-quoted (`'…'`, read literally
//!   by python-dotenv, dotenvy, docker compose and sh) when it has no `'` and no line break;
//!   otherwise double-quoted with `\\`, `\"`, `\n`, `\r`, `\t` and `\$` escapes.

/// `export NAME='value'` for POSIX shells.
pub fn shell_export(name: &str, value: &str) -> String {
    format!("export {name}={}", shell_single_quote(value))
}

/// A POSIX single-quoted word.
pub fn shell_single_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// `NAME=value` in dotenv syntax (see the module docs).
pub fn dotenv(name: &str, value: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "_-./:@%+,".contains(c);
    if !value.is_empty() && value.chars().all(safe) {
        return format!("{name}={value}");
    }
    if !value.contains(['\'', '\n', '\r']) {
        return format!("{name}='{value}'");
    }
    let mut out = String::with_capacity(value.len() + 2);
    for c in value.chars() {
        match c {
            '\\' => out.push_str(r"\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str(r"\n"),
            '\r' => out.push_str(r"\r"),
            '\t' => out.push_str(r"\t"),
            '$' => out.push_str(r"\$"),
            c => out.push(c),
        }
    }
    format!("{name}=\"{out}\"")
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
            shell_export("A", "it's $HOME\nx"),
            "export A='it'\\''s $HOME\nx'"
        );
    }

    #[test]
    fn dotenv_picks_the_lightest_safe_quoting() {
        assert_eq!(dotenv("A", "plain-value_1.2"), "A=plain-value_1.2");
        assert_eq!(dotenv("A", "has space $X \"q\""), "A='has space $X \"q\"'");
        assert_eq!(dotenv("A", "it's\n$x\\"), "A=\"it's\\n\\$x\\\\\"");
        assert_eq!(dotenv("A", ""), "A=''");
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
