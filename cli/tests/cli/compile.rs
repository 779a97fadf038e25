//! `tenet compile`, `tenet inspect` and `tenet check-policy`: modules, policy errors, hostile
//! modules, the compiled-code cache.

use crate::common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

#[test]
fn compile_inspect_and_run_a_module() {
    let wasm = scratch("example.wasm");
    let o = tenet(&["compile", "examples/standard", "-o", wasm.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = tenet(&["inspect", wasm.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    // The module's size changes with the code generator; the rest of the summary must not.
    let shown: Vec<String> = transcript(&o)
        .lines()
        .map(|l| match l.strip_prefix("module:") {
            Some(_) => "module:      MODULE (size)".to_string(),
            None => l.to_string(),
        })
        .collect();
    insta::assert_snapshot!(shown.join("\n"));
    let table = |std: &str| {
        stdout(&tenet(&[
            "check",
            "--standard",
            std,
            "examples/inventory.json",
            "--now",
            NOW,
        ]))
    };
    assert_eq!(
        table(wasm.to_str().unwrap()),
        table("examples/standard"),
        "module and source agree"
    );
    let o = tenet(&["compile", "examples/standard", "--emit", "wat"]);
    assert!(stdout(&o).starts_with("(module"));
}

#[test]
fn policy_errors() {
    let o = tenet(&[
        "check-policy",
        "tests/fixtures/check/E0201-unknown-function.tenet",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("did you mean `lower`?"));
    let o = tenet(&[
        "check-policy",
        "--format",
        "short",
        "tests/fixtures/check/E0206-type-mismatch.tenet",
    ]);
    assert!(
        stdout(&o).contains("E0206-type-mismatch.tenet:2:71: error[E0206]"),
        "{}",
        stdout(&o)
    );
    let o = tenet(&["check-policy", "examples/standard"]);
    assert_eq!(o.status.code(), Some(0));
    let o = tenet(&[
        "check",
        "--standard",
        "tests/fixtures/check/E0110-severity.tenet",
        "examples/inventory.json",
    ]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "a broken policy is an error, not a finding"
    );
}

/// A hand-written module with tenet's exports whose evaluation misbehaves.
fn hostile(name: &str, abi: u32, eval_body: &str) -> PathBuf {
    let meta = format!(
        r#"{{"abi":{abi},"compiler":"test","standard":{{"id":"h","title":"Hostile"}},"controls":[],"recommendations":[{{"id":"r","title":"R","severity":"high","applies":[{{"provider":"*","types":["*"]}}],"condition":"true","span":{{"file":"h.tenet","line":1,"col":1}}}}],"clauses":[],"vars":[],"projection":{{}},"lookups":[]}}"#
    );
    let text = format!(
        r#"(module
            (memory (export "memory") 1)
            (func (export "tenet_abi_version") (result i32) i32.const {abi})
            (func (export "tenet_index_reserve") (param i32) (result i32) i32.const 1024)
            (func (export "tenet_reserve") (param i32) (result i32) i32.const 1024)
            (func (export "tenet_eval") (param i32 i32) (result i32) {eval_body})
            (@custom "tenet.metadata" "{}"))"#,
        meta.replace('"', "\\\"")
    );
    let wasm = wat::parse_str(text).unwrap();
    write(name, &wasm)
}

#[test]
fn hostile_modules_are_stopped() {
    let inv = "examples/inventory.json";
    let looping = hostile("loop.wasm", 1, "(loop (br 0)) i32.const 0");
    // An endless loop meets the instruction budget, the same on every machine ...
    let o = tenet(&["check", "--standard", looping.to_str().unwrap(), inv]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("needed more than 1000000000 instructions"),
        "{}",
        stderr(&o)
    );
    // ... and, without a budget, the wall-clock backstop.
    let o = tenet(&[
        "check",
        "--standard",
        looping.to_str().unwrap(),
        inv,
        "--timeout",
        "200",
        "--max-instructions",
        "18446744073709551615",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("took longer than"), "{}", stderr(&o));
    let greedy = hostile(
        "grow.wasm",
        1,
        "(loop (br_if 0 (i32.ne (memory.grow (i32.const 16)) (i32.const -1)))) unreachable",
    );
    let o = tenet(&[
        "check",
        "--standard",
        greedy.to_str().unwrap(),
        inv,
        "--max-memory",
        "64",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("needed more memory than allowed (--max-memory)"),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("backtrace"), "{}", stderr(&o));
    let future = hostile("abi2.wasm", 2, "i32.const 0");
    let o = tenet(&["check", "--standard", future.to_str().unwrap(), inv]);
    assert!(stderr(&o).contains("ABI version 2"), "{}", stderr(&o));
    let plain = write("plain.wasm", &wat::parse_str("(module)").unwrap());
    let o = tenet(&["check", "--standard", plain.to_str().unwrap(), inv]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("not a tenet standard"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn compiled_modules_are_cached_unless_told_not_to() {
    let run = |dir: &Path, extra: &[&str]| {
        let mut args = vec![
            "check",
            "--standard",
            "examples/standard",
            "examples/inventory.json",
        ];
        args.extend_from_slice(extra);
        Command::new(env!("CARGO_BIN_EXE_tenet"))
            .env("TENET_NO_HISTORY", "1")
            .args(&args)
            .current_dir(root())
            .env("TENET_CACHE_DIR", dir)
            .output()
            .unwrap()
    };
    let files = |dir: &Path| -> usize {
        fn count(d: &Path) -> usize {
            std::fs::read_dir(d).map_or(0, |it| {
                it.flatten()
                    .map(|e| {
                        if e.path().is_dir() {
                            count(&e.path())
                        } else {
                            1
                        }
                    })
                    .sum()
            })
        }
        count(dir)
    };
    let off = scratch("cache-off");
    assert_eq!(run(&off, &["--no-cache"]).status.code(), Some(1));
    assert_eq!(files(&off), 0, "--no-cache writes nothing");
    let on = scratch("cache-on");
    assert_eq!(run(&on, &[]).status.code(), Some(1));
    assert!(files(&on) > 0, "the compiled module is cached");
    assert_eq!(
        run(&on, &[]).status.code(),
        Some(1),
        "a cached run gives the same result"
    );
}

#[test]
fn missing_imports_are_reported_where_imported() {
    let p = write(
        "imports.tenet",
        b"standard s \"S\"\nimport \"no-such-file.tenet\"\n",
    );
    let o = tenet(&["check-policy", "--format", "short", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("imports.tenet:2:8: error[E0117]: cannot read"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_relative_cache_directory_works() {
    let dir = scratch("relative-base");
    std::fs::create_dir_all(&dir).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_tenet"))
        .env("TENET_NO_HISTORY", "1")
        .args([
            "check",
            "--standard",
            root().join("examples/standard").to_str().unwrap(),
            root().join("examples/inventory.json").to_str().unwrap(),
        ])
        .current_dir(&dir)
        .env("TENET_CACHE_DIR", "cache")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
    assert!(
        dir.join("cache").is_dir(),
        "the cache was written under the working directory"
    );
}
