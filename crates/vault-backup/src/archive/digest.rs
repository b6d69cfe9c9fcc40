//! [`Digest`]: sha256 and byte count of a stream, computed as it passes.

use sha2::{Digest as _, Sha256};

/// Running sha256 and byte count.
#[derive(Clone, Default)]
pub(crate) struct Digest {
    sha: Sha256,
    size: u64,
}

impl Digest {
    /// Account for `data`.
    pub(crate) fn update(&mut self, data: &[u8]) {
        self.sha.update(data);
        self.size += data.len() as u64;
    }

    /// Bytes seen so far.
    pub(crate) fn size(&self) -> u64 {
        self.size
    }

    /// The sha256 of everything seen, lower-case hex.
    pub(crate) fn hex(&self) -> String {
        hex(&self.sha.clone().finalize())
    }
}

/// Lower-case hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_abc() {
        let mut d = Digest::default();
        d.update(b"a");
        d.update(b"bc");
        assert_eq!(d.size(), 3);
        assert_eq!(
            d.hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
