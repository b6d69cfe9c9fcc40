//! Namespaces isolate secrets: a secret written in ns1 is invisible from the root and ns2.

use serde_json::json;
use vault_core::VaultClient;
use vault_testkit::OpenBao;

use crate::client_common::fast_retry;

fn client_in(bao: &OpenBao, ns: Option<&str>) -> VaultClient {
    let mut b = VaultClient::builder()
        .with_address(bao.addr())
        .with_token(bao.root_token())
        .with_retry(fast_retry(2));
    if let Some(ns) = ns {
        b = b.with_namespace(ns);
    }
    b.build().expect("client")
}

#[tokio::test]
async fn namespaces_isolate_secrets() {
    let bao = OpenBao::dev().await;
    bao.create_namespace("ns1").await;
    bao.create_namespace("ns2").await;
    // The same KV v1 mount path in each namespace (and the root).
    for ns in ["ns1", "ns2"] {
        let (status, body) = bao
            .api_in(ns, "POST", "sys/mounts/kv", Some(json!({"type": "kv"})))
            .await;
        assert!(
            status == 204 || status == 200,
            "mount kv in {ns}: {status} {body}"
        );
    }
    bao.enable_kv_v1("kv").await;

    let ns1 = client_in(&bao, Some("ns1"));
    assert_eq!(ns1.namespace(), Some("ns1"));
    ns1.write("kv/x", json!({"owner": "ns1"}))
        .await
        .expect("write in ns1");
    let got = ns1
        .read("kv/x")
        .await
        .expect("read in ns1")
        .expect("visible in ns1");
    assert_eq!(
        got.data_as::<serde_json::Value>().expect("json")["owner"],
        "ns1"
    );

    assert!(
        client_in(&bao, None)
            .read("kv/x")
            .await
            .expect("read in root")
            .is_none(),
        "leaked into root"
    );
    assert!(
        client_in(&bao, Some("ns2"))
            .read("kv/x")
            .await
            .expect("read in ns2")
            .is_none(),
        "leaked into ns2"
    );
    // The same client switched to ns2 does not see it either.
    assert!(
        ns1.with_namespace(Some("ns2"))
            .read("kv/x")
            .await
            .expect("read")
            .is_none()
    );
}
