//! YAML output is part of the CLI's interface (`-o yaml`, `kv export --format yaml`): these pin
//! the exact text for values whose quoting is easy to get wrong, and the reading of YAML input.

use serde_json::{Value, json};

use super::to_yaml;

#[test]
fn yaml_output_text_is_stable() {
    let value = json!({
        "plain": "hello",
        "looks_like_bool": "yes",
        "looks_like_number": "1.0",
        "empty": "",
        "null_word": "null",
        "leading_space": " x",
        "colon": "a: b",
        "hash": "# not a comment",
        "multi": "line one\nline two\n",
        "unicode": "café ✓",
        "number": 42,
        "float": 1.5,
        "flag": true,
        "nothing": null,
        "list": ["a", 1, {"k": "v"}],
        "nested": {"inner": {"deep": "x"}},
        "empty_map": {},
        "empty_list": []
    });
    let expected = include_str!("yaml_golden.yaml");
    assert_eq!(to_yaml(&value).expect("encodes"), expected);
}

#[test]
fn yaml_output_reads_back_as_the_same_value() {
    let value = json!({"a": "yes", "b": "0x10", "c": "~", "d": "multi\nline", "e": [true, null]});
    let text = to_yaml(&value).expect("encodes");
    let back: Value = serde_norway::from_str(&text).expect("decodes");
    assert_eq!(back, value);
}

#[test]
fn yaml_input_understands_block_flow_and_anchors() {
    let text = "base: &b {user: app}\ncopy: *b\nlist:\n  - 1\n  - two\nquoted: 'yes'\nbare: yes\n";
    let v: Value = serde_norway::from_str(text).expect("decodes");
    assert_eq!(
        v,
        json!({
            "base": {"user": "app"},
            "copy": {"user": "app"},
            "list": [1, "two"],
            "quoted": "yes",
            "bare": "yes"
        })
    );
}
