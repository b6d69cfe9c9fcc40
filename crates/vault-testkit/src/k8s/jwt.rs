//! Service-account-shaped JWTs.
//!
//! OpenBao's kubernetes auth method parses the token's claims without verifying the
//! signature when no `pem_keys` are configured (it relies on the TokenReview instead), but
//! the header must name an algorithm Kubernetes uses (RS256 here) and the claims must carry
//! the service account's namespace, name and UID.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use serde_json::json;

use super::Identity;

/// A JWT in the legacy service-account token shape, with a random (unverifiable) signature.
pub(super) fn service_account_jwt(id: &Identity) -> String {
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": "vaultkit-testkit"});
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let claims = json!({
        "iss": "kubernetes/serviceaccount",
        "sub": format!("system:serviceaccount:{}:{}", id.namespace, id.name),
        "iat": now,
        "kubernetes.io/serviceaccount/namespace": id.namespace,
        "kubernetes.io/serviceaccount/service-account.name": id.name,
        "kubernetes.io/serviceaccount/service-account.uid": id.uid,
        "kubernetes.io/serviceaccount/secret.name": format!("{}-token", id.name),
        "jti": random_uid(),
    });
    let mut signature = [0u8; 256];
    rand::rng().fill_bytes(&mut signature);
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        URL_SAFE_NO_PAD.encode(signature)
    )
}

/// A random UUID-shaped identifier.
pub(super) fn random_uid() -> String {
    let mut b = [0u8; 16];
    rand::rng().fill_bytes(&mut b);
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwt_has_three_parts_and_the_claims() {
        let id = Identity {
            namespace: "ns".into(),
            name: "sa".into(),
            uid: random_uid(),
        };
        let token = service_account_jwt(&id);
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3);
        let claims: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("b64")).expect("json");
        assert_eq!(claims["kubernetes.io/serviceaccount/namespace"], "ns");
        assert_eq!(
            claims["kubernetes.io/serviceaccount/service-account.uid"],
            id.uid.as_str()
        );
        assert_ne!(token, service_account_jwt(&id), "each token is unique");
    }
}
