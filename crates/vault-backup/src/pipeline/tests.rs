//! The pipeline keeps memory bounded: however large the snapshot and however slow the store,
//! it never reads more than a few chunks ahead of what the store consumed.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use futures_util::StreamExt;

use super::*;
use crate::archive::{ArchiveChecker, ArchiveKind, Digest};

/// A sound Raft-like archive with a `state_len`-byte incompressible state.bin (gzip level 0).
fn big_archive(state_len: usize) -> Bytes {
    let mut state = Vec::with_capacity(state_len);
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    while state.len() < state_len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        state.extend_from_slice(&x.to_le_bytes());
    }
    state.truncate(state_len);
    let meta = format!(r#"{{"Index":9,"Size":{state_len}}}"#);
    let hex = |b: &[u8]| {
        let mut d = Digest::default();
        d.update(b);
        d.hex()
    };
    let sums = format!(
        "{}  meta.json\n{}  state.bin\n",
        hex(meta.as_bytes()),
        hex(&state)
    );
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::none());
    let mut tar = tar::Builder::new(gz);
    for (name, data) in [
        ("meta.json", meta.as_bytes()),
        ("state.bin", &state[..]),
        ("SHA256SUMS", sums.as_bytes()),
        ("SHA256SUMS.sealed", b"sealed".as_slice()),
    ] {
        let mut header = tar::Header::new_ustar();
        header.set_size(data.len() as u64);
        header.set_mode(0o600);
        tar.append_data(&mut header, name, data).expect("append");
    }
    let mut gz = tar.into_inner().expect("tar");
    gz.flush().expect("flush");
    Bytes::from(gz.finish().expect("gzip"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_store_never_makes_the_pipeline_read_far_ahead() {
    const TOTAL: usize = 24 * 1024 * 1024;
    const BOUND: u64 = 4 * 1024 * 1024;
    let archive = big_archive(TOTAL);
    let pulled = Arc::new(AtomicU64::new(0));
    let consumed = Arc::new(AtomicU64::new(0));
    let max_lead = Arc::new(AtomicU64::new(0));

    let chunks: Vec<Bytes> = (0..archive.len())
        .step_by(64 * 1024)
        .map(|at| archive.slice(at..archive.len().min(at + 64 * 1024)))
        .collect();
    let (p, c, m) = (pulled.clone(), consumed.clone(), max_lead.clone());
    let source = futures_util::stream::iter(chunks).map(move |chunk| {
        let now = p.fetch_add(chunk.len() as u64, Ordering::SeqCst) + chunk.len() as u64;
        m.fetch_max(
            now.saturating_sub(c.load(Ordering::SeqCst)),
            Ordering::SeqCst,
        );
        Ok::<Bytes, std::io::Error>(chunk)
    });

    let reader = ChannelReader::spawn(Box::pin(source));
    let (sink, errors, mut out) = sink_stream();
    let stored = sink.digest();
    let checker = ArchiveChecker::spawn(ArchiveKind::Raft, None).expect("checker");
    let job = tokio::task::spawn_blocking(move || {
        run(
            Box::new(reader),
            checker,
            Some(Box::new(PlainStage(sink))),
            Some(errors),
            None,
        )
    });
    // The slow store: a pause after every chunk.
    while let Some(chunk) = out.next().await {
        let chunk = chunk.expect("chunk");
        consumed.fetch_add(chunk.len() as u64, Ordering::SeqCst);
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    let flow = job.await.expect("join").expect("a sound archive");
    assert_eq!(flow.plain.size(), archive.len() as u64);
    assert_eq!(flow.report.raft_index, Some(9));
    assert_eq!(stored.lock().expect("digest").size(), archive.len() as u64);
    let lead = max_lead.load(Ordering::SeqCst);
    assert!(
        lead <= BOUND,
        "read {lead} bytes ahead of the store (bound {BOUND}, snapshot {} bytes)",
        archive.len()
    );
}
