//! What tenet reads: inputs (files, directories, standard input, bytes in memory), cut into
//! pieces in bounded batches ([`stream`]), with YAML ([`yaml`]), JSON splitting without parsing
//! ([`split`]), the line and column of every property ([`locate`]) and of what a clause read ([`origin`]) and Terraform folders
//! ([`terraform`]).

pub mod batch;
pub mod locate;
pub mod origin;
pub mod split;
pub mod stream;
pub mod terraform;
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

/// Largest YAML document accepted (a document is parsed whole; a stream of documents is read
/// in batches, whatever its length).
pub const MAX_YAML: usize = 512 << 20;

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

/// How directories are walked.
#[derive(Clone, Debug, Default)]
pub struct Walk {
    /// Paths to leave out, with `.gitignore` syntax (`node_modules`, `*.test.yaml`,
    /// `charts/**/templates`), matched below each directory given.
    pub exclude: Vec<String>,
    /// More paths to leave out, `.gitignore` syntax relative to a root folder (the repository's
    /// `exclude` list in `.tenet/config.yaml`).
    pub rooted: Option<(PathBuf, Vec<String>)>,
}

/// What a walk found: the inputs, and the files it passed over, each with why.
#[derive(Debug, Default)]
pub struct Listing {
    /// The inputs to read, in order.
    pub inputs: Vec<Input>,
    /// Files found in directories but not read: (file, reason).
    pub passed_over: Vec<(PathBuf, &'static str)>,
}

/// Why a file of a directory walk is passed over: not a format tenet reads.
pub const OTHER_FORMAT: &str = "not JSON, JSON Lines, YAML or Terraform";

/// Why a file of a directory walk is passed over: nothing in it looks like infrastructure.
pub const NOT_INFRASTRUCTURE: &str = "JSON or YAML with nothing that looks like infrastructure (no `apiVersion`, `kind`, `type`, `Type`, `Resources`, `resources`, `assetType`, Terraform plan or scanner report member)";

/// Expands command-line paths into inputs: directories become their inventory files (`.json`,
/// `.jsonl`, `.ndjson`, `.yaml`, `.yml`, `.tf`, `.tf.json`), recursively and sorted; `-` is standard input.
pub fn inputs(paths: &[PathBuf]) -> Result<Vec<Input>, InputError> {
    inputs_with(paths, &Walk::default())
}

/// [`inputs`], walking directories as `walk` says. A directory walk honours `.gitignore`,
/// `.ignore` and the exclusions, skips `.git`, does not follow symbolic links to directories (so
/// a link loop cannot repeat a file), and never lists one file twice.
pub fn inputs_with(paths: &[PathBuf], walk: &Walk) -> Result<Vec<Input>, InputError> {
    list(paths, walk).map(|l| l.inputs)
}

/// [`inputs_with`], also saying which files of the directories were passed over and why: files
/// of other formats, and JSON or YAML files in which nothing looks like infrastructure (a
/// `tsconfig.json`, a `package.json`, CI workflows), so that they neither stop a scan by not
/// parsing nor count as resources. Files named on the command line are always read.
pub fn list(paths: &[PathBuf], walk: &Walk) -> Result<Listing, InputError> {
    let mut out = Listing::default();
    let mut seen = std::collections::HashSet::new();
    let mut head = Vec::with_capacity(HEAD);
    let rooted = match &walk.rooted {
        Some((root, patterns)) => {
            let mut b = ignore::gitignore::GitignoreBuilder::new(root);
            for pattern in patterns {
                b.add_line(None, pattern).map_err(|e| {
                    err(
                        ".tenet/config.yaml",
                        0,
                        0,
                        format!("bad exclude pattern `{pattern}`: {e}"),
                    )
                })?;
            }
            Some(
                b.build()
                    .map_err(|e| err(".tenet/config.yaml", 0, 0, e.to_string()))?,
            )
        }
        None => None,
    };
    for p in paths {
        if p.as_os_str() == "-" {
            out.inputs.push(Input::Stdin);
        } else if p.is_dir() {
            let name = p.display().to_string();
            let files = walk_dir(p, walk, rooted.as_ref())
                .map_err(|e| err(&name, 0, 0, format!("cannot read directory: {e}")))?;
            for f in files {
                let key = std::fs::canonicalize(&f).unwrap_or_else(|_| f.clone());
                if !seen.insert(key) {
                    continue;
                }
                match passed_over(&f, &mut head) {
                    Some(why) => out.passed_over.push((f, why)),
                    None => out.inputs.push(Input::File(f)),
                }
            }
        } else {
            out.inputs.push(Input::File(p.clone()));
        }
    }
    Ok(out)
}

/// How much of a file [`passed_over`] reads.
const HEAD: usize = 64 << 10;

/// Why a file found in a directory is not read, or `None` when it may hold infrastructure: its
/// first [`HEAD`] bytes (read into `head`) are searched for the members every supported shape
/// has near its start.
fn passed_over(path: &Path, head: &mut Vec<u8>) -> Option<&'static str> {
    match terraform::extension(path).as_deref() {
        Some("json" | "jsonl" | "ndjson" | "yaml" | "yml") => {}
        // Terraform source is infrastructure by its extension (override files merge into
        // others, which is not modelled: they are passed over).
        Some("tf" | "tf.json") => {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            return (!crate::iac::tfsource::load::is_source(name)).then_some(OTHER_FORMAT);
        }
        _ => return Some(OTHER_FORMAT),
    }
    use std::io::Read as _;
    head.clear();
    // An unreadable file is read anyway, to become a located error result.
    let f = std::fs::File::open(path).ok()?;
    f.take(HEAD as u64).read_to_end(head).ok()?;
    const MARKERS: &[&[u8]] = &[
        b"\"apiVersion\"",
        b"apiVersion:",
        b"\"kind\"",
        b"kind:",
        b"\"type\"",
        b"type:",
        b"\"Type\"",
        b"Type:",
        b"\"Resources\"",
        b"Resources:",
        b"\"resources\"",
        b"resources:",
        b"\"assetType\"",
        b"assetType:",
        b"\"resourceType\"",
        b"resourceType:",
        b"\"planned_values\"",
        b"\"resource_changes\"",
        // Vulnerability reports: Trivy's and Grype's.
        b"\"SchemaVersion\"",
        b"\"matches\"",
    ];
    // The lists the AWS CLI prints (`"SecurityGroups"`, ...) mark its output.
    let lists: Vec<String> = crate::iac::awsapi::LISTS
        .iter()
        .map(|l| format!("\"{}\"", l.0))
        .collect();
    let found = |h: &[u8]| {
        MARKERS
            .iter()
            .copied()
            .chain(lists.iter().map(|l| l.as_bytes()))
            .any(|m| memchr::memmem::find(h, m).is_some())
    };
    // Infrastructure names its kind near the top: the first 4 KiB settle almost every file
    // (sixteen searches over 64 KiB per file cost more than reading it).
    let found = found(&head[..head.len().min(4 << 10)]) || found(head);
    (!found).then_some(NOT_INFRASTRUCTURE)
}

fn walk_dir(
    dir: &Path,
    walk: &Walk,
    rooted: Option<&ignore::gitignore::Gitignore>,
) -> Result<Vec<PathBuf>, String> {
    let mut overrides = ignore::overrides::OverrideBuilder::new(dir);
    for pattern in &walk.exclude {
        overrides
            .add(&format!("!{pattern}"))
            .map_err(|e| format!("bad --exclude pattern `{pattern}`: {e}"))?;
    }
    let overrides = overrides.build().map_err(|e| e.to_string())?;
    let rooted = rooted.cloned();
    let walker = ignore::WalkBuilder::new(dir)
        .hidden(false)
        .parents(true)
        .git_ignore(true)
        .git_global(false)
        .git_exclude(true)
        .require_git(false)
        .follow_links(false)
        .overrides(overrides)
        .filter_entry(move |e| {
            // The repository's own folder, tenet's settings and the copies of remote modules
            // that `terraform init` downloads (`.terraform/modules`) are not the repository's
            // infrastructure.
            e.file_name() != ".git"
                && e.file_name() != ".tenet"
                && e.file_name() != ".terraform"
                && !rooted.as_ref().is_some_and(|g| {
                    let is_dir = e.file_type().is_some_and(|t| t.is_dir());
                    // Paths outside the root are not the configuration's to exclude.
                    std::fs::canonicalize(e.path()).is_ok_and(|p| {
                        p.starts_with(g.path())
                            && g.matched_path_or_any_parents(&p, is_dir).is_ignore()
                    })
                })
        })
        .build();
    let mut files = Vec::new();
    for entry in walker {
        let entry = entry.map_err(|e| e.to_string())?;
        let path = entry.path();
        if entry.file_type().is_some_and(|t| t.is_dir()) || !path.is_file() {
            continue;
        }
        files.push(path.to_path_buf());
    }
    files.sort();
    Ok(files)
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

/// The repositories inputs belong to, found once per folder: an input's scope is its path
/// relative to the nearest parent folder holding `.git`, with `/` separators; outside a
/// repository, relative to the current folder when below it, else the path as given (without a
/// leading `./`). Scopes name resources in fingerprints,
/// so the same checkout gives the same scopes whatever folder tenet runs from.
#[derive(Debug, Default)]
pub struct Roots {
    /// Folder (absolute) to its repository root, if any.
    known: std::collections::HashMap<PathBuf, Option<PathBuf>>,
}

impl Roots {
    /// The scope of a file.
    pub fn scope(&mut self, file: &Path) -> String {
        let given = || {
            let s = file.to_string_lossy().replace('\\', "/");
            s.strip_prefix("./").unwrap_or(&s).to_string()
        };
        let Ok(abs) = std::fs::canonicalize(file) else {
            return given();
        };
        let Some(dir) = abs.parent() else {
            return given();
        };
        let root = self.root_of(dir);
        if let Some(rel) = root.as_deref().and_then(|r| abs.strip_prefix(r).ok()) {
            return rel.to_string_lossy().replace('\\', "/");
        }
        // Outside a repository: relative to the current folder when below it.
        let here = std::env::current_dir().and_then(std::fs::canonicalize);
        match here
            .ok()
            .and_then(|h| abs.strip_prefix(h).ok().map(Path::to_path_buf))
        {
            Some(rel) => rel.to_string_lossy().replace('\\', "/"),
            None => given(),
        }
    }

    fn root_of(&mut self, dir: &Path) -> Option<PathBuf> {
        if let Some(r) = self.known.get(dir) {
            return r.clone();
        }
        let r = if dir.join(".git").exists() {
            Some(dir.to_path_buf())
        } else {
            dir.parent().and_then(|p| self.root_of(p))
        };
        self.known.insert(dir.to_path_buf(), r.clone());
        r
    }
}
