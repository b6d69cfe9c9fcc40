//! `TestPki` and `OpenBao::dev_tls`.

use vault_testkit::{OpenBao, TestPki};

fn client_trusting(path: &std::path::Path) -> reqwest::Client {
    let pem = std::fs::read(path).expect("read CA");
    let ca = reqwest::Certificate::from_pem(&pem).expect("parse CA");
    reqwest::Client::builder()
        .no_proxy()
        .tls_certs_only([ca])
        .build()
        .expect("client")
}

#[tokio::test]
async fn tls_listener_accepts_the_right_ca_and_rejects_the_wrong_one() {
    let pki = TestPki::generate();
    let bao = OpenBao::dev_tls(&pki).await;
    assert!(
        bao.addr().starts_with("https://127.0.0.1:"),
        "{}",
        bao.addr()
    );
    let url = format!("{}/v1/sys/health", bao.addr());

    let ok = client_trusting(&pki.ca_cert_path())
        .get(&url)
        .send()
        .await
        .expect("TLS with the right CA");
    assert_eq!(ok.status(), 200);

    let error = client_trusting(&pki.wrong_ca_cert_path())
        .get(&url)
        .send()
        .await
        .expect_err("the wrong CA must fail");
    assert!(error.is_connect(), "{error:?}");
    let chain = format!("{error:?}");
    assert!(
        chain.contains("certificate") || chain.contains("UnknownIssuer"),
        "{chain}"
    );

    // The helpers use the PKI's CA.
    let (status, _) = bao.api("GET", "sys/health", None).await;
    assert_eq!(status, 200);

    // Also works by host name.
    let by_name = url.replace("127.0.0.1", "localhost");
    let ok = client_trusting(&pki.ca_cert_path())
        .get(&by_name)
        .send()
        .await
        .expect("localhost SAN");
    assert_eq!(ok.status(), 200);
}

#[tokio::test]
async fn plain_http_to_the_tls_listener_fails() {
    let pki = TestPki::generate();
    let bao = OpenBao::dev_tls(&pki).await;
    let plain = bao.addr().replace("https://", "http://");
    let response = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
        .get(format!("{plain}/v1/sys/health"))
        .send()
        .await
        .expect("Go answers plain HTTP on a TLS port with a 400");
    assert_eq!(response.status(), 400);
}
