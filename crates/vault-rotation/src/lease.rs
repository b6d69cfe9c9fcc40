//! Rotation leases: a short record per rotation in progress (`<prefix>/leases/<mount>/<path>`,
//! KV v2), created and renewed with check-and-set, taken over once expired. Several schedulers
//! on several machines coordinate through it and nothing else.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use vault_kv::{KvErrorKind, KvV2};

use crate::records::read_record;
use crate::{RotationError, RotationErrorKind};

/// The stored record. Holds no secret.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct LeaseRecord {
    /// Who holds it (empty once released).
    holder: String,
    /// When it lapses unless renewed.
    expires_at: DateTime<Utc>,
}

/// A lease this process holds on one secret's rotation.
#[derive(Debug)]
pub(crate) struct Lease {
    path: String,
    holder: String,
    ttl: Duration,
    version: u64,
    renewed: Instant,
}

/// Why a lease could not be taken.
#[derive(Debug)]
pub(crate) enum LeaseRefused {
    /// Another live holder has it.
    Held {
        holder: String,
        until: DateTime<Utc>,
    },
    /// Vault failed.
    Error(RotationError),
}

fn expiry(ttl: Duration) -> DateTime<Utc> {
    let ttl = chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::MAX);
    Utc::now()
        .checked_add_signed(ttl)
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

impl Lease {
    /// Takes the lease at `path` for `holder` if it is free, released, expired or already ours.
    pub(crate) async fn acquire(
        kv: &KvV2,
        path: String,
        holder: &str,
        ttl: Duration,
    ) -> Result<Lease, LeaseRefused> {
        let (record, version) = match read_record::<LeaseRecord>(kv, &path).await {
            Ok(found) => found,
            Err(e) => return Err(LeaseRefused::Error(e)),
        };
        if let Some(r) = record
            && !r.holder.is_empty()
            && r.holder != holder
            && r.expires_at > Utc::now()
        {
            return Err(LeaseRefused::Held {
                holder: r.holder,
                until: r.expires_at,
            });
        }
        let mut lease = Lease {
            path,
            holder: holder.to_string(),
            ttl,
            version,
            renewed: Instant::now(),
        };
        match lease.write(holder, expiry(ttl)).await_on(kv).await {
            Ok(()) => {
                tracing::debug!(lease = %lease.path, holder = %lease.holder, "rotation lease taken");
                Ok(lease)
            }
            Err(e) if e.kind() == RotationErrorKind::Conflict => Err(LeaseRefused::Held {
                holder: "another scheduler".to_string(),
                until: expiry(ttl),
            }),
            Err(e) => Err(LeaseRefused::Error(e)),
        }
    }

    /// Extends the lease; fails with [`RotationErrorKind::Conflict`] when another scheduler took
    /// it over meanwhile.
    pub(crate) async fn renew(&mut self, kv: &KvV2) -> Result<(), RotationError> {
        let holder = self.holder.clone();
        self.write(&holder, expiry(self.ttl)).await_on(kv).await?;
        self.renewed = Instant::now();
        Ok(())
    }

    /// Renews when a third of the time-to-live has passed since the last write (a step that
    /// follows another quickly costs no round trip).
    pub(crate) async fn keep(&mut self, kv: &KvV2) -> Result<(), RotationError> {
        if self.renewed.elapsed() < self.ttl / 3 {
            return Ok(());
        }
        self.renew(kv).await
    }

    /// Gives the lease up (best effort: an expired lease is free anyway).
    pub(crate) async fn release(mut self, kv: &KvV2) {
        if let Err(e) = self.write("", Utc::now()).await_on(kv).await {
            tracing::warn!(lease = %self.path, error = %e, "releasing a rotation lease failed; it lapses on expiry");
        }
    }

    fn write<'a>(&'a mut self, holder: &'a str, expires_at: DateTime<Utc>) -> LeaseWrite<'a> {
        LeaseWrite {
            lease: self,
            record: LeaseRecord {
                holder: holder.to_string(),
                expires_at,
            },
        }
    }
}

/// One check-and-set write of a lease record.
struct LeaseWrite<'a> {
    lease: &'a mut Lease,
    record: LeaseRecord,
}

impl LeaseWrite<'_> {
    async fn await_on(self, kv: &KvV2) -> Result<(), RotationError> {
        match kv
            .write_cas(&self.lease.path, &self.record, self.lease.version)
            .await
        {
            Ok(meta) => {
                self.lease.version = meta.version.unwrap_or(self.lease.version + 1);
                Ok(())
            }
            Err(e) if e.kind() == KvErrorKind::CasMismatch => Err(RotationError::new(
                RotationErrorKind::Conflict,
                format!(
                    "rotation lease `{}/{}`: another scheduler took it",
                    kv.mount(),
                    self.lease.path
                ),
            )
            .with_source(e)),
            Err(e) => Err(e.into()),
        }
    }
}
