//! The streaming pipeline (`eval::run`: inputs read in batches, scanned straight into the
//! projected encoding, evaluated in parallel) gives exactly the results of the in-memory path
//! (`inventory::load` + `eval::evaluate`), whatever the read size and the input format.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test on unexpected errors"
)]

use proptest::prelude::*;
use serde_json::Value;
use std::sync::Arc;
use tenet_runtime::eval::{self, Item};
use tenet_runtime::input::Input;
use tenet_stdlib::abi::{Outcome, RecResult};
use tenet_tests::*;

/// (resource id, file line, per-recommendation results) of every evaluated resource.
type Row = (String, usize, Vec<RecResult>);

fn streamed(c: &tenet_compiler::Compiled, inputs: &[Input], chunk: usize) -> (Vec<Row>, usize) {
    let std = engine().load(&c.wasm).unwrap();
    let keep = |_: &tenet_runtime::resource::Identity| true;
    let finish = |e: eval::Evaluated, _: &mut Vec<u8>| e;
    let progress = |_: u64| {};
    let given = Default::default();
    let opts = eval::Run {
        format: tenet_runtime::iac::Format::Auto,
        given: &given,
        now: NOW,
        chunk,
        keep: &keep,
        finish: &finish,
        progress: &progress,
    };
    let mut rows = Vec::new();
    let mut skipped = 0;
    eval::run(&std, inputs, &opts, &mut |items, _| {
        for i in items {
            match i {
                Item::Resource(e) => {
                    let results = e
                        .outcomes
                        .iter()
                        .enumerate()
                        .map(|(k, o)| RecResult {
                            outcome: *o,
                            reason: e.reason(k).cloned(),
                        })
                        .collect();
                    rows.push((
                        e.resource.identity.id.clone(),
                        e.resource.origin.line,
                        results,
                    ));
                }
                Item::Skipped(_) => skipped += 1,
                Item::Filtered => {}
                // The inputs here are valid: a failure is a bug in the streaming reader.
                Item::Failed(e) => unreachable!("{e}"),
            }
        }
        Ok(())
    })
    .unwrap();
    (rows, skipped)
}

fn in_memory(c: &tenet_compiler::Compiled, inputs: &[Input]) -> (Vec<Row>, usize) {
    let inv = tenet_runtime::inventory::load_inputs(inputs, None).unwrap();
    let results = run_wasm(&engine(), c, &inv.resources);
    let rows = inv
        .resources
        .iter()
        .zip(results)
        .map(|(r, res)| (r.identity.id.clone(), r.origin.line, res))
        .collect();
    (rows, inv.skipped.len())
}

fn bytes(name: &str, text: String) -> Input {
    Input::Bytes {
        name: name.into(),
        bytes: Arc::new(text.into_bytes()),
    }
}

#[test]
fn example_inventory_streams_like_it_loads() {
    let c = example_standard();
    let inputs = [Input::File(root().join("examples/inventory.json"))];
    let expected = in_memory(&c, &inputs);
    assert!(expected.0.len() > 20);
    assert!(
        expected
            .0
            .iter()
            .any(|r| r.2.iter().any(|x| x.outcome == Outcome::NotCompliant)),
        "the example has findings"
    );
    // The standard has a cross-resource lookup, so this also covers the index pass.
    for chunk in [64, 1000, 1 << 20] {
        assert_eq!(streamed(&c, &inputs, chunk), expected, "chunk {chunk}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, failure_persistence: None, ..ProptestConfig::default() })]

    /// Generated standards over generated resources, written as a JSON array, an ARM-style
    /// container and JSON Lines, read with read sizes from tiny to whole.
    #[test]
    fn streaming_equals_loading(seed in any::<u64>(), chunk in 16usize..4096) {
        let mut r = gen::Rng::new(seed);
        let src = gen::standard(&mut r, 4);
        let c = compile(&src);
        let docs: Vec<Value> = (0..30).map(|_| gen::resource(&mut r)).collect();
        let array = serde_json::to_string_pretty(&docs).unwrap();
        let container = serde_json::to_string(&serde_json::json!({"$schema": "x", "resources": docs})).unwrap();
        let lines: String = docs.iter().map(|d| format!("{d}\n")).collect();
        for input in [bytes("a.json", array), bytes("c.json", container), bytes("l.jsonl", lines)] {
            let inputs = [input];
            let expected = in_memory(&c, &inputs);
            prop_assert_eq!(streamed(&c, &inputs, chunk), expected.clone());
            prop_assert_eq!(streamed(&c, &inputs, 1 << 20), expected);
        }
    }
}
