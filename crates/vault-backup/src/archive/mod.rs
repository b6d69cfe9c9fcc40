//! The archive checks every snapshot goes through, while it streams and when it is verified.
//!
//! - [`check`]: gzip + tar walk with the rules of each [`ArchiveKind`] (member names, sizes,
//!   the inner `SHA256SUMS`), run over any `Read`.
//! - [`checker`]: the same check on its own thread, fed chunk by chunk from a pipeline.
//! - [`digest`]: sha256 + byte count, as lower-case hex.

mod check;
mod checker;
mod digest;

pub(crate) use check::{ArchiveKind, ArchiveReport};
pub(crate) use checker::{ArchiveChecker, Member};
pub(crate) use digest::Digest;
