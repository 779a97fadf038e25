//! Shared helpers for tenet's integration tests: compile a standard, run it through both the
//! reference interpreter and the WebAssembly runtime, and compare.
#![allow(
    clippy::panic,
    clippy::expect_used,
    reason = "test helpers fail the test on unexpected errors"
)]

use serde_json::Value;
use tenet_compiler::{compile_str, interp, Compiled};
use tenet_runtime::inventory::{self, Inventory};
use tenet_runtime::resource::Resource;
use tenet_runtime::{eval, Engine, Limits};
use tenet_stdlib::abi::RecResult;

/// A fixed evaluation time for tests: 2026-01-01T00:00:00Z.
pub const NOW: f64 = 1_767_225_600.0;

/// Compiles a policy text, panicking with rendered diagnostics on failure.
pub fn compile(src: &str) -> Compiled {
    match compile_str("test.tenet", src) {
        Ok(c) => c,
        Err(f) => panic!("{}", f.render(false)),
    }
}

/// The repository's root.
pub fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The example standard (`examples/standard`), compiled.
pub fn example_standard() -> Compiled {
    let mut files: Vec<_> = std::fs::read_dir(root().join("examples/standard"))
        .expect("examples/standard")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    match tenet_compiler::compile_files(&files) {
        Ok(c) => c,
        Err(f) => panic!("{}", f.render(false)),
    }
}

/// A built-in standard (`policies/<name>`), compiled.
pub fn builtin(name: &str) -> Compiled {
    let mut files: Vec<_> = std::fs::read_dir(root().join("policies").join(name))
        .expect("policies/<name>")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "tenet"))
        .collect();
    files.sort();
    match tenet_compiler::compile_files(&files) {
        Ok(c) => c,
        Err(f) => panic!("{}", f.render(false)),
    }
}

/// Checks that the generated text between `<!-- NAME:begin -->` and `<!-- NAME:end -->` in `doc`
/// equals `content`; with `TENET_BLESS` set, rewrites it instead.
pub fn fresh_section(doc: &std::path::Path, name: &str, content: &str) {
    let (begin, end) = (
        format!("<!-- {name}:begin -->\n"),
        format!("<!-- {name}:end -->"),
    );
    let text = std::fs::read_to_string(doc).unwrap_or_default();
    let (Some(a), Some(b)) = (text.find(&begin), text.find(&end)) else {
        panic!("{} lacks the markers {begin:?} and {end:?}", doc.display());
    };
    if &text[a + begin.len()..b] == content {
        return;
    }
    if std::env::var_os("TENET_BLESS").is_some() {
        let new = format!("{}{content}{}", &text[..a + begin.len()], &text[b..]);
        std::fs::write(doc, new).expect("write the document");
    } else {
        panic!(
            "the generated `{name}` section of {} is out of date; run the tests with TENET_BLESS=1 to rewrite it",
            doc.display()
        );
    }
}

/// The corpus of real infrastructure files kept beside the repository (`../shared/corpus`), or
/// `None` after printing one line saying that `test` is skipped, so that a clone of the
/// repository on its own still passes.
pub fn corpus(test: &str) -> Option<std::path::PathBuf> {
    let c = root().join("../shared/corpus");
    if c.join("files").is_dir() {
        Some(c)
    } else {
        println!("skipped {test}: {} is absent", c.display());
        None
    }
}

/// An engine without a cache, with a hundredth of the default instruction budget: every test
/// that evaluates a built-in standard (over the corpus too) also shows that no real resource
/// comes near the default.
pub fn engine() -> Engine {
    let limits = Limits {
        fuel: tenet_runtime::engine::DEFAULT_FUEL / 100,
        ..Limits::default()
    };
    Engine::new(None, limits).expect("engine")
}

/// Reads resources from a JSON value (an array or a container).
pub fn resources(v: &Value) -> Vec<Resource> {
    let mut inv = Inventory::default();
    inventory::read_bytes(
        "inline.json",
        v.to_string().as_bytes(),
        Some("json"),
        &mut inv,
    )
    .expect("inventory");
    inv.resources
}

/// Results of the reference interpreter.
pub fn interpret(c: &Compiled, rs: &[Resource]) -> Vec<Vec<RecResult>> {
    let lookups: Vec<Vec<Value>> = c
        .metadata
        .lookups
        .iter()
        .map(|l| {
            rs.iter()
                .filter(|r| {
                    l.types.iter().any(|t| {
                        globset::GlobBuilder::new(t)
                            .case_insensitive(true)
                            .build()
                            .is_ok_and(|g| g.compile_matcher().is_match(&r.identity.kind))
                    })
                })
                // What the runtime's index holds: the fields the lookup reads.
                .map(|r| l.projection.apply(&r.doc))
                .collect()
        })
        .collect();
    rs.iter()
        .map(|r| {
            let input = interp::Input {
                provider: &r.identity.provider,
                kind: &r.identity.kind,
                resource: &r.doc,
                now: NOW,
                lookups: &lookups,
            };
            interp::evaluate(&c.program, &input)
        })
        .collect()
}

/// Results of the compiled module in wasmtime.
pub fn run_wasm(engine: &Engine, c: &Compiled, rs: &[Resource]) -> Vec<Vec<RecResult>> {
    let std = engine.load(&c.wasm).expect("load");
    eval::evaluate(&std, rs, NOW, false, &|_| {}).expect("evaluate")
}

/// Asserts that both back ends agree on every resource and recommendation.
pub fn assert_agree(engine: &Engine, c: &Compiled, rs: &[Resource]) -> Vec<Vec<RecResult>> {
    let a = interpret(c, rs);
    let b = run_wasm(engine, c, rs);
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        for (j, (p, q)) in x.iter().zip(y).enumerate() {
            assert_eq!(
                p, q,
                "resource {i} ({}) recommendation {} differs between interpreter (left) and wasm (right)",
                rs[i].identity.id, c.metadata.recommendations[j].id
            );
        }
    }
    b
}

pub mod gen;
