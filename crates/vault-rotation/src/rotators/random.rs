//! [`RandomRotator`]: new random values for some keys of a secret that lives only in Vault.

use async_trait::async_trait;
use rand::Rng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use vault_kv::SecretData;

use crate::{RotationContext, RotationError, Rotator};

/// Longest value the random rotator makes.
const MAX_LENGTH: usize = 4096;

/// A class of characters a random value draws from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CharClass {
    /// `a`–`z`.
    Lower,
    /// `A`–`Z`.
    Upper,
    /// `0`–`9`.
    Digit,
    /// `!#%+,-.:=@^_~` (no quotes, `$`, backslash or backtick, so values paste into shells,
    /// URLs' user info after encoding, and config files).
    Symbol,
}

impl CharClass {
    fn chars(self) -> &'static [u8] {
        match self {
            CharClass::Lower => b"abcdefghijklmnopqrstuvwxyz",
            CharClass::Upper => b"ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            CharClass::Digit => b"0123456789",
            CharClass::Symbol => b"!#%+,-.:=@^_~",
        }
    }
}

pub(super) fn default_length() -> usize {
    32
}

pub(super) fn default_classes() -> Vec<CharClass> {
    vec![
        CharClass::Lower,
        CharClass::Upper,
        CharClass::Digit,
        CharClass::Symbol,
    ]
}

pub(super) fn default_keys() -> Vec<String> {
    vec!["password".to_string()]
}

/// Generates a random string (from the thread's cryptographically secure generator) for each
/// of its keys, with at least one character of every class, and carries the other keys over.
///
/// The secret's consumers read it from Vault, so there is no target to set or test against:
/// `set` and `rollback` do nothing and `test` checks the generated value's shape.
#[derive(Debug, Clone)]
pub struct RandomRotator {
    length: usize,
    classes: Vec<CharClass>,
    keys: Vec<String>,
}

impl RandomRotator {
    /// A rotator making `length`-character values from `classes` for `keys`.
    pub fn new(
        length: usize,
        classes: &[CharClass],
        keys: &[String],
    ) -> Result<Self, RotationError> {
        let mut classes = classes.to_vec();
        let mut seen = std::collections::HashSet::new();
        classes.retain(|c| seen.insert(*c));
        if classes.is_empty() {
            return Err(RotationError::config("random rotator: no character class")
                .with_hint("list some of lower, upper, digit, symbol"));
        }
        if length < classes.len() || length > MAX_LENGTH {
            return Err(RotationError::config(format!(
                "random rotator: length {length} must be between {} (one per class) and {MAX_LENGTH}",
                classes.len()
            )));
        }
        if keys.is_empty() || keys.iter().any(|k| k.is_empty()) {
            return Err(RotationError::config(
                "random rotator: `keys` must name at least one key, none empty",
            ));
        }
        Ok(RandomRotator {
            length,
            classes,
            keys: keys.to_vec(),
        })
    }

    fn value(&self) -> String {
        let mut rng = rand::rng();
        let all: Vec<u8> = self
            .classes
            .iter()
            .flat_map(|c| c.chars())
            .copied()
            .collect();
        let mut out: Vec<u8> = self
            .classes
            .iter()
            .map(|c| pick(&mut rng, c.chars()))
            .collect();
        while out.len() < self.length {
            out.push(pick(&mut rng, &all));
        }
        out.shuffle(&mut rng);
        out.into_iter().map(char::from).collect()
    }
}

fn pick(rng: &mut impl Rng, from: &[u8]) -> u8 {
    from[rng.random_range(0..from.len())]
}

#[async_trait]
impl Rotator for RandomRotator {
    fn kind(&self) -> &str {
        "random"
    }

    async fn generate(
        &self,
        _ctx: &RotationContext,
        current: &SecretData,
    ) -> Result<SecretData, RotationError> {
        let mut map = current.expose().clone();
        for key in &self.keys {
            map.insert(key.clone(), Value::String(self.value()));
        }
        Ok(SecretData::new(map))
    }

    async fn set(
        &self,
        _ctx: &RotationContext,
        _current: &SecretData,
        _new: &SecretData,
    ) -> Result<(), RotationError> {
        Ok(())
    }

    async fn test(&self, ctx: &RotationContext, new: &SecretData) -> Result<(), RotationError> {
        for key in &self.keys {
            let ok = new
                .get_str(key)
                .is_some_and(|v| v.chars().count() == self.length);
            if !ok {
                return Err(RotationError::rotator(format!(
                    "test `{}/{}`: key `{}` is missing or not {} characters long",
                    ctx.mount,
                    ctx.path,
                    key.escape_debug(),
                    self.length
                )));
            }
        }
        Ok(())
    }

    async fn rollback(
        &self,
        _ctx: &RotationContext,
        _current: &SecretData,
        _failed: &SecretData,
    ) -> Result<(), RotationError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn repeated_classes_count_once_wherever_they_stand() {
        use CharClass::{Lower, Upper};
        // Two classes, so two characters are enough; a non-adjacent repeat used to count twice.
        let r = RandomRotator::new(2, &[Lower, Upper, Lower], &["k".to_string()])
            .expect("lower and upper only");
        assert_eq!(r.classes, [Lower, Upper]);
    }

    fn ctx() -> RotationContext {
        RotationContext {
            policy: "p".into(),
            mount: "secret".into(),
            path: "app".into(),
            current_version: Some(1),
            pending_version: None,
            attempt_id: "a1".into(),
        }
    }

    #[tokio::test]
    async fn new_values_have_every_class_and_keep_other_keys() -> Result<(), RotationError> {
        let r = RandomRotator::new(12, &default_classes(), &default_keys())?;
        let Value::Object(map) = json!({"user": "svc", "password": "old"}) else {
            return Err(RotationError::config("literal"));
        };
        let current = SecretData::new(map);
        let a = r.generate(&ctx(), &current).await?;
        let b = r.generate(&ctx(), &current).await?;
        assert_eq!(a.get_str("user"), Some("svc"));
        let pw = a.get_str("password").unwrap_or_default();
        assert_eq!(pw.len(), 12);
        for class in default_classes() {
            assert!(
                pw.bytes().any(|c| class.chars().contains(&c)),
                "{class:?} missing"
            );
        }
        assert_ne!(a.get_str("password"), b.get_str("password"));
        assert_ne!(a.get_str("password"), Some("old"));
        r.test(&ctx(), &a).await?;
        assert!(r.test(&ctx(), &current).await.is_err());
        Ok(())
    }

    #[test]
    fn refuses_impossible_settings() {
        let keys = default_keys();
        assert!(RandomRotator::new(3, &default_classes(), &keys).is_err());
        assert!(RandomRotator::new(10, &[], &keys).is_err());
        assert!(RandomRotator::new(10, &default_classes(), &[]).is_err());
        assert!(RandomRotator::new(MAX_LENGTH + 1, &default_classes(), &keys).is_err());
    }
}
