//! `tenet fmt`'s layout: idempotent, token-preserving, and already applied to every policy file
//! of the repository; on generated standards too.

use proptest::prelude::*;
use tenet_compiler::format::format;
use tenet_compiler::source::Sources;
use tenet_tests::*;

fn tenet_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            tenet_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "tenet") {
            out.push(p);
        }
    }
}

fn fmt(name: &str, text: &str) -> Result<String, String> {
    let mut s = Sources::new();
    let id = s.add(name, text);
    format(id, text).map_err(|d| d.message.clone())
}

#[test]
fn repository_policies_are_formatted_and_formatting_is_stable() {
    let mut files = Vec::new();
    for d in ["policies", "examples", "tests/fixtures", "bench/rules"] {
        tenet_files(&root().join(d), &mut files);
    }
    assert!(files.len() > 40, "found {} files", files.len());
    let mut formatted = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        let name = f.display().to_string();
        // Fixtures with syntax errors cannot be formatted; everything else must be.
        let Ok(once) = fmt(&name, &text) else {
            assert!(name.contains("fixtures"), "{name} does not format");
            continue;
        };
        formatted += 1;
        assert_eq!(
            fmt(&name, &once).as_deref(),
            Ok(once.as_str()),
            "{name}: not idempotent"
        );
        let is_kept = name.contains("/policies/") || name.contains("/examples/");
        if is_kept {
            assert_eq!(
                once, text,
                "{name} is not formatted: run `tenet fmt {name}`"
            );
        }
    }
    assert!(formatted > 30);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    /// Generated standards, crushed onto few lines or spread out, format to the same text twice,
    /// and the formatted standard compiles to the same recommendations and projection.
    #[test]
    fn generated_standards_format_stably(seed in any::<u64>()) {
        let mut r = gen::Rng::new(seed);
        let src = gen::standard(&mut r, 4);
        let once = fmt("gen.tenet", &src).map_err(TestCaseError::fail)?;
        prop_assert_eq!(fmt("gen.tenet", &once).map_err(TestCaseError::fail)?, once.clone());
        let a = compile(&src);
        let b = compile(&once);
        prop_assert_eq!(&a.metadata.projection, &b.metadata.projection);
        let conds = |c: &tenet_compiler::Compiled| c.metadata.recommendations.iter().map(|r| r.condition.clone()).collect::<Vec<_>>();
        prop_assert_eq!(conds(&a), conds(&b));
    }
}
