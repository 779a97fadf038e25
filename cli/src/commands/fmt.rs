//! `tenet fmt`: lays policy files out canonically (compiler::format), in place or as a check.

use super::{color_stderr, error, policy_files, ERROR, FINDINGS, OK};
use std::path::PathBuf;

/// Flags of `tenet fmt`.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  tenet fmt policies/                 rewrite every .tenet file that is not laid out canonically
  tenet fmt --check policies/         in CI: list them and exit 1, change nothing
  tenet fmt - < rule.tenet            format standard input to standard output

Files are replaced atomically (a temporary file, then a rename), and only when they change.
Exit codes: 0 formatted (or nothing to do), 1 with --check when a file would change, 2 syntax or I/O errors.")]
pub struct Args {
    /// Policy files or directories (`-` reads standard input and writes standard output).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Change nothing; list the files that are not formatted and exit 1 if there are any.
    #[arg(long)]
    pub check: bool,
}

/// Runs `tenet fmt`.
pub fn run(a: Args) -> u8 {
    let mut code = OK;
    for path in &a.paths {
        if path.as_os_str() == "-" {
            let mut text = String::new();
            if let Err(e) = std::io::Read::read_to_string(&mut std::io::stdin(), &mut text) {
                error(format!("cannot read standard input: {e}"));
                return ERROR;
            }
            match format_text("<stdin>", &text) {
                Ok(out) if a.check => {
                    if out != text {
                        outln!("<stdin>");
                        code = code.max(FINDINGS);
                    }
                }
                Ok(out) => out!("{out}"),
                Err(()) => return ERROR,
            }
            continue;
        }
        let files = match policy_files(path) {
            Ok(f) => f,
            Err(e) => {
                error(format!("cannot read {}: {e}", path.display()));
                return ERROR;
            }
        };
        for file in files {
            // A policy file is rewritten in place only when it is not a link and has not
            // changed since it was read; a check only reads.
            let read = if a.check {
                std::fs::read_to_string(&file)
                    .map(|t| (t, None))
                    .map_err(|e| e.to_string())
            } else {
                crate::fsio::read_checked(&file)
                    .map(|(t, w)| (t, Some(w)))
                    .map_err(|e| e.to_string())
            };
            let (text, was) = match read {
                Ok(t) => t,
                Err(e) => {
                    error(format!("cannot read {}: {e}", file.display()));
                    code = ERROR;
                    continue;
                }
            };
            let Ok(out) = format_text(&file.display().to_string(), &text) else {
                code = ERROR;
                continue;
            };
            if out == text {
                continue;
            }
            if a.check {
                outln!("{}", file.display());
                code = code.max(FINDINGS);
            } else if let Err(e) = crate::fsio::replace(&file, out.as_bytes(), was.as_ref()) {
                error(format!("cannot write {}: {e}", file.display()));
                code = ERROR;
            } else {
                super::note(format!("formatted {}", file.display()));
            }
        }
    }
    code
}

/// Formats one text, printing its syntax error with the source when it does not parse.
fn format_text(name: &str, text: &str) -> Result<String, ()> {
    let mut sources = tenet::compiler::source::Sources::new();
    let id = sources.add(name, text);
    tenet::compiler::format::format(id, text).map_err(|d| {
        eprint!(
            "{}",
            tenet::compiler::diagnostics::render(&sources, &[d], color_stderr())
        );
    })
}
