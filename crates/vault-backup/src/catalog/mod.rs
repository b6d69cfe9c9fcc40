//! The catalog: one small JSON object per snapshot, in the same store as the snapshot
//! (`<prefix>catalog/<id>.json` beside `<prefix>snapshots/<id>.snap[.pgp]`), so that it
//! survives the loss of the machine that wrote it (there is no local database).
//!
//! - [`entry`]: [`SnapshotInfo`], [`BackupType`], [`BackupStatus`].
//! - [`store`]: [`Catalog`]: read, write and list entries; snapshot ids.

mod entry;
mod store;

pub use entry::{BackupStatus, BackupType, SnapshotInfo};
pub(crate) use store::{Catalog, new_id};
