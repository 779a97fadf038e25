//! Regulatory compliance: for each framework the recommendations map to (`frameworks { cis-aws
//! "2.3.1" nist-800-53 ["SC-28"] }`), each of its controls with the recommendations mapped to it
//! and their results, as `tenet score --framework`, the JSON score and the HTML report show it.

use crate::model::round2;
use crate::tally::{RecSummary, Tally};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use tenet_stdlib::abi::Metadata;

/// One control of a framework.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Control {
    /// The framework's id for it (`2.3.1`, `SC-28`).
    pub id: String,
    /// The recommendations mapped to it, in standard order.
    pub recommendations: Vec<String>,
    /// `passed` (every applicable result healthy or exempt), `failed` (an unhealthy result), or
    /// `not_applicable` (no result).
    pub state: &'static str,
    /// Healthy results of those recommendations.
    pub passed: usize,
    /// Unhealthy (not compliant or error) results.
    pub failed: usize,
    /// Exempt results.
    pub exempt: usize,
    /// (passed + exempt) / all three, in percent; `None` when nothing applies.
    pub compliance: Option<f64>,
}

/// One framework.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Framework {
    /// Its id as the standards write it (`cis-aws`, `mcsb`, `nist-800-53`).
    pub id: String,
    /// Controls that passed.
    pub passed: usize,
    /// Controls that failed.
    pub failed: usize,
    /// Controls with no applicable result.
    pub not_applicable: usize,
    /// Passed controls of the applicable ones, in percent; `None` when none applies.
    pub compliance: Option<f64>,
    /// Its controls, in the framework's order (numbers compared as numbers).
    pub controls: Vec<Control>,
}

/// Orders control ids as people number them: `2.10` after `2.9`, `AC-10` after `AC-9`.
fn natural(id: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut digits = String::new();
    for c in id.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            if !digits.is_empty() || !text.is_empty() {
                out.push((std::mem::take(&mut text), digits.parse().unwrap_or(0)));
                digits.clear();
            }
            text.push(c);
        }
    }
    out.push((text, digits.parse().unwrap_or(0)));
    out
}

/// The frameworks of the counted recommendations (only those named in `only`, when not empty).
pub fn frameworks(meta: &Metadata, tally: &Tally, only: &[String]) -> Vec<Framework> {
    let counted: HashMap<&str, &RecSummary> = tally
        .recommendations
        .iter()
        .map(|r| (r.id.as_str(), r))
        .collect();
    let mut map: BTreeMap<&str, BTreeMap<&str, Vec<&str>>> = BTreeMap::new();
    for r in &meta.recommendations {
        if !counted.contains_key(r.id.as_str()) {
            continue;
        }
        for (fw, ids) in &r.frameworks {
            if !only.is_empty() && !only.iter().any(|o| o.eq_ignore_ascii_case(fw)) {
                continue;
            }
            for id in ids {
                let recs = map.entry(fw).or_default().entry(id).or_default();
                if !recs.contains(&r.id.as_str()) {
                    recs.push(&r.id);
                }
            }
        }
    }
    map.into_iter()
        .map(|(fw, clauses)| {
            let mut controls: Vec<Control> = clauses
                .into_iter()
                .map(|(id, recs)| {
                    let (mut passed, mut failed, mut exempt) = (0, 0, 0);
                    for c in recs.iter().filter_map(|r| counted.get(r)) {
                        passed += c.healthy;
                        failed += c.unhealthy + c.errors;
                        exempt += c.exempt;
                    }
                    let all = passed + failed + exempt;
                    Control {
                        id: id.to_string(),
                        recommendations: recs.iter().map(|r| r.to_string()).collect(),
                        state: if failed > 0 {
                            "failed"
                        } else if all > 0 {
                            "passed"
                        } else {
                            "not_applicable"
                        },
                        passed,
                        failed,
                        exempt,
                        compliance: (all > 0)
                            .then(|| round2((passed + exempt) as f64 * 100.0 / all as f64)),
                    }
                })
                .collect();
            controls.sort_by_key(|c| natural(&c.id));
            let count = |s: &str| controls.iter().filter(|c| c.state == s).count();
            let (passed, failed) = (count("passed"), count("failed"));
            Framework {
                id: fw.to_string(),
                passed,
                failed,
                not_applicable: count("not_applicable"),
                compliance: (passed + failed > 0)
                    .then(|| round2(passed as f64 * 100.0 / (passed + failed) as f64)),
                controls,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::natural;

    #[test]
    fn control_ids_sort_as_numbered() {
        let mut ids = vec![
            "2.10", "2.9", "AC-10", "AC-6(9)", "AC-6", "1.1.2", "SC-8(1)", "SC-8",
        ];
        ids.sort_by_key(|i| natural(i));
        assert_eq!(
            ids,
            vec!["1.1.2", "2.9", "2.10", "AC-6", "AC-6(9)", "AC-10", "SC-8", "SC-8(1)"]
        );
    }
}
