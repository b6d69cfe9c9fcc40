//! The stale-on-error triggers documented in docs/kv.md are the ones the code uses.

use vault_core::{VaultError, VaultErrorKind as K};

use super::serves_stale;
use crate::error::KvError;

const DOC: &str = include_str!("../../../../docs/kv.md");

fn stale_paragraph() -> &'static str {
    let start = DOC.find("- Stale-on-error serves").unwrap_or(0);
    let end = DOC[start..]
        .find("\n- A hit")
        .map_or(DOC.len(), |e| start + e);
    &DOC[start..end]
}

#[test]
fn documented_triggers_serve_stale_and_the_rest_do_not() {
    let para = stale_paragraph();
    let (served, refused) = para.split_once("Never for").unwrap_or((para, ""));
    for kind in [K::Connection, K::Sealed, K::RateLimited, K::Server] {
        assert!(
            serves_stale(&KvError::Vault(VaultError::new(kind))),
            "{kind:?}"
        );
        assert!(
            served.contains(&format!("`{kind:?}`")),
            "{kind:?} not documented as served"
        );
    }
    for kind in [
        K::SecretNotFound,
        K::RouteNotFound,
        K::Permission,
        K::Authentication,
        K::InvalidToken,
        K::Validation,
        K::Version,
        K::Uninitialized,
        K::Config,
        K::Io,
    ] {
        assert!(
            !serves_stale(&KvError::Vault(VaultError::new(kind))),
            "{kind:?}"
        );
        assert!(
            refused.contains(&format!("`{kind:?}`")),
            "{kind:?} not documented as refused"
        );
    }
    // Retryable by status: a 412 serves stale, whatever the kind.
    let precondition = VaultError::new(K::Validation).with_status(412);
    assert!(serves_stale(&KvError::Vault(precondition)));
    assert!(served.contains("412"));
    // Errors vault-kv explains itself never do.
    let denied = KvError::Permission {
        operation: "read",
        path: "secret/a".into(),
        api_path: "secret/data/a".into(),
        source: VaultError::new(K::Permission),
    };
    assert!(!serves_stale(&denied));
}
