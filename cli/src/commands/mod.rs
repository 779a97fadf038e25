//! Subcommands, one file each, and what they share: exit codes, the evaluation time, the
//! engine, and loading a standard with its diagnostics printed.

pub mod check;
pub mod compile;
pub mod explain;
pub mod fix;
pub mod fmt;
pub mod history;
pub mod inspect;
pub mod reports;
pub mod standards;
pub mod test;

pub use crate::fsio::write_atomic;
pub use crate::term::{color, color_stderr, error, input_error, note, quiet, warn};
pub use tenet::load::{builtin_dir, policy_files, Loaded};
use tenet::runtime::Engine;

/// Exit code: success.
pub const OK: u8 = 0;
/// Exit code: findings (or policy errors for `check-policy`).
pub const FINDINGS: u8 = 1;
/// Exit code: usage, input or runtime error.
pub const ERROR: u8 = 2;

/// Resolves `--standard` (see [`tenet::load::standard`]), printing compiler warnings; errors are
/// printed and `None` means exit 2.
pub fn load_standard(engine: &Engine, spec: &str) -> Option<Loaded> {
    match tenet::load::standard(engine, spec, color_stderr()) {
        Ok(l) => {
            eprint!("{}", l.warnings);
            Some(l)
        }
        Err(tenet::load::LoadError::Compile(text)) => {
            eprint!("{text}");
            None
        }
        Err(e) => {
            error(e);
            None
        }
    }
}

/// The lists of resources each cross-resource lookup of a standard ranges over, as the reference
/// interpreter takes them (`--explain`, `tenet test`).
pub fn interp_lookups(
    meta: &tenet::stdlib::abi::Metadata,
    resources: &[tenet::runtime::resource::Resource],
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
                .filter(|r| m.iter().any(|g| g.is_match(&r.identity.kind)))
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
            let parsed = tenet::stdlib::time::parse(t);
            if parsed.is_none() {
                error(format!(
                    "--now `{t}` is not an RFC 3339 time such as 2026-01-31T12:00:00Z"
                ));
            }
            parsed
        }
    }
}

/// The evaluation limits, the same flags on every command that evaluates (`check`, `score`,
/// `baseline create`, `fix`, `test`). Each flag left out comes from `limits:` in
/// `.tenet/config.yaml`, else from the default.
#[derive(clap::Args, Clone, Copy, Debug, Default)]
pub struct LimitArgs {
    /// Instruction budget per resource (all recommendations together), the deterministic limit:
    /// it stops an evaluation at the same place on every machine. A resource over it is an
    /// error result and the scan goes on. The default (1000000000) is about 2,000 times what the
    /// built-in standards need for any real resource.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_instructions: Option<u64>,
    /// Wall-clock backstop per resource, in milliseconds (default 10000), for what the
    /// instruction budget does not count; a resource over it is an error result and the scan
    /// goes on.
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: Option<u64>,
    /// Memory limit per evaluation instance, in MiB (default 512); a resource over it is an
    /// error result and the scan goes on.
    #[arg(long, value_name = "MIB", value_parser = clap::value_parser!(u64).range(1..(1 << 20)))]
    pub max_memory: Option<u64>,
}

impl LimitArgs {
    /// Fills the flags left out from a configuration's `limits:`.
    pub fn or(self, c: &tenet::load::ConfigLimits) -> LimitArgs {
        LimitArgs {
            max_instructions: self.max_instructions.or(c.max_instructions),
            timeout: self.timeout.or(c.timeout_ms),
            max_memory: self.max_memory.or(c.max_memory_mib.map(|m| m as u64)),
        }
    }

    /// The limits: what is given, the defaults for the rest.
    pub fn limits(self) -> tenet::runtime::Limits {
        let d = tenet::runtime::Limits::default();
        tenet::runtime::Limits {
            fuel: self.max_instructions.unwrap_or(d.fuel),
            timeout: self
                .timeout
                .map_or(d.timeout, std::time::Duration::from_millis),
            memory_bytes: self.max_memory.map_or(d.memory_bytes, |m| {
                usize::try_from(m << 20).unwrap_or(usize::MAX)
            }),
        }
    }
}

/// An engine with the cache of compiled modules (or without, when `cache` is false or the cache
/// cannot be used, which is said on standard error); `None` after printing the error.
pub fn engine(cache: bool, limits: tenet::runtime::Limits) -> Option<Engine> {
    let dir = if cache {
        tenet::runtime::engine::default_cache_dir()
    } else {
        None
    };
    let made = Engine::new(dir, limits).or_else(|e| {
        warn(format!(
            "{e}; continuing without a cache of compiled modules"
        ));
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

/// The default history database: `history.db` in the repository's `.tenet/` folder (found
/// walking up from the current directory), else `.tenet/history.db` here.
pub fn default_db() -> std::path::PathBuf {
    tenet::load::settings_dir().map_or_else(
        || std::path::PathBuf::from(".tenet/history.db"),
        |d| d.join("history.db"),
    )
}

/// The repository's `.tenet/config.yaml`, if any; an invalid one is printed (`Err`: exit 2).
pub fn config() -> Result<Option<tenet::load::Config>, u8> {
    tenet::load::config().map_err(|e| {
        input_error(&e.error, &e.text);
        ERROR
    })
}

/// The repository's exclusions of a configuration: (its root, its `exclude` patterns).
pub type Rooted = Option<(std::path::PathBuf, Vec<String>)>;

/// The inputs of a run: the paths given, directories walked with `--exclude` and the
/// repository's `exclude` list (`rooted`, from `.tenet/config.yaml`). The files passed over are
/// counted on standard error with `--verbose`, each with its reason.
pub fn list_inputs(
    paths: &[std::path::PathBuf],
    exclude: &[String],
    rooted: Rooted,
    verbose: bool,
) -> Option<Vec<tenet::runtime::input::Input>> {
    use tenet::runtime::input;
    let walk = input::Walk {
        exclude: exclude.to_vec(),
        rooted,
    };
    let listing = match input::list(paths, &walk) {
        Ok(l) => l,
        Err(e) => {
            error(e);
            return None;
        }
    };
    if verbose && !listing.passed_over.is_empty() {
        let other = listing
            .passed_over
            .iter()
            .filter(|(_, why)| *why == input::OTHER_FORMAT)
            .count();
        eprintln!(
            "passed over {} file{} of the directories: {other} {}, {} without infrastructure",
            listing.passed_over.len(),
            if listing.passed_over.len() == 1 {
                ""
            } else {
                "s"
            },
            input::OTHER_FORMAT,
            listing.passed_over.len() - other
        );
        for (file, why) in &listing.passed_over {
            if *why != input::OTHER_FORMAT {
                eprintln!("  {}: {why}", file.display());
            }
        }
    }
    Some(listing.inputs)
}
