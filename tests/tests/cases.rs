//! One runner for the built-in standards' test cases (`policies/*/tests/*.yaml`): every case's
//! resources go through the reference interpreter, the compiled module in wasmtime and the
//! Node.js host, and any difference fails. (`tenet test` checks the cases' expectations; this
//! checks that every engine gives the same answer to them.)
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail the test on unexpected errors"
)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use tenet_tests::{assert_agree, engine, resources, root, NOW};

fn policy_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "tenet"))
        .collect();
    files.sort();
    files
}

/// Every case of a standard: its name and its documents (the resource, then `others`).
fn cases(dir: &Path) -> Vec<(String, Vec<Value>)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("tests"))
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"));
    files.sort();
    let mut out = vec![];
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let name = f.display().to_string();
        for (doc, _) in tenet_runtime::input::yaml::yaml_documents(&name, &text).unwrap() {
            for case in doc.as_array().cloned().unwrap_or_default() {
                let mut docs = vec![case["resource"].clone()];
                docs.extend(case["others"].as_array().cloned().unwrap_or_default());
                let label = format!("{name}: {}", case["name"].as_str().unwrap_or("?"));
                out.push((label, docs));
            }
        }
    }
    out
}

/// Keys sorted at every level, as `hosts/node/conformance.js` prints findings.
fn canonical(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .iter()
                .map(|k| format!("{}:{}", Value::String((*k).clone()), canonical(&m[*k])))
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(canonical).collect::<Vec<_>>().join(",")
        ),
        other => other.to_string(),
    }
}

#[test]
fn every_engine_gives_the_same_results_on_every_case() {
    let node = Command::new("node").arg("--version").output();
    let node = node.is_ok_and(|o| o.status.success());
    if !node {
        println!("skipped the Node.js host: `node` is not installed (./test.sh installs it)");
    }
    let engine = engine();
    let scratch = std::env::temp_dir().join(format!("tenet-cases-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let mut names: Vec<PathBuf> = std::fs::read_dir(root().join("policies"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    names.sort();
    let mut total = 0;
    for dir in names {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let compiled = tenet_compiler::compile_files(&policy_files(&dir))
            .unwrap_or_else(|f| panic!("{name}: {}", f.render(false)));
        let cases = cases(&dir);
        assert!(!cases.is_empty(), "{name} has no test cases");
        // The interpreter and wasmtime, case by case (others included, for lookups).
        for (label, docs) in &cases {
            let rs = resources(&Value::Array(docs.clone()));
            assert_eq!(rs.len(), docs.len(), "{label}: a document without a type");
            let results = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                assert_agree(&engine, &compiled, &rs)
            }));
            assert!(results.is_ok(), "{label}: interpreter and wasm differ");
        }
        total += cases.len();
        if !node {
            continue;
        }
        // The library (wasmtime) and the Node host, on the same cases, finding for finding.
        let standard = tenet::Standard::load(&compiled.wasm).unwrap().at(NOW);
        let mut rust = String::new();
        for (k, (_, docs)) in cases.iter().enumerate() {
            for f in standard.evaluate(docs).unwrap() {
                let mut v = serde_json::to_value(&f).unwrap();
                let r = v["resource"].as_object_mut().unwrap();
                for key in ["file", "line", "column"] {
                    r.remove(key);
                }
                rust.push_str(&format!("{k} {}\n", canonical(&v)));
            }
        }
        let wasm = scratch.join(format!("{name}.wasm"));
        std::fs::write(&wasm, &compiled.wasm).unwrap();
        let input = scratch.join(format!("{name}-cases.json"));
        let all: Vec<&Vec<Value>> = cases.iter().map(|(_, d)| d).collect();
        std::fs::write(&input, serde_json::to_vec(&all).unwrap()).unwrap();
        let o = Command::new("node")
            .arg(root().join("hosts/node/conformance.js"))
            .arg(&wasm)
            .arg(&input)
            .arg(NOW.to_string())
            .arg("--cases")
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let js = String::from_utf8(o.stdout).unwrap();
        if let Some((a, b)) = rust.lines().zip(js.lines()).find(|(a, b)| a != b) {
            let k: usize = a.split(' ').next().unwrap().parse().unwrap();
            panic!(
                "{name}, case {}: the Node host differs\nrust: {a}\nnode: {b}",
                cases[k].0
            );
        }
        assert_eq!(rust.lines().count(), js.lines().count(), "{name}");
        assert!(!rust.is_empty());
    }
    assert!(total > 100, "only {total} cases");
    let _ = std::fs::remove_dir_all(&scratch);
}
