//! Reading audit logs: sources, framing, the scan loop and malformed-line bookkeeping.
//!
//! - `source`: [`AuditSource`] (file, rotated directory, stdin, reader; gzip detection)
//! - `framer`: records out of a byte stream (NDJSON lines, pretty-printed objects)
//! - `prefetch`: read/decompress on a second thread
//! - `follow`: keep reading a growing file across rotation

mod follow;
mod framer;
mod prefetch;
mod source;

use std::fmt;

use serde::Serialize;

pub use follow::{FollowOptions, Follower};
pub(crate) use framer::{Frame, Framer};
pub use source::{AuditSource, rotated_files};

use crate::error::AuditError;
use crate::scan::{RawRecord, scan_bytes};

/// Where a record sits: the index of its file in [`ScanSummary::files`] and its 1-based line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    /// Index of the file in [`ScanSummary::files`].
    pub file: u32,
    /// 1-based line number in that file.
    pub line: u64,
}

/// A callback told how far a scan got: `(bytes read so far in this input, input size if known)`.
pub type Progress = Box<dyn FnMut(u64, Option<u64>) + Send>;

/// How to scan. `ScanOptions::default()` suits almost everyone.
pub struct ScanOptions {
    /// Longest record accepted; longer lines are skipped and reported (default 64 MiB).
    pub max_record_bytes: usize,
    /// How many malformed lines to keep with their reason (all are counted; default 20).
    pub keep_malformed: usize,
    /// Read and decompress on a second thread (default true).
    pub prefetch: bool,
    /// Called about every 16 MiB.
    pub progress: Option<Progress>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            max_record_bytes: 64 << 20,
            keep_malformed: 20,
            prefetch: true,
            progress: None,
        }
    }
}

impl fmt::Debug for ScanOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScanOptions")
            .field("max_record_bytes", &self.max_record_bytes)
            .field("keep_malformed", &self.keep_malformed)
            .field("prefetch", &self.prefetch)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

/// One line that could not be read as an audit entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MalformedLine {
    /// Name of the input (path, or `-` for stdin).
    pub file: String,
    /// 1-based line number.
    pub line: u64,
    /// Why the line was rejected.
    pub reason: String,
}

/// All malformed lines counted; the first few kept with reasons.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Malformed {
    /// Malformed lines seen, all of them.
    pub count: u64,
    /// The first ones with their reason (up to `keep_malformed`).
    pub first: Vec<MalformedLine>,
}

impl Malformed {
    pub(crate) fn push(&mut self, keep: usize, file: &str, line: u64, reason: String) {
        self.count += 1;
        if self.first.len() < keep {
            self.first.push(MalformedLine {
                file: file.to_string(),
                line,
                reason,
            });
        }
    }
}

/// What a scan read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ScanSummary {
    /// Names of the inputs, in reading order (indexes of [`Location::file`]).
    pub files: Vec<String>,
    /// Physical lines read.
    pub lines: u64,
    /// Records that parsed as audit entries.
    pub records: u64,
    /// Bytes read (after decompression).
    pub bytes: u64,
    /// Blank lines (skipped, not malformed).
    pub blank_lines: u64,
    /// Lines that could not be read as audit entries.
    pub malformed: Malformed,
}

impl ScanSummary {
    /// Count one framed record of input `name` at `line`: a blank line, a line that is not an
    /// audit entry (malformed; the first `keep` are kept), or a record, which is returned.
    pub(crate) fn count_record<'b>(
        &mut self,
        keep: usize,
        name: &str,
        line: u64,
        bytes: &'b [u8],
    ) -> Option<RawRecord<'b>> {
        if bytes.trim_ascii().is_empty() {
            self.blank_lines += 1;
            return None;
        }
        match scan_bytes(bytes) {
            Ok(rec) => {
                self.records += 1;
                Some(rec)
            }
            Err(e) => {
                self.malformed.push(keep, name, line, e.to_string());
                None
            }
        }
    }

    /// Count a line of `len` bytes, longer than `limit`, as malformed.
    pub(crate) fn count_too_long(
        &mut self,
        keep: usize,
        name: &str,
        line: u64,
        len: u64,
        limit: usize,
    ) {
        let reason = format!("line of {len} bytes is longer than the {limit} byte limit");
        self.malformed.push(keep, name, line, reason);
    }
}

impl AuditSource {
    /// Reads every record of every input in order and calls `f(location, raw bytes, record)`.
    /// Malformed lines are counted in the summary and never stop the run; an input that fails
    /// mid-way (I/O or gzip error) is reported there too and the next input is read.
    pub fn scan<F>(&self, opts: &mut ScanOptions, mut f: F) -> Result<ScanSummary, AuditError>
    where
        F: FnMut(Location, &[u8], &RawRecord<'_>),
    {
        let mut sum = ScanSummary::default();
        for (idx, input) in self.inputs()?.into_iter().enumerate() {
            let file = u32::try_from(idx).unwrap_or(u32::MAX);
            sum.files.push(input.name.clone());
            let reader: Box<dyn std::io::Read + Send> = if opts.prefetch {
                Box::new(prefetch::Prefetch::new(input.reader))
            } else {
                input.reader
            };
            let mut framer = Framer::new(reader, opts.max_record_bytes);
            let mut next_progress = 16u64 << 20;
            loop {
                let frame = match framer.next_frame() {
                    Ok(Some(frame)) => frame,
                    Ok(None) => break,
                    Err(e) => {
                        let line = framer.next_line();
                        sum.malformed.push(
                            opts.keep_malformed,
                            &input.name,
                            line,
                            format!("read error, rest of input skipped: {e}"),
                        );
                        break;
                    }
                };
                let keep = opts.keep_malformed;
                match frame {
                    Frame::TooLong { line, len } => {
                        sum.count_too_long(keep, &input.name, line, len, opts.max_record_bytes)
                    }
                    Frame::Record { line, bytes } => {
                        if let Some(rec) = sum.count_record(keep, &input.name, line, bytes) {
                            f(Location { file, line }, bytes, &rec);
                        }
                    }
                }
                if let Some(p) = opts.progress.as_mut()
                    && framer.bytes_read() >= next_progress
                {
                    p(framer.bytes_read(), input.size);
                    next_progress = framer.bytes_read() + (16 << 20);
                }
            }
            if let Some(p) = opts.progress.as_mut() {
                p(framer.bytes_read(), input.size);
            }
            sum.lines += framer.next_line() - 1;
            sum.bytes += framer.bytes_read();
        }
        Ok(sum)
    }
}
