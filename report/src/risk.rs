//! The risk level of a finding, from the recommendation's severity and the risk factors present
//! on the resource (docs/exemptions.md, "Risk level").

use crate::model::{RiskLevel, Severity};
use serde::Serialize;
use tenet_stdlib::abi::{Metadata, RecMeta};

/// The risk of a finding: its level and the risk factors present on the resource that raised it.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct Risk {
    /// `critical`, `high`, `medium` or `low`.
    pub level: RiskLevel,
    /// Ids of the risk factors counted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub factors: Vec<String>,
}

/// The risk level of a finding: its severity (low 0, medium 1, high 2) plus the number of risk
/// factors present on the resource (`factors`: indexes in [`Metadata::risk_factors`]), at most
/// 2, gives low (0), medium (1), high (2) or critical (3 and more). A recommendation that lists
/// `risk_factors` counts only those; one that lists none counts every factor of the standard.
pub fn risk(rec: &RecMeta, meta: &Metadata, factors: &[usize]) -> Risk {
    let factors: Vec<String> = factors
        .iter()
        .filter_map(|&k| meta.risk_factors.get(k))
        .filter(|f| rec.risk_factors.is_empty() || rec.risk_factors.contains(&f.id))
        .map(|f| f.id.clone())
        .collect();
    let base = match Severity::of(&rec.severity) {
        Severity::High => 2,
        Severity::Medium => 1,
        Severity::Low => 0,
    };
    Risk {
        level: RiskLevel::from_score(base + factors.len().min(2)),
        factors,
    }
}
