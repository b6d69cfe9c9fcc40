//! A `Read` adapter that reads (and decompresses) on a second thread, so the parsing thread
//! never waits for the disk or for inflate. Buffers are recycled: memory is
//! `DEPTH × CHUNK` whatever the input size.

use std::io::{self, Read};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

const CHUNK: usize = 4 << 20;
const DEPTH: usize = 3;

/// Reads `inner` on a background thread in 4 MiB chunks.
#[derive(Debug)]
pub(super) struct Prefetch {
    rx: Receiver<io::Result<Vec<u8>>>,
    recycle: SyncSender<Vec<u8>>,
    cur: Vec<u8>,
    pos: usize,
    done: bool,
    handle: Option<JoinHandle<()>>,
}

impl Prefetch {
    pub(super) fn new<R: Read + Send + 'static>(mut inner: R) -> Self {
        let (tx, rx) = sync_channel::<io::Result<Vec<u8>>>(DEPTH);
        let (recycle, back) = sync_channel::<Vec<u8>>(DEPTH + 2);
        let handle = std::thread::Builder::new()
            .name("vault-audit-read".into())
            .spawn(move || {
                loop {
                    let mut buf = back.try_recv().unwrap_or_default();
                    buf.resize(CHUNK, 0);
                    let mut filled = 0;
                    let result = loop {
                        match inner.read(&mut buf[filled..]) {
                            Ok(0) => break Ok(()),
                            Ok(n) => {
                                filled += n;
                                if filled == buf.len() {
                                    break Ok(());
                                }
                            }
                            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                            Err(e) => break Err(e),
                        }
                    };
                    buf.truncate(filled);
                    let last = filled == 0 || result.is_err();
                    let msg = match result {
                        Ok(()) => Ok(buf),
                        Err(e) => Err(e),
                    };
                    if tx.send(msg).is_err() || last {
                        return;
                    }
                }
            })
            .ok();
        Prefetch {
            rx,
            recycle,
            cur: Vec::new(),
            pos: 0,
            done: handle.is_none(),
            handle,
        }
    }
}

impl Read for Prefetch {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos >= self.cur.len() {
            if self.done {
                return Ok(0);
            }
            match self.rx.recv() {
                Ok(Ok(buf)) if buf.is_empty() => self.done = true,
                Ok(Ok(buf)) => {
                    let old = std::mem::replace(&mut self.cur, buf);
                    let _ = self.recycle.try_send(old);
                    self.pos = 0;
                }
                Ok(Err(e)) => {
                    self.done = true;
                    return Err(e);
                }
                Err(_) => self.done = true,
            }
        }
        let n = out.len().min(self.cur.len() - self.pos);
        out[..n].copy_from_slice(&self.cur[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

impl Drop for Prefetch {
    fn drop(&mut self) {
        // Unblock the reader thread by dropping our receiver first, then wait for it.
        let (_tx, rx) = sync_channel(1);
        drop(std::mem::replace(&mut self.rx, rx));
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returns_every_byte_in_order() {
        let data: Vec<u8> = (0..10_000_000u32).map(|i| (i % 251) as u8).collect();
        let mut out = Vec::new();
        Prefetch::new(io::Cursor::new(data.clone()))
            .read_to_end(&mut out)
            .expect("reads");
        assert_eq!(out, data);
    }
}
