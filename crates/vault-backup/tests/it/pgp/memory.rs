//! Decryption streams with a bounded buffer: the peak RSS does not grow with the snapshot.

use std::io::{self, Read, Write};

use vault_backup::{DecryptionKey, Recipients, decrypt_from, generate_key};

use super::{Pattern, encrypt_pattern};

const LEN: u64 = 96 * 1024 * 1024;

/// Peak resident set size of this process in KiB (`VmHWM`).
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("read temp file");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/self/status")
}

/// Compares what is written with the pattern, keeping nothing.
struct CheckPattern {
    expected: Pattern,
    seen: u64,
    buf: Vec<u8>,
}

impl Write for CheckPattern {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.resize(data.len(), 0);
        self.expected.read_exact(&mut self.buf)?;
        assert!(self.buf == data, "plaintext differs at byte {}", self.seen);
        self.seen += data.len() as u64;
        Ok(data.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn decrypting_a_large_snapshot_keeps_the_peak_rss_small() {
    let dir = tempfile::tempdir().expect("temp dir");
    let key = generate_key("mem", None).expect("generate key");
    let public = dir.path().join("k.asc");
    let secret = dir.path().join("k.key");
    std::fs::write(&public, &key.public_cert).expect("write temp file");
    std::fs::write(&secret, key.secret_key.expose()).expect("write temp file");
    let cipher = dir.path().join("big.pgp");
    encrypt_pattern(
        &Recipients::from_files(&[public]).expect("load recipients"),
        LEN,
        &cipher,
    );
    let key = DecryptionKey::from_file(&secret, None).expect("load decryption key");

    // Reset the peak to the current RSS (Linux: writing 5 to clear_refs), then decrypt.
    std::fs::write("/proc/self/clear_refs", "5").expect("write temp file");
    let before = peak_rss_kib();
    let file = io::BufReader::new(std::fs::File::open(&cipher).expect("open temp file"));
    let mut reader = decrypt_from(&key, file).expect("start decryption");
    let mut check = CheckPattern {
        expected: Pattern::new(LEN),
        seen: 0,
        buf: Vec::new(),
    };
    io::copy(&mut reader, &mut check).expect("copy stream");
    assert_eq!(check.seen, LEN);
    let grown_mib = (peak_rss_kib() - before) / 1024;
    // A 1 MiB buffer costs a few MiB; sequoia's default 25 MiB buffer costs far more.
    assert!(
        grown_mib < 24,
        "decrypting {LEN} bytes grew the peak RSS by {grown_mib} MiB"
    );
}
