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
