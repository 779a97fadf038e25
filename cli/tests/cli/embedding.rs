//! The same results through every door: the library API and the Node.js host against the CLI.

use crate::common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The library API gives the findings the CLI reports.
#[test]
fn the_library_api_agrees_with_the_cli() {
    let files = tenet_compiler_files(&root().join("examples/standard"));
    let module = tenet::compile_files(&files).unwrap();
    let standard = tenet::Standard::load(&module).unwrap().at(1_795_564_800.0);
    let findings = standard
        .evaluate_inventory(&[root().join("examples/inventory.json")])
        .unwrap();
    let failing: Vec<(String, String)> = findings
        .iter()
        .filter(|f| f.state == tenet::Outcome::NotCompliant)
        .map(|f| (f.recommendation.clone(), f.resource.identity.id.clone()))
        .collect();
    let o = tenet(&[
        "check",
        "--standard",
        "examples/standard",
        "examples/inventory.json",
        "--now",
        NOW,
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let cli: Vec<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["recommendation"].as_str().unwrap().to_string(),
                f["resource"]["id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(!cli.is_empty());
    assert_eq!(failing, cli);
    assert!(matches!(
        tenet::compile("x.tenet", "fn f( ="),
        Err(tenet::Error::Compile(_))
    ));
}

fn tenet_compiler_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "tenet"))
        .collect();
    files.sort();
    files
}

/// Keys sorted at every level, as hosts/node/conformance.js prints findings.
fn canonical(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Array(items) => {
            format!(
                "[{}]",
                items.iter().map(canonical).collect::<Vec<_>>().join(",")
            )
        }
        serde_json::Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .into_iter()
                .map(|k| {
                    format!(
                        "{}:{}",
                        serde_json::Value::String(k.clone()),
                        canonical(&m[k])
                    )
                })
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        other => other.to_string(),
    }
}

/// Every built-in standard, over the bundled example and the Kubernetes files of the corpus,
/// through the Rust runtime and through the Node host: identical findings, byte for byte after
/// canonical ordering (the Node host takes documents, not files, so file and line are left out).
#[test]
fn the_node_host_gives_the_same_findings_as_the_rust_runtime() {
    let node = Command::new("node").arg("--version").output();
    assert!(
        node.is_ok_and(|o| o.status.success()),
        "Node.js is needed (./test.sh installs it with apt-get)"
    );
    let now = 1_795_564_800.0;
    let inventories = [
        root().join("examples/inventory.json"),
        root().join("../shared/corpus/files/kubernetes"),
    ];
    let mut names: Vec<String> = std::fs::read_dir(root().join("policies"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    // Each inventory is read once, as documents.
    let loaded: Vec<(PathBuf, Vec<serde_json::Value>, PathBuf)> = inventories
        .iter()
        .enumerate()
        .map(|(k, inv)| {
            let docs: Vec<serde_json::Value> =
                tenet::runtime::inventory::load(std::slice::from_ref(inv))
                    .unwrap()
                    .resources
                    .into_iter()
                    .map(|r| r.doc)
                    .collect();
            let file = scratch(&format!("conformance-docs-{k}.json"));
            std::fs::write(&file, serde_json::to_vec(&docs).unwrap()).unwrap();
            (inv.clone(), docs, file)
        })
        .collect();
    let mut compared = 0;
    for name in &names {
        let module =
            tenet::compile_files(&tenet_compiler_files(&root().join("policies").join(name)))
                .unwrap();
        let wasm = scratch(&format!("{name}.wasm"));
        std::fs::write(&wasm, &module).unwrap();
        let standard = tenet::Standard::load(&module).unwrap().at(now);
        for (inv, docs, docs_file) in &loaded {
            let rust: String = standard
                .evaluate(docs)
                .unwrap()
                .iter()
                .map(|f| {
                    let mut v = serde_json::to_value(f).unwrap();
                    let r = v["resource"].as_object_mut().unwrap();
                    r.remove("file");
                    r.remove("line");
                    r.remove("column");
                    canonical(&v) + "\n"
                })
                .collect();
            let o = Command::new("node")
                .arg(root().join("hosts/node/conformance.js"))
                .arg(&wasm)
                .arg(docs_file)
                .arg(now.to_string())
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", stderr(&o));
            let js = stdout(&o);
            if let Some((a, b)) = rust.lines().zip(js.lines()).find(|(a, b)| a != b) {
                panic!(
                    "{name} on {}: first difference\nrust: {a}\nnode: {b}",
                    inv.display()
                );
            }
            assert_eq!(
                rust.lines().count(),
                js.lines().count(),
                "{name} on {}",
                inv.display()
            );
            compared += rust.lines().count();
        }
    }
    assert!(compared > 1000, "{compared} findings compared");
}
