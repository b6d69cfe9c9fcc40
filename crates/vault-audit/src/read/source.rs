//! [`AuditSource`]: where audit entries come from — a file, a directory of rotated files,
//! stdin, or any reader — and how each one is opened (plain or gzip).

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::AuditError;

/// One input of a source, opened for reading.
pub(crate) struct Input {
    pub name: String,
    pub reader: Box<dyn Read + Send>,
    pub size: Option<u64>,
}

/// Where to read audit entries from. Build with [`AuditSource::open`] (a path, a directory or
/// `-` for stdin), [`AuditSource::stdin`] or [`AuditSource::reader`].
pub struct AuditSource {
    kind: Kind,
}

enum Kind {
    Files {
        files: Vec<PathBuf>,
    },
    Stdin,
    Reader {
        name: String,
        reader: Mutex<Option<Box<dyn Read + Send>>>,
    },
}

impl fmt::Debug for AuditSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Files { files } => f.debug_struct("AuditSource").field("files", files).finish(),
            Kind::Stdin => f.write_str("AuditSource(stdin)"),
            Kind::Reader { name, .. } => write!(f, "AuditSource(reader {name})"),
        }
    }
}

impl AuditSource {
    /// A file (plain or gzip, detected by content), a directory (the current log and its rotated
    /// siblings, oldest first), or `-` for stdin.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, AuditError> {
        let path = path.as_ref();
        if path == Path::new("-") {
            return Ok(Self::stdin());
        }
        let meta = std::fs::metadata(path).map_err(|e| AuditError::io("open", path, e))?;
        let files = if meta.is_dir() {
            rotated_files(path)?
        } else {
            vec![path.to_path_buf()]
        };
        Ok(AuditSource {
            kind: Kind::Files { files },
        })
    }

    /// Several explicit files, read in the given order.
    pub fn files(files: impl IntoIterator<Item = PathBuf>) -> Self {
        AuditSource {
            kind: Kind::Files {
                files: files.into_iter().collect(),
            },
        }
    }

    /// Standard input (gzip is detected too).
    pub fn stdin() -> Self {
        AuditSource { kind: Kind::Stdin }
    }

    /// Any reader; `name` is used in messages. The reader is consumed by the first scan.
    pub fn reader(name: impl Into<String>, reader: impl Read + Send + 'static) -> Self {
        AuditSource {
            kind: Kind::Reader {
                name: name.into(),
                reader: Mutex::new(Some(Box::new(reader))),
            },
        }
    }

    /// In-memory bytes (handy in tests and for data already loaded).
    pub fn bytes(name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        Self::reader(name, io::Cursor::new(bytes.into()))
    }

    /// The file paths this source will read (empty for stdin and readers).
    pub fn paths(&self) -> &[PathBuf] {
        match &self.kind {
            Kind::Files { files } => files,
            _ => &[],
        }
    }

    pub(crate) fn inputs(&self) -> Result<Vec<Input>, AuditError> {
        match &self.kind {
            Kind::Files { files } => files.iter().map(|p| open_file(p)).collect(),
            Kind::Stdin => Ok(vec![Input {
                name: "<stdin>".into(),
                reader: maybe_gz(Box::new(io::stdin()))?,
                size: None,
            }]),
            Kind::Reader { name, reader } => {
                let taken = reader.lock().ok().and_then(|mut r| r.take());
                let reader = taken.ok_or_else(|| AuditError::Consumed { name: name.clone() })?;
                Ok(vec![Input {
                    name: name.clone(),
                    reader: maybe_gz(reader)?,
                    size: None,
                }])
            }
        }
    }
}

fn open_file(path: &Path) -> Result<Input, AuditError> {
    let file = File::open(path).map_err(|e| AuditError::io("open", path, e))?;
    let size = file.metadata().ok().map(|m| m.len());
    let reader = maybe_gz(Box::new(file)).map_err(|e| match e {
        AuditError::Io { source, .. } => AuditError::io("read", path, source),
        other => other,
    })?;
    Ok(Input {
        name: path.display().to_string(),
        reader,
        size,
    })
}

/// Peeks at the first two bytes; wraps the reader in a gzip decoder when they are `1f 8b`.
fn maybe_gz(mut r: Box<dyn Read + Send>) -> Result<Box<dyn Read + Send>, AuditError> {
    let mut head = [0u8; 2];
    let mut n = 0;
    while n < 2 {
        match r.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(AuditError::io("read", Path::new("<input>"), e)),
        }
    }
    let chained: Box<dyn Read + Send> = Box::new(io::Cursor::new(head[..n].to_vec()).chain(r));
    if n == 2 && head == [0x1f, 0x8b] {
        Ok(Box::new(flate2::read::MultiGzDecoder::new(chained)))
    } else {
        Ok(chained)
    }
}

/// The audit files of a directory, oldest first: for each base name (`audit.log`), numbered
/// rotations by descending number (`audit.log.3.gz`, `audit.log.2`, `audit.log.1`), then dated or
/// otherwise suffixed ones by name (`audit.log-20240101.gz`), then the current file.
pub fn rotated_files(dir: &Path) -> Result<Vec<PathBuf>, AuditError> {
    let mut found = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|e| AuditError::io("list", dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| AuditError::io("list", dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_file = entry.file_type().map(|t| t.is_file()).unwrap_or(false);
        if !is_file || name.starts_with('.') {
            continue;
        }
        let plain = name.strip_suffix(".gz").unwrap_or(&name);
        let looks_like_log =
            plain.contains(".log") || plain.ends_with(".json") || plain.ends_with(".jsonl");
        if looks_like_log {
            found.push((rotation_key(&name), entry.path()));
        }
    }
    if found.is_empty() {
        return Err(AuditError::NoLogs {
            dir: dir.to_path_buf(),
        });
    }
    found.sort();
    Ok(found.into_iter().map(|(_, p)| p).collect())
}

/// (base name, group, order): group 0 = numbered (order = -N), 1 = other suffix, 2 = current.
fn rotation_key(name: &str) -> (String, u8, i64, String) {
    let plain = name.strip_suffix(".gz").unwrap_or(name);
    let base_end = plain.find(".log").map(|i| i + 4).unwrap_or(plain.len());
    let (base, rest) = plain.split_at(base_end);
    if rest.is_empty() {
        return (base.to_string(), 2, 0, String::new());
    }
    let digits = rest.trim_start_matches(['.', '-', '_']);
    if let Ok(n) = digits.parse::<i64>()
        && digits.len() < 6
    {
        return (base.to_string(), 0, -n, String::new());
    }
    (base.to_string(), 1, 0, rest.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_order_is_oldest_first() {
        let mut names = vec![
            "audit.log",
            "audit.log.1",
            "audit.log.2.gz",
            "audit.log.10.gz",
            "audit.log-20240102.gz",
            "audit.log-20240101",
        ];
        names.sort_by_key(|n| rotation_key(n));
        assert_eq!(
            names,
            [
                "audit.log.10.gz",
                "audit.log.2.gz",
                "audit.log.1",
                "audit.log-20240101",
                "audit.log-20240102.gz",
                "audit.log"
            ]
        );
    }
}
