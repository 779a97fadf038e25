//! The tenet runtime: runs compiled standards over resource inventories.
//!
//! - [`engine`]: wasmtime engine, module validation, instances with deadlines and memory caps;
//! - [`inventory`]: reading JSON, JSON Lines and YAML inventories into [`inventory::Resource`]s;
//! - [`project`]: parsing JSON straight into the fields a standard reads;
//! - [`eval`]: evaluating a standard over an inventory in parallel, in a deterministic order;
//! - [`report`]: findings, per-recommendation summaries, and the table and JSON renderings.

pub mod engine;
pub mod eval;
pub mod inventory;
pub mod project;
pub mod report;
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
