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
    // What cannot be read is never dropped in silence: the call fails, naming it, and still
    // carries the findings of everything else.
    let bad = write("embedding-bad.json", b"[{\"type\": \"x\",");
    match standard.evaluate_inventory(&[root().join("examples/inventory.json"), bad.clone()]) {
        Err(tenet::Error::NotEvaluated {
            errors,
            findings: rest,
        }) => {
            assert_eq!(errors.len(), 1);
            assert_eq!(errors[0].file, bad.display().to_string());
            assert_eq!(rest.len(), findings.len());
        }
        other => panic!("expected NotEvaluated, got {other:?}"),
    }
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
    if !node.is_ok_and(|o| o.status.success()) {
        println!("skipped the Node host conformance test: `node` is not installed (./test.sh installs it)");
        return;
    }
    let now = 1_795_564_800.0;
    let corpus = root().join("../shared/corpus/files/kubernetes");
    let mut inventories = vec![root().join("examples/inventory.json")];
    if corpus.exists() {
        inventories.push(corpus.clone());
    } else {
        println!("skipped the corpus part: {} is absent", corpus.display());
    }
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
            // File by file: a file the reader refuses (a repeated YAML key) is left out.
            let inputs = tenet::runtime::input::inputs(std::slice::from_ref(inv)).unwrap();
            let docs: Vec<serde_json::Value> = inputs
                .iter()
                .filter_map(|i| {
                    tenet::runtime::inventory::load_inputs(std::slice::from_ref(i), None).ok()
                })
                .flat_map(|inv| inv.resources.into_iter().map(|r| r.doc))
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
                    // Where things are in files: the Node host is handed documents, not files.
                    v.as_object_mut().unwrap().remove("property");
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
    let least = if corpus.exists() { 1000 } else { 100 };
    assert!(compared > least, "{compared} findings compared");
}

/// The example inventory with one resource exempting itself from one recommendation.
fn tagged_inventory(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(root().join("examples/inventory.json")).unwrap();
    let mut docs: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    let web = docs
        .iter_mut()
        .find(|d| d["name"] == "stwebassets")
        .unwrap();
    web["tags"]["tenet-exempt-storage-min-tls"] = "old clients move in Q3".into();
    let path = dir.join("inventory.json");
    std::fs::write(&path, serde_json::to_string_pretty(&docs).unwrap()).unwrap();
    path
}

/// `tenet check --all`'s findings (every state, not applicable included) as JSON objects.
fn check_findings(inv: &Path, settings: bool) -> Vec<serde_json::Value> {
    let mut args = vec![
        "check",
        "--standard",
        "examples/standard",
        inv.to_str().unwrap(),
        "--now",
        NOW,
        "--all",
        "--format",
        "json",
    ];
    if settings {
        args.extend([
            "--exemptions",
            "tests/fixtures/exemptions/example.yaml",
            "--governance",
            "tests/fixtures/governance/example.yaml",
        ]);
    }
    let o = tenet(&args);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    v["findings"].as_array().unwrap().clone()
}

/// One inventory with an in-resource exemption tag, an exemptions file and governance: the
/// library, `tenet check`, `tenet fix` and `tenet test` agree on every state.
#[test]
fn every_door_agrees_on_exemptions_and_governance() {
    let dir = scratch("agree");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let inv = tagged_inventory(&dir);
    let cli = check_findings(&inv, true);
    let state = |rec: &str, name: &str| -> String {
        cli.iter()
            .find(|f| f["recommendation"] == rec && f["resource"]["name"] == name)
            .map(|f| f["state"].as_str().unwrap().to_string())
            .unwrap_or_default()
    };
    // The three kinds of triage are all in play.
    assert_eq!(state("storage-min-tls", "stwebassets"), "exempt", "the tag");
    assert_eq!(
        state("storage-min-tls", "stlegacyexport"),
        "exempt",
        "the file"
    );
    assert!(cli.iter().any(|f| f["governance"]["owner"].is_string()));
    assert!(cli.iter().any(|f| f["state"] == "not_compliant"));

    // The library, given the same settings, serialises exactly the CLI's findings.
    let files = tenet_compiler_files(&root().join("examples/standard"));
    let module = tenet::compile_files(&files).unwrap();
    let standard = tenet::Standard::load(&module).unwrap().at(1_795_564_800.0);
    let mut session = standard.session();
    session.triage.exemptions =
        tenet::load::exemptions(Some(&root().join("tests/fixtures/exemptions/example.yaml")))
            .unwrap();
    session.triage.governance =
        tenet::load::governance(Some(&root().join("tests/fixtures/governance/example.yaml")))
            .unwrap();
    let inputs = tenet::runtime::input::inputs(std::slice::from_ref(&inv)).unwrap();
    let sinks = tenet::check::Sinks {
        collect: true,
        ..Default::default()
    };
    let lib: Vec<serde_json::Value> = session
        .check(&inputs, sinks)
        .unwrap()
        .findings
        .iter()
        .map(|f| {
            // The policy was compiled from absolute paths here, relative ones by the CLI.
            let text = serde_json::to_string(f).unwrap();
            let text = text.replace(&format!("{}/", root().display()), "");
            serde_json::from_str(&text).unwrap()
        })
        .collect();
    assert_eq!(lib.len(), cli.len());
    for (l, c) in lib.iter().zip(&cli) {
        assert_eq!(l, c);
    }
    // Without settings, the library's default session still honours the tag.
    let plain = standard
        .evaluate_inventory(std::slice::from_ref(&inv))
        .unwrap();
    let tagged = plain
        .iter()
        .find(|f| {
            f.recommendation == "storage-min-tls" && f.resource.identity.name == "stwebassets"
        })
        .unwrap();
    assert_eq!(tagged.state, tenet::Outcome::Exempt);

    // `tenet fix` reports on exactly the not-compliant findings (fixed, or why not): nothing
    // exempt, by tag or by file.
    let fix = |settings: bool| -> Vec<(String, String)> {
        let mut args = vec![
            "fix",
            "--standard",
            "examples/standard",
            inv.to_str().unwrap(),
            "--now",
            NOW,
            "--format",
            "json",
        ];
        if settings {
            args.extend([
                "--exemptions",
                "tests/fixtures/exemptions/example.yaml",
                "--governance",
                "tests/fixtures/governance/example.yaml",
            ]);
        }
        let o = tenet(&args);
        assert!(o.status.code().is_some_and(|c| c < 2), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let mut out: Vec<(String, String)> = v
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| {
                let name = r["resource"]["name"].as_str().unwrap().to_string();
                r["fixes"].as_array().unwrap().iter().map(move |x| {
                    (
                        x["recommendation"].as_str().unwrap().to_string(),
                        name.clone(),
                    )
                })
            })
            .collect();
        out.sort();
        out
    };
    let mut fixable: Vec<(String, String)> = cli
        .iter()
        .filter(|f| f["state"] == "not_compliant")
        .map(|f| {
            (
                f["recommendation"].as_str().unwrap().to_string(),
                f["resource"]["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    fixable.sort();
    assert!(!fixable.is_empty());
    assert_eq!(fix(true), fixable);
    // Without the file, the file's exemption is gone but the tag still holds.
    let unfiled = fix(false);
    assert!(unfiled.contains(&("storage-min-tls".into(), "stlegacyexport".into())));
    assert!(!unfiled.contains(&("storage-min-tls".into(), "stwebassets".into())));

    // `tenet test`: cases built from `tenet check`'s states (tag only: test cases carry no
    // exemptions file) pass, the tagged one expecting `exempt`.
    let std_dir = dir.join("standard");
    std::fs::create_dir_all(std_dir.join("tests")).unwrap();
    for f in &files {
        std::fs::copy(f, std_dir.join(f.file_name().unwrap())).unwrap();
    }
    let tagged_only = check_findings(&inv, false);
    let docs: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(&inv).unwrap()).unwrap();
    let mut cases = vec![];
    for d in docs.iter().filter(|d| {
        d["type"]
            .as_str()
            .is_some_and(|t| t.starts_with("Microsoft.Storage") || t.starts_with("AWS::S3"))
    }) {
        let name = d["name"].as_str().unwrap();
        let mut expect = serde_json::Map::new();
        expect.insert("default".into(), "not_applicable".into());
        for f in tagged_only.iter().filter(|f| f["resource"]["name"] == name) {
            expect.insert(
                f["recommendation"].as_str().unwrap().into(),
                f["state"].clone(),
            );
        }
        cases.push(serde_json::json!({"name": name, "resource": d, "expect": expect}));
    }
    let case_text = serde_json::to_string_pretty(&cases).unwrap();
    assert!(case_text.contains("\"storage-min-tls\": \"exempt\""));
    std::fs::write(std_dir.join("tests/agree.yaml"), &case_text).unwrap();
    let o = tenet(&["test", std_dir.to_str().unwrap(), "--now", NOW]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    // The same cases fail if the tag is ignored.
    std::fs::write(
        std_dir.join("tests/agree.yaml"),
        case_text.replace(
            "\"storage-min-tls\": \"exempt\"",
            "\"storage-min-tls\": \"not_compliant\"",
        ),
    )
    .unwrap();
    let o = tenet(&["test", std_dir.to_str().unwrap(), "--now", NOW]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
}
