//! Keeping tokens and keys out of failure messages and logs.

use serde_json::Value;

/// What replaces a redacted value.
pub(crate) const REDACTED: &str = "***";

/// `text` with every occurrence of each non-empty `secret` replaced by `***`.
pub(crate) fn redact_text(text: &str, secrets: &[&str]) -> String {
    secrets
        .iter()
        .filter(|s| !s.is_empty())
        .fold(text.to_string(), |acc, secret| {
            acc.replace(secret, REDACTED)
        })
}

/// `value` with the values of credential-like keys (token, secret, key, password, accessor,
/// nonce, hmac) replaced by `***`, recursively.
pub(crate) fn redact_json(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = if is_sensitive(k) && !v.is_null() {
                        Value::String(REDACTED.to_string())
                    } else {
                        redact_json(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(redact_json).collect()),
        other => other.clone(),
    }
}

fn is_sensitive(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    [
        "token", "secret", "key", "password", "accessor", "nonce", "hmac", "jwt",
    ]
    .iter()
    .any(|word| key.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn text_secrets_are_replaced() {
        let out = redact_text("Root Token: s.abc\nUnseal Key: k1", &["s.abc", "k1", ""]);
        assert_eq!(out, "Root Token: ***\nUnseal Key: ***");
    }

    #[test]
    fn json_credentials_are_replaced_recursively() {
        let v = json!({"auth": {"client_token": "t", "policies": ["p"]}, "data": {"secret_id": "s", "keys_base64": ["k"]}, "errors": []});
        let out = redact_json(&v);
        assert_eq!(out["auth"]["client_token"], REDACTED);
        assert_eq!(out["auth"]["policies"], json!(["p"]));
        assert_eq!(out["data"]["secret_id"], REDACTED);
        assert_eq!(out["data"]["keys_base64"], REDACTED);
        assert!(!out.to_string().contains("\"t\""));
    }
}
