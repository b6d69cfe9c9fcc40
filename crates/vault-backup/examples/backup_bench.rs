//! The workload of `cargo xtask bench backup`, as a child process whose peak RSS is measured.
//!
//! - `backup_bench generate FILE MIB`: writes a Raft-snapshot-shaped file of about MIB MiB (a
//!   gzip'd tar with `meta.json`, an incompressible `state.bin`, `SHA256SUMS` over both and a
//!   non-empty `SHA256SUMS.sealed`, in OpenBao's member order).
//! - `backup_bench pipeline FILE CERT STORE`: imports FILE as a FULL snapshot through
//!   `SnapshotManager::import_snapshot` (archive check, SHA-256 of plain and stored bytes,
//!   OpenPGP encryption to CERT, upload to a local store at STORE, catalog entry).
//! - `backup_bench encrypt FILE CERT OUT`: encrypts FILE to CERT (vault-backup's OpenPGP
//!   encryption alone) into OUT.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use sha2::{Digest, Sha256};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["generate", file, mib] => mib
            .parse::<u64>()
            .map_err(|e| format!("MIB: {e}"))
            .and_then(|mib| generate(Path::new(file), mib << 20)),
        ["encrypt", file, cert, out] => encrypt(Path::new(file), Path::new(cert), Path::new(out)),
        ["pipeline", file, cert, store] => {
            pipeline(Path::new(file), Path::new(cert), Path::new(store))
        }
        _ => Err(
            "usage: backup_bench generate FILE MIB | pipeline FILE CERT STORE | encrypt FILE CERT OUT"
                .to_owned(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Deterministic incompressible bytes (xorshift64*), hashed as they are read.
struct Noise {
    left: u64,
    state: u64,
    hash: Sha256,
}

impl Read for Noise {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        for chunk in buf[..n].chunks_mut(8) {
            self.state ^= self.state >> 12;
            self.state ^= self.state << 25;
            self.state ^= self.state >> 27;
            let word = self.state.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
        self.hash.update(&buf[..n]);
        self.left -= n as u64;
        Ok(n)
    }
}

fn header(size: u64) -> tar::Header {
    let mut h = tar::Header::new_ustar();
    h.set_size(size);
    h.set_mode(0o600);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(1_764_000_000);
    h
}

fn append(
    tar: &mut tar::Builder<impl Write>,
    name: &str,
    size: u64,
    data: impl Read,
) -> Result<(), String> {
    let mut h = header(size);
    tar.append_data(&mut h, name, data)
        .map_err(|e| format!("writing {name}: {e}"))
}

fn generate(file: &Path, state_size: u64) -> Result<(), String> {
    let out = std::fs::File::create(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let gz = flate2::write::GzEncoder::new(io::BufWriter::new(out), flate2::Compression::fast());
    let mut tar = tar::Builder::new(gz);
    let meta = format!(
        "{{\"Version\":1,\"ID\":\"bolt-snapshot\",\"Index\":57,\"Term\":3,\"Peers\":null,\
         \"Configuration\":{{\"Servers\":[{{\"Suffrage\":0,\"ID\":\"node1\",\
         \"Address\":\"127.0.0.1:8201\"}}]}},\"ConfigurationIndex\":1,\"Size\":{state_size}}}\n"
    );
    append(&mut tar, "meta.json", meta.len() as u64, meta.as_bytes())?;
    let mut state = Noise {
        left: state_size,
        state: 0x9E37_79B9_7F4A_7C15,
        hash: Sha256::new(),
    };
    append(&mut tar, "state.bin", state_size, &mut state)?;
    let sums = format!(
        "{}  meta.json\n{}  state.bin\n",
        hex(&Sha256::digest(meta.as_bytes())),
        hex(&state.hash.finalize())
    );
    append(&mut tar, "SHA256SUMS", sums.len() as u64, sums.as_bytes())?;
    // Stands in for the seal-encrypted copy of SHA256SUMS (its contents are not checked).
    let sealed = [0x0a_u8; 185];
    append(
        &mut tar,
        "SHA256SUMS.sealed",
        sealed.len() as u64,
        &sealed[..],
    )?;
    let gz = tar
        .into_inner()
        .map_err(|e| format!("finishing tar: {e}"))?;
    let mut buf = gz.finish().map_err(|e| format!("finishing gzip: {e}"))?;
    buf.flush().map_err(|e| format!("{}: {e}", file.display()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn encrypt(file: &Path, cert: &Path, out: &Path) -> Result<(), String> {
    let recipients =
        vault_backup::Recipients::from_files(&[PathBuf::from(cert)]).map_err(|e| e.to_string())?;
    let mut input = std::fs::File::open(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let sink = std::fs::File::create(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let mut w = vault_backup::encrypt_to(&recipients, io::BufWriter::new(sink))
        .map_err(|e| e.to_string())?;
    io::copy(&mut input, &mut w).map_err(|e| format!("encrypting: {e}"))?;
    w.finish().map_err(|e| e.to_string())
}

fn pipeline(file: &Path, cert: &Path, store: &Path) -> Result<(), String> {
    use std::sync::Arc;
    use vault_backup::{CreateOptions, Recipients, SnapshotManager};

    let recipients = Recipients::from_files(&[PathBuf::from(cert)]).map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let store = vault_core::LocalDirStore::new(store).map_err(|e| e.to_string())?;
        // Importing talks to no server; the client is only the manager's handle on one.
        let client = vault_core::VaultClient::builder()
            .with_address("http://127.0.0.1:9")
            .with_token("unused".to_string())
            .build()
            .map_err(|e| e.to_string())?;
        let manager = SnapshotManager::builder(client, Arc::new(store))
            .build()
            .map_err(|e| e.to_string())?;
        let source = file_stream(file).await?;
        let info = manager
            .import_snapshot(source, CreateOptions::full().with_recipients(recipients))
            .await
            .map_err(|e| e.to_string())?;
        println!(
            "{} {} plain bytes, {} stored",
            info.id,
            info.plain_size.unwrap_or(0),
            info.stored_size.unwrap_or(0)
        );
        Ok(())
    })
}

/// The file as a stream of 64 KiB chunks.
async fn file_stream(path: &Path) -> Result<vault_core::ByteStream, String> {
    use tokio::io::AsyncReadExt;
    let file = tokio::fs::File::open(path)
        .await
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(Box::pin(futures_util::stream::unfold(
        file,
        |mut f| async move {
            let mut buf = vec![0u8; 64 * 1024];
            match f.read(&mut buf).await {
                Ok(0) => None,
                Ok(n) => {
                    buf.truncate(n);
                    Some((Ok(bytes::Bytes::from(buf)), f))
                }
                Err(e) => Some((Err(e), f)),
            }
        },
    )))
}
