//! Triage: what a team has decided about results, applied to each evaluated resource in the
//! evaluation workers, the same way for every caller (`tenet check`, `fix`, `test`, the
//! library): exemptions from a file or from the resource's own tag ([`exemptions`]), owners,
//! due dates and grace periods ([`governance`]), and what earlier runs saw ([`history`]).

pub mod candidates;
pub mod exemptions;
pub mod governance;
pub mod history;

use crate::fingerprint::fingerprint_of;
use crate::model::Severity;
use exemptions::{Applied, Exemptions};
use governance::{Assignment, Governance};
use history::{FindingHistory, Known};
use tenet_runtime::eval::Evaluated;
use tenet_stdlib::abi::{Metadata, Outcome};

/// What triage applies. The default applies nothing but in-resource exemptions, which the
/// standard itself allows or not.
#[derive(Debug, Default)]
pub struct Triage {
    /// The exemptions file.
    pub exemptions: Option<Exemptions>,
    /// The governance rules.
    pub governance: Option<Governance>,
    /// Open findings after the previous run, when a history is kept.
    pub history: Option<Known>,
    /// Evaluation time, seconds since the epoch.
    pub now: f64,
    /// Whether an exemption needs an approver and an expiry (`--require-approval`), set by
    /// [`Triage::refuse_unapproved`]: in-resource exemptions, which have neither, are refused.
    pub require_approval: bool,
    /// In-resource exemptions refused so far.
    pub refused_inline: std::sync::atomic::AtomicUsize,
}

/// An evaluated resource after triage. It reads as its [`Evaluated`] (outcomes, reasons,
/// resource, risk factors), with the triage of its findings beside.
#[derive(Clone, Debug)]
pub struct Assessed {
    /// The evaluation results, with exempt outcomes set.
    pub eval: Evaluated,
    /// The exemptions of the `exempt` outcomes, by recommendation index.
    pub exemptions: Vec<(usize, Applied)>,
    /// The governance of the unhealthy outcomes, by recommendation index.
    pub assignments: Vec<(usize, Assignment)>,
    /// The history of the unhealthy and exempt outcomes, by recommendation index, when a
    /// history is kept.
    pub history: Vec<(usize, FindingHistory)>,
}

impl std::ops::Deref for Assessed {
    type Target = Evaluated;
    fn deref(&self) -> &Evaluated {
        &self.eval
    }
}

fn at<T>(list: &[(usize, T)], index: usize) -> Option<&T> {
    list.iter().find(|(i, _)| *i == index).map(|(_, x)| x)
}

impl Assessed {
    /// The outcome of recommendation `index` (not applicable when out of range).
    pub fn outcome(&self, index: usize) -> Outcome {
        self.eval
            .outcomes
            .get(index)
            .copied()
            .unwrap_or(Outcome::NotApplicable)
    }

    /// The exemption of recommendation `index`, when exempt.
    pub fn exemption(&self, index: usize) -> Option<&Applied> {
        at(&self.exemptions, index)
    }

    /// The governance of recommendation `index`, when unhealthy and governed.
    pub fn assignment(&self, index: usize) -> Option<&Assignment> {
        at(&self.assignments, index)
    }

    /// The history of recommendation `index`'s finding, when a history is kept.
    pub fn history(&self, index: usize) -> Option<&FindingHistory> {
        at(&self.history, index)
    }
}

impl Triage {
    /// Requires an approver and an expiry of every exemption (`--require-approval`): the file's
    /// exemptions without them, and every in-resource one, exempt nothing.
    pub fn refuse_unapproved(&mut self) {
        self.require_approval = true;
        if let Some(x) = self.exemptions.as_mut() {
            x.require_approval();
        }
    }

    /// What became of the exemptions: the file's, then the in-resource ones refused because
    /// approval is required (as one entry).
    pub fn statuses(&self) -> Vec<exemptions::Status> {
        let mut out = self
            .exemptions
            .as_ref()
            .map(|x| x.statuses(self.now))
            .unwrap_or_default();
        let refused = self
            .refused_inline
            .load(std::sync::atomic::Ordering::Relaxed);
        if refused > 0 {
            out.push(exemptions::Status {
                id: format!("tag:{}*", exemptions::INLINE_PREFIX),
                line: 0,
                status: "refused",
                findings: refused,
                warning: Some(
                    "in-resource exemptions (tags, labels, annotations) have no approver and no \
                     expiry"
                        .into(),
                ),
            });
        }
        out
    }

    /// Triage of one evaluated resource. For each unhealthy result: an exemption from the file
    /// first, then one from the resource's own tag (where the standard allows it); otherwise
    /// the governance rules give it an owner and a due date, counted from the first run that
    /// saw it. Then the history of every unhealthy or exempt result.
    pub fn apply(&self, meta: &Metadata, mut e: Evaluated) -> Assessed {
        let mut exempt = Vec::new();
        let mut assignments = Vec::new();
        // The highest severity a resource may exempt itself from: `high` when the standard
        // does not say, nothing at all for `none`.
        let allowed = match meta.standard.inline_exemptions.as_deref() {
            None => Some(Severity::High),
            Some(s) => Severity::parse(s),
        };
        // What fingerprints name the resource by, needed only with a history.
        let key = self.history.as_ref().map(|_| e.resource.key().into_owned());
        let key = key.as_deref().unwrap_or_default();
        let identity = &e.resource.identity;
        for (i, rec) in meta.recommendations.iter().enumerate() {
            let Some(o) = e.outcomes.get_mut(i) else {
                continue;
            };
            if !matches!(o, Outcome::NotCompliant | Outcome::Error) {
                continue;
            }
            let severity = Severity::of(&rec.severity);
            if let Some(x) = self
                .exemptions
                .as_ref()
                .and_then(|x| x.find(&rec.id, identity, self.now))
            {
                *o = Outcome::Exempt;
                exempt.push((i, x.applied()));
                continue;
            }
            if let Some(x) = exemptions::inline(&rec.id, severity, identity, allowed) {
                if self.require_approval {
                    self.refused_inline
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                } else {
                    *o = Outcome::Exempt;
                    exempt.push((i, x));
                    continue;
                }
            }
            if let Some(g) = &self.governance {
                let first = self
                    .history
                    .as_ref()
                    .and_then(|h| h.get(&fingerprint_of(&rec.id, key)))
                    .map_or(self.now, |s| s.first_seen);
                assignments.push((i, g.assign(&rec.id, severity, identity, first, self.now)));
            }
        }
        let mut history = Vec::new();
        if let Some(known) = &self.history {
            for (i, rec) in meta.recommendations.iter().enumerate() {
                let o = e.outcomes.get(i).copied().unwrap_or(Outcome::NotApplicable);
                if crate::model::unhealthy_or_exempt(o) {
                    let h = history::history_of(known, &rec.id, key, o, self.now);
                    history.push((i, h));
                }
            }
        }
        Assessed {
            eval: e,
            exemptions: exempt,
            assignments,
            history,
        }
    }
}
