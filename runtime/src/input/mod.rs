//! What tenet reads: inputs (files, directories, standard input, bytes in memory), cut into
//! pieces in bounded batches ([`stream`]), with YAML ([`yaml`]), JSON splitting without parsing
//! ([`split`]) and the line and column of every property ([`locate`]).

pub mod locate;
pub mod split;
pub mod stream;
pub mod yaml;

use crate::error::{err, InputError};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Default size of one read, and the largest input handled in one piece.
pub const CHUNK: usize = 8 << 20;

/// Input bytes per batch when streaming: small enough to keep both cores busy early.
pub const BATCH: usize = 1 << 20;

/// Largest single resource (or JSON line) accepted.
pub const MAX_DOCUMENT: usize = 256 << 20;

/// Largest YAML file accepted (YAML is read whole).
pub const MAX_YAML: u64 = 512 << 20;

/// Member names whose array value is a list of resources.
pub const CONTAINERS: &[&str] = &["resources", "value", "data", "items"];

/// An input: a path (`-` is standard input) or bytes already in memory.
#[derive(Clone, Debug)]
pub enum Input {
    /// A file.
    File(PathBuf),
    /// Standard input.
    Stdin,
    /// Bytes in memory, with a name for messages and an optional extension.
    Bytes {
        /// Name used in messages.
        name: String,
        /// The content.
        bytes: Arc<Vec<u8>>,
    },
}

impl Input {
    /// The name used in messages and findings.
    pub fn name(&self) -> String {
        match self {
            Input::File(p) => p.display().to_string(),
            Input::Stdin => "<stdin>".into(),
            Input::Bytes { name, .. } => name.clone(),
        }
    }
}

/// Expands command-line paths into inputs: directories become their inventory files (`.json`,
/// `.jsonl`, `.ndjson`, `.yaml`, `.yml`), recursively and sorted; `-` is standard input.
pub fn inputs(paths: &[PathBuf]) -> Result<Vec<Input>, InputError> {
    let mut out = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            out.push(Input::Stdin);
        } else if p.is_dir() {
            let mut files = Vec::new();
            walk(p, &mut files).map_err(|e| {
                err(
                    &p.display().to_string(),
                    0,
                    0,
                    format!("cannot read directory: {e}"),
                )
            })?;
            files.sort();
            out.extend(files.into_iter().map(Input::File));
        } else {
            out.push(Input::File(p.clone()));
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("json" | "jsonl" | "ndjson" | "yaml" | "yml")
        ) {
            out.push(path);
        }
    }
    Ok(())
}

/// Total size of the file inputs, for progress (standard input counts 0).
pub fn total_bytes(inputs: &[Input]) -> u64 {
    inputs
        .iter()
        .map(|i| match i {
            Input::File(p) => std::fs::metadata(p).map_or(0, |m| m.len()),
            Input::Stdin => 0,
            Input::Bytes { bytes, .. } => bytes.len() as u64,
        })
        .sum()
}
