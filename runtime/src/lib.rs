//! The tenet runtime: runs compiled standards over resource inventories.
//!
//! Data flows one way: inputs are cut into pieces ([`input`]), each piece is scanned into the
//! fields the standard reads ([`scan`]) and identified ([`resource`]), then evaluated ([`eval`],
//! in [`engine`] instances). What becomes of the results (triage, counts, reports) is the
//! `tenet-report` crate's job.
//!
//! - [`error`]: bad inputs, located, and engine failures;
//! - [`engine`]: wasmtime engine, module validation, instances with deadlines and memory caps;
//! - [`input`]: files, directories and standard input in JSON, JSON Lines and YAML, in batches,
//!   with the place of every property;
//! - [`iac`]: CloudFormation, ARM and Terraform plan adapters (templates to resources);
//! - [`scan`]: JSON text straight into the value encoding, keeping only what is read;
//! - [`resource`]: a resource's identity and origin, and their inference from a document;
//! - [`inventory`]: whole inventories in memory;
//! - [`eval`]: the streaming, parallel evaluation pipeline (and an in-memory form);
//! - [`evaluated`]: the results of one resource, as the pipeline hands them back;
//! - [`pointer`](mod@pointer): JSON Pointer escaping and tokens;
//! - `layout`: where each node of a JSON or YAML text starts and ends (for edits in place and
//!   for Terraform's JSON syntax);
//! - [`fix`]: fix operations as JSON Patch and JSON Merge Patch, applied to documents.
#![deny(missing_docs)]

pub mod engine;
pub mod error;
pub mod eval;
pub mod evaluated;
pub mod fix;
pub mod fuzzing;
pub mod iac;
pub mod input;
pub mod inventory;
pub(crate) mod layout;
pub mod pointer;
pub mod resource;
pub mod scan;

pub use engine::{Engine, Instance, Limits, Standard};
pub use error::{InputError, RuntimeError};
