//! The worked example of docs/abi.md, byte for byte.

use serde_json::json;
use tenet_stdlib::{abi, value};

const STANDARD: &str = r#"
standard abi-example "ABI example"
recommendation storage-secure-transfer "Storage accounts should only accept HTTPS traffic" {
  severity high
  applies azure "Microsoft.Storage/storageAccounts"
  compliant when properties.supportsHttpsTrafficOnly ?? true
  remediation "Enable 'Secure transfer required' on storage account {name}."
  fix { set properties.supportsHttpsTrafficOnly = true }
}
"#;

#[test]
fn worked_example() {
    let c = tenet_tests::compile(STANDARD);
    let doc = json!({"type": "Microsoft.Storage/storageAccounts", "name": "st1", "properties": {"supportsHttpsTrafficOnly": false}});
    let projected = c.metadata.projection.apply(&doc);
    assert_eq!(
        projected,
        json!({"name": "st1", "properties": {"supportsHttpsTrafficOnly": false}})
    );
    let mut input = Vec::new();
    abi::encode_input(
        0.0,
        "azure",
        "Microsoft.Storage/storageAccounts",
        &value::to_bytes(&projected),
        &mut input,
    );
    assert_eq!(
        &input[..17],
        &[0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, b'a', b'z', b'u', b'r', b'e']
    );
    assert_eq!(&input[17..21], &[33, 0, 0, 0]);
    let resource = &input[54..];
    assert_eq!(&resource[..9], &[6, 2, 0, 0, 0, 68, 0, 0, 0]);
    assert_eq!(resource.len(), 9 + 68);

    let engine = tenet_tests::engine();
    let standard = engine.load(&c.wasm).unwrap();
    let mut inst = standard.instantiate(&[]).unwrap();
    let out = inst.evaluate_raw(&input).unwrap();
    assert_eq!(
        u32::from_le_bytes(out[0..4].try_into().unwrap()) as usize,
        out.len()
    );
    assert_eq!(&out[4..8], &[1, 0, 0, 0]);
    assert_eq!(out[8], 2, "not_compliant");
    assert_eq!(
        &out[9..15],
        &[0, 0, 0, 0, 0, 0],
        "clause 0, false, no fault"
    );
    assert_eq!(out[15], value::tag::FALSE, "actual value");
    assert_eq!(&out[16..20], &[0, 0, 0, 0], "no bindings");
    let text = "Enable 'Secure transfer required' on storage account st1.";
    assert_eq!(out[20], value::tag::STRING);
    assert_eq!(
        u32::from_le_bytes(out[21..25].try_into().unwrap()) as usize,
        text.len()
    );
    assert_eq!(&out[25..25 + text.len()], text.as_bytes());
    let fix = value::from_bytes(&out[25 + text.len()..]).unwrap();
    assert_eq!(
        fix,
        json!([{"op": "set", "path": "/properties/supportsHttpsTrafficOnly", "value": true}])
    );
}

#[test]
fn evaluations_do_not_leak_into_each_other() {
    let c = tenet_tests::compile(STANDARD);
    let engine = tenet_tests::engine();
    let standard = engine.load(&c.wasm).unwrap();
    let mut inst = standard.instantiate(&[]).unwrap();
    let enc = |v: serde_json::Value| {
        let mut input = Vec::new();
        abi::encode_input(
            0.0,
            "azure",
            "Microsoft.Storage/storageAccounts",
            &value::to_bytes(&v),
            &mut input,
        );
        input
    };
    let bad = enc(json!({"name": "a", "properties": {"supportsHttpsTrafficOnly": false}}));
    let good = enc(json!({"name": "b", "properties": {}}));
    let first = inst.evaluate_raw(&bad).unwrap();
    for _ in 0..1000 {
        assert_eq!(
            inst.evaluate(&good).unwrap()[0].outcome,
            abi::Outcome::Compliant
        );
    }
    assert_eq!(
        inst.evaluate_raw(&bad).unwrap(),
        first,
        "same input, same output bytes"
    );
}
