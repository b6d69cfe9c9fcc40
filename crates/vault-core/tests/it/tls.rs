//! TLS with a generated CA: the right CA works, a wrong CA fails with a Connection error that
//! says TLS, skip-verify works; with mutual TLS the right client certificate works and none or
//! one from another CA is refused.

use std::path::PathBuf;

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

/// A client for `bao` trusting the right CA, optionally presenting a certificate.
fn mtls_client(bao: &OpenBao, pki: &TestPki, cert: Option<(PathBuf, PathBuf)>) -> VaultClient {
    let mut builder = VaultClient::builder()
        .with_address(bao.addr())
        .with_token(bao.root_token())
        .with_ca_cert_file(pki.ca_cert_path())
        .with_retry(fast_retry(3));
    if let Some((cert, key)) = cert {
        builder = builder.with_client_cert(cert, key);
    }
    builder.build().expect("client")
}

#[tokio::test]
async fn mutual_tls_needs_a_client_certificate_from_the_trusted_ca() {
    let pki = TestPki::generate();
    let bao = OpenBao::dev_mtls(&pki).await;
    assert!(bao.addr().starts_with("https://"), "{}", bao.addr());

    // The certificate signed by the CA the listener trusts (`tls_client_ca_file`) works.
    let right = mtls_client(
        &bao,
        &pki,
        Some((pki.client_cert_path(), pki.client_key_path())),
    );
    assert!(
        right
            .read("secret/data/none")
            .await
            .expect("right client certificate")
            .is_none()
    );
    assert_eq!(right.stats().retries, 0);

    // No certificate, and a certificate of the same name from another CA, are refused: a
    // Connection error whose message names the client-certificate variables. With TLS 1.3
    // the server's alert races the request, so the client sees either the alert
    // (`CertificateRequired`/`BadCertificate`: a TLS error, not retried) or a connection the
    // server dropped (retryable); both must send the user to VAULT_CLIENT_CERT. Several
    // fresh clients make both outcomes likely to occur.
    let cases = [
        ("no client certificate", None),
        (
            "a client certificate from another CA",
            Some((
                pki.foreign_client_cert_path(),
                pki.foreign_client_key_path(),
            )),
        ),
    ];
    for (what, cert) in cases {
        for _ in 0..4 {
            let client = mtls_client(&bao, &pki, cert.clone());
            let e = client.read("secret/data/none").await.expect_err(what);
            assert_eq!(e.kind(), VaultErrorKind::Connection, "{what}: {e}");
            let text = e.to_string();
            assert!(text.contains("VAULT_CLIENT_CERT"), "{what}: {text}");
            if text.contains("TLS handshake") {
                assert!(!e.is_retryable(), "{what}: {text}");
            } else {
                assert!(text.contains("could not reach"), "{what}: {text}");
            }
        }
    }
    // The right certificate still works after all those refusals.
    assert!(
        right
            .read("secret/data/none")
            .await
            .expect("right again")
            .is_none()
    );
}
