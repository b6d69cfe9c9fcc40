//! Bounded bridges between async streams and blocking `Read`/`Write`.

use std::io::{self, Read, Write};
use std::sync::{Arc, Mutex};

use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use tokio::sync::mpsc;
use vault_core::ByteStream;

use crate::archive::Digest;

/// Chunks in flight on each channel.
const IN_FLIGHT: usize = 8;
/// Size of the chunks a [`ChannelSink`] sends.
const CHUNK: usize = 64 * 1024;

type Item = Result<Bytes, io::Error>;

/// An async [`ByteStream`] read as a blocking [`Read`] (call from a blocking thread only).
/// Counts and hashes the bytes it hands out.
pub(crate) struct ChannelReader {
    rx: mpsc::Receiver<Item>,
    current: Bytes,
    digest: Arc<Mutex<Digest>>,
}

impl ChannelReader {
    /// Start forwarding `stream` (on a tokio task) into a bounded channel.
    pub(crate) fn spawn(mut stream: ByteStream) -> ChannelReader {
        let (tx, rx) = mpsc::channel::<Item>(IN_FLIGHT);
        tokio::spawn(async move {
            while let Some(item) = stream.next().await {
                let failed = item.is_err();
                if tx.send(item).await.is_err() || failed {
                    break;
                }
            }
        });
        ChannelReader {
            rx,
            current: Bytes::new(),
            digest: Arc::default(),
        }
    }

    /// The running digest of the bytes read so far (shared: read it after the loop).
    pub(crate) fn digest(&self) -> Arc<Mutex<Digest>> {
        Arc::clone(&self.digest)
    }
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.current.is_empty() {
            match self.rx.blocking_recv() {
                Some(Ok(chunk)) => self.current = chunk,
                Some(Err(e)) => return Err(e),
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        let chunk = self.current.split_to(n);
        buf[..n].copy_from_slice(&chunk);
        if let Ok(mut d) = self.digest.lock() {
            d.update(&chunk);
        }
        Ok(n)
    }
}

/// A blocking [`Write`] whose bytes come out of [`sink_stream`]'s stream, in 64 KiB chunks.
/// Counts and hashes what it sends. Nothing is sent on drop: call `flush` at the end. Clones
/// share one buffer (a stage that hands the sink to a writer keeps a handle to flush it).
#[derive(Clone)]
pub(crate) struct ChannelSink {
    inner: Arc<Mutex<SinkState>>,
    digest: Arc<Mutex<Digest>>,
}

struct SinkState {
    tx: mpsc::Sender<Item>,
    buf: BytesMut,
}

/// Ends a sink's stream with an error (kept apart from the sink, which a stage may own).
#[derive(Clone)]
pub(crate) struct ErrorSender(mpsc::Sender<Item>);

impl ErrorSender {
    /// Make the stream yield `e` (the consumer then fails and keeps nothing).
    pub(crate) fn fail(&self, e: io::Error) {
        let _ = self.0.blocking_send(Err(e));
    }
}

/// A sink, the sender that fails it, and the stream that yields what is written to it.
pub(crate) fn sink_stream() -> (ChannelSink, ErrorSender, ByteStream) {
    let (tx, rx) = mpsc::channel::<Item>(IN_FLIGHT);
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    let errors = ErrorSender(tx.clone());
    let sink = ChannelSink {
        inner: Arc::new(Mutex::new(SinkState {
            tx,
            buf: BytesMut::new(),
        })),
        digest: Arc::default(),
    };
    (sink, errors, Box::pin(stream))
}

impl ChannelSink {
    /// The running digest of the bytes sent (shared: read it after the loop).
    pub(crate) fn digest(&self) -> Arc<Mutex<Digest>> {
        Arc::clone(&self.digest)
    }

    fn with_state<T>(&self, f: impl FnOnce(&mut SinkState) -> io::Result<T>) -> io::Result<T> {
        let mut state = self
            .inner
            .lock()
            .map_err(|_| io::Error::other("the snapshot sink was poisoned"))?;
        f(&mut state)
    }

    fn send_buffered(&self, state: &mut SinkState) -> io::Result<()> {
        if state.buf.is_empty() {
            return Ok(());
        }
        let chunk = state.buf.split().freeze();
        if let Ok(mut d) = self.digest.lock() {
            d.update(&chunk);
        }
        state.tx.blocking_send(Ok(chunk)).map_err(|_| {
            io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the destination stopped reading the snapshot",
            )
        })
    }
}

impl Write for ChannelSink {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.with_state(|state| {
            state.buf.extend_from_slice(data);
            if state.buf.len() >= CHUNK {
                self.send_buffered(state)?;
            }
            Ok(data.len())
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        self.with_state(|state| self.send_buffered(state))
    }
}
