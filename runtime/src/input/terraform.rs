//! Terraform source among the inputs. Each folder holding `.tf` files is one module, evaluated
//! once, when the first of its files comes up ([`crate::iac::tfsource`]); its resources are
//! handed on in one batch per file they are declared in. A folder that another folder of the same
//! scan calls as a local module is evaluated through that call, with the caller's inputs, and not
//! again on its own (as `terraform plan` in the caller's folder would see it).
//!
//! Of a root module, the resources of the `.tf` files among the inputs are reported, with those
//! of the local modules their `module` blocks call: a file left out of a directory walk stays
//! out, and naming one file reports that file, judged with the rest of its folder.

use super::batch::{Batch, Piece};
use super::locate::Places;
use super::{Input, Roots};
use crate::error::InputError;
use crate::iac::tfsource::{self, load};
use crate::iac::Given as Options;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Resources per batch.
const PER_BATCH: usize = 1024;

/// What the Terraform inputs of one read have in common.
#[derive(Debug, Default)]
pub struct Folders {
    /// Every `.tf` file among the inputs (canonical paths).
    listed: HashSet<PathBuf>,
    /// Folders called as local modules by another folder of the read (canonical paths);
    /// computed when the first `.tf` input comes up.
    called: Option<HashSet<PathBuf>>,
    /// Folders already evaluated.
    done: HashSet<PathBuf>,
    options: Options,
}

/// Whether an input is Terraform source: a `.tf` or `.tf.json` file (by [`extension`]), or any
/// input when the format says so.
pub fn is_terraform(ext: Option<&str>, format: crate::iac::Format) -> bool {
    matches!(ext, Some("tf" | "tf.json")) || format == crate::iac::Format::Terraform
}

/// The extension that says how a file is read, lowercased: `tf.json` for Terraform's JSON
/// syntax, else the last one.
pub fn extension(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    if name.ends_with(".tf.json") {
        return Some("tf.json".into());
    }
    path.extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
}

/// Whether a file is Terraform source by its name.
fn is_source_file(p: &Path) -> bool {
    is_terraform(extension(p).as_deref(), crate::iac::Format::Auto)
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

impl Folders {
    /// The Terraform state of a read of `inputs`.
    pub fn new(inputs: &[Input], options: Options) -> Folders {
        let listed = inputs
            .iter()
            .filter_map(|i| match i {
                Input::File(p) if is_source_file(p) => Some(canonical(p)),
                _ => None,
            })
            .collect();
        Folders {
            listed,
            options,
            ..Folders::default()
        }
    }

    /// Folders called by another folder of this read, unless only folders in a cycle call them.
    fn called(&mut self) -> &HashSet<PathBuf> {
        if self.called.is_none() {
            let dirs: HashSet<PathBuf> = self
                .listed
                .iter()
                .filter_map(|f| f.parent().map(Path::to_path_buf))
                .collect();
            let calls: HashMap<&PathBuf, Vec<PathBuf>> = dirs
                .iter()
                .map(|d| {
                    let to = load::local_calls(d)
                        .iter()
                        .map(|c| canonical(c))
                        .filter(|c| dirs.contains(c) && c != d)
                        .collect();
                    (d, to)
                })
                .collect();
            let targets: HashSet<&PathBuf> = calls.values().flatten().collect();
            // Reached from a folder nobody calls: evaluated through that call.
            let mut reached = HashSet::new();
            let mut stack: Vec<&PathBuf> = dirs.iter().filter(|d| !targets.contains(d)).collect();
            while let Some(d) = stack.pop() {
                for c in calls.get(d).into_iter().flatten() {
                    if reached.insert(c.clone()) {
                        stack.push(c);
                    }
                }
            }
            self.called = Some(reached);
        }
        self.called.get_or_insert_with(HashSet::new)
    }

    /// Reads one Terraform input: evaluates its folder the first time, hands its resources on.
    /// Failures of files go to `failed`; an error returned stops the whole read (`sink` or
    /// `failed` said so).
    pub fn read(
        &mut self,
        input: &Input,
        roots: &mut Roots,
        sink: &mut dyn FnMut(Batch) -> Result<(), InputError>,
        failed: &mut dyn FnMut(InputError) -> Result<(), InputError>,
    ) -> Result<(), InputError> {
        let name = input.name();
        let evaluated = match input {
            // A `.tf` file is read with its folder; any other file forced to Terraform
            // (`--input-format terraform`) is a module of its own, as standard input is.
            Input::File(p) if is_source_file(p) => {
                let shown = match p.parent() {
                    Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
                    _ => PathBuf::from("."),
                };
                let real = canonical(&shown);
                let bytes = std::fs::metadata(p).map_or(0, |m| m.len());
                if self.called().contains(&real) || self.done.contains(&real) {
                    // Read through its caller, or with the rest of its folder.
                    let scope: Arc<str> = Arc::from(roots.scope(p).as_str());
                    return sink(batch(Arc::from(name.as_str()), scope, 0, Vec::new(), bytes));
                }
                self.done.insert(real.clone());
                let mut ev = tfsource::dir(&real, &shown, &self.options);
                // Root resources of files that are not inputs stay out.
                let listed = &self.listed;
                ev.resources.retain(|r| {
                    Path::new(&r.origin)
                        .file_name()
                        .is_some_and(|f| listed.contains(&real.join(f)) || p.ends_with(f))
                });
                ev.files.retain(|(f, _)| {
                    Path::new(f)
                        .file_name()
                        .is_some_and(|f| listed.contains(&real.join(f)) || p.ends_with(f))
                });
                ev
            }
            _ => {
                let text = match input {
                    Input::Bytes { bytes, .. } => load::read_text(bytes.as_slice(), &name),
                    Input::File(p) => load::read(p, &name),
                    Input::Stdin => load::read_text(std::io::stdin().lock(), &name),
                };
                let text = match text {
                    Ok(t) => t,
                    Err(e) => return failed(e),
                };
                let size = text.len() as u64;
                let mut ev = tfsource::text(&name, text);
                ev.files = vec![(name.clone(), size)];
                ev
            }
        };
        for e in evaluated.errors {
            failed(e)?;
        }
        // One batch (or more) per file, in the order files first appear; then the root files
        // that declare nothing, so progress counts their bytes.
        let sizes: HashMap<String, u64> = evaluated.files.iter().cloned().collect();
        let mut order: Vec<String> = Vec::new();
        let mut by_file: HashMap<String, Vec<Piece>> = HashMap::new();
        for r in evaluated.resources {
            if !by_file.contains_key(&r.file) {
                order.push(r.file.clone());
            }
            let f = r.found;
            by_file.entry(r.file).or_default().push(Piece::Value {
                value: f.doc,
                line: f.at.0 as usize,
                col: f.at.1 as usize,
                places: Some(Places {
                    index: Arc::new(super::locate::Index::from_unsorted(f.places)),
                    base: String::new(),
                }),
                resource: true,
            });
        }
        for (f, _) in evaluated.files {
            if !by_file.contains_key(&f) {
                by_file.insert(f.clone(), Vec::new());
                order.push(f);
            }
        }
        for f in order {
            let pieces = by_file.remove(&f).unwrap_or_default();
            let file: Arc<str> = Arc::from(f.as_str());
            let scope: Arc<str> = match input {
                Input::File(_) => Arc::from(roots.scope(Path::new(&f)).as_str()),
                _ => file.clone(),
            };
            let bytes = sizes.get(&f).copied().unwrap_or(0);
            let mut first = 0;
            let mut it = pieces.into_iter().peekable();
            loop {
                let chunk: Vec<Piece> = it.by_ref().take(PER_BATCH).collect();
                let last = it.peek().is_none();
                let n = chunk.len();
                sink(batch(
                    file.clone(),
                    scope.clone(),
                    first,
                    chunk,
                    if last { bytes } else { 0 },
                ))?;
                first += n;
                if last {
                    break;
                }
            }
        }
        Ok(())
    }
}

fn batch(file: Arc<str>, scope: Arc<str>, first: usize, pieces: Vec<Piece>, bytes: u64) -> Batch {
    Batch {
        file,
        scope,
        first,
        text: Vec::new(),
        pieces,
        bytes,
        ..Batch::default()
    }
}
