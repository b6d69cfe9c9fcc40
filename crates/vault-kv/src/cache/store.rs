//! The cache's storage: sharded maps behind `parking_lot` read/write locks, bounded, with
//! least-recently-used eviction.
//!
//! A hit takes one shard *read* lock, compares the key in place (no allocation: the key parts are
//! hashed and compared as `&str`), bumps an atomic last-use stamp and clones an `Arc`. Eviction
//! runs only on insert (a miss, which costs a round trip anyway): it drops entries past their
//! usefulness first, then the least recently used one in the shard.

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use parking_lot::RwLock;

use crate::secret::VaultSecret;

/// The map key is already a hash: do not hash it again.
#[derive(Default)]
pub(crate) struct PreHashed(u64);

impl Hasher for PreHashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type PreHashedMap<V> = HashMap<u64, V, BuildHasherDefault<PreHashed>>;

pub(crate) struct Entry {
    ns: Box<str>,
    mount: Box<str>,
    path: Box<str>,
    version: Option<u64>,
    pub value: Arc<VaultSecret>,
    pub inserted: Instant,
    /// Nanoseconds since the store's epoch at the last hit (for LRU).
    last_used: AtomicU64,
}

impl Entry {
    fn is(&self, ns: &str, mount: &str, path: &str, version: Option<u64>) -> bool {
        self.version == version && *self.path == *path && *self.mount == *mount && *self.ns == *ns
    }
}

#[derive(Default)]
struct Shard {
    /// hash(ns, mount, path) → the cached versions of that secret (latest = `None`).
    map: PreHashedMap<Vec<Entry>>,
    len: usize,
}

/// What a lookup found.
pub(crate) enum Found {
    Fresh(Arc<VaultSecret>, Duration),
    /// Past its TTL but kept for stale-on-error; `Duration` is its age.
    Expired(Arc<VaultSecret>, Duration),
    Missing,
}

pub(crate) struct Store {
    shards: Box<[RwLock<Shard>]>,
    /// Bumped by every invalidation of a shard, so a fetch that raced an invalidation does not
    /// put back what the write just removed.
    generations: Box<[AtomicU64]>,
    per_shard: usize,
    hasher: std::hash::RandomState,
    epoch: Instant,
    pub evictions: AtomicU64,
}

impl Store {
    pub(super) fn new(capacity: usize) -> Store {
        let n = if capacity < 256 { 1 } else { 16 };
        Store {
            shards: (0..n).map(|_| RwLock::new(Shard::default())).collect(),
            generations: (0..n).map(|_| AtomicU64::new(0)).collect(),
            per_shard: capacity.div_ceil(n).max(1),
            hasher: std::hash::RandomState::new(),
            epoch: Instant::now(),
            evictions: AtomicU64::new(0),
        }
    }

    pub(super) fn hash(&self, ns: &str, mount: &str, path: &str) -> u64 {
        let mut h = self.hasher.build_hasher();
        h.write(ns.as_bytes());
        h.write_u8(0xff);
        h.write(mount.as_bytes());
        h.write_u8(0xff);
        h.write(path.as_bytes());
        h.finish()
    }

    fn shard_index(&self, hash: u64) -> usize {
        (hash >> 32) as usize % self.shards.len()
    }

    pub(super) fn generation(&self, hash: u64) -> u64 {
        self.generations[self.shard_index(hash)].load(Ordering::Acquire)
    }

    /// Look the key up; `keep` is how long past insertion an entry is still worth returning as
    /// stale (TTL + max staleness).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn get(
        &self,
        hash: u64,
        ns: &str,
        mount: &str,
        path: &str,
        version: Option<u64>,
        ttl: Duration,
        now: Instant,
    ) -> Found {
        let shard = self.shards[self.shard_index(hash)].read();
        let Some(entries) = shard.map.get(&hash) else {
            return Found::Missing;
        };
        let Some(entry) = entries.iter().find(|e| e.is(ns, mount, path, version)) else {
            return Found::Missing;
        };
        let age = now.saturating_duration_since(entry.inserted);
        if age < ttl {
            entry.last_used.store(self.stamp(now), Ordering::Relaxed);
            Found::Fresh(entry.value.clone(), age)
        } else {
            Found::Expired(entry.value.clone(), age)
        }
    }

    fn stamp(&self, now: Instant) -> u64 {
        u64::try_from(now.saturating_duration_since(self.epoch).as_nanos()).unwrap_or(u64::MAX)
    }

    /// Insert (or replace) a value, unless the shard was invalidated since `generation`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn insert(
        &self,
        hash: u64,
        generation: u64,
        (ns, mount, path, version): (&str, &str, &str, Option<u64>),
        value: Arc<VaultSecret>,
        now: Instant,
        keep: Duration,
    ) {
        let idx = self.shard_index(hash);
        let mut shard = self.shards[idx].write();
        if self.generations[idx].load(Ordering::Acquire) != generation {
            return;
        }
        let stamp = self.stamp(now);
        let entries = shard.map.entry(hash).or_default();
        if let Some(e) = entries.iter_mut().find(|e| e.is(ns, mount, path, version)) {
            e.value = value;
            e.inserted = now;
            e.last_used.store(stamp, Ordering::Relaxed);
            return;
        }
        entries.push(Entry {
            ns: ns.into(),
            mount: mount.into(),
            path: path.into(),
            version,
            value,
            inserted: now,
            last_used: AtomicU64::new(stamp),
        });
        shard.len += 1;
        if shard.len > self.per_shard {
            self.evict(&mut shard, now, keep);
        }
    }

    /// Drop entries older than `keep`; if the shard is still over capacity, drop the least
    /// recently used entry.
    fn evict(&self, shard: &mut Shard, now: Instant, keep: Duration) {
        let before = shard.len;
        shard.map.retain(|_, entries| {
            entries.retain(|e| now.saturating_duration_since(e.inserted) < keep);
            !entries.is_empty()
        });
        shard.len = shard.map.values().map(Vec::len).sum();
        while shard.len > self.per_shard {
            let oldest = shard
                .map
                .iter()
                .flat_map(|(h, es)| {
                    es.iter()
                        .enumerate()
                        .map(move |(i, e)| (e.last_used.load(Ordering::Relaxed), *h, i))
                })
                .min_by_key(|(used, _, _)| *used);
            let Some((_, h, i)) = oldest else { break };
            if let Some(es) = shard.map.get_mut(&h) {
                es.swap_remove(i);
                if es.is_empty() {
                    shard.map.remove(&h);
                }
            }
            shard.len -= 1;
        }
        self.evictions
            .fetch_add((before - shard.len) as u64, Ordering::Relaxed);
    }

    /// Remove every cached version of one secret.
    pub(super) fn remove_secret(&self, hash: u64, ns: &str, mount: &str, path: &str) {
        let idx = self.shard_index(hash);
        let mut shard = self.shards[idx].write();
        self.generations[idx].fetch_add(1, Ordering::AcqRel);
        let mut removed = 0;
        if let Some(entries) = shard.map.get_mut(&hash) {
            let before = entries.len();
            entries.retain(|e| !(*e.path == *path && *e.mount == *mount && *e.ns == *ns));
            removed = before - entries.len();
            if entries.is_empty() {
                shard.map.remove(&hash);
            }
        }
        shard.len -= removed;
    }

    /// Remove everything.
    pub(super) fn clear(&self) {
        for (idx, shard) in self.shards.iter().enumerate() {
            let mut shard = shard.write();
            self.generations[idx].fetch_add(1, Ordering::AcqRel);
            shard.map.clear();
            shard.len = 0;
        }
    }

    pub(super) fn len(&self) -> usize {
        self.shards.iter().map(|s| s.read().len).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::{SecretData, SecretMetadata};

    fn secret(path: &str) -> Arc<VaultSecret> {
        Arc::new(VaultSecret {
            path: path.into(),
            data: SecretData::default(),
            metadata: SecretMetadata::default(),
        })
    }

    const TTL: Duration = Duration::from_secs(60);

    fn put(store: &Store, path: &str, version: Option<u64>, now: Instant) {
        let h = store.hash("", "secret", path);
        store.insert(
            h,
            store.generation(h),
            ("", "secret", path, version),
            secret(path),
            now,
            TTL,
        );
    }

    fn is_fresh(store: &Store, path: &str, version: Option<u64>, now: Instant) -> bool {
        let h = store.hash("", "secret", path);
        matches!(
            store.get(h, "", "secret", path, version, TTL, now),
            Found::Fresh(..)
        )
    }

    #[test]
    fn versions_are_separate_entries_and_removed_together() {
        let store = Store::new(100);
        let now = Instant::now();
        put(&store, "a", None, now);
        put(&store, "a", Some(1), now);
        assert!(is_fresh(&store, "a", None, now));
        assert!(is_fresh(&store, "a", Some(1), now));
        assert!(!is_fresh(&store, "a", Some(2), now));
        let h = store.hash("", "secret", "a");
        store.remove_secret(h, "", "secret", "a");
        assert!(!is_fresh(&store, "a", None, now));
        assert!(!is_fresh(&store, "a", Some(1), now));
        assert_eq!(store.len(), 0);
    }

    #[test]
    fn least_recently_used_goes_first() {
        let store = Store::new(3);
        let t0 = Instant::now();
        put(&store, "a", None, t0);
        put(&store, "b", None, t0 + Duration::from_millis(1));
        put(&store, "c", None, t0 + Duration::from_millis(2));
        // Touch `a`, so `b` is now the least recently used.
        assert!(is_fresh(&store, "a", None, t0 + Duration::from_millis(3)));
        put(&store, "d", None, t0 + Duration::from_millis(4));
        assert_eq!(store.len(), 3);
        let now = t0 + Duration::from_millis(5);
        assert!(is_fresh(&store, "a", None, now));
        assert!(!is_fresh(&store, "b", None, now));
        assert!(is_fresh(&store, "c", None, now));
        assert!(is_fresh(&store, "d", None, now));
        assert_eq!(store.evictions.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn expired_entries_are_reported_as_such() {
        let store = Store::new(10);
        let t0 = Instant::now();
        put(&store, "a", None, t0);
        let h = store.hash("", "secret", "a");
        assert!(matches!(
            store.get(h, "", "secret", "a", None, TTL, t0 + TTL),
            Found::Expired(..)
        ));
    }

    #[test]
    fn an_insert_racing_an_invalidation_is_dropped() {
        let store = Store::new(10);
        let now = Instant::now();
        let h = store.hash("", "secret", "a");
        let generation = store.generation(h);
        store.remove_secret(h, "", "secret", "a");
        store.insert(
            h,
            generation,
            ("", "secret", "a", None),
            secret("a"),
            now,
            TTL,
        );
        assert!(!is_fresh(&store, "a", None, now));
    }

    #[test]
    fn many_shards_hold_the_capacity() {
        let store = Store::new(1000);
        let now = Instant::now();
        for i in 0..3000 {
            put(&store, &format!("k{i}"), None, now);
        }
        assert!(store.len() <= 1000 + 16, "{}", store.len());
        assert!(store.len() >= 900, "{}", store.len());
    }
}
