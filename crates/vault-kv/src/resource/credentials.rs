//! [`DatabaseCredentials`]: the typed shape of a database secret, validated key by key.

use std::fmt;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;
use vault_core::SecretString;

use crate::error::KvError;
use crate::secret::SecretData;

/// Database connection settings read from a secret with the keys `username`, `password`,
/// `host`, `port` and, optionally, `database` (accepted aliases: `user`; `hostname`; `dbname`,
/// `db`) — the Python module's example secret has no `database`. `port` may be a number (`5432`)
/// or a string (`"5432"`). `Debug` never shows the password.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseCredentials {
    /// Database user (`username`, or `user`).
    pub username: String,
    /// Database password; hidden from `Debug`.
    pub password: SecretString,
    /// Host name or address (`host`, or `hostname`).
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// The database name, when the secret has one.
    pub database: Option<String>,
}

/// Characters kept as they are in the user-info part of a URL (RFC 3986 unreserved).
const USERINFO: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

impl DatabaseCredentials {
    /// Parse and check `data` (read from `logical_path`); the error lists every missing or
    /// malformed key at once.
    pub fn from_data(logical_path: &str, data: &SecretData) -> Result<Self, KvError> {
        let mut missing: Vec<&str> = Vec::new();
        let mut malformed: Vec<String> = Vec::new();
        let text = |names: &[&'static str],
                    required: &mut Vec<&str>,
                    malformed: &mut Vec<String>|
         -> String {
            let found = names.iter().find_map(|n| data.get(n).map(|v| (*n, v)));
            match found {
                None => {
                    required.push(names[0]);
                    String::new()
                }
                Some((_, Value::String(s))) if !s.trim().is_empty() => s.clone(),
                Some((name, Value::String(_))) => {
                    malformed.push(format!("`{name}` is empty"));
                    String::new()
                }
                Some((name, other)) => {
                    malformed.push(format!("`{name}` must be a string, not {}", kind(other)));
                    String::new()
                }
            }
        };
        let username = text(&["username", "user"], &mut missing, &mut malformed);
        let password = match data.get("password") {
            None => {
                missing.push("password");
                SecretString::default()
            }
            Some(Value::String(s)) => SecretString::new(s.clone()),
            Some(other) => {
                malformed.push(format!("`password` must be a string, not {}", kind(other)));
                SecretString::default()
            }
        };
        let host = text(&["host", "hostname"], &mut missing, &mut malformed);
        let database = if ["database", "dbname", "db"]
            .iter()
            .any(|n| data.get(n).is_some())
        {
            Some(text(
                &["database", "dbname", "db"],
                &mut missing,
                &mut malformed,
            ))
        } else {
            None
        };
        let port = match data.get("port") {
            None => {
                missing.push("port");
                0
            }
            Some(v) => match parse_port(v) {
                Some(p) => p,
                None => {
                    // The port is not secret, but a mistyped value could be: show its kind only.
                    malformed.push(format!(
                        "`port` must be a number from 1 to 65535, not {}",
                        kind(v)
                    ));
                    0
                }
            },
        };
        if missing.is_empty() && malformed.is_empty() {
            return Ok(DatabaseCredentials {
                username,
                password,
                host,
                port,
                database,
            });
        }
        let mut problems = Vec::new();
        if !missing.is_empty() {
            problems.push(format!(
                "missing {}",
                missing
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        problems.extend(malformed);
        let present: Vec<&str> = data.keys().collect();
        Err(KvError::validation(
            "read database credentials from",
            logical_path,
            format!(
                "the secret is not usable as database credentials: {} (keys present: {})",
                problems.join("; "),
                if present.is_empty() {
                    "none".to_string()
                } else {
                    present.join(", ")
                }
            ),
        ))
    }

    /// `postgresql://user:password@host:port/database` (no `/database` when the secret names
    /// none), user and password percent-escaped.
    /// Returned as a [`SecretString`] because it contains the password.
    pub fn connection_url(&self) -> SecretString {
        self.connection_url_with_scheme("postgresql")
    }

    /// Like [`DatabaseCredentials::connection_url`] with another scheme (`mysql`, …).
    pub fn connection_url_with_scheme(&self, scheme: &str) -> SecretString {
        let host = if self.host.contains(':') && !self.host.starts_with('[') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        let database = match &self.database {
            Some(db) => format!("/{}", utf8_percent_encode(db, USERINFO)),
            None => String::new(),
        };
        SecretString::new(format!(
            "{scheme}://{}:{}@{host}:{}{database}",
            utf8_percent_encode(&self.username, USERINFO),
            utf8_percent_encode(self.password.expose(), USERINFO),
            self.port,
        ))
    }
}

fn parse_port(v: &Value) -> Option<u16> {
    let n = match v {
        Value::Number(n) => n.as_u64()?,
        Value::String(s) => s.trim().parse::<u64>().ok()?,
        _ => return None,
    };
    u16::try_from(n).ok().filter(|p| *p > 0)
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number out of range",
        Value::String(_) => "a non-numeric string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl fmt::Debug for DatabaseCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseCredentials")
            .field("username", &self.username)
            .field("password", &self.password)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("database", &self.database)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn data(v: Value) -> SecretData {
        match v {
            Value::Object(m) => SecretData::new(m),
            _ => SecretData::default(),
        }
    }

    #[test]
    fn parses_and_escapes() {
        let d = data(
            json!({"username": "svc@corp", "password": "p@ss:w/rd planted", "host": "db.example.com",
                            "port": "5432", "database": "bike_data"}),
        );
        let c = DatabaseCredentials::from_data("secret/db", &d).expect("valid credentials");
        assert_eq!(c.port, 5432);
        assert_eq!(
            c.connection_url().expose(),
            "postgresql://svc%40corp:p%40ss%3Aw%2Frd%20planted@db.example.com:5432/bike_data"
        );
        let shown = format!("{c:?} {}", c.connection_url());
        assert!(!shown.contains("planted"), "{shown}");
    }

    #[test]
    fn the_python_modules_example_secret_works() {
        // host, port, username, password and no database; port as a string or a number.
        for port in [json!("5432"), json!(5432)] {
            let d = data(
                json!({"username": "db_user", "password": "planted-secure_password",
                                "host": "db.example.com", "port": port}),
            );
            let c = DatabaseCredentials::from_data("secret/db", &d).expect("module example");
            assert_eq!((c.port, c.database.as_deref()), (5432, None));
            assert_eq!(
                c.connection_url().expose(),
                "postgresql://db_user:planted-secure_password@db.example.com:5432"
            );
        }
    }

    #[test]
    fn lists_every_problem() {
        let d = data(json!({"user": "svc", "host": "h", "port": "http", "database": 5}));
        let e = DatabaseCredentials::from_data("secret/db", &d)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("missing `password`"), "{e}");
        assert!(e.contains("`port` must be a number from 1 to 65535"), "{e}");
        assert!(e.contains("`database` must be a string"), "{e}");
        let present = e.split("keys present: ").nth(1).unwrap_or_default();
        for key in ["user", "host", "port", "database"] {
            assert!(present.contains(key), "{e}");
        }
    }

    #[test]
    fn port_range_is_checked() {
        for bad in [json!(0), json!(70000), json!("-1"), json!(true)] {
            let d = data(
                json!({"username": "u", "password": "p", "host": "h", "database": "d", "port": bad}),
            );
            assert!(DatabaseCredentials::from_data("s", &d).is_err());
        }
        let d = data(
            json!({"username": "u", "password": "p", "host": "::1", "database": "d", "port": 5432}),
        );
        let c = DatabaseCredentials::from_data("s", &d).expect("valid");
        assert_eq!(
            c.connection_url_with_scheme("mysql").expose(),
            "mysql://u:p@[::1]:5432/d"
        );
    }
}
