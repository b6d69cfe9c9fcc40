//! [`Capability`]: the verbs of Vault's ACL policy language
//! ([policies](https://developer.hashicorp.com/vault/docs/concepts/policies#capabilities)).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{VaultError, VaultErrorKind};

/// One ACL capability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Capability {
    /// Create a path that does not exist (POST/PUT).
    Create,
    /// Read a path (GET).
    Read,
    /// Change an existing path (POST/PUT).
    Update,
    /// Partially update a path (PATCH).
    Patch,
    /// Delete a path (DELETE).
    Delete,
    /// List a path's children (LIST).
    List,
    /// Use root-protected paths (in addition to the other capabilities).
    Sudo,
    /// Deny everything on the path, overriding any grant.
    Deny,
    /// OpenBao only: recursive listing.
    Scan,
}

impl Capability {
    /// Every capability, in Vault's documentation order.
    pub const ALL: [Capability; 9] = [
        Capability::Create,
        Capability::Read,
        Capability::Update,
        Capability::Patch,
        Capability::Delete,
        Capability::List,
        Capability::Sudo,
        Capability::Deny,
        Capability::Scan,
    ];

    /// The name used in policy text.
    pub fn as_str(self) -> &'static str {
        match self {
            Capability::Create => "create",
            Capability::Read => "read",
            Capability::Update => "update",
            Capability::Patch => "patch",
            Capability::Delete => "delete",
            Capability::List => "list",
            Capability::Sudo => "sudo",
            Capability::Deny => "deny",
            Capability::Scan => "scan",
        }
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Capability {
    type Err = VaultError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Capability::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| {
                let known: Vec<&str> = Capability::ALL.iter().map(|c| c.as_str()).collect();
                VaultError::new(VaultErrorKind::Validation)
                    .with_operation("parse policy capability")
                    .with_message(format!("unknown capability `{s}`"))
                    .with_hint(format!("use one of: {}", known.join(", ")))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capability_parse_and_unknown() {
        assert_eq!("read".parse::<Capability>().ok(), Some(Capability::Read));
        let e = "reed"
            .parse::<Capability>()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.contains("unknown capability `reed`") && e.contains("create, read"),
            "{e}"
        );
    }
}
