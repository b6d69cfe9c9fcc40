//! vault-audit integration tests: the test corpora with exact counts, hostile input,
//! sources (directory, gzip, follow), the HTML report, and real logs from OpenBao.

mod corpus;
mod hostile;
mod live;
mod output_security;
mod report;
mod security;
mod sources;

use std::path::PathBuf;

use vault_audit::{AuditLogCollection, AuditSource, ScanOptions, Statistics, stats};

pub(crate) fn data(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel)
}

pub(crate) fn stats_of(path: &std::path::Path) -> Statistics {
    let src = AuditSource::open(path).expect("source opens");
    stats(&src, &mut ScanOptions::default()).expect("scan runs")
}

pub(crate) fn stats_of_bytes(bytes: impl Into<Vec<u8>>) -> Statistics {
    stats(
        &AuditSource::bytes("test", bytes),
        &mut ScanOptions::default(),
    )
    .expect("scan runs")
}

pub(crate) fn load(path: &std::path::Path) -> AuditLogCollection {
    AuditLogCollection::from_path(path).expect("loads")
}
