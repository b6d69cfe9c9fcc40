//! [`ValueKey`]: the random salt of one artifact (plan, baseline, JSON report) and the keyed
//! hashes made with it.
//!
//! Architecture Invariant: nothing this crate writes holds an unsalted hash of a secret value.
//! A plain SHA-256 of a weak password is found again by guessing; an HMAC-SHA256 under a random
//! 32-byte key is only comparable by someone holding the artifact it was written to, and only
//! within it. Persisted hashes are tagged `hmac-sha256:<hex>` so the format says what it is.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use rand::RngCore as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::Sha256;

use crate::error::{MigrateError, MigrateErrorKind};

/// Scheme tag in front of every persisted keyed hash.
pub(crate) const HMAC_SCHEME: &str = "hmac-sha256:";

/// Key length in bytes.
pub(crate) const KEY_LEN: usize = 32;

type HmacSha256 = Hmac<Sha256>;

/// A 32-byte HMAC key, generated when an artifact is created and stored in it as base64.
#[derive(Clone, PartialEq, Eq)]
pub struct ValueKey([u8; KEY_LEN]);

impl ValueKey {
    /// A fresh random key (operating-system randomness through `rand`'s thread RNG).
    pub fn generate() -> Self {
        let mut k = [0u8; KEY_LEN];
        rand::rng().fill_bytes(&mut k);
        ValueKey(k)
    }

    /// Read a key written by [`ValueKey::to_base64`].
    pub fn from_base64(text: &str) -> Result<Self, MigrateError> {
        let bad = |what: &str| {
            MigrateError::new(
                MigrateErrorKind::Config,
                format!("`value_hmac_key` {what} (expected {KEY_LEN} bytes in base64)"),
            )
            .with_hint("regenerate the file; the key is written when it is created")
        };
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| bad("is not base64"))?;
        let k: [u8; KEY_LEN] = bytes.try_into().map_err(|_| bad("has the wrong length"))?;
        Ok(ValueKey(k))
    }

    /// The key as standard base64 (44 characters).
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    fn mac(&self, parts: &[&[u8]]) -> HmacSha256 {
        // HMAC accepts keys of any length, so this cannot fail for a 32-byte key; the fallback
        // keeps library code free of panics all the same.
        let mut m = <HmacSha256 as KeyInit>::new_from_slice(&self.0)
            .unwrap_or_else(|_| <HmacSha256 as KeyInit>::new(&Default::default()));
        for (i, p) in parts.iter().enumerate() {
            if i > 0 {
                m.update(b"\0");
            }
            m.update(p);
        }
        m
    }

    /// `hmac-sha256:<hex>` of `value`.
    pub fn tag(&self, value: &[u8]) -> String {
        self.tag_parts(&[value])
    }

    /// `hmac-sha256:<hex>` of `parts` joined by NUL bytes.
    pub fn tag_parts(&self, parts: &[&[u8]]) -> String {
        let digest = self.mac(parts).finalize().into_bytes();
        let mut s = String::with_capacity(HMAC_SCHEME.len() + 64);
        s.push_str(HMAC_SCHEME);
        for b in digest.iter() {
            s.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
            s.push(char::from(b"0123456789abcdef"[usize::from(b & 0xf)]));
        }
        s
    }

    /// Is `tagged` (an `hmac-sha256:<hex>` string) the keyed hash of `value`? Compared in
    /// constant time; any other scheme or malformed hex is simply no match.
    pub fn matches(&self, value: &[u8], tagged: &str) -> bool {
        let Some(hex) = tagged.strip_prefix(HMAC_SCHEME) else {
            return false;
        };
        let Some(bytes) = from_hex(hex) else {
            return false;
        };
        self.mac(&[value]).verify_slice(&bytes).is_ok()
    }
}

fn from_hex(s: &str) -> Option<Vec<u8>> {
    if s.len() != 64 {
        return None;
    }
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    s.as_bytes()
        .chunks(2)
        .map(|p| Some(nibble(p[0])? << 4 | nibble(p[1])?))
        .collect()
}

impl fmt::Debug for ValueKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ValueKey(***)")
    }
}

impl Serialize for ValueKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_base64())
    }
}

impl<'de> Deserialize<'de> for ValueKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        ValueKey::from_base64(&text).map_err(|e| serde::de::Error::custom(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_differ_and_round_trip() {
        let a = ValueKey::generate();
        let b = ValueKey::generate();
        assert_ne!(a, b);
        assert_eq!(a.to_base64().len(), 44);
        assert_eq!(ValueKey::from_base64(&a.to_base64()).ok(), Some(a.clone()));
        assert_ne!(a.tag(b"hunter2"), b.tag(b"hunter2"));
        assert!(a.tag(b"hunter2").starts_with(HMAC_SCHEME));
        assert_eq!(format!("{a:?}"), "ValueKey(***)");
    }

    #[test]
    fn matches_only_its_own_tags() {
        let a = ValueKey::generate();
        let t = a.tag(b"hunter2");
        assert!(a.matches(b"hunter2", &t));
        assert!(a.matches(
            b"hunter2",
            &t.to_uppercase().replace("HMAC-SHA256:", HMAC_SCHEME)
        ));
        assert!(!a.matches(b"hunter3", &t));
        assert!(!ValueKey::generate().matches(b"hunter2", &t));
        // A plain SHA-256 (the old format) never matches.
        let plain = crate::finding::sha256_hex(b"hunter2");
        assert!(!a.matches(b"hunter2", &plain));
        assert!(!a.matches(b"hunter2", &format!("{HMAC_SCHEME}{plain}")));
        assert!(!a.matches(b"hunter2", "hmac-sha256:zz"));
    }

    #[test]
    fn rfc4231_case_2() {
        // RFC 4231 test case 2 uses a 4-byte key; check the HMAC itself with a padded 32-byte key
        // against an independent computation: HMAC(k, m) where k = "Jefe" + 28 zero bytes equals
        // HMAC("Jefe", m), because HMAC zero-pads short keys to the block size.
        let mut k = [0u8; KEY_LEN];
        k[..4].copy_from_slice(b"Jefe");
        let t = ValueKey(k).tag(b"what do ya want for nothing?");
        assert_eq!(
            t,
            "hmac-sha256:5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn bad_keys_are_clear_errors() {
        let e = ValueKey::from_base64("not base64!")
            .err()
            .map(|e| e.to_string());
        assert!(e.is_some_and(|m| m.contains("value_hmac_key")));
        assert!(ValueKey::from_base64("AAAA").is_err());
    }
}
