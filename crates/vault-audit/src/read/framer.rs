//! Splits a byte stream into records: one per line (NDJSON, found with `memchr`), or one
//! pretty-printed object spread over many lines (a line that is just `{` up to the matching `}`).
//!
//! Architecture Invariant: memory stays bounded by the buffer plus the longest record accepted
//! (`max_record_bytes`); a longer line is skipped without being stored, and reported.

use std::io::{self, Read};

use crate::scan::{ScanError, scan_bytes};

/// What the framer produced: a record to scan, or a line it had to give up on.
#[derive(Debug)]
pub enum Frame<'a> {
    /// A candidate record starting at 1-based `line`.
    Record { line: u64, bytes: &'a [u8] },
    /// A line longer than the limit; skipped.
    TooLong { line: u64, len: u64 },
}

/// Reads records from any `Read`, with its own large buffer.
#[derive(Debug)]
pub struct Framer<R> {
    inner: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    next_line: u64,
    bytes_read: u64,
    max_record: usize,
    pretty: Vec<u8>,
    wait_for_newline: bool,
}

const CHUNK: usize = 1 << 20;

impl<R: Read> Framer<R> {
    pub fn new(inner: R, max_record: usize) -> Self {
        Framer {
            inner,
            buf: vec![0; CHUNK],
            start: 0,
            end: 0,
            eof: false,
            next_line: 1,
            bytes_read: 0,
            max_record: max_record.max(1024),
            pretty: Vec::new(),
            wait_for_newline: false,
        }
    }

    /// Bytes consumed from the underlying reader so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// 1-based number of the next line to be read.
    pub fn next_line(&self) -> u64 {
        self.next_line
    }

    /// The underlying reader (for `follow`, which re-opens files).
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.inner
    }

    /// In follow mode a last line without a newline is held back (the writer may be mid-line)
    /// until its newline arrives or this is switched off again.
    pub fn set_wait_for_newline(&mut self, wait: bool) {
        self.wait_for_newline = wait;
    }

    /// Clears the end-of-file flag so a growing file can be read further.
    pub fn clear_eof(&mut self) {
        self.eof = false;
    }

    fn fill(&mut self) -> io::Result<usize> {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            let grow = self.buf.len().min(self.max_record + 1);
            self.buf.resize(self.buf.len() + grow, 0);
        }
        loop {
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(0);
                }
                Ok(n) => {
                    self.end += n;
                    self.bytes_read += n as u64;
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Next physical line without its `\n` (and `\r`), or `None` at end of input.
    /// A final line without a newline is returned too.
    fn line(&mut self) -> io::Result<Option<(u64, LineSpan)>> {
        let mut scanned = self.start;
        loop {
            if let Some(off) = memchr::memchr(b'\n', &self.buf[scanned..self.end]) {
                let nl = scanned + off;
                if nl - self.start > self.max_record {
                    let line = self.next_line;
                    self.next_line += 1;
                    let len = (nl - self.start) as u64;
                    self.start = nl + 1;
                    return Ok(Some((line, LineSpan::TooLong(len))));
                }
                let line = self.next_line;
                self.next_line += 1;
                let span = LineSpan::Kept(self.start, trim_cr(&self.buf, self.start, nl));
                self.start = nl + 1;
                return Ok(Some((line, span)));
            }
            if self.end - self.start > self.max_record {
                return self.skip_long_line().map(Some);
            }
            if self.eof {
                if self.start == self.end || self.wait_for_newline {
                    return Ok(None);
                }
                let line = self.next_line;
                self.next_line += 1;
                let span = LineSpan::Kept(self.start, trim_cr(&self.buf, self.start, self.end));
                self.start = self.end;
                return Ok(Some((line, span)));
            }
            let before = self.end - self.start;
            self.fill()?;
            scanned = self.start + before;
        }
    }

    fn skip_long_line(&mut self) -> io::Result<(u64, LineSpan)> {
        let line = self.next_line;
        self.next_line += 1;
        let mut len = (self.end - self.start) as u64;
        self.start = self.end;
        loop {
            if self.fill()? == 0 {
                return Ok((line, LineSpan::TooLong(len)));
            }
            if let Some(off) = memchr::memchr(b'\n', &self.buf[self.start..self.end]) {
                len += off as u64;
                self.start += off + 1;
                return Ok((line, LineSpan::TooLong(len)));
            }
            len += (self.end - self.start) as u64;
            self.start = self.end;
        }
    }

    /// The next frame, or `None` at the end of the input.
    pub fn next_frame(&mut self) -> io::Result<Option<Frame<'_>>> {
        let Some((line, span)) = self.line()? else {
            return Ok(None);
        };
        let (s, e) = match span {
            LineSpan::TooLong(len) => return Ok(Some(Frame::TooLong { line, len })),
            LineSpan::Kept(s, e) => (s, e),
        };
        if self.buf[s..e].trim_ascii() != b"{" {
            return Ok(Some(Frame::Record {
                line,
                bytes: &self.buf[s..e],
            }));
        }
        // A pretty-printed object: gather lines until it closes.
        let mut pretty = std::mem::take(&mut self.pretty);
        pretty.clear();
        pretty.extend_from_slice(&self.buf[s..e]);
        while let Some((_, LineSpan::Kept(s, e))) = self.line()? {
            let l = &self.buf[s..e];
            pretty.push(b'\n');
            pretty.extend_from_slice(l);
            if pretty.len() > self.max_record {
                break;
            }
            if l.first() == Some(&b'}')
                || (l.trim_ascii_start().first() == Some(&b'}') && closes(&pretty))
            {
                break;
            }
        }
        self.pretty = pretty;
        Ok(Some(Frame::Record {
            line,
            bytes: &self.pretty,
        }))
    }
}

/// True when `text` already forms a complete object (used to end an indented pretty record).
fn closes(text: &[u8]) -> bool {
    // An error at the very end means "more to come"; anywhere else the object is done (or broken).
    !matches!(scan_bytes(text), Err(ScanError { offset, .. }) if offset >= text.trim_ascii_end().len())
}

enum LineSpan {
    Kept(usize, usize),
    TooLong(u64),
}

fn trim_cr(buf: &[u8], s: usize, e: usize) -> usize {
    if e > s && buf[e - 1] == b'\r' {
        e - 1
    } else {
        e
    }
}
