//! The tenet compiler: standards written in the tenet language to self-contained WebAssembly.
//!
//! The pipeline, one module per stage:
//! [`source`] (files, spans) → [`syntax`] (pest grammar → spanned AST) → [`check`] (names, types,
//! metadata → checked [`ir`]) → [`codegen`] (IR → wasm module with a metadata section).
//! [`origin`] traces where clauses read in the resource, for the metadata hosts locate findings with.
//! [`interp`] evaluates the same IR directly: the reference the wasm back end is tested against.
//! [`format`](mod@format) lays policy files out canonically (`tenet fmt`).
//!
//! ```
//! let c = tenet_compiler::compile_str("demo.tenet", r#"
//!     standard demo "Demo" { version "1.0.0" }
//!     recommendation https-only "Storage accounts accept HTTPS only" {
//!       severity high
//!       applies azure "Microsoft.Storage/storageAccounts"
//!       compliant when properties.supportsHttpsTrafficOnly ?? true
//!     }
//! "#).map_err(|f| f.render(false)).unwrap();
//! assert!(c.wasm.starts_with(b"\0asm"));
//! assert_eq!(c.metadata.recommendations[0].id, "https-only");
//! ```
#![deny(missing_docs)]

pub mod check;
pub mod codegen;
pub mod diagnostics;
pub mod format;
pub mod fuzzing;
pub mod interp;
pub mod ir;
pub mod origin;
pub mod source;
pub mod syntax;

pub use diagnostics::{Code, Diagnostic, Level};
pub use source::Sources;

use std::path::{Path, PathBuf};
use tenet_stdlib::abi::{self, Metadata};

/// A compiled standard.
pub struct Compiled {
    /// The module.
    pub wasm: Vec<u8>,
    /// Its metadata (also in the module's custom section).
    pub metadata: Metadata,
    /// The checked IR (for the interpreter and tooling).
    pub program: ir::Program,
    /// Warnings.
    pub warnings: Vec<Diagnostic>,
    /// The sources, for rendering warnings.
    pub sources: Sources,
}

/// A failed compilation: the diagnostics (errors and warnings) and the sources they point into.
pub struct Failure {
    /// Every diagnostic.
    pub diagnostics: Vec<Diagnostic>,
    /// The sources.
    pub sources: Sources,
}

/// The largest policy file read.
pub const MAX_POLICY_BYTES: usize = 16 << 20;

impl Failure {
    /// Renders the diagnostics with source excerpts.
    pub fn render(&self, color: bool) -> String {
        diagnostics::render(&self.sources, &self.diagnostics, color)
    }

    fn io(message: String) -> Failure {
        let mut sources = Sources::new();
        let f = sources.add("<command line>", "");
        Failure {
            diagnostics: vec![Diagnostic::error(
                Code::E0117,
                source::Span::new(f, 0, 0),
                message,
            )],
            sources,
        }
    }
}

/// Reads the given policy files, follows their imports (relative to the importing file) and
/// compiles them into one module.
pub fn compile_files(paths: &[PathBuf]) -> Result<Compiled, Failure> {
    compile_files_with(paths, &|p| std::fs::read(p))
}

/// Reads a policy file's bytes, for [`compile_files_with`].
pub type Reader<'a> = &'a dyn Fn(&Path) -> std::io::Result<Vec<u8>>;

/// [`compile_files`], reading the files (and their imports) with `read`: policies held in
/// memory, such as the built-in standards embedded in the binary.
pub fn compile_files_with(paths: &[PathBuf], read: Reader<'_>) -> Result<Compiled, Failure> {
    let (sources, files) = load(paths, read)?;
    compile_parsed(sources, files)
}

/// Checks the given files without generating code: the diagnostics (possibly only warnings).
pub fn check_files(paths: &[PathBuf]) -> (Sources, Vec<Diagnostic>) {
    match load(paths, &|p| std::fs::read(p)) {
        Err(f) => (f.sources, f.diagnostics),
        Ok((sources, files)) => match check::check(&sources, &files) {
            Ok(c) => (sources, c.warnings),
            Err(d) => (sources, d),
        },
    }
}

/// Compiles one in-memory source (imports are not followed).
pub fn compile_str(name: &str, text: &str) -> Result<Compiled, Failure> {
    let mut sources = Sources::new();
    let id = sources.add(name, text);
    match syntax::parse(id, text) {
        Ok(f) => compile_parsed(sources, vec![f]),
        Err(d) => Err(Failure {
            diagnostics: vec![d],
            sources,
        }),
    }
}

/// Parses and checks in-memory sources, returning the diagnostics.
pub fn check_str(name: &str, text: &str) -> (Sources, Vec<Diagnostic>) {
    let mut sources = Sources::new();
    let id = sources.add(name, text);
    let d = match syntax::parse(id, text) {
        Ok(f) => match check::check(&sources, &[f]) {
            Ok(c) => c.warnings,
            Err(d) => d,
        },
        Err(d) => vec![d],
    };
    (sources, d)
}

fn load(paths: &[PathBuf], read: Reader<'_>) -> Result<(Sources, Vec<syntax::ast::File>), Failure> {
    let mut sources = Sources::new();
    let mut files = Vec::new();
    let mut diags = Vec::new();
    let mut queue: Vec<(PathBuf, Option<(source::Span, String)>)> =
        paths.iter().map(|p| (p.clone(), None)).collect();
    let mut seen = std::collections::HashSet::new();
    while let Some((path, from)) = queue.pop() {
        let key = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        if !seen.insert(key) {
            continue;
        }
        let text = match read(&path) {
            Ok(b) if b.len() > MAX_POLICY_BYTES => {
                let msg = format!(
                    "{} is larger than {} MiB; no policy file needs that much",
                    path.display(),
                    MAX_POLICY_BYTES >> 20
                );
                match from {
                    Some((span, _)) => diags.push(Diagnostic::error(Code::E0117, span, msg)),
                    None => return Err(Failure::io(msg)),
                }
                continue;
            }
            Ok(b) => match String::from_utf8(b) {
                Ok(t) => t,
                Err(_) => {
                    let msg = format!("{} is not UTF-8 text", path.display());
                    match from {
                        Some((span, _)) => diags.push(
                            Diagnostic::error(Code::E0117, span, msg)
                                .help("save the policy file as UTF-8"),
                        ),
                        None => return Err(Failure::io(msg)),
                    }
                    continue;
                }
            },
            Err(e) => {
                let msg = format!("cannot read {}: {e}", path.display());
                match from {
                    Some((span, _)) => diags.push(
                        Diagnostic::error(Code::E0117, span, msg)
                            .label("imported here")
                            .help("import paths are relative to the importing file"),
                    ),
                    None => return Err(Failure::io(msg)),
                }
                continue;
            }
        };
        let id = sources.add(path.display().to_string(), text.as_str());
        match syntax::parse(id, &text) {
            Ok(f) => {
                let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
                for d in &f.decls {
                    if let syntax::ast::Decl::Import(n) = d {
                        queue.push((dir.join(&n.text), Some((n.span, n.text.clone()))));
                    }
                }
                files.push(f);
            }
            Err(d) => diags.push(d),
        }
    }
    if !diags.is_empty() {
        return Err(Failure {
            diagnostics: diags,
            sources,
        });
    }
    Ok((sources, files))
}

fn compile_parsed(sources: Sources, files: Vec<syntax::ast::File>) -> Result<Compiled, Failure> {
    let checked = match check::check(&sources, &files) {
        Ok(c) => c,
        Err(diagnostics) => {
            return Err(Failure {
                diagnostics,
                sources,
            })
        }
    };
    let program = checked.program;
    let metadata = metadata_of(&program);
    match codegen::generate(&program, &metadata) {
        Ok(wasm) => Ok(Compiled {
            wasm,
            metadata,
            program,
            warnings: checked.warnings,
            sources,
        }),
        Err(e) => {
            let span = source::Span::default();
            Err(Failure {
                diagnostics: vec![Diagnostic::internal(span, e.to_string())],
                sources,
            })
        }
    }
}

/// The metadata section of a program.
pub fn metadata_of(p: &ir::Program) -> Metadata {
    let (projection, lookup_proj) = ir::project(p);
    let (clause_origins, var_origins) = origin::origins(p);
    let lookups = p
        .lookups
        .iter()
        .zip(lookup_proj)
        .map(|(l, projection)| abi::LookupMeta {
            projection,
            ..l.clone()
        })
        .collect();
    Metadata {
        abi: abi::ABI_VERSION,
        compiler: format!("tenet {}", env!("CARGO_PKG_VERSION")),
        standard: p.standard.clone(),
        controls: p.controls.clone(),
        recommendations: p
            .recs
            .iter()
            .filter(|r| !r.factor)
            .map(|r| r.meta.clone())
            .collect(),
        risk_factors: p
            .recs
            .iter()
            .filter(|r| r.factor)
            .map(|r| abi::FactorMeta {
                id: r.meta.id.clone(),
                title: r.meta.title.clone(),
                description: r.meta.description.clone(),
            })
            .collect(),
        clauses: p
            .clauses
            .iter()
            .zip(clause_origins)
            .map(|(c, origin)| abi::ClauseMeta {
                origin,
                ..c.clone()
            })
            .collect(),
        vars: p
            .vars
            .iter()
            .zip(var_origins)
            .map(|(v, origin)| abi::VarMeta {
                origin,
                ..v.clone()
            })
            .collect(),
        projection,
        lookups,
    }
}

/// The module as WebAssembly text (for `--emit wat` and snapshots).
pub fn to_wat(wasm: &[u8]) -> Result<String, String> {
    wasmprinter::print_bytes(wasm).map_err(|e| e.to_string())
}
