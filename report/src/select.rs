//! Which recommendations, resources and findings a run reports: every filter in one place, so
//! the table, the JSON report, the CI formats and the counts agree.

use crate::finding::Finding;
use crate::model::{unhealthy_or_exempt, RiskLevel, Severity};
use crate::risk::risk;
use crate::triage::Assessed;
use tenet_runtime::resource::Identity;
use tenet_stdlib::abi::{Category, Metadata, Outcome, RecMeta};

/// The filters of a run (`tenet check` flags of the same names).
#[derive(Clone, Debug, Default)]
pub struct Select {
    /// List compliant and not-applicable results too (`--all`).
    pub all: bool,
    /// Only recommendations whose id matches (`--recommendation`).
    pub recommendation: Option<globset::GlobMatcher>,
    /// Only resources whose id or name matches (`--resource`).
    pub resource: Option<globset::GlobMatcher>,
    /// Only recommendations of these severities (`--severity`), when not empty.
    pub severities: Vec<Severity>,
    /// Only recommendations of these categories (`--category`), when not empty.
    pub categories: Vec<Category>,
    /// Only recommendations of these workloads (`--workload`), when not empty.
    pub workloads: Vec<String>,
    /// Only recommendations of these controls (`--control`), when not empty.
    pub controls: Vec<String>,
    /// Only resources of these providers (`--environment`), when not empty.
    pub environments: Vec<String>,
    /// Only findings at this risk level or above (`--risk`).
    pub risk: Option<RiskLevel>,
    /// What findings are grouped by (`--group-by`).
    pub group_by: Option<GroupBy>,
    /// Only findings that were not open after the previous run (`--new-only`).
    pub new_only: bool,
    /// Only findings assigned to this owner (`--owner`).
    pub owner: Option<String>,
    /// Only recommendations mapped to one of these frameworks (`--framework`), when not empty.
    pub frameworks: Vec<String>,
    /// Only recommendations of one of these MITRE ATT&CK tactics (`--tactic`), when not empty.
    pub tactics: Vec<String>,
    /// Only findings of this governance status (`--status`: `overdue`, `on_time`,
    /// `unassigned`).
    pub status: Option<String>,
}

impl Select {
    /// Whether a recommendation is reported and counted.
    pub fn rec(&self, rec: &RecMeta) -> bool {
        self.recommendation
            .as_ref()
            .is_none_or(|m| m.is_match(&rec.id))
            && (self.severities.is_empty()
                || self.severities.contains(&Severity::of(&rec.severity)))
            && (self.categories.is_empty() || self.categories.contains(&rec.category))
            && (self.workloads.is_empty()
                || rec
                    .workload
                    .as_ref()
                    .is_some_and(|w| self.workloads.contains(w)))
            && (self.controls.is_empty()
                || rec
                    .control
                    .as_ref()
                    .is_some_and(|c| self.controls.contains(c)))
            && (self.frameworks.is_empty()
                || rec
                    .frameworks
                    .keys()
                    .any(|f| self.frameworks.iter().any(|w| w.eq_ignore_ascii_case(f))))
            && (self.tactics.is_empty()
                || rec
                    .tactics
                    .iter()
                    .any(|t| self.tactics.iter().any(|w| w.eq_ignore_ascii_case(t))))
    }

    /// Whether a resource is evaluated and counted.
    pub fn resource(&self, id: &Identity) -> bool {
        self.resource
            .as_ref()
            .is_none_or(|m| m.is_match(&id.id) || m.is_match(&id.name))
            && (self.environments.is_empty() || self.environments.contains(&id.provider))
    }

    /// Whether the run leaves resources out (`--resource`, `--environment`): such a run must not
    /// record a history, or it would resolve the findings of the resources it left out.
    pub fn leaves_resources_out(&self) -> bool {
        self.resource.is_some() || !self.environments.is_empty()
    }

    /// Whether findings are filtered beyond their recommendation (`--risk`, `--new-only`,
    /// `--owner`, `--status`): then lists show only what passes.
    pub fn filters_findings(&self) -> bool {
        self.risk.is_some() || self.new_only || self.owner.is_some() || self.status.is_some()
    }

    /// Whether a finding with this outcome is listed at all: unhealthy and exempt ones, and
    /// every one with `--all`.
    pub fn listed(&self, o: Outcome) -> bool {
        self.all || unhealthy_or_exempt(o)
    }

    /// The one filter chain: whether the finding of recommendation `index` (`rec`) on an
    /// assessed resource passes the recommendation, risk, novelty and owner filters.
    pub fn admits(&self, meta: &Metadata, index: usize, rec: &RecMeta, e: &Assessed) -> bool {
        let o = e.outcome(index);
        self.listed(o)
            && self.rec(rec)
            && self.risk.is_none_or(|min| {
                unhealthy_or_exempt(o) && risk(rec, meta, &e.factors).level >= min
            })
            && (!self.new_only || e.history(index).is_none_or(|h| h.new))
            && self.owner.as_deref().is_none_or(|owner| {
                e.assignment(index)
                    .is_some_and(|a| a.owner.as_deref() == Some(owner))
            })
            && self
                .status
                .as_deref()
                .is_none_or(|s| e.assignment(index).is_some_and(|a| a.status == s))
    }
}

/// What `--group-by` groups findings by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupBy {
    /// Risk level.
    Risk,
    /// Recommendation title.
    Title,
    /// Severity.
    Severity,
    /// Category: misconfiguration, exposed-secret, vulnerability.
    Category,
    /// Control.
    Control,
    /// Resource type.
    ResourceType,
    /// Provider: azure, aws, gcp, kubernetes.
    Environment,
    /// The recommendation's first MITRE ATT&CK tactic.
    Tactic,
    /// The recommendation's first framework control (`cis-aws 2.3.1`), frameworks in
    /// alphabetical order.
    Framework,
    /// The owner the governance rules give the finding.
    Owner,
    /// The finding's governance status (`overdue`, `on_time`, `unassigned`), or its state
    /// (`exempt`) when it has none.
    Status,
}

impl GroupBy {
    /// The names `--group-by` accepts.
    pub const NAMES: &'static [&'static str] = &[
        "risk",
        "title",
        "severity",
        "category",
        "control",
        "resource-type",
        "environment",
        "tactic",
        "framework",
        "owner",
        "status",
    ];

    /// The grouping of a name of [`GroupBy::NAMES`].
    pub fn parse(name: &str) -> Option<GroupBy> {
        Some(match name {
            "risk" => GroupBy::Risk,
            "title" => GroupBy::Title,
            "severity" => GroupBy::Severity,
            "category" => GroupBy::Category,
            "control" => GroupBy::Control,
            "resource-type" => GroupBy::ResourceType,
            "environment" => GroupBy::Environment,
            "tactic" => GroupBy::Tactic,
            "framework" => GroupBy::Framework,
            "owner" => GroupBy::Owner,
            "status" => GroupBy::Status,
            _ => return None,
        })
    }

    /// The group of a finding of recommendation `rec`.
    pub fn key(self, rec: &RecMeta, f: &Finding) -> String {
        match self {
            GroupBy::Risk => f
                .risk
                .as_ref()
                .map_or_else(|| f.state.as_str().to_string(), |r| r.level.to_string()),
            GroupBy::Title => f.title.clone(),
            GroupBy::Severity => f.severity.to_string(),
            GroupBy::Category => f.category.as_str().to_string(),
            GroupBy::Control => rec.control.clone().unwrap_or_else(|| "(no control)".into()),
            GroupBy::ResourceType => f.resource.identity.kind.clone(),
            GroupBy::Environment => f.resource.identity.provider.clone(),
            GroupBy::Tactic => rec
                .tactics
                .first()
                .cloned()
                .unwrap_or_else(|| "(no tactic)".into()),
            GroupBy::Framework => rec
                .frameworks
                .iter()
                .find_map(|(k, ids)| ids.first().map(|id| format!("{k} {id}")))
                .unwrap_or_else(|| "(no framework)".into()),
            GroupBy::Owner => f
                .governance
                .as_ref()
                .and_then(|g| g.owner.clone())
                .unwrap_or_else(|| "(no owner)".into()),
            GroupBy::Status => f
                .governance
                .as_ref()
                .map_or_else(|| f.state.as_str().to_string(), |g| g.status.to_string()),
        }
    }
}
