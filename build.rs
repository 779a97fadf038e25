//! Compiles the built-in standards (`policies/<name>/*.tenet`) when tenet is built, and embeds
//! each module with its sources in the library (`src/load.rs` includes the generated
//! `builtins.rs`): a tenet binary copied anywhere has them, and loading one compiles nothing.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn fail(message: String) -> ! {
    for line in message.lines() {
        println!("cargo:warning={line}");
    }
    std::process::exit(1)
}

fn tenet_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| fail(format!("cannot read {}: {e}", dir.display())))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "tenet"))
        .collect();
    files.sort();
    files
}

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    let policies = root.join("policies");
    println!("cargo:rerun-if-changed={}", policies.display());
    let mut names: Vec<String> = std::fs::read_dir(&policies)
        .unwrap_or_else(|e| fail(format!("cannot read {}: {e}", policies.display())))
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut code = String::from("/// The built-in standards, compiled when tenet was built.\npub static BUILTINS: &[Builtin] = &[\n");
    for name in names {
        let dir = policies.join(&name);
        let files = tenet_files(&dir);
        if files.is_empty() {
            continue;
        }
        let compiled = tenet_compiler::compile_files(&files).unwrap_or_else(|f| {
            fail(format!(
                "policies/{name} does not compile:\n{}",
                f.render(false)
            ))
        });
        let wasm = out.join(format!("{name}.wasm"));
        std::fs::write(&wasm, &compiled.wasm)
            .unwrap_or_else(|e| fail(format!("cannot write {}: {e}", wasm.display())));
        let _ = writeln!(
            code,
            "    Builtin {{\n        name: {name:?},\n        wasm: include_bytes!({:?}),\n        sources: &[",
            wasm.display().to_string()
        );
        for f in &files {
            let file = f.file_name().unwrap_or_default().to_string_lossy();
            let _ = writeln!(
                code,
                "            ({:?}, include_str!({:?})),",
                format!("policies/{name}/{file}"),
                f.display().to_string()
            );
        }
        code.push_str("        ],\n    },\n");
    }
    code.push_str("];\n");
    let generated = out.join("builtins.rs");
    std::fs::write(&generated, code)
        .unwrap_or_else(|e| fail(format!("cannot write {}: {e}", generated.display())));
}
