//! The tenet runtime: runs compiled standards over resource inventories.
//!
//! Data flows one way: inputs are cut into pieces ([`source`], with [`split`]), each piece is
//! scanned into the fields the standard reads ([`scan`]) and identified ([`inventory`]), evaluated
//! ([`eval`], in [`engine`] instances), then counted and rendered ([`report`]).
//!
//! - [`engine`]: wasmtime engine, module validation, instances with deadlines and memory caps;
//! - [`source`]: files, directories and standard input in JSON, JSON Lines and YAML, in batches;
//! - [`iac`]: CloudFormation, ARM and Terraform plan adapters (templates to resources);
//! - [`locate`]: where each property of a file is, for findings that point at lines;
//! - [`split`]: finding the elements of JSON arrays and objects without parsing them;
//! - [`scan`]: JSON text straight into the value encoding, keeping only what is read;
//! - [`inventory`]: the resource model and its inference; whole inventories in memory;
//! - [`eval`]: the streaming, parallel evaluation pipeline (and an in-memory form);
//! - [`exemptions`]: accepted findings from an exemptions file or a resource's own tag;
//! - [`governance`]: owners, due dates and grace periods of unhealthy findings;
//! - [`report`]: findings, explanations, risk levels, counts, the secure score, and the table and
//!   JSON renderings;
//! - [`fix`]: fix operations as JSON Patch and JSON Merge Patch, applied to documents;
//! - [`ci`]: SARIF, JUnit XML, GitHub Actions annotations and Markdown summaries.
#![deny(missing_docs)]

pub mod ci;
pub mod engine;
pub mod eval;
pub mod exemptions;
pub mod fix;
pub mod governance;
pub mod iac;
pub mod inventory;
pub mod locate;
pub mod report;
pub mod scan;
pub mod source;
pub mod split;

pub use engine::{Engine, Instance, Limits, Standard};

/// Errors of the runtime. Each says what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// wasmtime could not be set up.
    #[error("cannot start the WebAssembly engine: {0}")]
    Engine(String),
    /// The module is not a tenet module.
    #[error("this is not a tenet standard: {0}; compile a standard with `tenet compile`")]
    NotTenet(String),
    /// The module has another ABI version.
    #[error("this standard uses module ABI version {0}, but this tenet supports version {v}; recompile it with this tenet", v = tenet_stdlib::abi::ABI_VERSION)]
    Abi(u32),
    /// The evaluation ran out of time.
    #[error("evaluation took longer than {0:?} and was stopped; raise the limit with --timeout if the inventory is very large")]
    Timeout(std::time::Duration),
    /// The module trapped.
    #[error("the standard failed while evaluating: {0}")]
    Trap(String),
    /// Memory could not be reserved (limit reached).
    #[error("the evaluation needed more memory than allowed (--max-memory)")]
    Memory,
    /// Input problem.
    #[error("{0}")]
    Input(#[from] inventory::InputError),
}
