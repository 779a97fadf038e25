//! Differential tests: the reference interpreter and the compiled module agree.

use tenet_tests::*;

#[test]
fn example_standard_agrees() {
    let c = example_standard();
    let inv = tenet_runtime::inventory::load(&[root().join("examples/inventory.json")]).unwrap();
    assert_agree(&engine(), &c, &inv.resources);
}

use proptest::prelude::*;

/// Policies per run (each evaluated on [`RESOURCES`] resources): `TENET_DIFF_POLICIES` raises it.
fn policies() -> u32 {
    std::env::var("TENET_DIFF_POLICIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(250)
}

const RESOURCES: usize = 40;

proptest! {
    #![proptest_config(ProptestConfig { cases: policies(), failure_persistence: None, ..ProptestConfig::default() })]

    /// 250 generated standards x 6 recommendations x 40 resources: 10,000 (standard, resource)
    /// cases and 60,000 recommendation evaluations per run, compared field by field.
    #[test]
    fn generated_policies_agree(seed in any::<u64>()) {
        if let Err(e) = check_seed(seed) {
            prop_assert!(false, "{}", e);
        }
    }
}

/// Replays one seed:
/// `TENET_DIFF_SEED=123 cargo test -p tenet-tests --test differential replay -- --ignored`.
#[test]
#[ignore = "a tool for reproducing a failure: set TENET_DIFF_SEED and run with --ignored"]
fn replay() {
    let seed: u64 = std::env::var("TENET_DIFF_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .expect("set TENET_DIFF_SEED to the seed to replay");
    if let Err(e) = check_seed(seed) {
        panic!("{e}");
    }
}

fn check_seed(seed: u64) -> Result<(), String> {
    let mut r = gen::Rng::new(seed);
    let src = gen::standard(&mut r, 6);
    let c = tenet_compiler::compile_str("gen.tenet", &src).map_err(|f| {
        format!(
            "generated policy (seed {seed}) does not compile:\n{src}\n{}",
            f.render(false)
        )
    })?;
    let docs: Vec<serde_json::Value> = (0..RESOURCES).map(|_| gen::resource(&mut r)).collect();
    // The scanner (JSON text straight to the encoding, projected) equals parse, apply, encode.
    let plan = tenet_runtime::scan::Plan::new(&c.metadata.projection);
    for d in &docs {
        let mut scanned = Vec::new();
        tenet_runtime::scan::encode(d.to_string().as_bytes(), &plan, &mut scanned)
            .map_err(|e| format!("seed {seed}: scan failed on {d}: {e:?}"))?;
        if scanned != tenet_stdlib::value::to_bytes(&c.metadata.projection.apply(d)) {
            return Err(format!(
                "seed {seed}: scanned projection differs from apply on {d}"
            ));
        }
    }
    let rs = resources(&serde_json::Value::Array(docs));
    let e = ENGINE.with(|e| e.clone());
    let a = interpret(&c, &rs);
    let b = run_wasm(&e, &c, &rs);
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        for (j, (p, q)) in x.iter().zip(y).enumerate() {
            if p != q {
                let rec = src.split("recommendation ").nth(j + 1).unwrap_or("");
                return Err(format!(
                    "seed {seed}: resource {i}, recommendation r{j} differ\ninterpreter: {p:?}\nwasm:        {q:?}\nrecommendation {rec}\nresource: {}",
                    rs[i].doc
                ));
            }
        }
    }
    Ok(())
}

thread_local! {
    static ENGINE: tenet_runtime::Engine = engine();
}
