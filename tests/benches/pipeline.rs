//! Criterion benchmarks: compiling a 100-recommendation standard, and evaluating resources.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    missing_docs,
    reason = "a benchmark stops on setup errors; criterion_group! generates undocumented items"
)]
//! Run with `cargo bench -p tenet-tests`; bench/run.sh compares whole runs with peer tools.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::path::Path;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn compile(c: &mut Criterion) {
    let x10 = std::fs::read_to_string(root().join("bench/rules/x10.tenet"))
        .expect("bench/rules/x10.tenet");
    let x1 =
        std::fs::read_to_string(root().join("bench/rules/x1.tenet")).expect("bench/rules/x1.tenet");
    let mut g = c.benchmark_group("compile");
    g.bench_function("100 recommendations", |b| {
        b.iter(|| {
            tenet_compiler::compile_str("x10.tenet", &x10)
                .map(|c| c.wasm.len())
                .unwrap_or(0)
        })
    });
    g.bench_function("10 recommendations", |b| {
        b.iter(|| {
            tenet_compiler::compile_str("x1.tenet", &x1)
                .map(|c| c.wasm.len())
                .unwrap_or(0)
        })
    });
    g.finish();
}

fn evaluate(c: &mut Criterion) {
    let engine = tenet_tests::engine();
    let inv = tenet_runtime::inventory::load(&[root().join("examples/inventory.json")])
        .expect("example inventory");
    let mut g = c.benchmark_group("evaluate");
    for (name, file) in [
        ("10 rules", "bench/rules/x1.tenet"),
        ("100 rules", "bench/rules/x10.tenet"),
    ] {
        let text = std::fs::read_to_string(root().join(file)).expect("rules");
        let compiled = tenet_compiler::compile_str(file, &text)
            .map_err(|f| f.render(false))
            .expect("compiles");
        let standard = engine.load(&compiled.wasm).expect("loads");
        let mut inst = standard.instantiate(&[]).expect("instance");
        let inputs: Vec<Vec<u8>> = inv
            .resources
            .iter()
            .map(|r| {
                let mut buf = Vec::new();
                tenet_runtime::eval::encode(&standard.metadata, r, 0.0, false, &mut buf);
                buf
            })
            .collect();
        g.throughput(Throughput::Elements(inputs.len() as u64));
        g.bench_function(format!("{name}, one instance"), |b| {
            b.iter(|| {
                inputs
                    .iter()
                    .map(|i| inst.evaluate(i).map(|r| r.len()).unwrap_or(0))
                    .sum::<usize>()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, compile, evaluate);
criterion_main!(benches);
