//! Subcommands and the helpers they share (terminal colour, atomic writes, loading standards).

pub mod check;
pub mod compile;
pub mod fix;
pub mod fmt;
pub mod history;
pub mod inspect;
pub mod standards;
pub mod test;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use tenet_runtime::{Engine, Standard};

/// Exit code: success.
pub const OK: u8 = 0;
/// Exit code: findings (or policy errors for `check-policy`).
pub const FINDINGS: u8 = 1;
/// Exit code: usage, input or runtime error.
pub const ERROR: u8 = 2;

/// Whether to colour a stream: only on a terminal, and never with `NO_COLOR` set.
pub fn color(stream_is_terminal: bool) -> bool {
    stream_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Colour for standard error.
pub fn color_stderr() -> bool {
    color(std::io::stderr().is_terminal())
}

/// Prints an error to standard error.
pub fn error(msg: impl std::fmt::Display) {
    let prefix = if color_stderr() {
        "\x1b[1;31merror:\x1b[0m"
    } else {
        "error:"
    };
    eprintln!("{prefix} {msg}");
}

/// Prints an input error with the line of `text` it points at, and a caret under its column.
pub fn input_error(e: &tenet_runtime::inventory::InputError, text: &str) {
    error(e);
    if e.line == 0 {
        return;
    }
    if let Some(l) = text.lines().nth(e.line - 1) {
        let n = e.line.to_string();
        eprintln!("{} |", " ".repeat(n.len()));
        eprintln!("{n} | {l}");
        if e.col > 0 {
            eprintln!("{} | {}^", " ".repeat(n.len()), " ".repeat(e.col - 1));
        }
    }
}

/// Writes a file atomically: a temporary file in the same directory, synced, then renamed over
/// the target. On failure the target is untouched.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "out".into());
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        // Fault injection for the interruption test: die between writing and renaming.
        if std::env::var_os("TENET_TEST_CRASH_BEFORE_RENAME").is_some() {
            std::process::abort();
        }
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Policy files named by a path: the file itself, or every `.tenet` file under a directory.
pub fn policy_files(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d)? {
            let p = e?.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "tenet") {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Where built-in standards live: `$TENET_POLICIES`, else the `policies/` folder of this source tree.
pub fn builtin_dir() -> PathBuf {
    std::env::var_os("TENET_POLICIES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("policies"))
}

/// A standard to run: compiled now from source (with its IR, for `--explain`) or loaded from a module.
pub struct Loaded {
    /// The loaded module.
    pub standard: Standard,
    /// The checked IR, when compiled from source.
    pub program: Option<tenet_compiler::ir::Program>,
}

/// Resolves `--standard`: a `.wasm` module, a policy file, a directory of policy files, or the
/// name of a built-in standard. Errors are printed; `None` means exit 2.
pub fn load_standard(engine: &Engine, spec: &str) -> Option<Loaded> {
    let path = PathBuf::from(spec);
    let path = if path.exists() {
        path
    } else {
        let b = builtin_dir().join(spec);
        if b.exists() {
            b
        } else {
            error(format!("no standard `{spec}`: not a file, a directory, or a built-in standard (built-ins are in {})", builtin_dir().display()));
            return None;
        }
    };
    if path.extension().is_some_and(|e| e == "wasm") {
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                error(format!("cannot read {}: {e}", path.display()));
                return None;
            }
        };
        return match engine.load(&bytes) {
            Ok(standard) => Some(Loaded {
                standard,
                program: None,
            }),
            Err(e) => {
                error(format!("{}: {e}", path.display()));
                None
            }
        };
    }
    let files = match policy_files(&path) {
        Ok(f) if !f.is_empty() => f,
        Ok(_) => {
            error(format!("{} holds no .tenet files", path.display()));
            return None;
        }
        Err(e) => {
            error(format!("cannot read {}: {e}", path.display()));
            return None;
        }
    };
    match tenet_compiler::compile_files(&files) {
        Ok(c) => {
            if !c.warnings.is_empty() {
                eprint!(
                    "{}",
                    tenet_compiler::diagnostics::render(&c.sources, &c.warnings, color_stderr())
                );
            }
            match engine.load(&c.wasm) {
                Ok(standard) => Some(Loaded {
                    standard,
                    program: Some(c.program),
                }),
                Err(e) => {
                    error(e);
                    None
                }
            }
        }
        Err(f) => {
            eprint!("{}", f.render(color_stderr()));
            None
        }
    }
}

/// The lists of resources each cross-resource lookup of a standard ranges over, as the reference
/// interpreter takes them (`--explain`, `tenet test`).
pub fn interp_lookups(
    meta: &tenet_stdlib::abi::Metadata,
    resources: &[tenet_runtime::inventory::Resource],
) -> Vec<Vec<serde_json::Value>> {
    meta.lookups
        .iter()
        .map(|l| {
            let m: Vec<globset::GlobMatcher> = l
                .types
                .iter()
                .filter_map(|t| {
                    globset::GlobBuilder::new(t)
                        .case_insensitive(true)
                        .build()
                        .ok()
                })
                .map(|g| g.compile_matcher())
                .collect();
            resources
                .iter()
                .filter(|r| m.iter().any(|g| g.is_match(&r.kind)))
                .map(|r| r.doc.clone())
                .collect()
        })
        .collect()
}

/// The evaluation time given by `--now` (RFC 3339), or `default` without it; `None` (after
/// printing the error) when the flag is not a time.
pub fn evaluation_time(flag: Option<&str>, default: impl FnOnce() -> f64) -> Option<f64> {
    match flag {
        None => Some(default()),
        Some(t) => {
            let parsed = tenet_stdlib::time::parse(t);
            if parsed.is_none() {
                error(format!(
                    "--now `{t}` is not an RFC 3339 time such as 2026-01-31T12:00:00Z"
                ));
            }
            parsed
        }
    }
}

/// An engine with the cache of compiled modules (or without, when `cache` is false or the cache
/// cannot be used, which is said on standard error); `None` after printing the error.
pub fn engine(cache: bool, limits: tenet_runtime::Limits) -> Option<Engine> {
    let dir = if cache {
        tenet_runtime::engine::default_cache_dir()
    } else {
        None
    };
    let made = Engine::new(dir, limits).or_else(|e| {
        eprintln!("warning: {e}; continuing without a cache of compiled modules");
        Engine::new(None, limits)
    });
    match made {
        Ok(e) => Some(e),
        Err(e) => {
            error(e);
            None
        }
    }
}

pub use tenet::clock;
