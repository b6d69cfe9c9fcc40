//! LOGICAL snapshots: a KV v2 mount exported as a gzip'd tar of JSON records, and written
//! back.
//!
//! Layout of the archive: `manifest.json` first, then one `secrets/<n>.json` per secret (a
//! [`record::SecretRecord`]: key metadata, custom metadata and every version, with deleted and
//! destroyed markers), then `SHA256SUMS` over every other member. Members are 0600 with a fixed
//! mtime.
//!
//! - [`record`]: the JSON records.
//! - [`export`]: walk the mount and stream the archive.
//! - [`import`]: write records back, all or under a prefix; compare for dry runs.

mod export;
mod import;
mod record;

pub(crate) use export::export;
pub(crate) use import::Import;
