//! The counting maps of the streaming statistics use rustc's Fx hash (the `rustc-hash` crate):
//! small and fast, not cryptographic. Keys are log content, not attacker-chosen at a scale
//! where hash flooding matters for a one-shot local analysis.

pub(crate) use rustc_hash::{FxHashMap as FxMap, FxHashSet as FxSet};

/// Adds one to `key`'s count, allocating the key only the first time it is seen.
#[inline]
pub(crate) fn bump(map: &mut FxMap<Box<str>, u64>, key: &str) {
    if let Some(v) = map.get_mut(key) {
        *v += 1;
    } else {
        map.insert(key.into(), 1);
    }
}
