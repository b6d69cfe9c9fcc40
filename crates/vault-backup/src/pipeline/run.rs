//! [`run`]: the blocking loop of a pipeline.

use std::io::{self, Read};

use super::{ErrorSender, Stage};
use crate::archive::{ArchiveChecker, ArchiveReport, Digest};
use crate::{BackupError, BackupErrorKind};

/// What went through.
pub(crate) struct Flow {
    /// Size and sha256 of the plain bytes.
    pub(crate) plain: Digest,
    /// The archive check's report.
    pub(crate) report: ArchiveReport,
}

/// What the plain bytes must be (size, sha256 hex), known from the catalog.
pub(crate) type Expected = Option<(u64, String)>;

fn write_error(operation: &str, e: io::Error) -> BackupError {
    if e.kind() == io::ErrorKind::BrokenPipe {
        BackupError::new(BackupErrorKind::Store, format!("{operation}: {e}"))
    } else {
        BackupError::from_io(operation, e)
    }
}

/// Read `input` to its end; hash it, check it with `checker` (and against `expected`), and
/// write it to `out` (when given). The verdict comes before `out` is finished, so a bad
/// snapshot never completes the output stream: on any error `errors` ends it with that error.
pub(crate) fn run(
    mut input: Box<dyn Read + Send>,
    mut checker: ArchiveChecker,
    out: Option<Box<dyn Stage>>,
    errors: Option<ErrorSender>,
    expected: Expected,
) -> Result<Flow, BackupError> {
    let mut out = out;
    let fail = |e: &BackupError| {
        if let Some(errors) = &errors {
            errors.fail(io::Error::other(e.to_string()));
        }
    };
    let result = (|| {
        let mut plain = Digest::default();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = input
                .read(&mut buf)
                .map_err(|e| BackupError::from_io("read the snapshot stream", e))?;
            if n == 0 {
                break;
            }
            let chunk = buf.get(..n).unwrap_or_default();
            plain.update(chunk);
            checker.write(chunk)?;
            if let Some(w) = out.as_mut() {
                w.write_all(chunk)
                    .map_err(|e| write_error("write the snapshot", e))?;
            }
        }
        let report = checker.finish()?;
        if let Some((size, sha)) = &expected
            && (plain.size() != *size || !plain.hex().eq_ignore_ascii_case(sha))
        {
            return Err(BackupError::integrity(format!(
                "checksum mismatch: the snapshot has {} bytes with sha256 {}, the catalog \
                 recorded {size} bytes with sha256 {sha}",
                plain.size(),
                plain.hex()
            )));
        }
        Ok(Flow { plain, report })
    })();
    match result {
        Ok(flow) => {
            if let Some(w) = out
                && let Err(e) = w.finish()
            {
                let e = write_error("finish writing the snapshot", e);
                fail(&e);
                return Err(e);
            }
            Ok(flow)
        }
        Err(e) => {
            fail(&e);
            drop(out);
            Err(e)
        }
    }
}
