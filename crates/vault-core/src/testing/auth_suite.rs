//! [`auth_method_suite`]: the behaviour every [`AuthMethod`] promises in its `# Contract`.

use crate::auth::{AuthMethod, AuthToken};
use crate::{Method, Transport, VaultRequest};

/// `auth/token/lookup-self` with `token`: returns the `data` object, panicking with `what` on failure.
async fn lookup_self(
    transport: &dyn Transport,
    namespace: Option<&str>,
    token: &AuthToken,
    what: &str,
) -> serde_json::Value {
    let mut request = VaultRequest::new(Method::Get, "auth/token/lookup-self");
    request.set_vault_headers(Some(token.token.expose()), namespace);
    let response = transport.send(&mut request).await.unwrap_or_else(|e| {
        panic!("auth_method_suite: lookup-self with the {what} token could not be sent: {e}")
    });
    let status = response.status;
    let body = response.into_bytes().await.unwrap_or_else(|e| {
        panic!("auth_method_suite: lookup-self body with the {what} token was cut off: {e}")
    });
    assert_eq!(
        status, 200,
        "auth_method_suite: the {what} token does not work for auth/token/lookup-self (HTTP {status})"
    );
    let json: serde_json::Value = serde_json::from_slice(&body)
        .unwrap_or_else(|e| panic!("auth_method_suite: lookup-self answer is not JSON: {e}"));
    json.get("data").cloned().unwrap_or(serde_json::Value::Null)
}

/// Run every [`AuthMethod`] contract check: a non-empty name; `login` gives a non-empty token
/// that works for `auth/token/lookup-self` (in `namespace`, when given), with the accessor and
/// policies the login reported; `can_relogin` is consistent with a second login (a method that
/// can log in again yields a working token again; one that cannot returns the same token).
/// Panics on the first failed check; never prints a token.
pub async fn auth_method_suite(
    auth: &dyn AuthMethod,
    transport: &dyn Transport,
    namespace: Option<&str>,
) {
    assert!(
        !auth.name().trim().is_empty(),
        "auth_method_suite: name() is empty"
    );
    let name = auth.name().to_string();

    let first = auth
        .login(transport, namespace)
        .await
        .unwrap_or_else(|e| panic!("auth_method_suite: login with `{name}` failed: {e}"));
    assert!(
        !first.token.is_empty(),
        "auth_method_suite: `{name}` login returned an empty token"
    );
    let data = lookup_self(transport, namespace, &first, "first").await;

    // What the login reported must match the server. A method that logs in (can_relogin)
    // gets an auth block from Vault and must report its accessor, policies and lease: a check
    // that only ran when the method chose to report a field would pass a method reporting
    // nothing. A bare token (no login call) may leave them out; if it reports one, it must match.
    let logs_in = auth.can_relogin();
    let server_accessor = data
        .get("accessor")
        .and_then(|v| v.as_str())
        .filter(|a| !a.is_empty());
    match first.accessor.as_deref().filter(|a| !a.is_empty()) {
        Some(accessor) => assert_eq!(
            server_accessor,
            Some(accessor),
            "auth_method_suite: `{name}` reported an accessor the server does not know for this token"
        ),
        None => assert!(
            !logs_in || server_accessor.is_none(),
            "auth_method_suite: `{name}` logs in but did not report the token's accessor"
        ),
    }
    let server_policies: Vec<&str> = data
        .get("policies")
        .and_then(|v| v.as_array())
        .map(|a| a.iter().filter_map(|p| p.as_str()).collect())
        .unwrap_or_default();
    assert!(
        !logs_in || server_policies.is_empty() || !first.policies.is_empty(),
        "auth_method_suite: `{name}` logs in but reported no policies; the token has {server_policies:?}"
    );
    for policy in &first.policies {
        assert!(
            server_policies.contains(&policy.as_str()),
            "auth_method_suite: `{name}` reported policy `{policy}` but the token has {server_policies:?}"
        );
    }
    let server_ttl = data.get("ttl").and_then(|v| v.as_u64()).unwrap_or(0);
    match first.lease_duration {
        Some(ttl) => assert!(
            server_ttl <= ttl.as_secs(),
            "auth_method_suite: `{name}` reported a TTL of {}s but the server says {server_ttl}s remain",
            ttl.as_secs()
        ),
        None => assert!(
            !logs_in || server_ttl == 0,
            "auth_method_suite: `{name}` logs in but did not report the lease ({server_ttl}s on the server)"
        ),
    }

    let second = auth
        .login(transport, namespace)
        .await
        .unwrap_or_else(|e| panic!("auth_method_suite: second login with `{name}` failed: {e}"));
    lookup_self(transport, namespace, &second, "second").await;
    if !auth.can_relogin() {
        assert!(
            second.token.expose() == first.token.expose(),
            "auth_method_suite: `{name}` says it cannot log in again (can_relogin() == false) but a second login produced a different token"
        );
    } else {
        assert!(
            second.token.expose() != first.token.expose(),
            "auth_method_suite: `{name}` says it can log in again but a second login returned the same token"
        );
    }
}
