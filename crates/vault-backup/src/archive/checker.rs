//! [`ArchiveChecker`]: [`check_archive`] on its own thread, fed chunk by chunk.
//!
//! A pipeline writes every plain chunk to it as the bytes pass; the checker walks the gzip and
//! tar as they arrive (a bounded channel of a few chunks: memory stays bounded whatever the
//! size) and [`ArchiveChecker::finish`] returns its verdict once the input ended.

use std::io::{self, Read};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use bytes::Bytes;

use super::check::{ArchiveKind, ArchiveReport, check_archive};
use crate::BackupError;

/// Chunks in flight between the pipeline and the checker thread.
const IN_FLIGHT: usize = 4;

/// A secret record of a logical export, handed on while the check runs.
pub(crate) type Member = (String, Vec<u8>);

/// A check running on its own thread.
pub(crate) struct ArchiveChecker {
    tx: Option<SyncSender<Bytes>>,
    handle: Option<JoinHandle<Result<ArchiveReport, BackupError>>>,
}

/// The checker thread's input: chunks from the channel.
struct ChunkReader {
    rx: Receiver<Bytes>,
    current: Bytes,
}

impl Read for ChunkReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.current.is_empty() {
            match self.rx.recv() {
                Ok(chunk) => self.current = chunk,
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current.split_to(n));
        Ok(n)
    }
}

impl ArchiveChecker {
    /// Start checking an archive of `kind`; `members` receives each secret record of a
    /// logical export (the sender blocks while the receiver is full).
    pub(crate) fn spawn(
        kind: ArchiveKind,
        members: Option<tokio::sync::mpsc::Sender<Member>>,
    ) -> Result<ArchiveChecker, BackupError> {
        let (tx, rx) = sync_channel::<Bytes>(IN_FLIGHT);
        let handle = std::thread::Builder::new()
            .name("vault-backup-check".into())
            .spawn(move || {
                let reader = ChunkReader {
                    rx,
                    current: Bytes::new(),
                };
                match members {
                    Some(members) => {
                        let mut sink = |name: &str, bytes: Vec<u8>| {
                            members
                                .blocking_send((name.to_string(), bytes))
                                .map_err(|_| {
                                    BackupError::new(
                                        crate::BackupErrorKind::Io,
                                        "restore stopped reading the snapshot's records",
                                    )
                                })
                        };
                        check_archive(kind, reader, Some(&mut sink))
                    }
                    None => check_archive(kind, reader, None),
                }
            })
            .map_err(|e| BackupError::io("start the archive check thread", e))?;
        Ok(ArchiveChecker {
            tx: Some(tx),
            handle: Some(handle),
        })
    }

    /// Hand the next chunk to the check. An error means the check already failed (its
    /// verdict).
    pub(crate) fn write(&mut self, chunk: &[u8]) -> Result<(), BackupError> {
        let sent = match &self.tx {
            Some(tx) => tx.send(Bytes::copy_from_slice(chunk)).is_ok(),
            None => false,
        };
        if sent {
            return Ok(());
        }
        match self.verdict() {
            Err(e) => Err(e),
            Ok(_) => Err(BackupError::integrity(
                "the archive ended before the snapshot did (data after the end of the archive)",
            )),
        }
    }

    /// The input is over: the check's verdict.
    pub(crate) fn finish(mut self) -> Result<ArchiveReport, BackupError> {
        self.verdict()
    }

    fn verdict(&mut self) -> Result<ArchiveReport, BackupError> {
        self.tx = None;
        match self.handle.take() {
            Some(handle) => handle.join().unwrap_or_else(|_| {
                Err(BackupError::integrity(
                    "the archive check stopped unexpectedly",
                ))
            }),
            None => Err(BackupError::integrity("the archive check already ended")),
        }
    }
}

impl Drop for ArchiveChecker {
    fn drop(&mut self) {
        // Closing the channel ends the thread; it is not joined here (it may be blocked on a
        // member receiver that is being dropped too).
        self.tx = None;
    }
}
