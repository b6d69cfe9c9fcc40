//! Nosey Parker's HashiCorp rules: every `examples` entry must be found by our matching Vault
//! rule, no `negative_examples` entry may be.

use std::path::Path;

use serde_norway::Value;

use crate::{data, scanner};

fn our_rule(np_id: &str) -> &'static str {
    match np_id {
        "np.hashicorp.1" => "vault-service-token-legacy",
        "np.hashicorp.2" => "vault-batch-token-legacy",
        "np.hashicorp.3" => "vault-recovery-token-legacy",
        "np.hashicorp.4" => "vault-service-token",
        "np.hashicorp.5" => "vault-batch-token",
        "np.hashicorp.6" => "vault-recovery-token",
        "np.hashicorp.7" => "vault-unseal-key",
        other => panic!("unexpected rule id {other} in hashicorp.yml"),
    }
}

fn strings(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Value::as_sequence)
        .map(|s| {
            s.iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn hashicorp_examples_match_and_negatives_do_not() {
    let text = std::fs::read_to_string(data("noseyparker/hashicorp.yml")).expect("read rules");
    let doc: Value = serde_norway::from_str(&text).expect("rules are YAML");
    let rules = doc
        .get("rules")
        .and_then(Value::as_sequence)
        .expect("rules list");
    assert_eq!(rules.len(), 7);
    let s = scanner();
    let (mut pos, mut neg) = (0, 0);
    for r in rules {
        let id = r.get("id").and_then(Value::as_str).expect("id");
        let ours = our_rule(id);
        for ex in strings(r, "examples") {
            let f = s.scan_text(Path::new("example.txt"), &ex).findings;
            assert!(
                f.iter().any(|f| f.rule_id == ours),
                "{id} example not found by {ours}: {ex}\n got {:?}",
                f
            );
            pos += 1;
        }
        for ex in strings(r, "negative_examples") {
            let f = s.scan_text(Path::new("example.txt"), &ex).findings;
            assert!(
                !f.iter().any(|f| f.rule_id == ours),
                "{id} negative matched {ours}: {ex}"
            );
            neg += 1;
        }
    }
    assert_eq!((pos, neg), (10, 12));
}

#[test]
fn openbao_tokens_and_unseal_keys() {
    let s = scanner();
    let f = s
        .scan_text(
            Path::new(".env"),
            "VAULT_TOKEN=s.hqoZR8bwv0lZb7QsPinwHEpQ\n",
        )
        .findings;
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].rule_id, "vault-service-token-legacy");
    let f = s
        .scan_text(
            Path::new("init.txt"),
            "Unseal Key 1: fojqmWeaqtPKLktX8ZqBljXj/6QzXFMgzgV3MDVrjg8=\n",
        )
        .findings;
    assert_eq!(
        f.iter().map(|f| f.rule_id.as_str()).collect::<Vec<_>>(),
        ["vault-unseal-key"]
    );
}
