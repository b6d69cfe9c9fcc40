//! [`Follower`]: `tail -F` for audit logs. Reads a growing file and keeps going when it is
//! rotated (a new inode appears at the path) or truncated (the file shrinks).

use std::fs::File;
use std::io::{Seek, SeekFrom};
use std::ops::ControlFlow;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::{Frame, Framer, Location, ScanSummary};
use crate::error::AuditError;
use crate::scan::RawRecord;

/// How to follow a file.
#[derive(Debug, Clone)]
pub struct FollowOptions {
    /// How often to look for new data when idle (default 250 ms).
    pub poll_interval: Duration,
    /// Start at the beginning of the file instead of its end (default false, like `tail -f`).
    pub from_start: bool,
    /// Set to true (from another thread, a signal handler…) to stop at the next poll.
    pub stop: Arc<AtomicBool>,
    /// See [`ScanOptions`](super::ScanOptions).
    pub max_record_bytes: usize,
    /// See [`ScanOptions`](super::ScanOptions) (default 20).
    pub keep_malformed: usize,
}

impl Default for FollowOptions {
    fn default() -> Self {
        FollowOptions {
            poll_interval: Duration::from_millis(250),
            from_start: false,
            stop: Arc::new(AtomicBool::new(false)),
            max_record_bytes: 64 << 20,
            keep_malformed: 20,
        }
    }
}

/// Follows one path. Each time the file is replaced or truncated, a new entry is added to
/// [`ScanSummary::files`] and line numbers restart at 1.
#[derive(Debug)]
pub struct Follower {
    path: PathBuf,
    opts: FollowOptions,
}

fn identity(path: &Path) -> Option<(u64, u64, u64)> {
    std::fs::metadata(path)
        .ok()
        .map(|m| (m.dev(), m.ino(), m.len()))
}

impl Follower {
    /// A follower of `path`; nothing is opened until it runs.
    pub fn new(path: impl AsRef<Path>, opts: FollowOptions) -> Self {
        Follower {
            path: path.as_ref().to_path_buf(),
            opts,
        }
    }

    /// Calls `f` for every new record until `f` returns `Break` or `stop` is set.
    pub fn run<F>(&mut self, mut f: F) -> Result<ScanSummary, AuditError>
    where
        F: FnMut(Location, &[u8], &RawRecord<'_>) -> ControlFlow<()>,
    {
        let mut sum = ScanSummary::default();
        let mut file = File::open(&self.path).map_err(|e| AuditError::io("open", &self.path, e))?;
        let mut start_at = 0;
        // Lines are the file's physical lines (1-based), as when the whole file is read: a
        // follower that starts at the end counts the lines it skips.
        let mut first_line = 1;
        if !self.opts.from_start {
            start_at = file
                .seek(SeekFrom::End(0))
                .map_err(|e| AuditError::io("seek", &self.path, e))?;
            first_line = lines_before(&self.path, start_at)? + 1;
        }
        let name = self.path.display().to_string();
        loop {
            let meta = file
                .metadata()
                .map_err(|e| AuditError::io("stat", &self.path, e))?;
            let (dev, ino) = (meta.dev(), meta.ino());
            let idx = u32::try_from(sum.files.len()).unwrap_or(u32::MAX);
            sum.files.push(name.clone());
            let mut framer = Framer::new(file, self.opts.max_record_bytes);
            framer.start_at_line(first_line);
            framer.set_wait_for_newline(true);
            let mut read_so_far: u64;
            let next = loop {
                if self
                    .drain(&mut framer, idx, &name, &mut sum, &mut f)
                    .is_break()
                {
                    return Ok(finish(sum, &framer, first_line));
                }
                if self.opts.stop.load(Ordering::Relaxed) {
                    return Ok(finish(sum, &framer, first_line));
                }
                read_so_far = start_at + framer.bytes_read();
                match identity(&self.path) {
                    // Rotated: finish the old file (including an unterminated last line).
                    Some((d, i, _)) if (d, i) != (dev, ino) => {
                        framer.set_wait_for_newline(false);
                        framer.clear_eof();
                        let _ = self.drain(&mut framer, idx, &name, &mut sum, &mut f);
                        if let Ok(new) = File::open(&self.path) {
                            break new;
                        }
                    }
                    // Truncated in place: start again from the top.
                    Some((_, _, len)) if len < read_so_far => {
                        let mut f2 = File::open(&self.path)
                            .map_err(|e| AuditError::io("open", &self.path, e))?;
                        f2.seek(SeekFrom::Start(0))
                            .map_err(|e| AuditError::io("seek", &self.path, e))?;
                        break f2;
                    }
                    _ => {}
                }
                std::thread::sleep(self.opts.poll_interval);
                framer.clear_eof();
            };
            sum.lines += framer.next_line() - first_line;
            sum.bytes += read_so_far - start_at;
            file = next;
            start_at = 0;
            first_line = 1;
        }
    }

    fn drain<R: std::io::Read, F>(
        &self,
        framer: &mut Framer<R>,
        idx: u32,
        name: &str,
        sum: &mut ScanSummary,
        f: &mut F,
    ) -> ControlFlow<()>
    where
        F: FnMut(Location, &[u8], &RawRecord<'_>) -> ControlFlow<()>,
    {
        let keep = self.opts.keep_malformed;
        let limit = self.opts.max_record_bytes;
        loop {
            match framer.next_frame() {
                Ok(None) => return ControlFlow::Continue(()),
                Err(e) => {
                    sum.malformed
                        .push(keep, name, framer.next_line(), format!("read error: {e}"));
                    return ControlFlow::Continue(());
                }
                Ok(Some(Frame::TooLong { line, len })) => {
                    sum.count_too_long(keep, name, line, len, limit);
                }
                Ok(Some(Frame::Record { line, bytes })) => {
                    if let Some(rec) = sum.count_record(keep, name, line, bytes) {
                        f(Location { file: idx, line }, bytes, &rec)?;
                    }
                }
            }
        }
    }
}

/// The summary once the follower stops: the lines read since `first_line` (not those skipped).
fn finish<R: std::io::Read>(
    mut sum: ScanSummary,
    framer: &Framer<R>,
    first_line: u64,
) -> ScanSummary {
    sum.lines += framer.next_line() - first_line;
    sum.bytes += framer.bytes_read();
    sum
}

/// The number of line breaks in the first `len` bytes of `path` (the lines a follower that
/// starts at offset `len` skips).
fn lines_before(path: &Path, len: u64) -> Result<u64, AuditError> {
    use std::io::Read;
    let file = File::open(path).map_err(|e| AuditError::io("open", path, e))?;
    let mut reader = file.take(len);
    let mut buf = vec![0u8; 1 << 16];
    let mut lines = 0u64;
    loop {
        let n = reader
            .read(&mut buf)
            .map_err(|e| AuditError::io("read", path, e))?;
        if n == 0 {
            return Ok(lines);
        }
        lines += memchr::memchr_iter(b'\n', &buf[..n]).count() as u64;
    }
}
