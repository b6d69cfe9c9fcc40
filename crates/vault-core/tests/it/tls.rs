//! TLS with a generated CA: the right CA works, a wrong CA fails with a Connection error that
//! says TLS, skip-verify works, and a client certificate can be presented.

use vault_core::{VaultClient, VaultConnectionConfig, VaultErrorKind};
use vault_testkit::{OpenBao, TestPki};

use crate::client_common::fast_retry;

#[tokio::test]
async fn tls_trust_decisions() {
    let pki = TestPki::generate();
    let bao = OpenBao::dev_tls(&pki).await;
    assert!(bao.addr().starts_with("https://"), "{}", bao.addr());

    let with_ca = VaultClient::builder()
        .with_address(bao.addr())
        .with_token(bao.root_token())
        .with_ca_cert_file(pki.ca_cert_path())
        .with_client_cert(pki.client_cert_path(), pki.client_key_path())
        .build()
        .expect("client");
    assert!(
        with_ca
            .read("secret/data/none")
            .await
            .expect("right CA")
            .is_none()
    );

    let wrong_ca = VaultClient::builder()
        .with_address(bao.addr())
        .with_token(bao.root_token())
        .with_ca_cert_file(pki.wrong_ca_cert_path())
        .with_retry(fast_retry(2))
        .build()
        .expect("client");
    let e = wrong_ca
        .read("secret/data/none")
        .await
        .expect_err("wrong CA");
    assert_eq!(e.kind(), VaultErrorKind::Connection, "{e}");
    let text = e.to_string();
    assert!(
        text.contains("TLS") && text.contains("certificate"),
        "{text}"
    );
    assert!(text.contains("VAULT_CACERT"), "{text}");
    assert!(
        !e.is_retryable(),
        "an untrusted certificate is not worth a retry"
    );
    assert_eq!(wrong_ca.stats().retries, 0, "TLS failures are not retried");

    let skip = VaultClient::builder()
        .with_address(bao.addr())
        .with_token(bao.root_token())
        .with_skip_verify(true)
        .build()
        .expect("client");
    assert!(
        skip.read("secret/data/none")
            .await
            .expect("skip-verify")
            .is_none()
    );

    // The same through the environment variables.
    let (addr, token, ca) = (
        bao.addr(),
        bao.root_token(),
        pki.ca_cert_path().display().to_string(),
    );
    let config = VaultConnectionConfig::from_env_with(|name| match name {
        "VAULT_ADDR" => Some(addr.clone()),
        "VAULT_TOKEN" => Some(token.clone()),
        "VAULT_CACERT" => Some(ca.clone()),
        _ => None,
    })
    .expect("config");
    let from_env = VaultClient::from_config(&config).expect("client from env");
    assert!(
        from_env
            .read("secret/data/none")
            .await
            .expect("CA from VAULT_CACERT")
            .is_none()
    );
}
