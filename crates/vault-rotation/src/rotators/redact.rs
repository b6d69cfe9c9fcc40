//! Keeping secret values out of text that came from outside (a program's stderr, a database's
//! error message) before it reaches an error or a log line.

use serde_json::Value;
use vault_kv::SecretData;

/// What replaces a secret value.
const MASK: &str = "***";

/// The texts to mask for these secrets: every string value, its JSON-escaped form when that
/// differs, and the JSON text of numbers, arrays and objects of four characters or more (a `1`
/// or `true` would mask half of any message and is no credential).
pub(crate) fn secret_texts(data: &[&SecretData]) -> Vec<String> {
    let mut texts = Vec::new();
    for secret in data {
        for value in secret.expose().values() {
            match value {
                Value::String(s) => {
                    texts.push(s.clone());
                    let json = serde_json::to_string(s).unwrap_or_default();
                    let escaped = json.trim_start_matches('"').trim_end_matches('"');
                    if escaped != s {
                        texts.push(escaped.to_string());
                    }
                }
                Value::Bool(_) | Value::Null => {}
                other => {
                    let json = other.to_string();
                    if json.len() >= 4 {
                        texts.push(json);
                    }
                }
            }
        }
    }
    texts.retain(|t| !t.is_empty());
    // Longest first, so a secret that contains another is masked whole.
    texts.sort_by_key(|t| std::cmp::Reverse(t.len()));
    texts.dedup();
    texts
}

/// `text` with every occurrence of each of `secrets` replaced by `***`.
pub(crate) fn mask(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_string();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        if out.contains(secret.as_str()) {
            out = out.replace(secret.as_str(), MASK);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(value: Value) -> SecretData {
        match value {
            Value::Object(map) => SecretData::new(map),
            _ => SecretData::new(serde_json::Map::new()),
        }
    }

    #[test]
    fn masks_raw_and_json_escaped_values_longest_first() {
        let a = data(serde_json::json!({"password": "s3cr\"et", "pin": 123456, "flag": true}));
        let b = data(serde_json::json!({"password": "s3cr\"et-longer"}));
        let texts = secret_texts(&[&a, &b]);
        let text = "raw s3cr\"et-longer, json \"s3cr\\\"et\", pin 123456, flag true";
        let masked = mask(text, &texts);
        assert_eq!(masked, "raw ***, json \"***\", pin ***, flag true");
    }

    #[test]
    fn empty_values_mask_nothing() {
        let a = data(serde_json::json!({"password": ""}));
        assert_eq!(mask("text", &secret_texts(&[&a])), "text");
    }
}
