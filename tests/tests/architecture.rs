//! The layout rules of docs/architecture.md, checked on the source tree: no import circle between
//! sibling modules of any crate, no source file over 900 lines, and a `//!` doc comment opening
//! every module file.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails on what it cannot read"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Longest source file allowed.
const MAX_LINES: usize = 900;

/// Source roots of the workspace's crates (each holds `lib.rs` or `main.rs`).
const CRATES: &[&str] = &[
    "src",
    "stdlib/src",
    "compiler/src",
    "runtime/src",
    "report/src",
    "cli/src",
    "tests/src",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n != "snapshots") {
                rust_files(&p, out);
            }
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// A module's path inside its crate, from its file (`input/mod.rs` and `input.rs` are `input`;
/// `lib.rs` and `main.rs` are the crate root, the empty path).
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap();
    let mut parts: Vec<String> = rel
        .iter()
        .map(|c| c.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap();
    let stem = last.trim_end_matches(".rs");
    if !matches!(stem, "mod" | "lib" | "main") {
        parts.push(stem.to_string());
    }
    parts
}

/// The code of a file: without its test module (tests may reach anywhere) and without comment
/// lines (a documentation link is not a dependency).
fn code(text: &str) -> String {
    let text = match text.find("\n#[cfg(test)]\nmod ") {
        Some(i) => &text[..i],
        None => text,
    };
    text.split_inclusive('\n')
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect()
}

/// Expands a `use` tree (`a::{b, c::{d, e}}`) into full paths.
fn expand(tree: &str) -> Vec<Vec<String>> {
    fn split_top(s: &str) -> Vec<&str> {
        let (mut depth, mut start, mut out) = (0, 0, vec![]);
        for (i, c) in s.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    out.push(&s[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        out.push(&s[start..]);
        out
    }
    let tree = tree.trim();
    if tree.is_empty() {
        return vec![];
    }
    match tree.find('{') {
        None => {
            let path = tree.split(" as ").next().unwrap();
            vec![path
                .split("::")
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty() && s != "*" && s != "self")
                .collect()]
        }
        Some(open) => {
            let prefix: Vec<String> = tree[..open]
                .split("::")
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
            let Some(close) = tree.rfind('}') else {
                return vec![];
            };
            let inner = &tree[open + 1..close];
            split_top(inner)
                .into_iter()
                .flat_map(expand)
                .map(|tail| prefix.iter().cloned().chain(tail).collect())
                .collect()
        }
    }
}

/// Every path a module's code names through `crate::` or `super::`, made absolute.
fn references(module: &[String], text: &str) -> Vec<Vec<String>> {
    let text = &code(text);
    let mut paths = vec![];
    // `use` statements (at the start of a line), braces included.
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let body = ["use ", "pub use ", "pub(crate) use ", "pub(super) use "]
            .iter()
            .find_map(|p| trimmed.strip_prefix(p));
        if body.is_some() {
            let at = offset + line.len() - trimmed.len();
            let stmt = &text[at..];
            let stmt = &stmt[stmt.find("use ").unwrap() + 4..];
            paths.extend(expand(&stmt[..stmt.find(';').unwrap_or(stmt.len())]));
        }
        offset += line.len();
    }
    // Paths written inline: `crate::a::b(` or `super::c::D`.
    let bytes = text.as_bytes();
    for start in ["crate::", "super::"] {
        for (i, _) in text.match_indices(start) {
            if i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_') {
                continue;
            }
            let tail: String = text[i..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            paths.push(
                tail.split("::")
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
            );
        }
    }
    let mut out = vec![];
    for p in paths {
        let Some(first) = p.first() else { continue };
        let abs: Vec<String> = match first.as_str() {
            "crate" => p[1..].to_vec(),
            "super" => {
                // `super` in module `a::b` (file `a/b.rs` or `a/b/mod.rs`) is `a`.
                let mut base = module.to_vec();
                let mut tail = &p[..];
                while tail.first().is_some_and(|s| s == "super") {
                    base.pop();
                    tail = &tail[1..];
                }
                base.into_iter().chain(tail.iter().cloned()).collect()
            }
            _ => continue,
        };
        out.push(abs);
    }
    out
}

/// Finds a cycle in a directed graph, if any (depth-first search).
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(n.to_string(), 1);
        stack.push(n.to_string());
        for m in graph.get(n).into_iter().flatten() {
            match state.get(m.as_str()) {
                Some(1) => {
                    let at = stack.iter().position(|s| s == m).unwrap();
                    let mut c = stack[at..].to_vec();
                    c.push(m.clone());
                    return Some(c);
                }
                Some(_) => {}
                None => {
                    if let Some(c) = visit(m, graph, state, stack) {
                        return Some(c);
                    }
                }
            }
        }
        stack.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in graph.keys() {
        if !state.contains_key(n) {
            if let Some(c) = visit(n, graph, &mut state, &mut vec![]) {
                return Some(c);
            }
        }
    }
    None
}

/// The module graph of one crate, lifted to siblings: an edge from `a::x` to `b::y` becomes an
/// edge between the children of their closest common ancestor. References between a module and
/// its own ancestors or descendants are containment, not flow, and are left out.
fn sibling_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = vec![];
    rust_files(src, &mut files);
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(src, f)).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let from = module_of(src, f);
        let text = std::fs::read_to_string(f).unwrap();
        for path in references(&from, &text) {
            // The deepest module that the path names.
            let to = (0..=path.len())
                .rev()
                .map(|k| path[..k].to_vec())
                .find(|p| modules.contains(p))
                .unwrap_or_default();
            if to.starts_with(&from) || from.starts_with(&to) {
                continue;
            }
            let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
            let parent = from[..common].join("::");
            let a = format!("{parent}>{}", from[common]);
            let b = format!("{parent}>{}", to[common]);
            graph.entry(a).or_default().insert(b);
        }
    }
    graph
}

#[test]
fn no_import_circles_in_any_crate() {
    let mut found = vec![];
    for c in CRATES {
        let g = sibling_graph(&root().join(c));
        if let Some(cycle) = cycle(&g) {
            found.push(format!("{c}: {}", cycle.join(" -> ")));
        }
    }
    assert!(found.is_empty(), "import circles:\n{}", found.join("\n"));
}

#[test]
fn the_checker_sees_a_circle() {
    let dir = std::env::temp_dir().join(format!("tenet-arch-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("input")).unwrap();
    std::fs::write(dir.join("lib.rs"), "//! x\nmod a;\nmod input;\n").unwrap();
    std::fs::write(
        dir.join("a.rs"),
        "//! a\nuse crate::input::{stream::read, X};\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("input/mod.rs"),
        "//! i\nuse crate::input::stream;\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("input/stream.rs"),
        "//! s\nfn f() { super::super::a::g() }\n#[cfg(test)]\nmod tests { use crate::b; }\n",
    )
    .unwrap();
    let g = sibling_graph(&dir);
    let c = cycle(&g).expect("a -> input -> a is a circle");
    assert_eq!(c.len(), 3, "{c:?}");
    std::fs::write(dir.join("input/stream.rs"), "//! s\nfn f() {}\n").unwrap();
    assert_eq!(cycle(&sibling_graph(&dir)), None);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn every_source_file_is_short_and_documented() {
    let mut problems = vec![];
    let mut files = vec![];
    for dir in CRATES
        .iter()
        .copied()
        .chain(["tests/tests", "cli/tests", "examples"])
    {
        let d = root().join(dir);
        if d.exists() {
            rust_files(&d, &mut files);
        }
    }
    assert!(files.len() > 50, "the scan found too few files");
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let name = f.strip_prefix(root()).unwrap().display().to_string();
        let lines = text.lines().count();
        if lines > MAX_LINES {
            problems.push(format!("{name}: {lines} lines (at most {MAX_LINES})"));
        }
        if !text.starts_with("//!") {
            problems.push(format!(
                "{name}: no `//!` doc comment saying what it is for"
            ));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// Packages a crate depends on for normal builds, from `cargo tree`.
fn normal_dependencies(package: &str) -> BTreeSet<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args([
            "tree",
            "-e",
            "normal",
            "--prefix",
            "none",
            "--offline",
            "-p",
        ])
        .arg(package)
        .current_dir(root())
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

#[test]
fn embedders_do_not_compile_the_command_line() {
    let lib = normal_dependencies("tenet");
    assert!(lib.contains("tenet-runtime") && lib.contains("tenet-report"));
    let cli = normal_dependencies("tenet-cli");
    for heavy in ["rusqlite", "clap", "indicatif"] {
        assert!(cli.contains(heavy), "the binary uses {heavy}");
        assert!(!lib.contains(heavy), "the library pulls in {heavy}");
    }
}
