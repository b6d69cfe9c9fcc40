//! Key-name classification: does a key name say its value is a secret?
//!
//! The key is split into lower-case words (`dbPassword` → `db password`, `AWS_SECRET_ACCESS_KEY`
//! → `aws secret access key`). The last word decides first: a descriptive last word (`host`,
//! `port`, `user`, `name`, `id`, `url`, `file`, …) means the value describes or locates a secret
//! but is not one. Otherwise a secret word anywhere (`password`, `secret`, `token`, `api key`,
//! `private key`, `credentials`, `dsn`, …) marks the value as a secret.

/// What kind of secret a key names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum SecretKind {
    /// `password`, `passwd`, `pwd` and the like.
    Password,
    /// `secret`, `client_secret` and the like.
    Secret,
    /// `token`, `auth_token` and the like.
    Token,
    /// `api_key`, `apikey` and the like.
    ApiKey,
    /// `private_key` and the like.
    PrivateKey,
    /// A DSN or connection string (may embed credentials).
    Dsn,
}

impl SecretKind {
    /// Rule id used for findings made by this key class.
    pub(crate) fn rule_id(self) -> &'static str {
        match self {
            SecretKind::Password => "generic-password",
            SecretKind::Secret => "generic-secret",
            SecretKind::Token => "generic-token",
            SecretKind::ApiKey => "generic-api-key",
            SecretKind::PrivateKey => "generic-private-key",
            SecretKind::Dsn => "generic-dsn",
        }
    }
}

/// The verdict on a key name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyClass {
    /// The key names a secret.
    Secret(SecretKind),
    /// The key describes something that is not a secret (`DB_HOST`, `API_KEY_ID`).
    Negative,
    /// Nothing either way.
    Neutral,
}

fn is_negative_last(w: &str) -> bool {
    matches!(
        w,
        "host"
            | "hostname"
            | "hosts"
            | "port"
            | "ports"
            | "user"
            | "username"
            | "usr"
            | "login"
            | "owner"
            | "name"
            | "names"
            | "id"
            | "ids"
            | "uuid"
            | "guid"
            | "url"
            | "urls"
            | "uri"
            | "endpoint"
            | "path"
            | "paths"
            | "file"
            | "filename"
            | "files"
            | "dir"
            | "directory"
            | "folder"
            | "region"
            | "zone"
            | "type"
            | "mode"
            | "length"
            | "len"
            | "size"
            | "count"
            | "max"
            | "min"
            | "timeout"
            | "ttl"
            | "expiry"
            | "expires"
            | "expiration"
            | "enabled"
            | "enable"
            | "disabled"
            | "version"
            | "email"
            | "mail"
            | "algorithm"
            | "alg"
            | "format"
            | "prefix"
            | "suffix"
            | "label"
            | "field"
            | "header"
            | "env"
            | "issuer"
            | "audience"
            | "bucket"
            | "ssl"
            | "tls"
            | "policy"
            | "role"
            | "scope"
            | "scopes"
            | "arn"
            | "provider"
            | "backend"
            | "location"
            | "rotation"
            | "hint"
            | "description"
            | "desc"
            | "note"
            | "comment"
            | "help"
            | "prompt"
            | "placeholder"
            | "pattern"
            | "regex"
            | "strength"
            | "hash"
            | "checksum"
            | "integrity"
            | "digest"
            | "sha"
            | "md5"
            | "etag"
            | "commit"
            | "rev"
            | "revision"
            | "index"
            | "column"
            | "table"
            | "schema"
            | "kind"
            | "class"
            | "method"
            | "store"
            | "db"
            | "database"
            | "sslmode"
            | "public"
            | "pub"
            | "resolved"
            | "title"
            | "text"
            | "message"
            | "msg"
            | "link"
            | "lifetime"
            | "interval"
            | "days"
            | "hours"
            | "seconds"
            | "period"
            | "limit"
            | "attempts"
            | "retries"
            | "level"
            | "style"
            | "color"
            | "lang"
            | "locale"
            | "key_id"
            | "fingerprint"
            | "cert"
            | "certificate"
    )
}

/// Words before a final `key` that make it a secret key outside dotenv files.
fn is_key_qualifier(w: &str) -> bool {
    matches!(
        w,
        "access"
            | "secret"
            | "app"
            | "account"
            | "auth"
            | "signing"
            | "sign"
            | "encryption"
            | "encrypt"
            | "crypt"
            | "master"
            | "client"
            | "session"
            | "private"
            | "api"
            | "shared"
            | "hmac"
            | "jwt"
            | "license"
            | "licence"
            | "service"
            | "consumer"
            | "webhook"
            | "storage"
            | "deploy"
            | "ssh"
            | "gpg"
            | "pgp"
            | "rsa"
            | "ecdsa"
            | "ed25519"
            | "aes"
            | "cipher"
            | "subscription"
            | "sas"
            | "primary"
            | "secondary"
            | "admin"
            | "root"
            | "write"
            | "read"
            | "sendgrid"
            | "stripe"
            | "openai"
            | "mailgun"
            | "twilio"
            | "slack"
            | "github"
            | "gitlab"
    )
}

/// Split a key into lower-case words on separators and camelCase boundaries.
pub(crate) fn words(key: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = key.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let boundary = i > 0 && c.is_uppercase() && {
            let p = chars[i - 1];
            p.is_lowercase()
                || (p.is_uppercase() && chars.get(i + 1).is_some_and(|n| n.is_lowercase()))
        };
        if boundary && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// [`words`] for ASCII keys into `buf` (lower-cased) and `bounds`; `None` if the key is not
/// ASCII or too long, so the caller falls back to [`words`].
fn ascii_words(key: &str, buf: &mut [u8; 96], bounds: &mut [(usize, usize); 16]) -> Option<usize> {
    let b = key.as_bytes();
    if !key.is_ascii() || b.len() > buf.len() {
        return None;
    }
    let mut n = 0;
    let mut start: Option<usize> = None;
    let mut push = |s: usize, e: usize, n: &mut usize| -> bool {
        if *n == bounds.len() {
            return false;
        }
        bounds[*n] = (s, e);
        *n += 1;
        true
    };
    for i in 0..b.len() {
        let c = b[i];
        buf[i] = c.to_ascii_lowercase();
        if !c.is_ascii_alphanumeric() {
            if let Some(s) = start.take()
                && !push(s, i, &mut n)
            {
                return None;
            }
            continue;
        }
        let boundary = i > 0
            && c.is_ascii_uppercase()
            && (b[i - 1].is_ascii_lowercase()
                || (b[i - 1].is_ascii_uppercase()
                    && b.get(i + 1).is_some_and(u8::is_ascii_lowercase)));
        if boundary
            && let Some(s) = start.take()
            && !push(s, i, &mut n)
        {
            return None;
        }
        if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start
        && !push(s, b.len(), &mut n)
    {
        return None;
    }
    Some(n)
}

/// Classify a key. `dotenv` makes a bare final `key` (`STRIPE_KEY`) a secret, as it is in
/// environment files.
pub(crate) fn classify(key: &str, dotenv: bool) -> KeyClass {
    let mut buf = [0u8; 96];
    let mut bounds = [(0usize, 0usize); 16];
    let owned: Vec<String>;
    // ASCII keys (nearly all) are split without allocating a string per word.
    let w: Vec<&str> = if let Some(n) = ascii_words(key, &mut buf, &mut bounds) {
        bounds[..n]
            .iter()
            .map(|&(a, b)| std::str::from_utf8(&buf[a..b]).unwrap_or(""))
            .collect()
    } else {
        owned = words(key);
        owned.iter().map(String::as_str).collect()
    };
    let Some(&last) = w.last() else {
        return KeyClass::Neutral;
    };
    if is_negative_last(last) {
        return KeyClass::Negative;
    }
    let n = w.len();
    // One pass over the words instead of one `contains` scan per word list entry. When a key
    // names several kinds, the first of `PRECEDENCE` wins.
    const PRECEDENCE: [SecretKind; 6] = [
        SecretKind::Password,
        SecretKind::PrivateKey,
        SecretKind::ApiKey,
        SecretKind::Secret,
        SecretKind::Token,
        SecretKind::Dsn,
    ];
    let mut named = [last == "pass", false, false, false, false, false];
    for (i, &word) in w.iter().enumerate() {
        let next = w.get(i + 1).copied();
        let kind = match word {
            "password" | "passwd" | "pwd" | "passphrase" | "passwords" => SecretKind::Password,
            "privkey" | "privatekey" => SecretKind::PrivateKey,
            "private" if next == Some("key") => SecretKind::PrivateKey,
            "apikey" => SecretKind::ApiKey,
            "api" if matches!(next, Some("key" | "keys")) => SecretKind::ApiKey,
            "secret" | "secrets" | "credential" | "credentials" | "creds" => SecretKind::Secret,
            "token" | "tokens" | "accesstoken" | "authtoken" => SecretKind::Token,
            "dsn" | "connstr" => SecretKind::Dsn,
            "connection" if next == Some("string") => SecretKind::Dsn,
            "conn" if next == Some("str") => SecretKind::Dsn,
            _ => continue,
        };
        if let Some(rank) = PRECEDENCE.iter().position(|k| *k == kind) {
            named[rank] = true;
        }
    }
    if let Some(rank) = named.iter().position(|n| *n) {
        return KeyClass::Secret(PRECEDENCE[rank]);
    }
    if matches!(last, "auth" | "salt" | "pepper" | "cookie") {
        return KeyClass::Secret(SecretKind::Secret);
    }
    if last == "key" || last == "keys" {
        if n >= 2 && (dotenv || is_key_qualifier(w[n - 2])) {
            return KeyClass::Secret(SecretKind::ApiKey);
        }
        if n >= 3 && is_key_qualifier(w[n - 3]) {
            return KeyClass::Secret(SecretKind::ApiKey);
        }
    }
    KeyClass::Neutral
}

#[cfg(test)]
mod tests {
    use super::*;
    use KeyClass::*;

    #[test]
    fn splits_words() {
        assert_eq!(words("secretAccessKey"), ["secret", "access", "key"]);
        assert_eq!(
            words("AWS_SECRET_ACCESS_KEY"),
            ["aws", "secret", "access", "key"]
        );
        assert_eq!(words("HTTPServerToken"), ["http", "server", "token"]);
        assert_eq!(
            words("test_agent::allowlisted_api_key"),
            ["test", "agent", "allowlisted", "api", "key"]
        );
    }

    #[test]
    fn ascii_fast_path_splits_like_words() {
        for k in [
            "secretAccessKey",
            "AWS_SECRET_ACCESS_KEY",
            "HTTPServerToken",
            "a",
            "",
            "__x__y",
            "keyA",
            "RS256_KEY",
            "x.y-z",
        ] {
            let mut buf = [0u8; 96];
            let mut bounds = [(0usize, 0usize); 16];
            let n = ascii_words(k, &mut buf, &mut bounds).unwrap_or(usize::MAX);
            let fast: Vec<String> = bounds[..n]
                .iter()
                .map(|&(a, b)| String::from_utf8_lossy(&buf[a..b]).into_owned())
                .collect();
            assert_eq!(fast, words(k), "{k}");
        }
    }

    #[test]
    fn classifies() {
        assert_eq!(classify("DB_PASSWORD", true), Secret(SecretKind::Password));
        assert_eq!(classify("DB_HOST", true), Negative);
        assert_eq!(classify("DB_USERNAME", true), Negative);
        assert_eq!(classify("DB_NAME", true), Negative);
        assert_eq!(classify("API_KEY_ID", true), Negative);
        assert_eq!(classify("ACCESS_TOKEN_URL", false), Negative);
        assert_eq!(classify("foreign_key_id", false), Negative);
        assert_eq!(
            classify("clientSecretKey", false),
            Secret(SecretKind::Secret)
        );
        assert_eq!(classify("STRIPE_KEY", true), Secret(SecretKind::ApiKey));
        assert_eq!(classify("project_key", false), Neutral);
        assert_eq!(classify("IGNORE_DUP_KEY", false), Neutral);
        assert_eq!(classify("APP_KEY", false), Secret(SecretKind::ApiKey));
        assert_eq!(classify("AccountKey", false), Secret(SecretKind::ApiKey));
        assert_eq!(classify("SENTRY_DSN", true), Secret(SecretKind::Dsn));
        assert_eq!(classify("PASSWORD_MIN_LENGTH", true), Negative);
        assert_eq!(classify("list_of_keys", false), Neutral);
        assert_eq!(classify("mimi", true), Neutral);
    }

    /// A key that names several kinds is classified by the first of them in `PRECEDENCE`
    /// (password, private key, API key, secret, token, DSN), wherever the words stand.
    #[test]
    fn a_key_naming_several_kinds_takes_the_first_in_precedence() {
        let cases = [
            ("PRIVATE_KEY_PASSWORD", SecretKind::Password),
            ("PASSWORD_PRIVATE_KEY", SecretKind::Password),
            ("API_KEY_SECRET", SecretKind::ApiKey),
            ("PRIVATE_KEY_API_KEY", SecretKind::PrivateKey),
            ("SECRET_TOKEN", SecretKind::Secret),
            ("TOKEN_DSN", SecretKind::Token),
        ];
        for (key, kind) in cases {
            assert_eq!(classify(key, true), Secret(kind), "{key}");
        }
    }
}
