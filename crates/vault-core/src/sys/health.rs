//! [`VaultHealth`]: what `sys/health` says about a server, for every state it can be in.
//!
//! `sys/health` encodes the server state in the HTTP status ([`sys/health`](https://developer.hashicorp.com/vault/api-docs/system/health)): 200 active,
//! 429 standby, 472 DR secondary, 473 performance standby, 501 not initialised, 503 sealed (474 HA
//! unhealthy and 530 removed on newer Vault). [`VaultClient::get_health`] maps each of them to a
//! [`VaultHealth`] and never turns one into an error: only failing to reach the server is an `Err`.
//!
//! ```no_run
//! # async fn demo(client: vault_core::VaultClient) -> Result<(), vault_core::VaultError> {
//! use vault_core::VaultHealthStatus;
//!
//! let health = client.get_health().await?;
//! match health.status {
//!     VaultHealthStatus::Active => println!("active, version {}", health.version),
//!     VaultHealthStatus::Sealed => println!("sealed: unseal it first"),
//!     other => println!("{other} (HTTP {})", health.http_status),
//! }
//! # Ok(()) }
//! ```

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::raw;
use super::seal::LeaderStatus;
use crate::{VaultClient, VaultError};

/// The state of a server as `sys/health` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum VaultHealthStatus {
    /// Initialised, unsealed, active node (200).
    Active,
    /// Unsealed standby node (429).
    Standby,
    /// Performance standby (473, Enterprise).
    PerformanceStandby,
    /// Disaster-recovery secondary (472, Enterprise).
    DrSecondary,
    /// Sealed (503).
    Sealed,
    /// Not initialised (501).
    Uninitialized,
    /// Anything else: an unknown status code, an unhealthy or removed node, or an unreadable answer.
    Error,
}

impl VaultHealthStatus {
    /// The state a `sys/health` status code stands for (with the server's default codes).
    pub fn from_http_status(status: u16) -> Self {
        match status {
            200 => VaultHealthStatus::Active,
            429 => VaultHealthStatus::Standby,
            472 => VaultHealthStatus::DrSecondary,
            473 => VaultHealthStatus::PerformanceStandby,
            501 => VaultHealthStatus::Uninitialized,
            503 => VaultHealthStatus::Sealed,
            _ => VaultHealthStatus::Error,
        }
    }

    /// Lower-case name, as printed by the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            VaultHealthStatus::Active => "active",
            VaultHealthStatus::Standby => "standby",
            VaultHealthStatus::PerformanceStandby => "performance_standby",
            VaultHealthStatus::DrSecondary => "dr_secondary",
            VaultHealthStatus::Sealed => "sealed",
            VaultHealthStatus::Uninitialized => "uninitialized",
            VaultHealthStatus::Error => "error",
        }
    }

    /// Whether the node can serve requests (active or a standby that forwards).
    pub fn is_serving(self) -> bool {
        matches!(
            self,
            VaultHealthStatus::Active
                | VaultHealthStatus::Standby
                | VaultHealthStatus::PerformanceStandby
        )
    }
}

impl std::fmt::Display for VaultHealthStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Health of one server (`sys/health`, plus `sys/leader` for the leader's address).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct VaultHealth {
    /// Summary state (active, standby, sealed, …).
    pub status: VaultHealthStatus,
    /// Server version (empty when the server redacts it).
    pub version: String,
    /// Absent while sealed.
    pub cluster_id: Option<String>,
    /// Absent while sealed.
    pub cluster_name: Option<String>,
    /// The server is sealed.
    pub is_sealed: bool,
    /// The server is initialized.
    pub is_initialized: bool,
    /// The node is a standby.
    pub is_standby: bool,
    /// The node is a performance standby (Vault Enterprise).
    pub performance_standby: bool,
    /// The active node's API address (`sys/leader`), when HA is enabled and the node serves.
    pub leader_address: Option<String>,
    /// The server's clock when it answered.
    pub server_time_utc: Option<DateTime<Utc>>,
    /// The HTTP status `sys/health` answered with.
    pub http_status: u16,
    /// Why the status is [`VaultHealthStatus::Error`], when it is.
    pub detail: Option<String>,
}

/// The `sys/health` body; every field optional because HEAD answers and old servers omit some.
#[derive(Debug, Default, Deserialize)]
struct HealthBody {
    initialized: Option<bool>,
    sealed: Option<bool>,
    standby: Option<bool>,
    performance_standby: Option<bool>,
    server_time_utc: Option<i64>,
    version: Option<String>,
    cluster_name: Option<String>,
    cluster_id: Option<String>,
    removed_from_cluster: Option<bool>,
    ha_connection_healthy: Option<bool>,
}

impl VaultHealth {
    /// Build the health report from a `sys/health` answer (status code and body). Never fails:
    /// an unreadable body leaves the fields at what the status code implies.
    pub fn from_http(http_status: u16, body: &[u8]) -> VaultHealth {
        let mut status = VaultHealthStatus::from_http_status(http_status);
        let mut detail = None;
        let parsed: Option<HealthBody> = if body.iter().all(u8::is_ascii_whitespace) {
            None
        } else {
            match serde_json::from_slice(body) {
                Ok(b) => Some(b),
                Err(e) => {
                    detail = Some(format!(
                        "sys/health answered HTTP {http_status} with a body that is not health JSON ({})",
                        crate::json_body::describe(&e)
                    ));
                    None
                }
            }
        };
        let b = parsed.unwrap_or_default();
        if status == VaultHealthStatus::Error && detail.is_none() {
            detail = Some(match http_status {
                474 => "standby node lost its connection to the active node (HTTP 474)".to_string(),
                530 => "node was removed from the Raft cluster (HTTP 530)".to_string(),
                _ if b.removed_from_cluster == Some(true) => {
                    "node was removed from the Raft cluster".to_string()
                }
                _ if b.ha_connection_healthy == Some(false) => {
                    "node lost its connection to the active node".to_string()
                }
                s => format!("unexpected sys/health status HTTP {s}"),
            });
        }
        if status == VaultHealthStatus::Active && detail.is_some() {
            // 200 but garbage: something that is not Vault answered.
            status = VaultHealthStatus::Error;
        }
        VaultHealth {
            status,
            version: b.version.unwrap_or_default(),
            cluster_id: b.cluster_id.filter(|s| !s.is_empty()),
            cluster_name: b.cluster_name.filter(|s| !s.is_empty()),
            is_sealed: b.sealed.unwrap_or(matches!(
                status,
                VaultHealthStatus::Sealed | VaultHealthStatus::Uninitialized
            )),
            is_initialized: b
                .initialized
                .unwrap_or(status != VaultHealthStatus::Uninitialized),
            is_standby: b.standby.unwrap_or(matches!(
                status,
                VaultHealthStatus::Standby | VaultHealthStatus::PerformanceStandby
            )),
            performance_standby: b
                .performance_standby
                .unwrap_or(status == VaultHealthStatus::PerformanceStandby),
            leader_address: None,
            server_time_utc: b
                .server_time_utc
                .and_then(|t| DateTime::from_timestamp(t, 0)),
            http_status,
            detail,
        }
    }

    /// Whether the server can serve requests.
    pub fn is_healthy(&self) -> bool {
        self.status.is_serving()
    }
}

impl VaultClient {
    /// Ask `sys/health` how the server is, and `sys/leader` who leads.
    ///
    /// Every state (active, standby, sealed, uninitialised, …) is an `Ok`; only a failure to reach
    /// the server at all is an `Err` (kind `Connection`). The request carries no token and no
    /// namespace and is sent once (a sealed server's 503 is the answer, not a reason to retry).
    pub async fn get_health(&self) -> Result<VaultHealth, VaultError> {
        let answer = raw::get(self, "get health", "sys/health").await?;
        let mut health = VaultHealth::from_http(answer.status, &answer.body);
        if health.status.is_serving() {
            // Best effort: a server that answered health but not leader still has a health.
            if let Ok(leader) = self.leader().await {
                health.leader_address = leader.leader_address.filter(|a| !a.is_empty());
            }
        }
        Ok(health)
    }

    /// `sys/leader`: HA state and the active node's address (unauthenticated).
    pub async fn leader(&self) -> Result<LeaderStatus, VaultError> {
        let body = raw::get_ok(self, "get leader", "sys/leader").await?;
        raw::parse_json("get leader", "sys/leader", &body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACTIVE: &str = r#"{"initialized":true,"sealed":false,"standby":false,"performance_standby":false,
        "replication_performance_mode":"disabled","replication_dr_mode":"disabled",
        "server_time_utc":1735689600,"version":"2.7.2","cluster_name":"vault-cluster-3bd69ca2",
        "cluster_id":"00af5aa8-1111"}"#;

    #[test]
    fn every_documented_code_maps_to_a_status() {
        let cases = [
            (200, VaultHealthStatus::Active),
            (429, VaultHealthStatus::Standby),
            (472, VaultHealthStatus::DrSecondary),
            (473, VaultHealthStatus::PerformanceStandby),
            (501, VaultHealthStatus::Uninitialized),
            (503, VaultHealthStatus::Sealed),
            (474, VaultHealthStatus::Error),
            (530, VaultHealthStatus::Error),
            (418, VaultHealthStatus::Error),
            (500, VaultHealthStatus::Error),
        ];
        for (code, want) in cases {
            let h = VaultHealth::from_http(code, b"");
            assert_eq!(h.status, want, "HTTP {code}");
            assert_eq!(h.http_status, code);
            assert_eq!(
                h.detail.is_some(),
                want == VaultHealthStatus::Error,
                "detail for HTTP {code}: {:?}",
                h.detail
            );
        }
    }

    #[test]
    fn active_body_is_read() {
        let h = VaultHealth::from_http(200, ACTIVE.as_bytes());
        assert_eq!(h.status, VaultHealthStatus::Active);
        assert_eq!(h.version, "2.7.2");
        assert_eq!(h.cluster_name.as_deref(), Some("vault-cluster-3bd69ca2"));
        assert_eq!(h.cluster_id.as_deref(), Some("00af5aa8-1111"));
        assert!(!h.is_sealed && h.is_initialized && !h.is_standby && !h.performance_standby);
        assert_eq!(
            h.server_time_utc.map(|t| t.timestamp()),
            Some(1_735_689_600)
        );
        assert!(h.is_healthy());
        assert_eq!(h.detail, None);
    }

    #[test]
    fn sealed_and_uninitialised_bodies() {
        let sealed = br#"{"initialized":true,"sealed":true,"standby":true,"server_time_utc":1,"version":"2.7.2"}"#;
        let h = VaultHealth::from_http(503, sealed);
        assert_eq!(h.status, VaultHealthStatus::Sealed);
        assert!(h.is_sealed && h.is_initialized);
        assert_eq!(h.cluster_id, None);
        assert!(!h.is_healthy());

        let uninit = br#"{"initialized":false,"sealed":true,"standby":true,"version":"2.7.2"}"#;
        let h = VaultHealth::from_http(501, uninit);
        assert_eq!(h.status, VaultHealthStatus::Uninitialized);
        assert!(!h.is_initialized && h.is_sealed);
    }

    #[test]
    fn bodiless_answers_use_the_code() {
        let h = VaultHealth::from_http(503, b"");
        assert!(h.is_sealed && h.is_initialized);
        let h = VaultHealth::from_http(501, b"  \n");
        assert!(!h.is_initialized && h.is_sealed);
        let h = VaultHealth::from_http(473, b"");
        assert!(h.is_standby && h.performance_standby);
    }

    #[test]
    fn garbage_with_200_is_an_error_state() {
        let h = VaultHealth::from_http(200, b"<html>proxy login</html>");
        assert_eq!(h.status, VaultHealthStatus::Error);
        let detail = h.detail.unwrap_or_default();
        assert!(
            detail.contains("HTTP 200") && detail.contains("not health JSON"),
            "{detail}"
        );
    }

    #[test]
    fn unknown_code_detail_names_it() {
        let h = VaultHealth::from_http(530, b"{}");
        assert!(h.detail.unwrap_or_default().contains("removed"));
        let h = VaultHealth::from_http(299, b"{}");
        assert!(h.detail.unwrap_or_default().contains("299"));
    }
}
