//! Single-flight: the first caller that misses a key fetches it; concurrent callers for the same
//! key wait for it, then find the value in the cache.
//!
//! A gate is a `tokio::sync::Mutex` per key, held in a map only while someone uses it.

use std::collections::HashMap;
use std::sync::{Arc, Weak};

use tokio::sync::{Mutex, OwnedMutexGuard};

type Key = (u64, Option<u64>);

#[derive(Default)]
pub(crate) struct Flights {
    gates: parking_lot::Mutex<HashMap<Key, Weak<Mutex<()>>>>,
}

/// Held while fetching one key; dropping it lets the next caller in and tidies the map.
pub(crate) struct Flight<'a> {
    flights: &'a Flights,
    key: Key,
    guard: Option<OwnedMutexGuard<()>>,
}

impl Flights {
    /// Wait for our turn on `key` (a secret hash and version).
    pub(super) async fn join(&self, hash: u64, version: Option<u64>) -> Flight<'_> {
        let key = (hash, version);
        let gate = {
            let mut gates = self.gates.lock();
            match gates.get(&key).and_then(Weak::upgrade) {
                Some(gate) => gate,
                None => {
                    let gate = Arc::new(Mutex::new(()));
                    gates.insert(key, Arc::downgrade(&gate));
                    gate
                }
            }
        };
        let guard = gate.lock_owned().await;
        Flight {
            flights: self,
            key,
            guard: Some(guard),
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.gates.lock().len()
    }
}

impl Drop for Flight<'_> {
    fn drop(&mut self) {
        drop(self.guard.take());
        let mut gates = self.flights.gates.lock();
        if gates.get(&self.key).is_some_and(|w| w.strong_count() == 0) {
            gates.remove(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn one_caller_at_a_time_per_key_and_the_map_empties() {
        let flights = Arc::new(Flights::default());
        let inside = Arc::new(AtomicUsize::new(0));
        let max_inside = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let (flights, inside, max_inside) =
                (flights.clone(), inside.clone(), max_inside.clone());
            tasks.push(tokio::spawn(async move {
                let _f = flights.join(7, None).await;
                let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                max_inside.fetch_max(now, Ordering::SeqCst);
                tokio::task::yield_now().await;
                inside.fetch_sub(1, Ordering::SeqCst);
            }));
        }
        for t in tasks {
            t.await.expect("task ran");
        }
        assert_eq!(max_inside.load(Ordering::SeqCst), 1);
        assert_eq!(flights.len(), 0);
    }
}
