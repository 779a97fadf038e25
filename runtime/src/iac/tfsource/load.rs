//! Reading one Terraform module: its `.tf` files parsed with `hcl-edit` (which keeps the byte
//! span of every attribute and block), its declarations gathered by name, and its
//! `terraform.tfvars` and `*.auto.tfvars`. A file that cannot be read or parsed becomes a located
//! error; the module goes on with its other files.

use crate::error::{err, InputError};
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, BlockLabel, Body, Structure};
use hcl_edit::Span;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

/// Largest `.tf` or `.tfvars` file read.
pub const MAX_FILE: u64 = 16 << 20;

/// One parsed file with what turns its byte offsets into lines and columns.
#[derive(Debug)]
pub struct SourceFile {
    /// The file's name as messages and findings show it.
    pub name: String,
    /// Its size in bytes.
    pub bytes: u64,
    text: String,
    /// Byte offset of the start of each line.
    lines: Vec<usize>,
    /// For text written from `.tf.json`: the JSON line of each line, and its column shift.
    json: Option<Vec<(u32, i64)>>,
}

impl SourceFile {
    fn new(name: String, text: String) -> SourceFile {
        let mut lines = vec![0];
        lines.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        SourceFile {
            name,
            bytes: text.len() as u64,
            text,
            lines,
            json: None,
        }
    }

    /// The 1-based line and column (in characters) of a byte offset.
    pub fn position(&self, offset: usize) -> (u32, u32) {
        let line = self.lines.partition_point(|&s| s <= offset).max(1);
        let start = self.lines[line - 1];
        let col = self
            .text
            .get(start..offset.min(self.text.len()))
            .map_or(0, |s| s.chars().count());
        match self.json.as_ref().and_then(|m| m.get(line - 1)) {
            Some(&(l, shift)) => (l, (col as i64 + 1 + shift).max(1) as u32),
            None => (line as u32, col as u32 + 1),
        }
    }
}

/// A block of the module, with the file it is in.
#[derive(Debug)]
pub struct Decl {
    /// Index into [`Module::files`].
    pub file: usize,
    /// The block.
    pub block: Block,
}

impl Decl {
    /// The block's labels as text.
    pub fn label(&self, i: usize) -> Option<&str> {
        self.block.labels.get(i).map(|l| match l {
            BlockLabel::Ident(x) => x.value().as_str(),
            BlockLabel::String(s) => s.value().as_str(),
        })
    }

    /// The byte offset where the block starts.
    pub fn start(&self) -> usize {
        self.block.span().map_or(0, |s| s.start)
    }
}

/// One module: its files and declarations.
#[derive(Debug, Default)]
pub struct Module {
    /// The module's folder as messages show it (`.` for text read on its own).
    pub dir: PathBuf,
    /// The folder it was read from (`None` for text read on its own).
    pub source: Option<PathBuf>,
    /// Its files, sorted by name.
    pub files: Vec<SourceFile>,
    /// `variable` blocks by name.
    pub variables: HashMap<String, Decl>,
    /// `locals` entries by name: (file, value).
    pub locals: HashMap<String, (usize, Expression)>,
    /// `resource` blocks, in file order.
    pub resources: Vec<Decl>,
    /// `data` blocks of the types read as documents ([`super::super::DOCUMENTS`]), in file order.
    pub documents: Vec<Decl>,
    /// Managed resources by (type, name), as indexes into `resources`.
    pub by_name: HashMap<(String, String), usize>,
    /// `module` blocks, in file order.
    pub calls: Vec<Decl>,
    /// `output` blocks by name.
    pub outputs: HashMap<String, Decl>,
    /// Values of `terraform.tfvars` and `*.auto.tfvars`, later files overriding earlier ones.
    pub tfvars: Vec<(String, Expression)>,
}

/// Whether a file name is Terraform source read as part of its module: `.tf`, or `.tf.json`
/// (Terraform's JSON syntax), except override files.
pub fn is_source(name: &str) -> bool {
    let stem = name
        .strip_suffix(".tf")
        .or_else(|| name.strip_suffix(".tf.json"));
    stem.is_some_and(|s| !s.ends_with("_override") && s != "override")
}

/// Whether a file name is a variables file read with its module: `terraform.tfvars`,
/// `*.auto.tfvars`, or either in JSON (`.tfvars.json`).
fn is_tfvars(name: &str) -> bool {
    let stem = name.strip_suffix(".json").unwrap_or(name);
    stem == "terraform.tfvars" || stem.ends_with(".auto.tfvars")
}

/// Reads the module in `dir` (named `shown` in messages); parse failures go to `errors`.
pub fn dir(dir: &Path, shown: &Path, errors: &mut Vec<InputError>) -> Module {
    let mut m = Module {
        dir: shown.to_path_buf(),
        source: Some(dir.to_path_buf()),
        ..Module::default()
    };
    let mut names: Vec<String> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .collect(),
        Err(e) => {
            errors.push(err(
                &shown.display().to_string(),
                0,
                0,
                format!("cannot read the module folder: {e}"),
            ));
            return m;
        }
    };
    names.sort();
    // Terraform's order: terraform.tfvars, terraform.tfvars.json, then the others by name.
    let mut tfvars: Vec<&String> = names.iter().filter(|n| is_tfvars(n)).collect();
    tfvars.sort_by_key(|n| (!n.starts_with("terraform.tfvars"), n.as_str()));
    let named = |n: &str| {
        if shown == Path::new(".") {
            n.to_string()
        } else {
            shown.join(n).display().to_string()
        }
    };
    for n in names.iter().filter(|n| is_source(n)) {
        let shown_file = named(n);
        match read(&dir.join(n), &shown_file) {
            Ok(text) => m.add(shown_file, text, errors),
            Err(e) => errors.push(e),
        }
    }
    for n in tfvars {
        let shown_file = named(n);
        let parsed = read(&dir.join(n), &shown_file).and_then(|t| {
            if n.ends_with(".json") {
                parse(
                    &shown_file,
                    &super::json::tfvars_to_hcl(&shown_file, &t)?.text,
                )
            } else {
                parse(&shown_file, &t)
            }
        });
        match parsed {
            Ok(body) => m.add_tfvars(body),
            Err(e) => errors.push(e),
        }
    }
    m
}

/// A module of one text (standard input, bytes in memory, a fuzz case).
pub fn text(name: &str, text: String, errors: &mut Vec<InputError>) -> Module {
    let mut m = Module {
        dir: PathBuf::from("."),
        ..Module::default()
    };
    m.add(name.to_string(), text, errors);
    m
}

/// The text of a file, at most [`MAX_FILE`] bytes of UTF-8.
pub fn read(path: &Path, shown: &str) -> Result<String, InputError> {
    let f = std::fs::File::open(path).map_err(|e| err(shown, 0, 0, format!("cannot read: {e}")))?;
    read_text(f, shown)
}

/// The text `r` gives (a file, standard input), at most [`MAX_FILE`] bytes of UTF-8.
pub fn read_text(r: impl std::io::Read, shown: &str) -> Result<String, InputError> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    r.take(MAX_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| err(shown, 0, 0, format!("cannot read: {e}")))?;
    if bytes.len() as u64 > MAX_FILE {
        return Err(err(
            shown,
            0,
            0,
            format!(
                "a Terraform file larger than {} MiB; split it",
                MAX_FILE >> 20
            ),
        ));
    }
    String::from_utf8(bytes)
        .map_err(|e| crate::error::utf8_error(shown, e.as_bytes(), 1, e.utf8_error()))
}

/// Parses a file, or says where and why it is not HCL.
pub fn parse(name: &str, text: &str) -> Result<Body, InputError> {
    hcl_edit::parser::parse_body(text).map_err(|e| {
        let at = e.location();
        err(
            name,
            at.line(),
            at.column(),
            format!("not valid Terraform (HCL): {}", e.message()),
        )
    })
}

impl Module {
    fn add(&mut self, name: String, text: String, errors: &mut Vec<InputError>) {
        // Terraform's JSON syntax is read as the native HCL it stands for.
        let (text, json) = if name.ends_with(".tf.json") {
            match super::json::to_hcl(&name, &text) {
                Ok(c) => (c.text, Some(c.lines)),
                Err(e) => {
                    errors.push(e);
                    return;
                }
            }
        } else {
            (text, None)
        };
        let body = match parse(&name, &text) {
            Ok(b) => b,
            Err(e) => {
                errors.push(e);
                return;
            }
        };
        let file = self.files.len();
        let mut source = SourceFile::new(name, text);
        source.json = json;
        self.files.push(source);
        for s in body {
            let Structure::Block(block) = s else { continue };
            let d = Decl { file, block };
            match d.block.ident.value().as_str() {
                "resource" => {
                    if let (Some(t), Some(n)) = (d.label(0), d.label(1)) {
                        self.by_name
                            .insert((t.to_string(), n.to_string()), self.resources.len());
                        self.resources.push(d);
                    }
                }
                "data"
                    if d.label(0)
                        .is_some_and(|t| crate::iac::DOCUMENTS.contains(&t))
                        && d.label(1).is_some() =>
                {
                    self.documents.push(d);
                }
                "variable" => {
                    if let Some(n) = d.label(0) {
                        self.variables.insert(n.to_string(), d);
                    }
                }
                "locals" => {
                    for s in d.block.body {
                        if let Structure::Attribute(a) = s {
                            self.locals
                                .insert(a.key.value().as_str().to_string(), (file, a.value));
                        }
                    }
                }
                "module" => self.calls.push(d),
                "output" => {
                    if let Some(n) = d.label(0) {
                        self.outputs.insert(n.to_string(), d);
                    }
                }
                _ => {}
            }
        }
    }

    fn add_tfvars(&mut self, body: Body) {
        for s in body {
            if let Structure::Attribute(a) = s {
                self.tfvars
                    .push((a.key.value().as_str().to_string(), a.value));
            }
        }
    }
}

/// The local folder a `module` block's `source` names (`./x`, `../x`), relative to `base`.
pub fn local_source(call: &Block, base: &Path) -> Option<PathBuf> {
    let source = call.body.get_attribute("source")?.value.as_str()?;
    (source.starts_with("./") || source.starts_with("../") || source == "." || source == "..")
        .then(|| clean(&base.join(source)))
}

/// The folders called as local modules by the `.tf` and `.tf.json` files of `dir` (read cheaply: only files
/// that mention `module` are parsed).
pub fn local_calls(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(name) = name.to_str() else { continue };
        if !is_source(name) || !e.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        let Ok(text) = read(&e.path(), name) else {
            continue;
        };
        if memchr::memmem::find(text.as_bytes(), b"module").is_none() {
            continue;
        }
        let text = if name.ends_with(".json") {
            match super::json::to_hcl(name, &text) {
                Ok(c) => c.text,
                Err(_) => continue,
            }
        } else {
            text
        };
        let Ok(body) = hcl_edit::parser::parse_body(&text) else {
            continue;
        };
        for b in body.blocks() {
            if b.ident.value().as_str() == "module" {
                out.extend(local_source(b, dir));
            }
        }
    }
    out
}

/// `path` with `.` and `..` components resolved lexically (`a/./b/../c` is `a/c`).
pub fn clean(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if matches!(out.components().next_back(), Some(Component::Normal(_))) {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters() {
        let f = SourceFile::new("x.tf".into(), "a = 1\né = \"x\"\n".into());
        assert_eq!(f.position(0), (1, 1));
        assert_eq!(f.position(6), (2, 1));
        assert_eq!(f.position(10), (2, 4), "é is one character");
    }

    #[test]
    fn cleans_paths_lexically() {
        assert_eq!(clean(Path::new("a/./b/../c")), PathBuf::from("a/c"));
        assert_eq!(clean(Path::new("./../m")), PathBuf::from("../m"));
        assert_eq!(clean(Path::new("a/..")), PathBuf::from("."));
    }
}
