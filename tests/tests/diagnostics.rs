//! One fixture per diagnostic code: the code is reported, and the rendering (source excerpt,
//! underline, help) is snapshot-tested. The codes are an enum (`tenet_compiler::Code`) whose
//! list is generated with it, so a new code cannot be added without its fixture here and its row
//! in `docs/diagnostics.md`.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test on unexpected errors"
)]

use std::path::{Path, PathBuf};
use tenet_compiler::diagnostics::render;
use tenet_compiler::source::{Sources, Span};
use tenet_compiler::{Code, Diagnostic};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/check")
}

fn code_of(file_name: &str) -> Code {
    let prefix = file_name.split('-').next().unwrap();
    *Code::ALL
        .iter()
        .find(|c| c.as_str() == prefix)
        .unwrap_or_else(|| unreachable!("{file_name}: no such code"))
}

#[test]
fn every_code_has_a_fixture() {
    let names: Vec<String> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let missing: Vec<&str> = Code::ALL
        .iter()
        .filter(|c| !c.is_internal())
        .filter(|c| !names.iter().any(|n| code_of(n) == **c))
        .map(|c| c.as_str())
        .collect();
    assert!(missing.is_empty(), "codes without a fixture: {missing:?}");
}

#[test]
fn every_fixture_reports_its_code() {
    insta::glob!("../fixtures/check", "*.tenet", |path: &Path| {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let code = code_of(&name);
        let (sources, diags) = if code == Code::E0117 {
            // Unreadable files need a file system: compile the fixture from its path, relative
            // to this crate so that the message is the same on every machine.
            let rel = Path::new("fixtures/check").join(&name);
            match tenet_compiler::compile_files(&[rel]) {
                Ok(_) => unreachable!("{name} compiled"),
                Err(f) => (f.sources, f.diagnostics),
            }
        } else {
            let text = std::fs::read_to_string(path).unwrap();
            tenet_compiler::check_str(&name, &text)
        };
        assert!(
            diags.iter().any(|d| d.code == code),
            "{name}: expected {code}, got {:?}",
            diags.iter().map(|d| d.code.as_str()).collect::<Vec<_>>()
        );
        for d in &diags {
            let f = sources.get(d.span.file).unwrap();
            assert!(
                d.span.start <= d.span.end && d.span.end as usize <= f.text.len(),
                "{name}: span out of the file"
            );
        }
        insta::assert_snapshot!(render(&sources, &diags, false));
    });
}

/// No policy causes an internal error on purpose; its rendering still says what to do.
#[test]
fn an_internal_error_asks_for_a_report() {
    let mut sources = Sources::new();
    let f = sources.add("std.tenet", "standard s \"S\"\n");
    let d = Diagnostic::internal(Span::new(f, 0, 8), "the generated module is invalid");
    assert!(Code::E0900.is_internal() && d.code == Code::E0900);
    insta::assert_snapshot!(render(&sources, &[d], false));
}

#[test]
fn the_docs_list_every_code_with_its_meaning() {
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/diagnostics.md"),
    )
    .unwrap();
    let rows: Vec<(String, String)> = doc
        .lines()
        .filter_map(|l| {
            let mut cells = l.strip_prefix("| ")?.split(" | ");
            let code = cells.next()?;
            let what = cells.next()?;
            (code.len() == 5 && code[1..].chars().all(|c| c.is_ascii_digit()))
                .then(|| (code.to_string(), what.to_string()))
        })
        .collect();
    let codes: Vec<(String, String)> = Code::ALL
        .iter()
        .map(|c| (c.as_str().to_string(), c.what().to_string()))
        .collect();
    assert_eq!(rows, codes);
}

#[test]
fn all_errors_are_reported_at_once() {
    let src = "standard s \"S\"\nrecommendation r \"R\" { severity hihg applies azrue \"X\" compliant when lowr(name) == 1 and \"a\" == 2 }";
    let (_, diags) = tenet_compiler::check_str("many.tenet", src);
    let codes: Vec<Code> = diags.iter().map(|d| d.code).collect();
    assert_eq!(codes, [Code::E0110, Code::E0115, Code::E0201, Code::E0206]);
}
