//! The streaming engine every snapshot goes through.
//!
//! ```text
//! source ByteStream ─▶ [bounded channel] ─▶ blocking thread: sha256(plain) ─▶ archive check
//!                                                          └─▶ stage (encryption or none)
//!                                                              ─▶ sha256(stored) ─▶ [bounded channel] ─▶ sink ByteStream
//! ```
//!
//! - [`channel`]: [`ChannelReader`] (an async stream read as blocking `Read`) and
//!   [`ChannelSink`] (a blocking `Write` read as an async stream), both over bounded channels.
//! - [`stage`]: the [`Stage`] seam between plain and stored bytes (OpenPGP or pass-through).
//! - [`run`]: the blocking loop that ties them together.
//!
//! Architecture Invariant: memory is bounded whatever the snapshot size (a few 64 KiB chunks
//! per channel), and a failure anywhere ends the sink stream with an error: the store's `put`
//! then fails and keeps nothing, and the archive check's verdict comes before the sink stream's
//! end, so an unsound snapshot never completes an upload.

mod channel;
mod run;
mod stage;

pub(crate) use channel::{ChannelReader, ChannelSink, ErrorSender, sink_stream};
pub(crate) use run::{Flow, run};
pub(crate) use stage::{EncryptStage, PlainStage, Stage, StageFactory};

#[cfg(test)]
mod tests;
