//! Counts of a run, one assessed resource at a time: per recommendation, per owner, in total,
//! and the secure score of the controls.

use crate::model::{round2, Severity};
use crate::select::Select;
use crate::triage::exemptions::Status;
use crate::triage::Assessed;
use serde::Serialize;
use std::collections::BTreeMap;
use tenet_runtime::resource::Skipped;
use tenet_stdlib::abi::{ControlMeta, Metadata, Outcome};

/// A skipped document.
#[derive(Serialize, Debug, Clone)]
pub struct SkippedOut {
    /// File.
    pub file: String,
    /// Line.
    pub line: usize,
    /// Why.
    pub reason: String,
}

/// An input, or a part of one, that could not be read or parsed: an error result of the run.
#[derive(Serialize, Debug, Clone)]
pub struct InputFailure {
    /// File.
    pub file: String,
    /// Line (0: the whole file).
    pub line: usize,
    /// Column (0: unknown).
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// Totals of a run.
#[derive(Serialize, Debug, Clone, Default)]
pub struct Summary {
    /// Resources evaluated.
    pub resources: usize,
    /// Recommendations in the standard.
    pub recommendations: usize,
    /// Recommendations with no unhealthy resource (and at least one applicable).
    pub compliant_recommendations: usize,
    /// Recommendations with at least one unhealthy resource.
    pub not_compliant_recommendations: usize,
    /// Not-compliant findings by severity.
    pub not_compliant: BTreeMap<String, usize>,
    /// Findings in the error state.
    pub errors: usize,
    /// Compliant (recommendation, resource) pairs.
    pub compliant: usize,
    /// Exempt (recommendation, resource) pairs.
    pub exempt: usize,
    /// Applicable (recommendation, resource) pairs: compliant, not compliant, error or exempt.
    /// Zero means the run checked nothing.
    pub applicable: usize,
    /// (compliant + exempt) / applicable, in percent; `None` (no score) when nothing applies.
    pub compliance: Option<f64>,
    /// The secure score of the controls.
    pub secure_score: SecureScore,
    /// Unhealthy findings per owner, with governance rules (`owner` empty: unassigned).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub owners: Vec<OwnerSummary>,
}

/// The secure score: per control, its maximum points times the share of healthy results among
/// healthy and unhealthy ones (exempt results count in neither); the total over the controls
/// that apply to at least one resource.
#[derive(Serialize, Debug, Clone, Default)]
pub struct SecureScore {
    /// Points scored.
    pub current: f64,
    /// Points possible (controls that apply).
    pub max: f64,
    /// current / max in percent; `None` (no score) when no control applies.
    pub percentage: Option<f64>,
    /// Per control, in the standard's order.
    pub controls: Vec<ControlScore>,
}

/// One control's part of the secure score.
#[derive(Serialize, Debug, Clone)]
pub struct ControlScore {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Points scored.
    pub current: f64,
    /// Maximum points.
    pub max: f64,
    /// Healthy results of its recommendations.
    pub healthy: usize,
    /// Unhealthy (not compliant or error) results.
    pub unhealthy: usize,
    /// Exempt results.
    pub exempt: usize,
    /// Whether any of its recommendations applies to a resource.
    pub applicable: bool,
}

/// Per-recommendation counts.
#[derive(Serialize, Debug, Clone)]
pub struct RecSummary {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Severity.
    pub severity: Severity,
    /// Category: misconfiguration, exposed-secret or vulnerability.
    pub category: tenet_stdlib::abi::Category,
    /// Control, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub control: Option<String>,
    /// MITRE ATT&CK tactics.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tactics: Vec<String>,
    /// MITRE ATT&CK techniques.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub techniques: Vec<String>,
    /// Framework controls: framework -> its control ids.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub frameworks: std::collections::BTreeMap<String, Vec<String>>,
    /// `compliant`, `not_compliant` or `not_applicable`.
    pub state: Outcome,
    /// Compliant resources.
    pub healthy: usize,
    /// Not compliant resources.
    pub unhealthy: usize,
    /// Resources out of scope.
    pub not_applicable: usize,
    /// Resources whose evaluation failed.
    pub errors: usize,
    /// Resources exempt from it.
    pub exempt: usize,
    /// Unhealthy resources within a governance grace period (not counted in the secure score).
    pub grace: usize,
    /// (healthy + exempt) / applicable, in percent; `None` (null) when nothing applies, which is
    /// no evidence of compliance.
    pub compliance: Option<f64>,
}

/// Counts of a run, per recommendation and in total, built one resource at a time.
#[derive(Debug, Clone)]
pub struct Tally {
    /// Per recommendation, in standard order (only the selected ones).
    pub recommendations: Vec<RecSummary>,
    /// Metadata index of each entry of `recommendations`.
    index: Vec<usize>,
    /// Resources evaluated.
    pub resources: usize,
    /// Documents skipped.
    pub skipped: Vec<SkippedOut>,
    /// Inputs that could not be read or parsed (the rest was evaluated).
    pub failed: Vec<InputFailure>,
    /// The standard's controls, for the secure score.
    controls: Vec<ControlMeta>,
    /// What became of each exemption (set by the host before the report is finished).
    pub exemptions: Vec<Status>,
    /// Unhealthy findings per owner (`""`: unassigned), with governance.
    owners: BTreeMap<String, OwnerSummary>,
}

/// The unhealthy findings of one owner.
#[derive(Serialize, Debug, Clone, Default)]
pub struct OwnerSummary {
    /// The owner (empty: unassigned).
    pub owner: String,
    /// Unhealthy findings.
    pub unhealthy: usize,
    /// Not yet due.
    pub on_time: usize,
    /// Past due.
    pub overdue: usize,
}

impl Tally {
    /// An empty tally of the recommendations `sel` selects.
    pub fn new(meta: &Metadata, sel: &Select) -> Tally {
        let (index, recommendations) = meta
            .recommendations
            .iter()
            .enumerate()
            .filter(|(_, r)| sel.rec(r))
            .map(|(i, r)| {
                (
                    i,
                    RecSummary {
                        id: r.id.clone(),
                        title: r.title.clone(),
                        severity: Severity::of(&r.severity),
                        category: r.category,
                        control: r.control.clone(),
                        tactics: r.tactics.clone(),
                        techniques: r.techniques.clone(),
                        frameworks: r.frameworks.clone(),
                        state: Outcome::NotApplicable,
                        healthy: 0,
                        unhealthy: 0,
                        not_applicable: 0,
                        errors: 0,
                        exempt: 0,
                        grace: 0,
                        compliance: None,
                    },
                )
            })
            .unzip();
        Tally {
            recommendations,
            index,
            resources: 0,
            skipped: Vec::new(),
            failed: Vec::new(),
            controls: meta.controls.clone(),
            exemptions: Vec::new(),
            owners: BTreeMap::new(),
        }
    }

    /// Metadata indexes of the selected recommendations, in order.
    pub fn selected(&self) -> &[usize] {
        &self.index
    }

    /// Counts one evaluated resource.
    pub fn add(&mut self, e: &Assessed) {
        self.resources += 1;
        for (i, a) in &e.assignments {
            if self.index.contains(i) {
                let o = self
                    .owners
                    .entry(a.owner.clone().unwrap_or_default())
                    .or_default();
                o.unhealthy += 1;
                match a.status {
                    "on_time" => o.on_time += 1,
                    "overdue" => o.overdue += 1,
                    _ => {}
                }
            }
        }
        for (s, &i) in self.recommendations.iter_mut().zip(&self.index) {
            if e.assignments.iter().any(|(k, a)| *k == i && a.grace) {
                s.grace += 1;
            }
            match e.outcomes.get(i) {
                Some(Outcome::Compliant) => s.healthy += 1,
                Some(Outcome::NotCompliant) => s.unhealthy += 1,
                Some(Outcome::Error) => s.errors += 1,
                Some(Outcome::Exempt) => s.exempt += 1,
                _ => s.not_applicable += 1,
            }
        }
    }

    /// Counts a skipped document.
    pub fn skip(&mut self, s: &Skipped) {
        self.skipped.push(SkippedOut {
            file: s.file.clone(),
            line: s.line,
            reason: s.reason.clone(),
        });
    }

    /// Applicable (recommendation, resource) pairs so far: judged compliant, not compliant,
    /// error or exempt. Zero means nothing was checked.
    pub fn applicable(&self) -> usize {
        self.recommendations
            .iter()
            .map(|r| r.healthy + r.unhealthy + r.errors + r.exempt)
            .sum()
    }

    /// Counts an input that could not be read or parsed.
    pub fn fail(&mut self, e: &tenet_runtime::InputError) {
        self.failed.push(InputFailure {
            file: e.file.clone(),
            line: e.line,
            column: e.col,
            message: e.message.clone(),
        });
    }

    /// Sets each recommendation's state and computes the totals and the secure score of
    /// `controls`.
    pub fn finish(&mut self) -> Summary {
        let mut summary = Summary {
            resources: self.resources,
            recommendations: self.recommendations.len(),
            ..Summary::default()
        };
        for s in &mut self.recommendations {
            s.state = if s.unhealthy > 0 {
                Outcome::NotCompliant
            } else if s.healthy == 0 && s.errors == 0 {
                Outcome::NotApplicable
            } else {
                Outcome::Compliant
            };
            let applicable = s.healthy + s.unhealthy + s.errors + s.exempt;
            s.compliance = (applicable > 0)
                .then(|| round2(100.0 * (s.healthy + s.exempt) as f64 / applicable as f64));
            summary.compliant += s.healthy;
            summary.exempt += s.exempt;
            summary.errors += s.errors;
            if s.unhealthy > 0 {
                summary.not_compliant_recommendations += 1;
                *summary
                    .not_compliant
                    .entry(s.severity.to_string())
                    .or_default() += s.unhealthy;
            } else if s.state == Outcome::Compliant {
                summary.compliant_recommendations += 1;
            }
        }
        let applicable = self.applicable();
        summary.applicable = applicable;
        summary.compliance = (applicable > 0).then(|| {
            round2(100.0 * (summary.compliant + summary.exempt) as f64 / applicable as f64)
        });
        summary.secure_score = self.score();
        summary.owners = self
            .owners
            .iter()
            .map(|(k, v)| OwnerSummary {
                owner: k.clone(),
                ..v.clone()
            })
            .collect();
        summary
    }

    /// The secure score from the per-recommendation counts.
    fn score(&self) -> SecureScore {
        let mut controls: Vec<ControlScore> = self
            .controls
            .iter()
            .map(|c| ControlScore {
                id: c.id.clone(),
                title: c.title.clone(),
                current: 0.0,
                max: c.points,
                healthy: 0,
                unhealthy: 0,
                exempt: 0,
                applicable: false,
            })
            .collect();
        // Findings within a governance grace period do not lower the score: like exempt ones
        // they leave the control applicable, with its points, but are not judged.
        let mut grace = vec![0usize; controls.len()];
        for r in &self.recommendations {
            let Some(k) = controls
                .iter()
                .position(|c| r.control.as_deref() == Some(c.id.as_str()))
            else {
                continue;
            };
            let c = &mut controls[k];
            c.healthy += r.healthy;
            let unhealthy = r.unhealthy + r.errors;
            c.unhealthy += unhealthy.saturating_sub(r.grace);
            grace[k] += r.grace.min(unhealthy);
            c.exempt += r.exempt;
        }
        let mut score = SecureScore::default();
        for (c, grace) in controls.iter_mut().zip(grace) {
            c.applicable = c.healthy + c.unhealthy + c.exempt + grace > 0;
            if !c.applicable {
                continue;
            }
            let judged = c.healthy + c.unhealthy;
            c.current = if judged == 0 {
                c.max
            } else {
                round2(c.max * c.healthy as f64 / judged as f64)
            };
            score.current += c.current;
            score.max += c.max;
        }
        score.current = round2(score.current);
        score.max = round2(score.max);
        score.percentage = (score.max > 0.0).then(|| round2(100.0 * score.current / score.max));
        score.controls = controls;
        score
    }

    /// Whether any selected recommendation of severity `threshold` or above has a
    /// not-compliant or error result.
    pub fn failing(&self, threshold: Severity) -> bool {
        self.recommendations
            .iter()
            .any(|r| (r.unhealthy > 0 || r.errors > 0) && r.severity >= threshold)
    }
}
