//! Splits a byte stream into records: one per line (NDJSON, found with `memchr`), or one
//! pretty-printed object spread over many lines (a line that is just `{` up to the matching `}`).
//!
//! Architecture Invariant: memory stays bounded by the buffer plus the longest record accepted
//! (`max_record_bytes`); a longer line is skipped without being stored, and reported.
//!
//! Architecture Invariant: framing is linear in the input. A pretty record's end is found by
//! [`BraceDepth`], which sees each byte once (it used to re-scan the record from its start on each
//! indented `}` line: quadratic, minutes for a crafted 4 MiB record).

use std::io::{self, Read};

/// What the framer produced: a record to scan, or a line it had to give up on.
#[derive(Debug)]
pub(crate) enum Frame<'a> {
    /// A candidate record starting at 1-based `line`.
    Record {
        /// 1-based line of the record's first byte.
        line: u64,
        /// The record's bytes: one line, or every line of a pretty-printed object.
        bytes: &'a [u8],
    },
    /// A line longer than the limit; skipped.
    TooLong {
        /// 1-based line number.
        line: u64,
        /// Length of the line in bytes.
        len: u64,
    },
}

/// Reads records from any `Read`, with its own large buffer.
#[derive(Debug)]
pub(crate) struct Framer<R> {
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
    /// A framer over `inner` that skips records longer than `max_record` bytes.
    pub(crate) fn new(inner: R, max_record: usize) -> Self {
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
    pub(crate) fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// 1-based number of the next line to be read.
    pub(crate) fn next_line(&self) -> u64 {
        self.next_line
    }

    /// Number lines from `line` on: the reader starts after `line - 1` lines of its file (a
    /// follower that began at the end), so locations stay the file's physical line numbers.
    pub(crate) fn start_at_line(&mut self, line: u64) {
        self.next_line = line.max(1);
    }

    /// In follow mode a last line without a newline is held back (the writer may be mid-line)
    /// until its newline arrives or this is switched off again.
    pub(crate) fn set_wait_for_newline(&mut self, wait: bool) {
        self.wait_for_newline = wait;
    }

    /// Clears the end-of-file flag so a growing file can be read further.
    pub(crate) fn clear_eof(&mut self) {
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
    pub(crate) fn next_frame(&mut self) -> io::Result<Option<Frame<'_>>> {
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
        let mut depth = BraceDepth::default();
        depth.feed_line(&pretty);
        while let Some((_, LineSpan::Kept(s, e))) = self.line()? {
            let l = &self.buf[s..e];
            pretty.push(b'\n');
            pretty.extend_from_slice(l);
            depth.feed_line(l);
            if pretty.len() > self.max_record {
                break;
            }
            if l.first() == Some(&b'}')
                || (l.trim_ascii_start().first() == Some(&b'}') && depth.closed())
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

/// Brace depth of a pretty-printed record, fed one line at a time: braces inside strings (with
/// escaped quotes) do not count. Each byte is looked at once, so finding a record's end is linear.
#[derive(Debug, Default)]
struct BraceDepth {
    depth: usize,
    in_string: bool,
    escaped: bool,
    /// More closing than opening braces, or a string left open at the end of a line (JSON
    /// strings cannot hold a raw newline): the record is broken, so it ends here.
    broken: bool,
}

impl BraceDepth {
    fn feed_line(&mut self, line: &[u8]) {
        let mut i = 0;
        while i < line.len() {
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                    i += 1;
                    continue;
                }
                match memchr::memchr2(b'"', b'\\', &line[i..]) {
                    Some(off) => {
                        if line[i + off] == b'"' {
                            self.in_string = false;
                        } else {
                            self.escaped = true;
                        }
                        i += off + 1;
                    }
                    None => break,
                }
            } else {
                match memchr::memchr3(b'"', b'{', b'}', &line[i..]) {
                    Some(off) => {
                        match line[i + off] {
                            b'"' => self.in_string = true,
                            b'{' => self.depth += 1,
                            _ => match self.depth.checked_sub(1) {
                                Some(d) => self.depth = d,
                                None => self.broken = true,
                            },
                        }
                        i += off + 1;
                    }
                    None => break,
                }
            }
        }
        if self.in_string {
            self.broken = true;
            self.in_string = false;
            self.escaped = false;
        }
    }

    /// The record opened by the first line is complete (or broken beyond repair).
    fn closed(&self) -> bool {
        self.depth == 0 || self.broken
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &str) -> Vec<(u64, String)> {
        let mut f = Framer::new(input.as_bytes(), 1 << 20);
        let mut out = Vec::new();
        while let Some(frame) = f.next_frame().expect("read") {
            if let Frame::Record { line, bytes } = frame {
                out.push((line, String::from_utf8_lossy(bytes).into_owned()));
            }
        }
        out
    }

    #[test]
    fn indented_pretty_record_ends_at_its_matching_brace() {
        let rec = "{\n  \"a\": {\n    \"b\": 1\n  },\n  \"c\": 2\n  }\n{\"next\":true}\n";
        let got = frames(rec);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got[0].1.ends_with("\"c\": 2\n  }"), "{got:?}");
        assert_eq!(got[1], (7, "{\"next\":true}".to_string()));
    }

    #[test]
    fn braces_and_escaped_quotes_inside_strings_do_not_count() {
        let rec = concat!(
            "{\n",
            "  \"path\": \"a}\\\"}}{\",\n",
            "  \"q\": \"\\\\\",\n",
            "  \"r\": \"{\"\n",
            "  }\n",
            "{\"after\":1}\n",
        );
        let got = frames(rec);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got[0].1.ends_with("\"r\": \"{\"\n  }"), "{got:?}");
        assert_eq!(got[1].1, "{\"after\":1}");
    }

    #[test]
    fn depth_tracker_counts_incrementally() {
        let mut d = BraceDepth::default();
        d.feed_line(b"{");
        d.feed_line(br#"  "x": "\\\"{", "y": {"#);
        assert!(!d.closed());
        d.feed_line(b"  }");
        assert!(!d.closed());
        d.feed_line(b"  }");
        assert!(d.closed());
        let mut broken = BraceDepth::default();
        broken.feed_line(b"{");
        broken.feed_line(br#"  "open string"#);
        assert!(broken.closed(), "a string cannot span lines");
    }
}
