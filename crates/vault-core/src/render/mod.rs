//! Text for people: the one table renderer of vaultkit, CSV cells, and the escaping both use.
//!
//! - [`escape`]: make any string safe to show on a terminal ([`escape_text`]).
//! - [`table`]: aligned text tables in the style of Vault's CLI ([`Table`]).
//! - [`csv`]: RFC 4180 CSV with spreadsheet-formula neutralisation ([`csv_cell`], [`csv_line`]).
//!
//! Every crate that prints a table (the CLI, vault-audit, vault-migrate) renders it here, so that
//! escaping cannot be forgotten.
//!
//! Architecture Invariant: a cell of a [`Table`] never reaches the output raw. Control characters
//! (C0, DEL, C1) and Unicode bidirectional overrides are shown as visible escapes, so a value can
//! neither drive the terminal (colours, cursor moves, title changes, hyperlinks) nor forge a row.
//!
//! ```
//! use vault_core::{Table, csv_line};
//!
//! let mut t = Table::new(["Key", "Value"]);
//! t.push(["password", "\x1b]0;owned\x07 two\nlines"]);
//! assert_eq!(
//!     t.render(),
//!     "Key        Value\n---        -----\npassword   \\x1b]0;owned\\x07 two\\nlines\n"
//! );
//! assert_eq!(csv_line(["=1+1", "a,b"]), "'=1+1,\"a,b\"");
//! ```

mod csv;
mod escape;
mod table;

pub use csv::{csv_cell, csv_line};
pub use escape::escape_text;
pub use table::Table;
