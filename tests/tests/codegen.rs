//! The generated code for a small policy, as WebAssembly text, and module properties.

use tenet_tests::compile;

const SMALL: &str = r#"
standard demo "Demo" { version "1.0.0" }
recommendation https-only "Storage accounts accept HTTPS only" {
  severity high
  applies azure "Microsoft.Storage/storageAccounts"
  compliant when properties.supportsHttpsTrafficOnly ?? true
  remediation "Enable secure transfer on {name}."
  fix { set properties.supportsHttpsTrafficOnly = true }
}
"#;

#[test]
fn small_policy_wat() {
    let c = compile(SMALL);
    let wat = tenet_compiler::to_wat(&c.wasm).unwrap();
    // The prelude is the stdlib's (tested there); snapshot the code generated for the policy:
    // from the first recommendation function to the data segments.
    let start = wat
        .find("(func $cond:")
        .expect("generated functions are named");
    let end = wat.find("(data ").unwrap_or(wat.len());
    insta::assert_snapshot!(&wat[start..end]);
}

#[test]
fn modules_are_valid_self_contained_and_deterministic() {
    let a = compile(SMALL);
    let b = compile(SMALL);
    assert_eq!(a.wasm, b.wasm, "compilation is deterministic");
    wasmparser::validate(&a.wasm).unwrap();
    for payload in wasmparser::Parser::new(0).parse_all(&a.wasm) {
        if let wasmparser::Payload::ImportSection(s) = payload.unwrap() {
            assert_eq!(s.count(), 0, "modules have no imports");
        }
    }
    insta::assert_json_snapshot!(a.metadata);
}
