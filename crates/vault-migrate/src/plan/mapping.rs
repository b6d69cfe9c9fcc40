//! From an environment-variable name to a Vault secret and key.
//!
//! | source key | secret | key |
//! |---|---|---|
//! | `DB_*`, `DATABASE_*`, `POSTGRES_*`, `MYSQL_*`, `PG*` | `database` | `username`, `password`, `host`, `port`, `database`, `url`, else the rest in lower case |
//! | `*_API_KEY`, `*_APIKEY` | `api-keys` | the service (`STRIPE_API_KEY` → `stripe`) |
//! | anything else | the default secret (`app`) | the name in lower case |

/// Where one source key goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mapped {
    /// Secret name under the prefix (`database`).
    pub secret: String,
    /// Key inside the secret (`password`).
    pub key: String,
    /// True for the database group: its non-secret companions (host, port, …) come along.
    pub database: bool,
}

const DB_PREFIXES: &[&str] = &[
    "DATABASE_",
    "DB_",
    "POSTGRESQL_",
    "POSTGRES_",
    "MYSQL_",
    "MARIADB_",
    "PG",
];

/// Map `env` (case-insensitive) using `default_secret` for keys of no group.
pub(crate) fn map_key(env: &str, default_secret: &str) -> Mapped {
    let up = env.to_ascii_uppercase();
    for p in DB_PREFIXES {
        if let Some(rest) = up.strip_prefix(p) {
            // `PG` only as libpq's names (PGPASSWORD, PGHOST…), not `PGP_KEY`.
            if *p == "PG"
                && !matches!(
                    rest,
                    "USER" | "PASSWORD" | "HOST" | "PORT" | "DATABASE" | "PASSFILE"
                )
            {
                continue;
            }
            let rest = rest.trim_start_matches('_');
            if rest.is_empty() {
                continue;
            }
            let key = match rest {
                "USER" | "USERNAME" | "LOGIN" => "username".to_string(),
                "PASSWORD" | "PASS" | "PASSWD" | "PWD" => "password".to_string(),
                "HOST" | "HOSTNAME" | "SERVER" => "host".to_string(),
                "PORT" => "port".to_string(),
                "NAME" | "DB" | "DATABASE" | "DBNAME" => "database".to_string(),
                "URL" | "URI" | "DSN" => "url".to_string(),
                other => other.to_ascii_lowercase(),
            };
            return Mapped {
                secret: "database".into(),
                key,
                database: true,
            };
        }
    }
    for suffix in ["_API_KEY", "_APIKEY"] {
        if let Some(service) = up.strip_suffix(suffix) {
            let key = if service.is_empty() {
                "default".into()
            } else {
                service.to_ascii_lowercase().replace('_', "-")
            };
            return Mapped {
                secret: "api-keys".into(),
                key,
                database: false,
            };
        }
    }
    if up == "API_KEY" || up == "APIKEY" {
        return Mapped {
            secret: "api-keys".into(),
            key: "default".into(),
            database: false,
        };
    }
    Mapped {
        secret: default_secret.to_string(),
        key: env.to_ascii_lowercase(),
        database: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(env: &str) -> (String, String) {
        let x = map_key(env, "app");
        (x.secret, x.key)
    }

    #[test]
    fn groups() {
        assert_eq!(m("DB_PASSWORD"), ("database".into(), "password".into()));
        assert_eq!(m("DB_USERNAME"), ("database".into(), "username".into()));
        assert_eq!(m("POSTGRES_DB"), ("database".into(), "database".into()));
        assert_eq!(m("PGPASSWORD"), ("database".into(), "password".into()));
        assert_eq!(m("DB_SSL"), ("database".into(), "ssl".into()));
        assert_eq!(m("STRIPE_API_KEY"), ("api-keys".into(), "stripe".into()));
        assert_eq!(
            m("OPEN_WEATHER_APIKEY"),
            ("api-keys".into(), "open-weather".into())
        );
        assert_eq!(m("API_KEY"), ("api-keys".into(), "default".into()));
        assert_eq!(m("JWT_SECRET"), ("app".into(), "jwt_secret".into()));
        assert_eq!(m("PGP_KEY"), ("app".into(), "pgp_key".into()));
    }
}
