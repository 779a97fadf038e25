//! Loading what a check needs: a standard named by a path or a built-in name (compiled now, or a
//! module), and the `.tenet/` settings files (exemptions, governance).

use std::path::{Path, PathBuf};
use tenet_report::triage::exemptions::Exemptions;
use tenet_report::triage::governance::Governance;
use tenet_runtime::{Engine, InputError, Standard};

/// A standard ready to run: the loaded module, with the checked IR when it was compiled from
/// source (for `--explain` and test coverage).
pub struct Loaded {
    /// The loaded module.
    pub standard: Standard,
    /// The checked IR, when compiled from source.
    pub program: Option<tenet_compiler::ir::Program>,
    /// The built-in standard it is, when it is one (its IR is compiled only when needed).
    pub builtin: Option<&'static Builtin>,
    /// Compiler warnings, rendered (empty when none).
    pub warnings: String,
}

/// Why a standard could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// No file, directory or built-in standard of that name.
    #[error("no standard `{spec}`: not a file, a directory, or a built-in standard (built-ins: {builtins})")]
    NotFound {
        /// What was asked for.
        spec: String,
        /// Where built-in standards are.
        builtins: String,
    },
    /// A file or directory could not be read.
    #[error("cannot read {path}: {message}")]
    Read {
        /// The path.
        path: String,
        /// The system's message.
        message: String,
    },
    /// A directory without policy files.
    #[error("{0} holds no .tenet files")]
    Empty(String),
    /// The policy does not compile: the diagnostics, rendered.
    #[error("{0}")]
    Compile(String),
    /// The module was refused.
    #[error("{0}")]
    Runtime(#[from] tenet_runtime::RuntimeError),
}

/// Policy files named by a path: the file itself, or every `.tenet` file under a directory,
/// sorted. The walk visits each directory once (a symbolic-link loop ends), lists each file once
/// (however many links reach it), and leaves out what is not a regular file (a FIFO would block).
pub fn policy_files(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut dirs = std::collections::HashSet::new();
    let mut files = std::collections::HashSet::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(d) = stack.pop() {
        if !dirs.insert(std::fs::canonicalize(&d)?) {
            continue;
        }
        for e in std::fs::read_dir(&d)? {
            let p = e?.path();
            // Through links: a link to a directory is walked, to a file read (once each).
            let Ok(meta) = std::fs::metadata(&p) else {
                continue;
            };
            if meta.is_dir() {
                stack.push(p);
            } else if meta.is_file()
                && p.extension().is_some_and(|x| x == "tenet")
                && files.insert(std::fs::canonicalize(&p)?)
            {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// A built-in standard: compiled from `policies/<name>` when tenet was built, with its sources
/// (for `--explain` and error messages).
#[derive(Debug)]
pub struct Builtin {
    /// The name it is called by (its folder).
    pub name: &'static str,
    /// The compiled module.
    pub wasm: &'static [u8],
    /// Its policy files: (`policies/<name>/<file>`, text).
    pub sources: &'static [(&'static str, &'static str)],
}

include!(concat!(env!("OUT_DIR"), "/builtins.rs"));

impl Builtin {
    /// Compiles the embedded sources again: the checked IR that `--explain` interprets.
    pub fn compile(&self) -> Result<tenet_compiler::Compiled, tenet_compiler::Failure> {
        let paths: Vec<PathBuf> = self.sources.iter().map(|(p, _)| PathBuf::from(p)).collect();
        tenet_compiler::compile_files_with(&paths, &|path| {
            self.sources
                .iter()
                .find(|(p, _)| Path::new(p) == path)
                .map(|(_, text)| text.as_bytes().to_vec())
                .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))
        })
    }
}

/// The built-in standards this tenet was built with, by name; empty when `$TENET_POLICIES` names
/// a folder to use instead (see [`builtin_dir`]).
pub fn builtins() -> &'static [Builtin] {
    if std::env::var_os("TENET_POLICIES").is_some() {
        &[]
    } else {
        BUILTINS
    }
}

/// The built-in standard called `name`.
pub fn builtin(name: &str) -> Option<&'static Builtin> {
    builtins().iter().find(|b| b.name == name)
}

/// A folder of standards to use as the built-in ones: `$TENET_POLICIES` (for developing
/// standards: they are then compiled from source at each run), else none.
pub fn builtin_dir() -> Option<PathBuf> {
    std::env::var_os("TENET_POLICIES").map(PathBuf::from)
}

/// Resolves a standard: a `.wasm` module, a policy file, a directory of policy files, or the
/// name of a built-in standard; compiles source with `color` diagnostics.
pub fn standard(engine: &Engine, spec: &str, color: bool) -> Result<Loaded, LoadError> {
    let path = PathBuf::from(spec);
    let path = if path.exists() {
        path
    } else if let Some(b) = builtin(spec) {
        return Ok(Loaded {
            standard: engine.load(b.wasm)?,
            program: None,
            builtin: Some(b),
            warnings: String::new(),
        });
    } else {
        let b = builtin_dir().map(|d| d.join(spec));
        match b {
            Some(b) if b.exists() => b,
            _ => {
                let names: Vec<&str> = builtins().iter().map(|b| b.name).collect();
                return Err(LoadError::NotFound {
                    spec: spec.into(),
                    builtins: match builtin_dir() {
                        Some(d) => d.display().to_string(),
                        None => names.join(", "),
                    },
                });
            }
        }
    };
    let read = |e: std::io::Error| LoadError::Read {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    if path.extension().is_some_and(|e| e == "wasm") {
        let bytes = std::fs::read(&path).map_err(read)?;
        let standard = engine.load(&bytes).map_err(|e| LoadError::Read {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        return Ok(Loaded {
            standard,
            program: None,
            builtin: None,
            warnings: String::new(),
        });
    }
    let files = policy_files(&path).map_err(read)?;
    if files.is_empty() {
        return Err(LoadError::Empty(path.display().to_string()));
    }
    let c =
        tenet_compiler::compile_files(&files).map_err(|f| LoadError::Compile(f.render(color)))?;
    let warnings = if c.warnings.is_empty() {
        String::new()
    } else {
        tenet_compiler::diagnostics::render(&c.sources, &c.warnings, color)
    };
    Ok(Loaded {
        standard: engine.load(&c.wasm)?,
        program: Some(c.program),
        builtin: None,
        warnings,
    })
}

/// A settings file that could not be used: its error, and its text (to show the line at fault).
#[derive(Debug)]
pub struct SettingsError {
    /// What is wrong, and where.
    pub error: InputError,
    /// The file's text, when it could be read.
    pub text: String,
}

/// The repository's settings folder: the first `.tenet/` found walking up from the current
/// directory, stopping at the repository root (the folder holding `.git`), so that a run from a
/// subfolder still reads the repository's exemptions and governance.
pub fn settings_dir() -> Option<PathBuf> {
    let mut dir = std::env::current_dir().ok()?;
    loop {
        let candidate = dir.join(".tenet");
        if candidate.is_dir() {
            return Some(candidate);
        }
        if dir.join(".git").exists() || !dir.pop() {
            return None;
        }
    }
}

/// Reads a settings file: the one named, or `default` in the [`settings_dir`] when it exists;
/// `None` when neither.
fn settings<T>(
    path: Option<&Path>,
    default: &str,
    what: &str,
    parse: fn(&str, &str) -> Result<T, InputError>,
) -> Result<Option<T>, SettingsError> {
    let found = settings_dir().map(|d| d.join(default));
    let path = match (path, &found) {
        (Some(p), _) => p,
        (None, Some(d)) if d.is_file() => d.as_path(),
        _ => return Ok(None),
    };
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| SettingsError {
        error: InputError {
            file: name.clone(),
            line: 0,
            col: 0,
            message: format!("cannot read the {what} file: {e}"),
        },
        text: String::new(),
    })?;
    match parse(&name, &text) {
        Ok(x) => Ok(Some(x)),
        Err(error) => Err(SettingsError { error, text }),
    }
}

/// The exemptions: `path`, or `.tenet/exemptions.yaml` when it exists (docs/exemptions.md).
pub fn exemptions(path: Option<&Path>) -> Result<Option<Exemptions>, SettingsError> {
    settings(path, "exemptions.yaml", "exemptions", Exemptions::parse)
}

/// The governance rules: `path`, or `.tenet/governance.yaml` when it exists
/// (docs/governance.md).
pub fn governance(path: Option<&Path>) -> Result<Option<Governance>, SettingsError> {
    settings(path, "governance.yaml", "governance", Governance::parse)
}

/// The repository's defaults for runs: `.tenet/config.yaml` ([docs/ci.md](../docs/ci.md),
/// "Configuration").
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Format version: 1.
    pub version: u32,
    /// Paths to leave out of directory walks, `.gitignore` syntax relative to the repository
    /// root (the folder holding `.tenet/`), added to `--exclude`.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// The standard `check`, `score` and `baseline create` use without `--standard`.
    #[serde(default)]
    pub standard: Option<String>,
    /// The lowest severity that fails a run without `--fail-on`: high, medium or low.
    #[serde(default)]
    pub fail_on: Option<String>,
    /// Report files written without `--output`: `FORMAT=PATH`, as `--output` takes them.
    #[serde(default)]
    pub outputs: Vec<String>,
    /// SARIF rules' help page without `--help-uri`: a template with `{standard}` and `{id}`.
    #[serde(default)]
    pub help_uri: Option<String>,
    /// Whether exemptions need an approver and an expiry (`--require-approval`).
    #[serde(default)]
    pub require_approval: bool,
    /// Evaluation limits used without the matching flags, by every command that evaluates.
    #[serde(default)]
    pub limits: ConfigLimits,
    /// The folder the patterns are relative to.
    #[serde(skip)]
    pub root: PathBuf,
}

impl Config {
    /// Reads a configuration file's text.
    pub fn parse(file: &str, text: &str) -> Result<Config, InputError> {
        let fail = |line: usize, message: String| InputError {
            file: file.to_string(),
            line,
            col: 0,
            message: format!("{message}; see docs/ci.md#configuration"),
        };
        let docs = tenet_runtime::input::yaml::yaml_documents(file, text)?;
        let (value, line) = match docs.into_iter().next() {
            Some(d) => d,
            None => return Ok(Config::default()),
        };
        let config: Config = serde_json::from_value(value)
            .map_err(|e| fail(line, format!("invalid configuration: {e}")))?;
        if config.version != 1 {
            return Err(fail(line, "only `version: 1` is known".into()));
        }
        let l = &config.limits;
        if l.max_instructions == Some(0) || l.timeout_ms == Some(0) || l.max_memory_mib == Some(0) {
            return Err(fail(line, "limits must be greater than 0".into()));
        }
        if let Some(f) = &config.fail_on {
            if !["high", "medium", "low"].contains(&f.as_str()) {
                return Err(fail(
                    line,
                    format!("`fail_on: {f}` is not high, medium or low"),
                ));
            }
        }
        Ok(config)
    }
}

/// The `limits:` of a configuration: each used when its flag is not given.
#[derive(Debug, Default, Clone, Copy, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigLimits {
    /// `--max-instructions`.
    pub max_instructions: Option<u64>,
    /// `--timeout`, in milliseconds.
    pub timeout_ms: Option<u64>,
    /// `--max-memory`, in MiB.
    pub max_memory_mib: Option<usize>,
}

/// The configuration: `.tenet/config.yaml` of the repository when it exists.
pub fn config() -> Result<Option<Config>, SettingsError> {
    let mut found = settings(None, "config.yaml", "configuration", Config::parse)?;
    if let (Some(c), Some(dir)) = (found.as_mut(), settings_dir()) {
        let root = dir.parent().map(Path::to_path_buf).unwrap_or_default();
        c.root = std::fs::canonicalize(&root).unwrap_or(root);
    }
    Ok(found)
}
