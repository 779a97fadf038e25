//! `tenet compile` and `tenet check-policy`.

use super::{color_stderr, error, policy_files, write_atomic, ERROR, FINDINGS, OK};
use std::path::PathBuf;
use tenet::compiler::diagnostics::{render, render_short, Level};

/// What `compile` writes.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Emit {
    /// The binary module.
    Wasm,
    /// WebAssembly text, for reading.
    Wat,
}

/// Flags of `tenet compile`.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  tenet compile examples/standard -o example.wasm
  tenet compile a.tenet b.tenet --emit wat | less")]
pub struct Args {
    /// Policy files or directories of `.tenet` files (one standard).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Output file (`-` for standard output). Default: standard.wasm, or standard output for WAT.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Output form.
    #[arg(long, value_enum, default_value = "wasm")]
    pub emit: Emit,
}

fn expand(files: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for f in files {
        out.extend(policy_files(f).map_err(|e| format!("cannot read {}: {e}", f.display()))?);
    }
    Ok(out)
}

/// Runs `tenet compile`.
pub fn run(a: Args) -> u8 {
    let files = match expand(&a.files) {
        Ok(f) => f,
        Err(e) => {
            error(e);
            return ERROR;
        }
    };
    let c = match tenet::compiler::compile_files(&files) {
        Ok(c) => c,
        Err(f) => {
            eprint!("{}", f.render(color_stderr()));
            return FINDINGS;
        }
    };
    if !c.warnings.is_empty() {
        eprint!("{}", render(&c.sources, &c.warnings, color_stderr()));
    }
    let bytes = match a.emit {
        Emit::Wasm => c.wasm.clone(),
        Emit::Wat => match tenet::compiler::to_wat(&c.wasm) {
            Ok(t) => t.into_bytes(),
            Err(e) => {
                error(e);
                return ERROR;
            }
        },
    };
    let out = a.output.unwrap_or_else(|| match a.emit {
        Emit::Wasm => PathBuf::from("standard.wasm"),
        Emit::Wat => PathBuf::from("-"),
    });
    if out.as_os_str() == "-" {
        use std::io::Write;
        if let Err(e) = std::io::stdout().write_all(&bytes) {
            crate::term::stdout_failed(&e);
        }
        return OK;
    }
    if let Err(e) = write_atomic(&out, &bytes) {
        error(format!("cannot write {}: {e}", out.display()));
        return ERROR;
    }
    super::note(format!(
        "compiled {} ({} recommendations) into {} ({} bytes)",
        c.metadata.standard.id,
        c.metadata.recommendations.len(),
        out.display(),
        c.wasm.len()
    ));
    OK
}

/// Diagnostic formats.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum DiagFormat {
    /// Source excerpts with the span underlined.
    Human,
    /// One line per diagnostic: `file:line:col: level[code]: message`.
    Short,
    /// A JSON array.
    Json,
}

/// Flags of `tenet check-policy`.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  tenet check-policy examples/standard
  tenet check-policy --format short policies/azure-security-baseline")]
pub struct CheckArgs {
    /// Policy files or directories.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: DiagFormat,
}

/// Runs `tenet check-policy`: 0 without errors (warnings allowed), 1 with errors.
pub fn check_policy(a: CheckArgs) -> u8 {
    let files = match expand(&a.files) {
        Ok(f) => f,
        Err(e) => {
            error(e);
            return ERROR;
        }
    };
    let (sources, diags) = tenet::compiler::check_files(&files);
    match a.format {
        DiagFormat::Human => out!(
            "{}",
            render(
                &sources,
                &diags,
                super::color(std::io::IsTerminal::is_terminal(&std::io::stdout()))
            )
        ),
        DiagFormat::Short => out!("{}", render_short(&sources, &diags)),
        DiagFormat::Json => {
            let items: Vec<serde_json::Value> = diags
                .iter()
                .map(|d| {
                    let l = sources.locate(d.span);
                    serde_json::json!({
                        "level": if d.level == Level::Error { "error" } else { "warning" },
                        "code": d.code, "message": d.message, "file": l.file, "line": l.line, "column": l.col,
                        "label": d.label, "help": d.help,
                    })
                })
                .collect();
            outln!("{}", serde_json::Value::Array(items));
        }
    }
    let errors = diags.iter().filter(|d| d.level == Level::Error).count();
    if errors > 0 {
        eprintln!("{errors} error(s), {} warning(s)", diags.len() - errors);
        FINDINGS
    } else {
        OK
    }
}
