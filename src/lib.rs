//! tenet as a library: compile security standards written in the tenet language into
//! self-contained WebAssembly modules, and evaluate them over your own resources.
//!
//! This is the crate to depend on to embed tenet in a Rust program. It wraps the compiler
//! ([`compiler`]) and the runtime ([`runtime`]) behind a few calls:
//!
//! ```
//! let standard = tenet::Standard::from_source("demo.tenet", r#"
//!     standard demo "Demo" { version "1.0.0" }
//!     recommendation https-only "Storage accounts accept HTTPS only" {
//!       severity high
//!       applies azure "Microsoft.Storage/storageAccounts"
//!       compliant when properties.supportsHttpsTrafficOnly ?? true
//!       remediation "Enable secure transfer on {name}."
//!       fix { set properties.supportsHttpsTrafficOnly = true }
//!     }
//! "#)?;
//! let resources = vec![serde_json::json!({
//!     "type": "Microsoft.Storage/storageAccounts",
//!     "name": "stlegacy",
//!     "properties": {"supportsHttpsTrafficOnly": false}
//! })];
//! let findings = standard.evaluate(&resources)?;
//! assert_eq!(findings.len(), 1);
//! let f = &findings[0];
//! assert_eq!(f.state, tenet::Outcome::NotCompliant);
//! assert_eq!(f.remediation.as_deref(), Some("Enable secure transfer on stlegacy."));
//! assert!(f.fix.is_some());
//! # Ok::<(), tenet::Error>(())
//! ```
//!
//! [`Standard::evaluate`] gives the findings `tenet check --all` lists for the same resources,
//! in-resource exemptions included: both run a [`check::Session`]. A session also takes an
//! exemptions file, governance rules and filters, as `tenet check` does.
//!
//! The module bytes ([`compile`], [`Standard::module`]) run in any WebAssembly engine: the
//! contract is `docs/abi.md`.
#![deny(missing_docs)]

pub mod check;
pub mod load;

pub use tenet_compiler as compiler;
pub use tenet_report as report;
pub use tenet_report::Finding;
pub use tenet_runtime as runtime;
pub use tenet_stdlib as stdlib;
pub use tenet_stdlib::abi::{Metadata, Outcome};

use std::path::PathBuf;
use std::sync::Arc;
use tenet_report::select::Select;
use tenet_report::triage::Triage;
use tenet_runtime::input::{self, Input};
use tenet_runtime::{Engine, Limits};

/// What can go wrong.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The policy does not compile; the message holds the rendered diagnostics.
    #[error("{0}")]
    Compile(String),
    /// The module could not be loaded or evaluated.
    #[error(transparent)]
    Runtime(#[from] tenet_runtime::RuntimeError),
    /// An inventory could not be read.
    #[error(transparent)]
    Input(#[from] tenet_runtime::InputError),
    /// A check stopped.
    #[error(transparent)]
    Check(#[from] check::CheckError),
    /// Something could not be read or evaluated (an unreadable input, a resource over a limit):
    /// an evaluation never returns only the findings of what it did check. Everything else was
    /// evaluated: its findings are here.
    #[error("{}", not_evaluated(errors))]
    NotEvaluated {
        /// What could not be read or evaluated, located.
        errors: Vec<report::tally::InputFailure>,
        /// The findings of everything else.
        findings: Vec<Finding>,
    },
}

fn not_evaluated(errors: &[report::tally::InputFailure]) -> String {
    let first = errors.first().map_or_else(String::new, |e| {
        format!(
            "; the first: {}:{}:{}: {}",
            e.file, e.line, e.column, e.message
        )
    });
    format!(
        "{} input(s) or resource(s) could not be read or evaluated (everything else was){first}",
        errors.len()
    )
}

/// The current time, in seconds since 1970 (the default evaluation time).
pub fn clock() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs() as f64)
}

/// Compiles one policy text into module bytes.
pub fn compile(name: &str, source: &str) -> Result<Vec<u8>, Error> {
    tenet_compiler::compile_str(name, source)
        .map(|c| c.wasm)
        .map_err(|f| Error::Compile(f.render(false)))
}

/// Compiles policy files (and the files they import) into module bytes.
pub fn compile_files(paths: &[PathBuf]) -> Result<Vec<u8>, Error> {
    tenet_compiler::compile_files(paths)
        .map(|c| c.wasm)
        .map_err(|f| Error::Compile(f.render(false)))
}

/// A loaded standard, ready to evaluate resources.
pub struct Standard {
    standard: tenet_runtime::Standard,
    module: Vec<u8>,
    now: Option<f64>,
}

impl Standard {
    /// Loads compiled module bytes (refusing modules of another ABI version).
    pub fn load(module: &[u8]) -> Result<Standard, Error> {
        let engine = Engine::new(None, Limits::default())?;
        Ok(Standard {
            standard: engine.load(module)?,
            module: module.to_vec(),
            now: None,
        })
    }

    /// Compiles a policy text and loads it.
    pub fn from_source(name: &str, source: &str) -> Result<Standard, Error> {
        Standard::load(&compile(name, source)?)
    }

    /// Fixes the evaluation time (seconds since 1970) for date functions; default: the clock.
    pub fn at(mut self, seconds: f64) -> Standard {
        self.now = Some(seconds);
        self
    }

    /// The module bytes.
    pub fn module(&self) -> &[u8] {
        &self.module
    }

    /// The standard's metadata: recommendations, controls, clauses.
    pub fn metadata(&self) -> &Metadata {
        &self.standard.metadata
    }

    /// The loaded module, for a [`check::Session`].
    pub fn runtime(&self) -> &tenet_runtime::Standard {
        &self.standard
    }

    /// A session over this standard with the default triage (in-resource exemptions, where the
    /// standard allows them) and every result listed: `tenet check --all` without settings.
    pub fn session(&self) -> check::Session<'_> {
        check::Session {
            standard: &self.standard,
            triage: Triage {
                now: self.now.unwrap_or_else(clock),
                ..Triage::default()
            },
            select: Select {
                all: true,
                ..Select::default()
            },
            input_format: tenet_runtime::iac::Format::Auto,
            given: Default::default(),
        }
    }

    /// Evaluates resources given as JSON values (resources, or lists and containers of them, as
    /// `tenet check` reads them). Returns one finding per applicable (recommendation, resource),
    /// compliant and exempt ones included, in resource order then standard order; or
    /// [`Error::NotEvaluated`], with the findings of the rest, when anything could not be read or
    /// evaluated.
    pub fn evaluate(&self, resources: &[serde_json::Value]) -> Result<Vec<Finding>, Error> {
        let text = serde_json::Value::Array(resources.to_vec()).to_string();
        let input = Input::Bytes {
            name: "<memory>".into(),
            bytes: Arc::new(text.into_bytes()),
        };
        // Places in the text made from the values mean nothing to the caller.
        let unplaced = |mut fs: Vec<Finding>| {
            for f in &mut fs {
                f.property = None;
            }
            fs
        };
        match self.findings(&[input]) {
            Ok(fs) => Ok(unplaced(fs)),
            Err(Error::NotEvaluated { errors, findings }) => Err(Error::NotEvaluated {
                errors,
                findings: unplaced(findings),
            }),
            Err(e) => Err(e),
        }
    }

    /// Evaluates inventory files or directories (JSON, JSON Lines, YAML, templates).
    pub fn evaluate_inventory(&self, paths: &[PathBuf]) -> Result<Vec<Finding>, Error> {
        self.findings(&input::inputs(paths)?)
    }

    fn findings(&self, inputs: &[Input]) -> Result<Vec<Finding>, Error> {
        let sinks = check::Sinks {
            collect: true,
            ..check::Sinks::default()
        };
        let checked = self.session().check(inputs, sinks)?;
        let findings = checked
            .findings
            .into_iter()
            .filter(|f| f.state != Outcome::NotApplicable)
            .collect();
        if !checked.tally.failed.is_empty() {
            return Err(Error::NotEvaluated {
                errors: checked.tally.failed,
                findings,
            });
        }
        Ok(findings)
    }
}
