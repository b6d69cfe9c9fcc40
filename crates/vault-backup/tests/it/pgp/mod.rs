//! OpenPGP interoperability: what vault-backup encrypts, gpg and sq decrypt, and the other way
//! round, with real `gpg` and `sq` binaries.

mod gpg_keys;
mod memory;
mod our_keys;

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use vault_backup::{BackupError, DecryptionKey, Recipients, decrypt_from, encrypt_to};

/// The path of a tool `cargo xtask setup` installs; a missing one fails the test.
pub(crate) fn tool(name: &str) -> PathBuf {
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!("`{name}` is not on PATH; run `cargo xtask setup` to install gnupg and sq")
        })
}

/// Runs a command, feeding `stdin`, and insists on success.
pub(crate) fn run(cmd: &mut Command, stdin: &[u8]) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {cmd:?}: {e}"));
    let mut input = child.stdin.take().expect("piped stdin");
    input.write_all(stdin).expect("write");
    drop(input);
    let out = child.wait_with_output().expect("wait for the command");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A throw-away gpg home.
pub(crate) struct Gpg {
    home: tempfile::TempDir,
}

impl Gpg {
    pub(crate) fn new() -> Self {
        let home = tempfile::tempdir().expect("temp dir");
        std::fs::set_permissions(
            home.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o700),
        )
        .expect("chmod gpg home");
        Gpg { home }
    }

    /// `gpg --batch --pinentry-mode loopback ARGS`, with `stdin` (a passphrase for
    /// `--passphrase-fd 0`, never on the command line).
    pub(crate) fn run(&self, args: &[&str], stdin: &[u8]) -> Output {
        run(
            Command::new(tool("gpg"))
                .env("GNUPGHOME", self.home.path())
                .args(["--batch", "--pinentry-mode", "loopback", "--no-tty"])
                .args(args),
            stdin,
        )
    }

    /// The gpg home folder.
    pub(crate) fn home_path(&self) -> &Path {
        self.home.path()
    }

    /// Imports an armoured key (public or secret).
    pub(crate) fn import(&self, key: &Path) {
        self.run(&["--import", key.to_str().expect("UTF-8 temp path")], b"");
    }

    /// Generates a key with `algo` (`default`, `future-default`, …) protected by `passphrase`
    /// and returns its fingerprint.
    pub(crate) fn generate(&self, uid: &str, algo: &str, passphrase: &str) -> String {
        self.run(
            &[
                "--passphrase-fd",
                "0",
                "--quick-gen-key",
                uid,
                algo,
                "default",
                "never",
            ],
            passphrase.as_bytes(),
        );
        self.fingerprint(uid)
    }

    /// The fingerprint of the key with user id `uid`.
    pub(crate) fn fingerprint(&self, uid: &str) -> String {
        let out = self.run(&["--with-colons", "--list-keys", uid], b"");
        String::from_utf8(out.stdout)
            .expect("gpg prints UTF-8")
            .lines()
            .find_map(|l| {
                l.strip_prefix("fpr:")
                    .map(|r| r.trim_matches(':').to_owned())
            })
            .expect("gpg lists the key's fingerprint")
    }

    /// Decrypts `cipher` into `out` with the passphrase on stdin.
    pub(crate) fn decrypt(&self, cipher: &Path, out: &Path, passphrase: &str) {
        self.run(
            &[
                "--passphrase-fd",
                "0",
                "--output",
                out.to_str().expect("UTF-8 temp path"),
                "--decrypt",
                cipher.to_str().expect("UTF-8 temp path"),
            ],
            passphrase.as_bytes(),
        );
    }
}

/// A deterministic, poorly compressible plaintext of `len` bytes, streamed.
pub(crate) struct Pattern {
    left: u64,
    state: u64,
}

impl Pattern {
    pub(crate) fn new(len: u64) -> Self {
        Pattern {
            left: len,
            state: 0x9E37_79B9_7F4A_7C15,
        }
    }
}

impl Read for Pattern {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        for b in &mut buf[..n] {
            // xorshift64
            self.state ^= self.state << 13;
            self.state ^= self.state >> 7;
            self.state ^= self.state << 17;
            *b = (self.state >> 24) as u8;
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// Writes the pattern of `len` bytes to `path`.
pub(crate) fn write_pattern(path: &Path, len: u64) {
    let mut f = std::fs::File::create(path).expect("open temp file");
    io::copy(&mut Pattern::new(len), &mut f).expect("copy stream");
}

/// Encrypts `len` pattern bytes to `recipients` into the file `out`, streamed.
pub(crate) fn encrypt_pattern(recipients: &Recipients, len: u64, out: &Path) {
    let file = std::fs::File::create(out).expect("open temp file");
    let mut w = encrypt_to(recipients, io::BufWriter::new(file)).expect("start encryption");
    io::copy(&mut Pattern::new(len), &mut w).expect("copy stream");
    w.finish().expect("finish encryption");
}

/// Decrypts the file `cipher` with `key` into memory; a read error comes back as the
/// `BackupError` it carries.
pub(crate) fn decrypt_file(key: &DecryptionKey, cipher: &Path) -> Result<Vec<u8>, BackupError> {
    let file = std::fs::File::open(cipher).expect("open temp file");
    let mut r = decrypt_from(key, file)?;
    let mut out = Vec::new();
    match r.read_to_end(&mut out) {
        Ok(_) => Ok(out),
        Err(e) => Err(*e
            .into_inner()
            .expect("a read error has an inner error")
            .downcast::<BackupError>()
            .expect("a read error carries a BackupError")),
    }
}

/// Whether the file at `path` holds exactly the pattern of `len` bytes (compared streaming).
pub(crate) fn is_pattern(path: &Path, len: u64) -> bool {
    let mut file = io::BufReader::new(std::fs::File::open(path).expect("open temp file"));
    let mut expected = Pattern::new(len);
    let (mut a, mut b) = (vec![0u8; 1 << 16], vec![0u8; 1 << 16]);
    loop {
        let n = expected.read(&mut a).expect("pattern");
        if n == 0 {
            return file.read(&mut b).expect("read file") == 0;
        }
        if file.read_exact(&mut b[..n]).is_err() || a[..n] != b[..n] {
            return false;
        }
    }
}
