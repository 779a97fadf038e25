//! What becomes of tenet's evaluation results, after the runtime: triage, findings, counts and
//! every report format.
//!
//! Data flows one way: an evaluated resource ([`tenet_runtime::eval::Evaluated`]) goes through
//! [`triage`] (exemptions, governance, history) into an [`triage::Assessed`] resource; the
//! [`select`] filters decide what is listed; [`finding`] builds each listed result with its
//! explanation and [`risk`]; [`tally`] counts them and computes the secure score; [`render`]
//! writes the JSON report, the table, the score and the CI formats.
//!
//! - [`model`]: severities and risk levels as ordered enums, times;
//! - [`fingerprint`]: the stable identity of a finding;
//! - [`triage`]: exemptions, governance, history;
//! - [`risk`]: a finding's risk level from its severity and the resource's risk factors;
//! - [`finding`]: findings and explanations;
//! - [`select`]: the filters of a run, in one place;
//! - [`tally`]: counts and the secure score;
//! - [`frameworks`]: compliance per framework control, from the counts;
//! - [`render`]: one file per output format.
#![deny(missing_docs)]

pub mod finding;
pub mod fingerprint;
pub mod frameworks;
pub mod model;
pub mod render;
pub mod risk;
pub mod select;
pub mod tally;
pub mod triage;

pub use finding::Finding;
pub use model::{RiskLevel, Severity};
