//! The multi-core scan behind [`stats`](super::stats): a reader thread cuts each input into
//! chunks at record boundaries (a newline followed by `{`), scanner threads build one
//! [`StatsAccumulator`] per chunk, and the calling thread merges them in input order.
//!
//! Architecture Invariant: memory is bounded by the chunks in flight (about
//! `(2 × cores + 2) × CHUNK`) plus the distinct keys, whatever the input size.

use std::collections::BTreeMap;
use std::io::Read;

use crossbeam_channel::{Receiver, Sender, bounded};

use super::merge::merge_malformed;
use super::{Statistics, StatsAccumulator};
use crate::error::AuditError;
use crate::read::{AuditSource, Frame, Framer, Location, Malformed, ScanOptions, ScanSummary};

const CHUNK: usize = 4 << 20;

/// A chunk for a scanner: index, buffer, and how many bytes of the buffer are data.
/// Scanners take them from one bounded multi-consumer channel.
type Job = (u64, Vec<u8>, usize);

struct ChunkOut {
    idx: u64,
    builder: StatsAccumulator,
    /// Lines, records, blank and malformed lines of this chunk (lines numbered from its start).
    sum: ScanSummary,
}

/// Where to cut `buf`: just after the last newline that is followed by `{` (the start of a
/// record in both NDJSON and pretty-printed logs; `true`), else after the last newline (`false`:
/// not known to be a record boundary — inside a pretty-printed record larger than the buffer,
/// or in lines that are not JSON).
fn cut_point(buf: &[u8]) -> Option<(usize, bool)> {
    let mut end = buf.len();
    while let Some(p) = memchr::memrchr(b'\n', &buf[..end]) {
        if buf.get(p + 1) == Some(&b'{') {
            return Some((p + 1, true));
        }
        end = p;
    }
    memchr::memrchr(b'\n', buf).map(|p| (p + 1, false))
}

fn scan_chunk(idx: u64, chunk: &[u8], keep: usize, max_record: usize, name: &str) -> ChunkOut {
    let mut out = ChunkOut::new(idx);
    // Plain NDJSON is split in place, without a copy; a chunk holding a pretty-printed record
    // (a line that is just `{`) is handed to the framer instead.
    if let Some(out) = scan_ndjson(idx, chunk, keep, max_record, name) {
        return out;
    }
    let mut framer = Framer::new(chunk, max_record);
    loop {
        match framer.next_frame() {
            Ok(Some(Frame::Record { line, bytes })) => out.record(line, bytes, keep, name),
            Ok(Some(Frame::TooLong { line, len })) => {
                out.too_long(line, len, keep, max_record, name)
            }
            Ok(None) | Err(_) => break,
        }
    }
    out.sum.lines = framer.next_line() - 1;
    out
}

fn scan_ndjson(
    idx: u64,
    chunk: &[u8],
    keep: usize,
    max_record: usize,
    name: &str,
) -> Option<ChunkOut> {
    let mut out = ChunkOut::new(idx);
    let mut line = 0u64;
    let mut rest = chunk;
    while !rest.is_empty() {
        line += 1;
        let (l, next) = match memchr::memchr(b'\n', rest) {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        rest = next;
        if l.len() > max_record {
            out.too_long(line, l.len() as u64, keep, max_record, name);
            continue;
        }
        let l = l.strip_suffix(b"\r").unwrap_or(l);
        if l.len() < 8 && l.trim_ascii() == b"{" {
            return None;
        }
        out.record(line, l, keep, name);
    }
    out.sum.lines = line;
    Some(out)
}

impl ChunkOut {
    fn new(idx: u64) -> Self {
        ChunkOut {
            idx,
            builder: StatsAccumulator::for_chunk(),
            sum: ScanSummary::default(),
        }
    }

    fn record(&mut self, line: u64, bytes: &[u8], keep: usize, name: &str) {
        if let Some(rec) = self.sum.count_record(keep, name, line, bytes) {
            self.builder.add(Location { file: 0, line }, &rec);
        }
    }

    fn too_long(&mut self, line: u64, len: u64, keep: usize, max_record: usize, name: &str) {
        self.sum.count_too_long(keep, name, line, len, max_record);
    }
}

/// Reads `reader` and sends chunks cut at record boundaries; returns bytes read or the error.
fn split(
    mut reader: Box<dyn Read + Send>,
    tx: Sender<Job>,
    recycled: Receiver<Vec<u8>>,
    chunk: usize,
    max_carry: usize,
) -> Result<u64, std::io::Error> {
    let mut carry: Vec<u8> = Vec::new();
    let mut idx = 0;
    let mut total = 0u64;
    loop {
        // Reuse a buffer the scanners are done with: no zeroing, no fresh pages.
        let mut buf = recycled.try_recv().unwrap_or_default();
        let start = carry.len();
        let want = start + chunk;
        if buf.len() < want {
            buf.resize(want, 0);
        }
        buf[..start].copy_from_slice(&carry);
        carry.clear();
        let mut filled = start;
        while filled < want {
            match reader.read(&mut buf[filled..want]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        total += (filled - start) as u64;
        let eof = filled < want;
        let mut len = filled;
        if !eof {
            match cut_point(&buf[..filled]) {
                Some((cut, true)) => {
                    carry.extend_from_slice(&buf[cut..filled]);
                    len = cut;
                }
                _ if filled <= max_carry => {
                    // No record boundary yet: a long line, or a pretty-printed record larger
                    // than a chunk. Keep reading (bounded by the record limit): cutting at any
                    // newline here would split the record between two scanners.
                    carry.extend_from_slice(&buf[..filled]);
                    continue;
                }
                Some((cut, false)) => {
                    carry.extend_from_slice(&buf[cut..filled]);
                    len = cut;
                }
                None => {}
            }
        }
        if len > 0 && tx.send((idx, buf, len)).is_err() {
            return Ok(total);
        }
        idx += 1;
        if eof {
            return Ok(total);
        }
    }
}

pub(super) fn stats_parallel(
    source: &AuditSource,
    opts: &mut ScanOptions,
    cores: usize,
) -> Result<Statistics, AuditError> {
    stats_parallel_with(source, opts, cores, CHUNK)
}

fn stats_parallel_with(
    source: &AuditSource,
    opts: &mut ScanOptions,
    cores: usize,
    chunk: usize,
) -> Result<Statistics, AuditError> {
    let mut total = StatsAccumulator::new();
    let mut sum = ScanSummary::default();
    let keep = opts.keep_malformed;
    let max_record = opts.max_record_bytes;
    for (file_idx, input) in source.inputs()?.into_iter().enumerate() {
        let file = u32::try_from(file_idx).unwrap_or(u32::MAX);
        sum.files.push(input.name.clone());
        let (tx, rx) = bounded::<Job>(cores);
        let (otx, orx) = bounded::<ChunkOut>(cores * 2);
        let (back, recycled) = bounded::<Vec<u8>>(cores * 2 + 2);
        let size = input.size;
        let max_carry = max_record.saturating_add(chunk);
        let reader =
            std::thread::spawn(move || split(input.reader, tx, recycled, chunk, max_carry));
        let mut workers = Vec::new();
        for _ in 0..cores {
            let (rx, otx, back, name) = (rx.clone(), otx.clone(), back.clone(), input.name.clone());
            workers.push(std::thread::spawn(move || {
                for (idx, buf, len) in rx {
                    let out = scan_chunk(idx, &buf[..len], keep, max_record, &name);
                    let _ = back.try_send(buf);
                    if otx.send(out).is_err() {
                        return;
                    }
                }
            }));
        }
        drop(rx);
        drop(back);
        drop(otx);
        let mut waiting: BTreeMap<u64, ChunkOut> = BTreeMap::new();
        let mut next = 0u64;
        let mut line_offset = 0u64;
        let mut file_malformed = Malformed::default();
        for out in orx {
            waiting.insert(out.idx, out);
            while let Some(out) = waiting.remove(&next) {
                total.merge(out.builder, file, line_offset);
                merge_malformed(&mut file_malformed, out.sum.malformed, line_offset, keep);
                line_offset += out.sum.lines;
                sum.blank_lines += out.sum.blank_lines;
                sum.records += out.sum.records;
                next += 1;
            }
        }
        for w in workers {
            let _ = w.join();
        }
        let read = reader
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("reader thread panicked")));
        match read {
            Ok(bytes) => {
                sum.bytes += bytes;
                if let Some(p) = opts.progress.as_mut() {
                    p(bytes, size);
                }
            }
            Err(e) => file_malformed.push(
                keep,
                &input.name,
                line_offset + 1,
                format!("read error, rest of input skipped: {e}"),
            ),
        }
        sum.lines += line_offset;
        merge_malformed(&mut sum.malformed, file_malformed, 0, keep);
    }
    Ok(total.finish(&sum))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_before_a_record_start() {
        assert_eq!(cut_point(b"{\"a\":1}\n{\"b\":2}\n{\"c\""), Some((16, true)));
        assert_eq!(cut_point(b"{\n  \"a\": 1\n}\n{\n  \"b\""), Some((13, true)));
        assert_eq!(cut_point(b"garbage\nmore"), Some((8, false)));
        assert_eq!(cut_point(b"no newline"), None);
    }

    fn corpus(name: &str) -> Vec<u8> {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(name);
        std::fs::read(p).expect("corpus")
    }

    /// Statistics of `bytes` read sequentially, after checking that `cores` scanners over each
    /// of the `chunks` sizes give exactly the same.
    fn same_in_parallel(bytes: &[u8], cores: usize, chunks: &[usize]) -> Statistics {
        // A source over bytes is a reader: each scan gets its own.
        let source = || AuditSource::bytes("t", bytes.to_vec());
        let seq =
            super::super::stats_sequential(&source(), &mut ScanOptions::default()).expect("seq");
        for &chunk in chunks {
            let par = stats_parallel_with(&source(), &mut ScanOptions::default(), cores, chunk)
                .expect("par");
            assert_eq!(par, seq, "chunk {chunk}");
        }
        seq
    }

    #[test]
    fn small_chunks_give_the_sequential_result() {
        let mut bytes = corpus("vault-guides/vault-audit.log");
        bytes.extend(b"garbage line\n{\"truncated\n");
        bytes.extend(corpus("openbao-2.7.2-generated/audit.log"));
        bytes.extend(b"{\n  \"type\": \"request\",\n  \"request\": {\n    \"id\": \"zz\",\n    \"path\": \"p/q\"\n  }\n}\n");
        bytes.extend(corpus("ops-agent-pr1950/input.log"));
        let seq = same_in_parallel(&bytes, 3, &[1 << 12, 1 << 16, 1 << 20]);
        assert_eq!(seq.malformed.count, 2);
        assert_eq!(seq.entries, 1397 + 93 + 1 + 2);
        assert_eq!(
            seq.unpaired_requests, 3,
            "openbao line 1, the pretty one, ops-agent line 1"
        );
    }

    /// A pretty-printed record larger than a chunk has no record boundary inside it; cutting
    /// at its last newline split it between two scanners and lost it (found by
    /// `cargo xtask bench audit-pretty`: 15 of 16 records of 4 MiB counted).
    #[test]
    fn pretty_records_larger_than_a_chunk_are_counted_whole() {
        let mut bytes = Vec::new();
        for n in 0..6 {
            bytes.extend(format!("{{\n  \"type\": \"request\",\n  \"request\": {{\n    \"id\": \"r{n}\",\n    \"path\": \"secret/data/x\",\n    \"data\": {{\n").as_bytes());
            for k in 0..700 {
                bytes.extend(format!("      \"k{k}\": {{\n      }},\n").as_bytes());
            }
            bytes.extend(b"      \"end\": 1\n    }\n  }\n}\n");
        }
        assert!(
            bytes.len() / 6 > 3 * 4096,
            "each record spans several chunks"
        );
        let seq = same_in_parallel(&bytes, 2, &[1 << 12, 1 << 13]);
        assert_eq!(seq.entries, 6);
        assert_eq!(seq.malformed.count, 0);
    }
}
