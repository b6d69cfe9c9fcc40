//! [`Extensions`]: per-client state that feature crates attach to a [`super::VaultClient`] (one
//! value per type, created on first use and shared by every clone of the client).
//!
//! vault-kv keeps the read cache of a client built with `cache_ttl > 0` here, so the client
//! stays the one object users pass around while vault-core knows nothing about KV.
//!
//! Architecture Invariant: a value stored here must not hold a clone of the client it is
//! attached to (that would be a reference cycle and the client would never be dropped).

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// A map from a type to one shared value of that type.
#[derive(Default)]
pub(crate) struct Extensions {
    values: Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>,
}

impl Extensions {
    /// The value of type `T`, created with `make` if there is none yet.
    pub(crate) fn get_or_insert_with<T: Any + Send + Sync>(
        &self,
        make: impl FnOnce() -> T,
    ) -> Arc<T> {
        let mut values = self.values.lock().unwrap_or_else(PoisonError::into_inner);
        let id = TypeId::of::<T>();
        if let Some(Ok(value)) = values.get(&id).map(|v| Arc::clone(v).downcast::<T>()) {
            return value;
        }
        let value = Arc::new(make());
        values.insert(id, value.clone());
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_value_per_type_created_once() {
        let ext = Extensions::default();
        let a = ext.get_or_insert_with(|| 7_u32);
        let b = ext.get_or_insert_with(|| 9_u32);
        assert_eq!((*a, *b), (7, 7));
        let s = ext.get_or_insert_with(|| String::from("x"));
        assert_eq!(s.as_str(), "x");
    }
}
