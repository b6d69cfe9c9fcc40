//! [`ValueKey`]: the random salt of one artifact (plan, baseline) and the slow keyed hashes
//! made with it.
//!
//! Architecture Invariant: nothing this crate writes holds a fast hash of a secret value. The
//! salt is stored in the artifact (a plan or a baseline must be checkable on another machine, in
//! CI, without a key to distribute), so whoever holds the file can test guesses against its
//! hashes; each guess costs one Argon2id evaluation with 19 MiB of memory and 2 passes (OWASP's
//! recommended minimum), not one SHA-256. Hashes are tagged `argon2id-m19456-t2-p1:<hex>` so the
//! format says what it is. JSON reports carry no value hash at all.

use std::fmt;

use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{MigrateError, MigrateErrorKind};

/// Scheme tag in front of every persisted keyed hash: Argon2id, version 0x13, 19,456 KiB of
/// memory, 2 passes, 1 lane, 32-byte output.
pub(crate) const TAG_SCHEME: &str = "argon2id-m19456-t2-p1:";

/// Argon2id memory cost in KiB.
const M_COST: u32 = 19_456;
/// Argon2id passes.
const T_COST: u32 = 2;

/// Key length in bytes.
pub(crate) const KEY_LEN: usize = 32;

/// A 32-byte random salt, generated when an artifact is created and stored in it as base64
/// (the field keeps its historical name, `value_hmac_key`).
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

    /// Argon2id of `parts` joined by NUL bytes, salted with this key.
    fn digest(&self, parts: &[&[u8]]) -> [u8; 32] {
        let mut input = Vec::with_capacity(parts.iter().map(|p| p.len() + 1).sum());
        for (i, p) in parts.iter().enumerate() {
            if i > 0 {
                input.push(0);
            }
            input.extend_from_slice(p);
        }
        let mut out = [0u8; 32];
        // The parameters are constants within Argon2's limits and the salt is 32 bytes, so
        // neither step can fail; the fallback keeps library code free of panics all the same
        // (an all-zero digest matches nothing real).
        if let Ok(params) = Params::new(M_COST, T_COST, 1, Some(32)) {
            let _ = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
                .hash_password_into(&input, &self.0, &mut out);
        }
        // The joined input holds the secret value: clear it before freeing.
        input.iter_mut().for_each(|b| *b = 0);
        std::hint::black_box(&input);
        out
    }

    /// `argon2id-m19456-t2-p1:<hex>` of `value`.
    pub fn tag(&self, value: &[u8]) -> String {
        self.tag_parts(&[value])
    }

    /// `argon2id-m19456-t2-p1:<hex>` of `parts` joined by NUL bytes.
    pub fn tag_parts(&self, parts: &[&[u8]]) -> String {
        let digest = self.digest(parts);
        let mut s = String::with_capacity(TAG_SCHEME.len() + 64);
        s.push_str(TAG_SCHEME);
        for b in digest.iter() {
            s.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
            s.push(char::from(b"0123456789abcdef"[usize::from(b & 0xf)]));
        }
        s
    }

    /// Is `tagged` (a `argon2id-m19456-t2-p1:<hex>` string) the keyed hash of `value`? Compared
    /// without an early exit; any other scheme (the old `hmac-sha256:`) or malformed hex is
    /// simply no match, and costs no hash.
    pub fn matches(&self, value: &[u8], tagged: &str) -> bool {
        let Some(hex) = tagged.strip_prefix(TAG_SCHEME) else {
            return false;
        };
        let Some(bytes) = from_hex(hex) else {
            return false;
        };
        let digest = self.digest(&[value]);
        digest
            .iter()
            .zip(&bytes)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
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
        assert!(a.tag(b"hunter2").starts_with(TAG_SCHEME));
        assert_eq!(format!("{a:?}"), "ValueKey(***)");
    }

    #[test]
    fn matches_only_its_own_tags() {
        let a = ValueKey::generate();
        let t = a.tag(b"hunter2");
        assert!(a.matches(b"hunter2", &t));
        assert!(a.matches(
            b"hunter2",
            &format!("{TAG_SCHEME}{}", t[TAG_SCHEME.len()..].to_uppercase())
        ));
        assert!(!a.matches(b"hunter3", &t));
        assert!(!ValueKey::generate().matches(b"hunter2", &t));
        // A plain SHA-256 or an HMAC (the old formats) never matches.
        let plain = crate::finding::sha256_hex(b"hunter2");
        assert!(!a.matches(b"hunter2", &plain));
        assert!(!a.matches(b"hunter2", &format!("hmac-sha256:{plain}")));
        assert!(!a.matches(b"hunter2", &format!("{TAG_SCHEME}zz")));
    }

    #[test]
    fn argon2id_reference_vector() {
        // RFC 9106 parameters differ; check against the argon2 crate's own Argon2id with our
        // parameters, computed independently of `digest`.
        let k = ValueKey([7u8; KEY_LEN]);
        let mut expected = [0u8; 32];
        Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(19_456, 2, 1, Some(32)).expect("params"),
        )
        .hash_password_into(b"a\0b", &[7u8; KEY_LEN], &mut expected)
        .expect("hash");
        let hex: String = expected.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(k.tag_parts(&[b"a", b"b"]), format!("{TAG_SCHEME}{hex}"));
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
