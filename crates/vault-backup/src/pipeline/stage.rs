//! [`Stage`]: what turns plain snapshot bytes into stored bytes (OpenPGP encryption, or
//! nothing), behind one seam.

use std::io::{self, Write};

use super::ChannelSink;
use crate::BackupError;

/// A writer between the plain bytes and the store; `finish` writes what it still holds.
pub(crate) trait Stage: Write + Send {
    /// Write the trailing bytes (e.g. the OpenPGP packet ends) and flush.
    fn finish(self: Box<Self>) -> io::Result<()>;
}

/// Builds the stage in front of a sink.
pub(crate) type StageFactory =
    Box<dyn FnOnce(ChannelSink) -> Result<Box<dyn Stage>, BackupError> + Send>;

/// The stage of unencrypted snapshots: bytes pass unchanged.
pub(crate) struct PlainStage(pub(crate) ChannelSink);

impl Write for PlainStage {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.0.write(data)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl Stage for PlainStage {
    fn finish(mut self: Box<Self>) -> io::Result<()> {
        self.0.flush()
    }
}

impl PlainStage {
    /// The factory of the pass-through stage.
    pub(crate) fn factory() -> StageFactory {
        Box::new(|sink| Ok(Box::new(PlainStage(sink)) as Box<dyn Stage>))
    }
}

/// The OpenPGP stage: plain bytes in, an encrypted message out. Keeps a handle on the sink
/// to flush what the writer left in its buffer once the message is complete.
pub(crate) struct EncryptStage {
    writer: crate::pgp::EncryptWriter,
    sink: ChannelSink,
}

impl Write for EncryptStage {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.writer.write(data)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

impl Stage for EncryptStage {
    fn finish(self: Box<Self>) -> io::Result<()> {
        let EncryptStage { writer, mut sink } = *self;
        writer.finish().map_err(io::Error::other)?;
        sink.flush()
    }
}

impl EncryptStage {
    /// The factory of a stage encrypting to `recipients`.
    pub(crate) fn factory(recipients: crate::pgp::Recipients) -> StageFactory {
        Box::new(move |sink: ChannelSink| {
            let handle = sink.clone();
            let writer = crate::pgp::encrypt_to(&recipients, sink)?;
            Ok(Box::new(EncryptStage {
                writer,
                sink: handle,
            }) as Box<dyn Stage>)
        })
    }
}
