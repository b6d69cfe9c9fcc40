//! [`check_archive`]: walk a gzip'd tar and enforce the layout of a Raft snapshot or of a
//! logical export.
//!
//! A Raft snapshot (hashicorp/raft-snapshot, as Vault and OpenBao write it) holds exactly
//! `meta.json`, `state.bin`, `SHA256SUMS` and `SHA256SUMS.sealed`; `SHA256SUMS` lists the sha256
//! of the first two (in any order) and `meta.json`'s `Size` is the length of `state.bin`.
//! A logical export holds `manifest.json`, `secrets/<n>.json` members and a closing
//! `SHA256SUMS` that lists every other member.
//!
//! Every byte is hostile: names are escaped and cut in messages, small members are capped, and
//! nothing here panics on a bad archive.

use std::collections::BTreeMap;
use std::io::{self, Read};

use crate::BackupError;
use crate::archive::Digest;

/// Largest `meta.json`, `manifest.json` or `SHA256SUMS*` accepted (Raft's own limit).
const SMALL_MEMBER_MAX: u64 = 8192;
/// Largest single secret record of a logical export.
pub(crate) const SECRET_MEMBER_MAX: u64 = 64 * 1024 * 1024;

/// Which layout to enforce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ArchiveKind {
    /// A Raft snapshot.
    Raft,
    /// A logical export of a KV v2 mount.
    Logical,
}

/// What a successful check saw.
#[derive(Debug, Clone, Default)]
pub(crate) struct ArchiveReport {
    /// Raft log index of the snapshot (`meta.json`), Raft only.
    pub(crate) raft_index: Option<u64>,
    /// Secrets in a logical export.
    pub(crate) secrets: u64,
}

/// A member handed to the caller (logical exports: each `secrets/` record).
pub(crate) type MemberSink<'a> = &'a mut dyn FnMut(&str, Vec<u8>) -> Result<(), BackupError>;

/// A member name fit for a message: escaped and at most 80 characters.
fn shown(name: &str) -> String {
    let cut: String = name.chars().take(80).collect();
    format!("{cut:?}")
}

fn damaged(what: &str, e: &io::Error) -> BackupError {
    if e.kind() == io::ErrorKind::UnexpectedEof {
        BackupError::integrity(format!("the {what} ends early: the snapshot is truncated"))
    } else {
        BackupError::integrity(format!("the {what} is damaged: {e}"))
    }
}

/// Counts the compressed bytes read (to tell an empty object from a damaged one).
struct Counting<R> {
    inner: R,
    count: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

/// Check the archive read from `input` (gzip'd tar) against the rules of `kind`.
pub(crate) fn check_archive(
    kind: ArchiveKind,
    input: impl Read,
    mut on_member: Option<MemberSink<'_>>,
) -> Result<ArchiveReport, BackupError> {
    let mut counting = Counting {
        inner: input,
        count: 0,
    };
    let mut members: BTreeMap<String, (String, u64)> = BTreeMap::new();
    let mut sums: Option<Vec<u8>> = None;
    let mut small: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    let walked = {
        let mut gz = flate2::read::GzDecoder::new(&mut counting);
        let mut walk = || -> Result<(), BackupError> {
            {
                let mut archive = tar::Archive::new(&mut gz);
                let entries = archive.entries().map_err(|e| damaged("tar archive", &e))?;
                for entry in entries {
                    let mut entry = entry.map_err(|e| damaged("gzip/tar stream", &e))?;
                    let name =
                        String::from_utf8(entry.path_bytes().into_owned()).map_err(|_| {
                            BackupError::integrity("a member name of the snapshot is not UTF-8")
                        })?;
                    if !entry.header().entry_type().is_file() {
                        return Err(BackupError::integrity(format!(
                            "member {} of the snapshot is not a regular file",
                            shown(&name)
                        )));
                    }
                    let (digest, keep) =
                        read_member(kind, &name, &mut entry, &members, &sums, order.is_empty())?;
                    if name == "SHA256SUMS" {
                        sums = Some(keep);
                    } else if name.starts_with("secrets/") {
                        if let Some(sink) = on_member.as_mut() {
                            sink(&name, keep)?;
                        }
                    } else if name != "state.bin" {
                        small.insert(name.clone(), keep);
                    }
                    members.insert(name.clone(), (digest.hex(), digest.size()));
                    order.push(name);
                }
            }
            // Read the rest of the gzip stream: its CRC and length trailer are checked at the end.
            io::copy(&mut gz, &mut io::sink()).map_err(|e| damaged("gzip stream", &e))?;
            Ok(())
        };
        walk()
    };
    if counting.count == 0 {
        return Err(BackupError::integrity("the snapshot is empty (0 bytes)"));
    }
    walked?;
    let sums = sums.ok_or_else(|| missing("SHA256SUMS"))?;
    check_sums(&sums, &members)?;
    match kind {
        ArchiveKind::Raft => raft_rules(&members, &small),
        ArchiveKind::Logical => {
            if order.last().map(String::as_str) != Some("SHA256SUMS") {
                return Err(BackupError::integrity(
                    "the logical export does not end with SHA256SUMS: it is truncated",
                ));
            }
            Ok(ArchiveReport {
                raft_index: None,
                secrets: members.keys().filter(|k| k.starts_with("secrets/")).count() as u64,
            })
        }
    }
}

/// Check one member's type, name and size while reading it; its digest and, for small members
/// and secret records, its bytes.
fn read_member(
    kind: ArchiveKind,
    name: &str,
    entry: &mut impl Read,
    members: &BTreeMap<String, (String, u64)>,
    sums: &Option<Vec<u8>>,
    first: bool,
) -> Result<(Digest, Vec<u8>), BackupError> {
    if members.contains_key(name) || sums.is_some() && kind == ArchiveKind::Logical {
        return Err(BackupError::integrity(format!(
            "member {} of the snapshot is duplicated or comes after SHA256SUMS",
            shown(name)
        )));
    }
    let cap = allowed(kind, name, first)?;
    let mut digest = Digest::default();
    let mut keep = Vec::new();
    let limit = cap.unwrap_or(u64::MAX);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = entry
            .read(&mut buf)
            .map_err(|e| damaged("gzip/tar stream", &e))?;
        if n == 0 {
            break;
        }
        let chunk = buf.get(..n).unwrap_or_default();
        digest.update(chunk);
        if digest.size() > limit {
            return Err(BackupError::integrity(format!(
                "member {} of the snapshot is larger than {limit} bytes",
                shown(name)
            )));
        }
        if cap.is_some() {
            keep.extend_from_slice(chunk);
        }
    }
    Ok((digest, keep))
}

fn missing(name: &str) -> BackupError {
    BackupError::integrity(format!("the snapshot has no {name} member"))
}

/// Whether `name` may appear; `Some(cap)` for members whose bytes are kept.
fn allowed(kind: ArchiveKind, name: &str, first: bool) -> Result<Option<u64>, BackupError> {
    let unexpected =
        || BackupError::integrity(format!("unexpected member {} in the snapshot", shown(name)));
    match (kind, name) {
        (ArchiveKind::Raft, "meta.json" | "SHA256SUMS" | "SHA256SUMS.sealed") => {
            Ok(Some(SMALL_MEMBER_MAX))
        }
        (ArchiveKind::Raft, "state.bin") => Ok(None),
        (ArchiveKind::Raft, _) => Err(unexpected()),
        (ArchiveKind::Logical, "manifest.json") if first => Ok(Some(SMALL_MEMBER_MAX)),
        (ArchiveKind::Logical, _) if first => Err(BackupError::integrity(
            "the logical export does not start with manifest.json",
        )),
        (ArchiveKind::Logical, "SHA256SUMS") => Ok(Some(SMALL_MEMBER_MAX * 1024)),
        (ArchiveKind::Logical, n) if is_secret_member(n) => Ok(Some(SECRET_MEMBER_MAX)),
        (ArchiveKind::Logical, _) => Err(unexpected()),
    }
}

/// `secrets/` followed by 8 digits and `.json`.
fn is_secret_member(name: &str) -> bool {
    name.strip_prefix("secrets/")
        .and_then(|r| r.strip_suffix(".json"))
        .is_some_and(|n| n.len() == 8 && n.bytes().all(|b| b.is_ascii_digit()))
}

/// `SHA256SUMS` must list every member except itself and `SHA256SUMS.sealed`, each with the
/// sha256 of its bytes, and nothing else.
fn check_sums(sums: &[u8], members: &BTreeMap<String, (String, u64)>) -> Result<(), BackupError> {
    let text =
        std::str::from_utf8(sums).map_err(|_| BackupError::integrity("SHA256SUMS is not text"))?;
    let mut listed: BTreeMap<&str, &str> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        let (hash, name) = line.split_once("  ").ok_or_else(|| {
            BackupError::integrity("SHA256SUMS has a line that is not `<sha256>  <name>`")
        })?;
        if listed.insert(name, hash).is_some() {
            return Err(BackupError::integrity(format!(
                "SHA256SUMS lists {} twice",
                shown(name)
            )));
        }
    }
    for (name, (hash, _)) in members {
        if name == "SHA256SUMS" || name == "SHA256SUMS.sealed" {
            continue;
        }
        match listed.remove(name.as_str()) {
            Some(h) if h.eq_ignore_ascii_case(hash) => {}
            Some(_) => {
                return Err(BackupError::integrity(format!(
                    "checksum mismatch: member {} does not match its SHA256SUMS line",
                    shown(name)
                )));
            }
            None => {
                return Err(BackupError::integrity(format!(
                    "member {} is not listed in SHA256SUMS",
                    shown(name)
                )));
            }
        }
    }
    if let Some(name) = listed.keys().next() {
        return Err(BackupError::integrity(format!(
            "SHA256SUMS lists {} but the snapshot has no such member",
            shown(name)
        )));
    }
    Ok(())
}

fn raft_rules(
    members: &BTreeMap<String, (String, u64)>,
    small: &BTreeMap<String, Vec<u8>>,
) -> Result<ArchiveReport, BackupError> {
    let meta = small.get("meta.json").ok_or_else(|| missing("meta.json"))?;
    let (_, state_len) = members
        .get("state.bin")
        .ok_or_else(|| missing("state.bin"))?;
    let sealed = small
        .get("SHA256SUMS.sealed")
        .ok_or_else(|| missing("SHA256SUMS.sealed"))?;
    if sealed.is_empty() {
        return Err(BackupError::integrity(
            "SHA256SUMS.sealed is empty: the snapshot was not sealed by Vault",
        ));
    }
    #[derive(serde::Deserialize)]
    struct Meta {
        #[serde(rename = "Index")]
        index: u64,
        #[serde(rename = "Size")]
        size: u64,
    }
    let meta: Meta = serde_json::from_slice(meta).map_err(|e| {
        BackupError::integrity(format!("meta.json is not valid snapshot metadata: {e}"))
    })?;
    if meta.size != *state_len {
        return Err(BackupError::integrity(format!(
            "meta.json says state.bin has {} bytes but it has {state_len}",
            meta.size
        )));
    }
    Ok(ArchiveReport {
        raft_index: Some(meta.index),
        secrets: 0,
    })
}

#[cfg(test)]
#[path = "check_tests.rs"]
mod tests;
