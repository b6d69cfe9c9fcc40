//! Recursive walk of a KV mount: lists folders concurrently (bounded), streams every secret path
//! as it is found, honours a depth limit and a glob filter, and reports folders the token may not
//! list instead of failing.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::Stream;
use globset::{Glob, GlobSet, GlobSetBuilder};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::error::KvError;
use crate::kv::Kv;
use crate::mount::KvVersion;

/// What to walk and how.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    prefix: String,
    max_depth: Option<usize>,
    concurrency: usize,
    filter: Option<GlobSet>,
    patterns: Vec<String>,
}

impl Default for WalkOptions {
    fn default() -> Self {
        WalkOptions {
            prefix: String::new(),
            max_depth: None,
            concurrency: 8,
            filter: None,
            patterns: Vec::new(),
        }
    }
}

impl WalkOptions {
    /// The defaults: the whole mount, no depth limit, 8 lists in flight, no filter.
    pub fn builder() -> Self {
        WalkOptions::default()
    }

    /// Start below this folder instead of the mount's root.
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into().trim_matches('/').to_string();
        self
    }

    /// Descend at most this many folder levels below the start (0: the start folder only).
    pub fn with_max_depth(mut self, depth: usize) -> Self {
        self.max_depth = Some(depth);
        self
    }

    /// At most this many list requests in flight (default 8, at least 1).
    pub fn with_concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// Only report secrets whose path (relative to the mount, e.g. `app/prod/db`) matches one of
    /// the glob patterns (`*` stays within a segment, `**` crosses them).
    pub fn with_glob(mut self, pattern: &str) -> Result<Self, KvError> {
        self.patterns.push(pattern.to_string());
        let mut set = GlobSetBuilder::new();
        for p in &self.patterns {
            let glob = globset::GlobBuilder::new(p)
                .literal_separator(true)
                .build()
                .or_else(|_| Glob::new(p))
                .map_err(|e| {
                    KvError::validation("walk", p, format!("invalid glob pattern: {e}"))
                })?;
            set.add(glob);
        }
        self.filter = Some(set.build().map_err(|e| {
            KvError::validation("walk", pattern, format!("invalid glob pattern: {e}"))
        })?);
        Ok(self)
    }

    /// The finished options.
    pub fn build(self) -> Self {
        self
    }
}

/// One result of a walk.
#[derive(Debug)]
#[non_exhaustive]
pub enum WalkEntry {
    /// A secret, by its path relative to the mount (`app/prod/db`).
    Secret(String),
    /// A folder that could not be listed (typically permission denied); its subtree was skipped.
    Skipped {
        /// The folder, relative to the mount.
        folder: String,
        /// Why it could not be listed.
        error: KvError,
    },
}

/// A running walk: a [`Stream`] of [`WalkEntry`]s in the order they are found. Dropping it stops
/// the walk.
#[derive(Debug)]
pub struct Walk {
    rx: mpsc::Receiver<WalkEntry>,
}

impl Walk {
    pub(crate) fn start(kv: Kv, options: WalkOptions) -> Walk {
        let (tx, rx) = mpsc::channel(256);
        tokio::spawn(drive(kv, options, tx));
        Walk { rx }
    }

    /// The next entry, or `None` when the walk is over.
    pub async fn next_entry(&mut self) -> Option<WalkEntry> {
        self.rx.recv().await
    }

    /// Run the walk to its end: (secret paths sorted, skipped folders).
    pub async fn collect_all(mut self) -> (Vec<String>, Vec<(String, KvError)>) {
        let (mut secrets, mut skipped) = (Vec::new(), Vec::new());
        while let Some(entry) = self.rx.recv().await {
            match entry {
                WalkEntry::Secret(p) => secrets.push(p),
                WalkEntry::Skipped { folder, error } => skipped.push((folder, error)),
            }
        }
        secrets.sort();
        (secrets, skipped)
    }
}

impl Stream for Walk {
    type Item = WalkEntry;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<WalkEntry>> {
        self.rx.poll_recv(cx)
    }
}

fn join(folder: &str, name: &str) -> String {
    if folder.is_empty() {
        name.to_string()
    } else {
        format!("{folder}/{name}")
    }
}

async fn drive(kv: Kv, options: WalkOptions, tx: mpsc::Sender<WalkEntry>) {
    let version = match kv.version_for("list", &options.prefix).await {
        Ok(v) => v,
        Err(error) => {
            let _ = tx
                .send(WalkEntry::Skipped {
                    folder: options.prefix.clone(),
                    error,
                })
                .await;
            return;
        }
    };
    let (v1, v2) = (kv.v1(), kv.v2());
    let mut pending: VecDeque<(String, usize)> = VecDeque::from([(options.prefix.clone(), 0)]);
    let mut running: JoinSet<(String, usize, Result<Vec<String>, KvError>)> = JoinSet::new();
    loop {
        while running.len() < options.concurrency
            && let Some((folder, depth)) = pending.pop_front()
        {
            let (v1, v2) = (v1.clone(), v2.clone());
            running.spawn(async move {
                let listed = match version {
                    KvVersion::V2 => v2.list(&folder).await,
                    KvVersion::V1 => v1.list(&folder).await,
                };
                (folder, depth, listed)
            });
        }
        let Some(done) = running.join_next().await else {
            break;
        };
        let Ok((folder, depth, listed)) = done else {
            continue;
        };
        let names = match listed {
            Ok(names) => names,
            Err(error) => {
                if tx.send(WalkEntry::Skipped { folder, error }).await.is_err() {
                    return;
                }
                continue;
            }
        };
        for name in names {
            if let Some(sub) = name.strip_suffix('/') {
                if options.max_depth.is_none_or(|max| depth < max) {
                    pending.push_back((join(&folder, sub), depth + 1));
                }
                continue;
            }
            let path = join(&folder, &name);
            if options.filter.as_ref().is_some_and(|f| !f.is_match(&path)) {
                continue;
            }
            if tx.send(WalkEntry::Secret(path)).await.is_err() {
                return; // the receiver is gone: stop walking
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_respect_segments() {
        let o = WalkOptions::builder()
            .with_glob("app/*/db")
            .expect("valid glob");
        let f = o.filter.expect("filter set");
        assert!(f.is_match("app/prod/db"));
        assert!(!f.is_match("app/prod/eu/db"));
        let o = WalkOptions::builder()
            .with_glob("app/**/db")
            .expect("valid glob");
        assert!(o.filter.expect("filter set").is_match("app/prod/eu/db"));
    }

    #[test]
    fn bad_globs_are_reported() {
        let e = WalkOptions::builder()
            .with_glob("app/[")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("invalid glob pattern"), "{e}");
    }
}
