//! The SQL the rotator sends, with role names and passwords quoted so that no value can end
//! the statement or start another.
//!
//! Role names are hostile input (they may come from the rotated secret): they are quoted as
//! identifiers. Passwords never travel as plaintext: the statement carries a SCRAM-SHA-256
//! verifier computed here (PostgreSQL stores a verifier given to `ALTER ROLE … PASSWORD` as
//! is), so the password cannot show up in server logs (`log_statement`), `pg_stat_activity` or
//! an error that quotes the statement.

use crate::RotationError;

/// PostgreSQL truncates longer identifiers (NAMEDATALEN − 1 bytes), which could silently
/// point a statement at another role.
const MAX_ROLE_BYTES: usize = 63;

/// Refuses role names PostgreSQL would not take verbatim: empty, over 63 bytes (it would
/// truncate them to another name) or holding a NUL byte.
pub(crate) fn check_role_name(role: &str) -> Result<(), RotationError> {
    let problem = if role.is_empty() {
        "is empty"
    } else if role.len() > MAX_ROLE_BYTES {
        "is longer than 63 bytes (PostgreSQL would truncate it to another name)"
    } else if role.contains('\0') {
        "contains a NUL byte"
    } else {
        return Ok(());
    };
    Err(RotationError::config(format!(
        "postgres rotator: role name {} {problem}",
        vault_core::escape_text(&format!("{role:?}"))
    ))
    .with_hint("fix the role in the policy or the user name in the secret"))
}

/// `name` as an identifier: in double quotes, inner double quotes doubled (PostgreSQL's
/// `quote_ident`, always quoting).
pub(crate) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `value` as a string literal: single quotes doubled; with a backslash, the escape-string
/// form `E'…'` with backslashes doubled, which reads the same whatever
/// `standard_conforming_strings` says (PostgreSQL's `quote_literal`).
pub(crate) fn quote_literal(value: &str) -> String {
    let quoted = value.replace('\'', "''");
    if value.contains('\\') {
        format!("E'{}'", quoted.replace('\\', "\\\\"))
    } else {
        format!("'{quoted}'")
    }
}

/// `ALTER ROLE "role" WITH PASSWORD 'SCRAM-SHA-256$…'`: the password as a fresh SCRAM-SHA-256
/// verifier (random salt, 4096 iterations, like PostgreSQL's own). The statement holds no
/// plaintext, but it is still a credential's hash: never put it into an error or a log line.
pub(crate) fn alter_password(role: &str, password: &str) -> Result<String, RotationError> {
    check_role_name(role)?;
    let verifier = postgres_protocol::password::scram_sha_256(password.as_bytes());
    Ok(format!(
        "ALTER ROLE {} WITH PASSWORD {}",
        quote_ident(role),
        quote_literal(&verifier)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_cannot_break_out() {
        assert_eq!(quote_ident("app"), "\"app\"");
        assert_eq!(
            quote_ident("x\"; DROP ROLE admin; --"),
            "\"x\"\"; DROP ROLE admin; --\""
        );
    }

    #[test]
    fn literals_cannot_break_out() {
        assert_eq!(quote_literal("it's"), "'it''s'");
        assert_eq!(quote_literal("a\\'; --"), "E'a\\\\''; --'");
    }

    #[test]
    fn alter_password_sends_a_verifier_not_the_password() {
        let sql = alter_password("app", "planted-Password-123").expect("valid");
        assert!(
            sql.starts_with("ALTER ROLE \"app\" WITH PASSWORD 'SCRAM-SHA-256$4096:"),
            "{sql}"
        );
        assert!(!sql.contains("planted-Password-123"), "{sql}");
        // A fresh salt each time.
        assert_ne!(
            sql,
            alter_password("app", "planted-Password-123").expect("valid")
        );
    }

    #[test]
    fn unusable_role_names_are_refused() {
        for role in ["", "a\0b", &"r".repeat(64)] {
            let err = check_role_name(role).expect_err("refused");
            assert_eq!(err.kind(), crate::RotationErrorKind::Config, "{err}");
        }
        check_role_name(&"r".repeat(63)).expect("63 bytes fit");
        check_role_name("we\"ird; role").expect("quoting handles the rest");
    }
}
