//! Turning reqwest failures into [`VaultError`]s that say what broke.

use std::time::Duration;

use crate::error::{VaultError, VaultErrorKind};

/// Every message in an error's source chain, joined (deduplicated).
pub(super) fn chain_text(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        let s = e.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
        cur = e.source();
    }
    parts.join(": ")
}

/// The innermost message of an error's source chain: the plain cause (`Connection refused (os
/// error 111)`), without reqwest's and hyper's wrappers (`error sending request for url (…):
/// client error (Connect): tcp connect error:`).
pub(super) fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = err.to_string();
    let mut cur = err.source();
    while let Some(e) = cur {
        let s = e.to_string();
        if !s.trim().is_empty() {
            cause = s;
        }
        cur = e.source();
    }
    cause
}

/// True when the chain says the failure was in TLS (handshake, certificate, protocol).
fn is_tls_failure(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    [
        "certificate",
        "tls",
        "ssl",
        "handshake",
        "unknownissuer",
        "peer sent",
        "invalid peer",
        // rustls: `received fatal alert: UnknownCA` (a mutual-TLS server refusing our cert).
        "fatal alert",
    ]
    .iter()
    .any(|w| t.contains(w))
}

/// The hint for a failure that is neither TLS, timeout nor a cut body. Over HTTPS a connection
/// closed or reset without an answer is also how a server demanding a client certificate
/// (mutual TLS) refuses a client that sent none or one it does not trust: with TLS 1.3 its
/// alert races the request and is often lost, so the hint names both causes.
fn unreachable_hint(address: &str, chain: &str) -> &'static str {
    let t = chain.to_ascii_lowercase();
    let dropped = ["connection closed", "reset", "broken pipe"]
        .iter()
        .any(|w| t.contains(w));
    if address.starts_with("https://") && dropped {
        "check VAULT_ADDR and that the server is running; a server that requires a client certificate also drops the connection when none (or one from a CA it does not trust) is sent: check VAULT_CLIENT_CERT/VAULT_CLIENT_KEY"
    } else {
        "check VAULT_ADDR and that the server is running"
    }
}

pub(super) fn connection_error(
    err: &reqwest::Error,
    address: &str,
    timeout: Duration,
) -> VaultError {
    let chain = chain_text(err);
    let cause = root_cause(err);
    let (kind, message, hint) = if err.is_redirect() {
        // A refused redirect is a deployment problem, not a flaky network: not retryable.
        (
            VaultErrorKind::Server,
            format!("redirect not followed: {chain}"),
            "the server redirected the request to another address; point VAULT_ADDR at the active node (or its load balancer) directly",
        )
    } else if is_tls_failure(&chain) {
        (
            VaultErrorKind::Connection,
            format!(
                "TLS handshake with {address} failed (certificate not trusted or invalid): {chain}"
            ),
            "check VAULT_CACERT (the CA that signed the server certificate), VAULT_CLIENT_CERT/VAULT_CLIENT_KEY, or set VAULT_SKIP_VERIFY for tests",
        )
    } else if err.is_timeout() {
        (
            VaultErrorKind::Connection,
            format!("no answer from {address} within {timeout:?}: {cause}"),
            "the server is overloaded or unreachable; raise the timeout or retry later",
        )
    } else if err.is_body() || err.is_decode() {
        (
            VaultErrorKind::Connection,
            format!("response from {address} was cut short: {chain}"),
            "the connection dropped mid-response; retry",
        )
    } else {
        (
            VaultErrorKind::Connection,
            format!("could not reach {address}: {cause}"),
            unreachable_hint(address, &chain),
        )
    };
    let err = VaultError::msg(kind, message).with_hint(hint);
    // A certificate that is not trusted now will not be trusted a second later.
    if is_tls_failure(&chain) {
        err.with_retryable(false)
    } else {
        err
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_cause_drops_the_wrappers() {
        #[derive(Debug)]
        struct Layer(&'static str, Option<Box<Layer>>);
        impl std::fmt::Display for Layer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.0)
            }
        }
        impl std::error::Error for Layer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                self.1
                    .as_deref()
                    .map(|l| l as &(dyn std::error::Error + 'static))
            }
        }
        let e = Layer(
            "error sending request for url (http://127.0.0.1:1/v1/sys/health)",
            Some(Box::new(Layer(
                "client error (Connect)",
                Some(Box::new(Layer(
                    "tcp connect error",
                    Some(Box::new(Layer("Connection refused (os error 111)", None))),
                ))),
            ))),
        );
        assert_eq!(root_cause(&e), "Connection refused (os error 111)");
        assert_eq!(root_cause(&Layer("alone", None)), "alone");
    }

    #[test]
    fn a_dropped_https_connection_names_the_client_certificate() {
        // What a mutual-TLS server's refusal looks like when its alert loses the race.
        let closed = "error sending request: client error (SendRequest): connection closed";
        let hint = unreachable_hint("https://vault:8200", closed);
        assert!(hint.contains("VAULT_CLIENT_CERT"), "{hint}");
        assert!(hint.contains("VAULT_ADDR"), "{hint}");
        let reset = "Connection reset by peer (os error 104)";
        assert!(unreachable_hint("https://vault:8200", reset).contains("VAULT_CLIENT_CERT"));
        // Plain HTTP has no client certificate; a refused connection is a down server.
        assert!(!unreachable_hint("http://vault:8200", closed).contains("CLIENT_CERT"));
        let refused = "tcp connect error: Connection refused (os error 111)";
        assert!(!unreachable_hint("https://vault:8200", refused).contains("CLIENT_CERT"));
    }

    #[test]
    fn tls_failures_are_recognised_in_chains() {
        assert!(is_tls_failure("invalid peer certificate: UnknownIssuer"));
        assert!(is_tls_failure("received fatal alert: HandshakeFailure"));
        assert!(is_tls_failure(
            "connection error: received fatal alert: UnknownCA"
        ));
        assert!(!is_tls_failure("Connection refused (os error 111)"));
    }
}
