//! Reports: findings with explanations, per-recommendation counts, and their renderings. The JSON
//! form is versioned ([`REPORT_VERSION`]) and documented in `docs/report.md`.

use crate::eval::{Evaluated, Origin};
use crate::inventory::{Identity, Skipped};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use tenet_stdlib::abi::{Leaf, Metadata, Outcome, Reason, RecMeta, RecResult};
use tenet_stdlib::text::render;

/// Version of the JSON report format.
pub const REPORT_VERSION: u32 = 1;

/// Severities in decreasing order.
pub const SEVERITIES: [&str; 3] = ["high", "medium", "low"];

/// Risk levels in decreasing order.
pub const RISK_LEVELS: [&str; 4] = ["critical", "high", "medium", "low"];

/// The risk of a finding: its level and the risk factors present on the resource that raised it.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct Risk {
    /// `critical`, `high`, `medium` or `low`.
    pub level: &'static str,
    /// Ids of the risk factors counted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub factors: Vec<String>,
}

/// The risk level of a finding: its severity (low 0, medium 1, high 2) plus the number of risk
/// factors present on the resource, at most 2, gives low (0), medium (1), high (2) or critical
/// (3 and more). A recommendation that lists `risk_factors` counts only those; one that lists
/// none counts every factor of the standard.
pub fn risk(rec: &RecMeta, meta: &Metadata, e: &Evaluated) -> Risk {
    let factors: Vec<String> = e
        .factors
        .iter()
        .filter_map(|&k| meta.risk_factors.get(k))
        .filter(|f| rec.risk_factors.is_empty() || rec.risk_factors.contains(&f.id))
        .map(|f| f.id.clone())
        .collect();
    let base = match rec.severity.as_str() {
        "high" => 2,
        "medium" => 1,
        _ => 0,
    };
    let score = (base + factors.len().min(2)).min(3);
    Risk {
        level: RISK_LEVELS[3 - score],
        factors,
    }
}

/// Rank of a risk level (0 = critical).
pub fn risk_rank(s: &str) -> usize {
    RISK_LEVELS
        .iter()
        .position(|x| *x == s)
        .unwrap_or(RISK_LEVELS.len())
}

/// Rank of a severity (0 = high).
pub fn severity_rank(s: &str) -> usize {
    SEVERITIES
        .iter()
        .position(|x| *x == s)
        .unwrap_or(SEVERITIES.len())
}

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
    /// (compliant + exempt) / applicable, in percent (100 when nothing applies).
    pub compliance: f64,
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
    /// current / max in percent (100 when no control applies).
    pub percentage: f64,
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

/// Rounds to two decimals, for stable reports.
fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Per-recommendation counts.
#[derive(Serialize, Debug, Clone)]
pub struct RecSummary {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Severity.
    pub severity: String,
    /// Control, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub control: Option<String>,
    /// `compliant`, `not_compliant` or `not_applicable`.
    pub state: String,
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
    /// (healthy + exempt) / applicable, in percent (100 when nothing applies).
    pub compliance: f64,
}

/// The resource of a finding.
#[derive(Serialize, Debug, Clone)]
pub struct ResourceRef {
    /// Id.
    pub id: String,
    /// Type (the Kubernetes kind for manifests).
    #[serde(rename = "type")]
    pub kind: String,
    /// Name.
    pub name: String,
    /// Provider.
    pub provider: String,
    /// Namespace, for Kubernetes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Region or location.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Source file.
    pub file: String,
    /// Line in the file.
    pub line: usize,
    /// Column in the file.
    pub column: usize,
}

/// A variable bound when the deciding clause was evaluated.
#[derive(Serialize, Debug, Clone)]
pub struct BindingOut {
    /// Variable name.
    pub name: String,
    /// Where it points, e.g. `properties.securityRules[2]`.
    pub path: String,
    /// The element.
    pub value: Value,
}

/// Why a finding has its state.
#[derive(Serialize, Debug, Clone)]
pub struct Explanation {
    /// One readable sentence.
    pub message: String,
    /// The deciding clause as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clause: Option<String>,
    /// Its value: `false`, `true` (under `not`/`none`), or `missing`.
    pub clause_value: String,
    /// The path the clause reads, with quantifier variables resolved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The value found there (absent when missing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<Value>,
    /// Bound variables.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub bindings: Vec<BindingOut>,
    /// Policy source of the clause (`file:line:col`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
}

/// One (recommendation, resource) result.
#[derive(Serialize, Debug, Clone)]
pub struct Finding {
    /// Recommendation id.
    pub recommendation: String,
    /// Recommendation title.
    pub title: String,
    /// Severity.
    pub severity: String,
    /// State.
    pub state: Outcome,
    /// Equivalent checks in other tools.
    pub refs: BTreeMap<String, Vec<String>>,
    /// The resource.
    pub resource: ResourceRef,
    /// Why (absent for compliant and not applicable).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Explanation>,
    /// Remediation text rendered for this resource.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation: Option<String>,
    /// Fix operations, when the recommendation has a fix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Value>,
    /// Where the property the explanation names is in the source file, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub property: Option<crate::locate::Place>,
    /// The exemption that covers it (state `exempt`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exemption: Option<crate::exemptions::Applied>,
    /// Its risk level and the risk factors behind it (unhealthy and exempt findings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk: Option<Risk>,
    /// Its group, with `--group-by`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Its owner, due date and status, with governance rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub governance: Option<crate::governance::Assignment>,
    /// When it was first seen and last changed, when a history is kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<FindingHistory>,
}

impl Finding {
    /// The line to point at: the deciding property's, else the resource's.
    pub fn line(&self) -> usize {
        self.property
            .as_ref()
            .map_or(self.resource.line, |p| p.line)
            .max(1)
    }

    /// The column to point at (1 when only the resource's line is known).
    pub fn column(&self) -> usize {
        self.property
            .as_ref()
            .map_or(self.resource.column, |p| p.column)
            .max(1)
    }
}

fn concrete_path(path: &str, bindings: &[BindingOut]) -> String {
    let head: String = path
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    match bindings.iter().rev().find(|b| b.name == head) {
        Some(b) if !head.is_empty() => format!("{}{}", b.path, &path[head.len()..]),
        _ => path.to_string(),
    }
}

/// A clause as one line: white space collapsed, long texts shortened.
fn one_line(text: &str) -> std::borrow::Cow<'_, str> {
    let simple = text.len() <= 90
        && !text.contains("  ")
        && !text.contains(|c: char| c.is_whitespace() && c != ' ')
        && !text.starts_with(' ')
        && !text.ends_with(' ');
    if simple {
        return std::borrow::Cow::Borrowed(text);
    }
    let t = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.chars().count() > 90 {
        format!("{}…", t.chars().take(89).collect::<String>()).into()
    } else {
        t.into()
    }
}

/// Builds the explanation of a failing result.
pub fn explain(meta: &Metadata, result: &RecResult) -> Option<Explanation> {
    explain_reason(meta, result.outcome, result.reason.as_ref())
}

/// Builds the explanation of an outcome from its reason.
pub fn explain_reason(
    meta: &Metadata,
    outcome: Outcome,
    reason: Option<&Reason>,
) -> Option<Explanation> {
    let reason = reason?;
    let mut bindings: Vec<BindingOut> = Vec::new();
    for b in &reason.bindings {
        let Some(v) = meta.vars.get(b.var as usize) else {
            continue;
        };
        // A variable over a literal list (`any p in [22, 3389]`) is best shown by its name.
        let path = if v.source.starts_with('[') {
            v.name.clone()
        } else {
            format!("{}[{}]", concrete_path(&v.source, &bindings), b.index)
        };
        bindings.push(BindingOut {
            name: v.name.clone(),
            path,
            value: b.value.clone().unwrap_or(Value::Null),
        });
    }
    let clause = reason.clause.and_then(|c| meta.clauses.get(c as usize));
    let path = clause
        .filter(|c| !c.path.is_empty())
        .map(|c| concrete_path(&c.path, &bindings));
    let clause_value = match reason.leaf {
        Leaf::False => "false",
        Leaf::True => "true",
        Leaf::Unknown => "missing",
    };
    let shown = render(reason.actual.as_ref());
    let message = match (outcome, clause) {
        (Outcome::Error, c) => {
            let fault = reason
                .fault
                .and_then(tenet_stdlib::Fault::from_code)
                .map_or("evaluation failed", |f| f.message());
            match c {
                Some(c) => format!("evaluation failed at `{}`: {fault}", one_line(&c.text)),
                None => format!("evaluation failed: {fault}"),
            }
        }
        (_, None) => "the condition is false".to_string(),
        (_, Some(c)) => {
            let what = match &path {
                Some(p) if reason.leaf == Leaf::Unknown && reason.actual.is_none() => {
                    format!(": `{p}` is missing")
                }
                Some(p) if reason.leaf == Leaf::Unknown => format!(": `{p}` is {shown}"),
                Some(p) => format!(
                    " (`{p}` is {})",
                    if matches!(reason.actual, Some(Value::String(_))) {
                        format!("\"{shown}\"")
                    } else {
                        shown.clone()
                    }
                ),
                None if reason.leaf == Leaf::Unknown => ": a value it needs is missing".to_string(),
                None => String::new(),
            };
            let text = one_line(&c.text);
            match reason.leaf {
                Leaf::Unknown => format!("`{text}` could not be decided{what}"),
                Leaf::True => format!("`{text}` is true{what}"),
                Leaf::False => format!("`{text}` is false{what}"),
            }
        }
    };
    Some(Explanation {
        message,
        clause: clause.map(|c| c.text.clone()),
        clause_value: clause_value.into(),
        path,
        actual: reason.actual.clone(),
        bindings,
        policy: clause.map(|c| format!("{}:{}:{}", c.span.file, c.span.line, c.span.col)),
    })
}

/// The resource part of a finding.
pub fn resource_ref(id: &Identity, origin: &Origin) -> ResourceRef {
    ResourceRef {
        id: id.id.clone(),
        kind: id.kind.clone(),
        name: id.name.clone(),
        provider: id.provider.clone(),
        namespace: id.namespace.clone(),
        location: id.location.clone(),
        file: origin.file.to_string(),
        line: origin.line,
        column: origin.col,
    }
}

/// The finding of recommendation `rec` (its metadata) on an evaluated resource.
pub fn finding(rec: &RecMeta, meta: &Metadata, e: &Evaluated, index: usize) -> Finding {
    let outcome = e
        .outcomes
        .get(index)
        .copied()
        .unwrap_or(Outcome::NotApplicable);
    let reason = e.reason(index);
    let explanation = explain_reason(meta, outcome, reason);
    let property = property(meta, e, reason, explanation.as_ref());
    Finding {
        recommendation: rec.id.clone(),
        title: rec.title.clone(),
        severity: rec.severity.clone(),
        state: outcome,
        refs: rec.refs.clone(),
        resource: resource_ref(&e.identity, &e.origin),
        explanation,
        remediation: reason.and_then(|x| x.remediation.clone()),
        fix: reason.and_then(|x| x.fix.clone()),
        property,
        exemption: exemption(e, index).cloned(),
        risk: matches!(
            outcome,
            Outcome::NotCompliant | Outcome::Error | Outcome::Exempt
        )
        .then(|| risk(rec, meta, e)),
        group: None,
        history: None,
        governance: e
            .assignments
            .iter()
            .find(|(i, _)| *i == index)
            .map(|(_, a)| a.clone()),
    }
}

/// The exemption of recommendation `index` on an evaluated resource.
fn exemption(e: &Evaluated, index: usize) -> Option<&crate::exemptions::Applied> {
    e.exemptions
        .iter()
        .find(|(i, _)| *i == index)
        .map(|(_, x)| x)
}

/// Where the property the deciding clause reads is, when the resource's places are known.
fn property(
    meta: &Metadata,
    e: &Evaluated,
    reason: Option<&Reason>,
    explanation: Option<&Explanation>,
) -> Option<crate::locate::Place> {
    let places = e.origin.places.as_ref()?;
    let x = explanation?;
    let reads = reason
        .and_then(|r| r.clause)
        .and_then(|c| meta.clauses.get(c as usize))
        .map(|c| c.reads.as_str())
        .filter(|r| !r.is_empty())?;
    places.find(&concrete_path(reads, &x.bindings))
}

/// Which findings a report lists.
#[derive(Clone, Copy, Debug, Default)]
pub struct Select<'a> {
    /// Include compliant and not-applicable results too.
    pub all: bool,
    /// Only recommendations whose id matches.
    pub recommendation: Option<&'a globset::GlobMatcher>,
    /// Only resources whose id or name matches.
    pub resource: Option<&'a globset::GlobMatcher>,
    /// Only these recommendations (from `--severity`, `--control`, `--workload`).
    pub only: Option<&'a std::collections::HashSet<String>>,
    /// Only resources of these providers (`--environment`), when not empty.
    pub environments: &'a [String],
    /// Only findings at this risk rank or above (0 = critical; `--risk`).
    pub risk: Option<usize>,
    /// What findings are grouped by (`--group-by`).
    pub group_by: Option<GroupBy>,
    /// What earlier runs say about open findings, by fingerprint (history).
    pub history: Option<&'a std::collections::HashMap<String, Seen>>,
    /// Only findings that were not open after the previous run (`--new-only`).
    pub new_only: bool,
    /// Only findings assigned to this owner (`--owner`).
    pub owner: Option<&'a str>,
    /// Evaluation time, seconds since the epoch (for history and governance).
    pub now: f64,
}

/// What earlier runs say about a finding still open.
#[derive(Clone, Debug, PartialEq)]
pub struct Seen {
    /// State after the previous run.
    pub state: String,
    /// First time it was seen, seconds since the epoch.
    pub first_seen: f64,
    /// Last time its state changed.
    pub last_change: f64,
}

/// A finding's history, as reports show it.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct FindingHistory {
    /// First seen (RFC 3339): this run for a new finding.
    pub first_seen: String,
    /// When its state last changed (RFC 3339).
    pub last_state_change: String,
    /// Whole days since it was first seen.
    pub age_days: i64,
    /// Whether it was not open after the previous run.
    pub new: bool,
}

/// RFC 3339 of seconds since the epoch, to the second (`2026-11-26T00:00:00Z`).
pub fn rfc3339(secs: f64) -> String {
    jiff::Timestamp::from_second(secs.floor() as i64)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

impl Select<'_> {
    /// The history of a finding of recommendation `rec` on resource `resource` in state `state`,
    /// when a history is kept.
    pub fn history_of(&self, rec: &str, resource: &str, state: Outcome) -> Option<FindingHistory> {
        let h = self.history?;
        let seen = h.get(&crate::ci::fingerprint_of(rec, resource));
        let (first, change) = match seen {
            Some(s) if s.state == state.as_str() => (s.first_seen, s.last_change),
            Some(s) => (s.first_seen, self.now),
            None => (self.now, self.now),
        };
        Some(FindingHistory {
            first_seen: rfc3339(first),
            last_state_change: rfc3339(change),
            age_days: ((self.now - first) / 86_400.0).floor() as i64,
            new: seen.is_none(),
        })
    }

    /// Whether `--owner` lets the finding of recommendation `index` through.
    pub fn owner_ok(&self, e: &Evaluated, index: usize) -> bool {
        self.owner.is_none_or(|o| {
            e.assignments
                .iter()
                .any(|(i, a)| *i == index && a.owner.as_deref() == Some(o))
        })
    }

    /// Whether `--new-only` lets a finding through.
    pub fn new_ok(&self, rec: &str, resource: &str) -> bool {
        !self.new_only
            || self
                .history
                .is_none_or(|h| !h.contains_key(&crate::ci::fingerprint_of(rec, resource)))
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
    /// Control.
    Control,
    /// Resource type.
    ResourceType,
    /// Provider: azure, aws, gcp, kubernetes.
    Environment,
}

impl GroupBy {
    /// The names `--group-by` accepts.
    pub const NAMES: &'static [&'static str] = &[
        "risk",
        "title",
        "severity",
        "control",
        "resource-type",
        "environment",
    ];

    /// The grouping of a name of [`GroupBy::NAMES`].
    pub fn parse(name: &str) -> Option<GroupBy> {
        Some(match name {
            "risk" => GroupBy::Risk,
            "title" => GroupBy::Title,
            "severity" => GroupBy::Severity,
            "control" => GroupBy::Control,
            "resource-type" => GroupBy::ResourceType,
            "environment" => GroupBy::Environment,
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
            GroupBy::Severity => f.severity.clone(),
            GroupBy::Control => rec.control.clone().unwrap_or_else(|| "(no control)".into()),
            GroupBy::ResourceType => f.resource.kind.clone(),
            GroupBy::Environment => f.resource.provider.clone(),
        }
    }
}

impl Select<'_> {
    /// Whether recommendation `id` is reported.
    pub fn rec(&self, id: &str) -> bool {
        self.recommendation.is_none_or(|m| m.is_match(id))
            && self.only.is_none_or(|o| o.contains(id))
    }

    /// Whether a resource is reported.
    pub fn resource(&self, id: &Identity) -> bool {
        self.resource
            .is_none_or(|m| m.is_match(&id.id) || m.is_match(&id.name))
            && (self.environments.is_empty() || self.environments.contains(&id.provider))
    }

    /// Whether a listed finding passes the risk filter.
    pub fn risk_ok(&self, rec: &RecMeta, meta: &Metadata, e: &Evaluated, o: Outcome) -> bool {
        match self.risk {
            None => true,
            Some(max) => {
                matches!(o, Outcome::NotCompliant | Outcome::Error | Outcome::Exempt)
                    && risk_rank(risk(rec, meta, e).level) <= max
            }
        }
    }

    /// Whether a finding with this outcome is listed.
    pub fn listed(&self, o: Outcome) -> bool {
        self.all || matches!(o, Outcome::NotCompliant | Outcome::Error | Outcome::Exempt)
    }
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
    /// The standard's controls, for the secure score.
    controls: Vec<tenet_stdlib::abi::ControlMeta>,
    /// What became of each exemption (set by the host before the report is finished).
    pub exemptions: Vec<crate::exemptions::Status>,
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
    pub fn new(meta: &Metadata, sel: &Select<'_>) -> Tally {
        let (index, recommendations) = meta
            .recommendations
            .iter()
            .enumerate()
            .filter(|(_, r)| sel.rec(&r.id))
            .map(|(i, r)| {
                (
                    i,
                    RecSummary {
                        id: r.id.clone(),
                        title: r.title.clone(),
                        severity: r.severity.clone(),
                        control: r.control.clone(),
                        state: String::new(),
                        healthy: 0,
                        unhealthy: 0,
                        not_applicable: 0,
                        errors: 0,
                        exempt: 0,
                        grace: 0,
                        compliance: 100.0,
                    },
                )
            })
            .unzip();
        Tally {
            recommendations,
            index,
            resources: 0,
            skipped: Vec::new(),
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
    pub fn add(&mut self, e: &Evaluated) {
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
                "not_compliant"
            } else if s.healthy == 0 && s.errors == 0 {
                "not_applicable"
            } else {
                "compliant"
            }
            .into();
            let applicable = s.healthy + s.unhealthy + s.errors + s.exempt;
            s.compliance = if applicable == 0 {
                100.0
            } else {
                round2(100.0 * (s.healthy + s.exempt) as f64 / applicable as f64)
            };
            summary.compliant += s.healthy;
            summary.exempt += s.exempt;
            summary.errors += s.errors;
            if s.unhealthy > 0 {
                summary.not_compliant_recommendations += 1;
                *summary.not_compliant.entry(s.severity.clone()).or_default() += s.unhealthy;
            } else if s.state == "compliant" {
                summary.compliant_recommendations += 1;
            }
        }
        let unhealthy: usize = summary.not_compliant.values().sum::<usize>() + summary.errors;
        let applicable = summary.compliant + summary.exempt + unhealthy;
        summary.compliance = if applicable == 0 {
            100.0
        } else {
            round2(100.0 * (summary.compliant + summary.exempt) as f64 / applicable as f64)
        };
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
        for r in &self.recommendations {
            let Some(c) = controls
                .iter_mut()
                .find(|c| r.control.as_deref() == Some(c.id.as_str()))
            else {
                continue;
            };
            c.healthy += r.healthy;
            // Findings within a governance grace period do not lower the score.
            c.unhealthy += (r.unhealthy + r.errors).saturating_sub(r.grace);
            c.exempt += r.exempt;
        }
        let mut score = SecureScore::default();
        for c in &mut controls {
            c.applicable = c.healthy + c.unhealthy + c.exempt > 0;
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
        score.percentage = if score.max == 0.0 {
            100.0
        } else {
            round2(100.0 * score.current / score.max)
        };
        score.controls = controls;
        score
    }

    /// Whether any selected recommendation at or above severity rank `threshold` has a
    /// not-compliant or error result.
    pub fn failing(&self, threshold: usize) -> bool {
        self.recommendations
            .iter()
            .any(|r| (r.unhealthy > 0 || r.errors > 0) && severity_rank(&r.severity) <= threshold)
    }
}

/// Renders findings as JSON in the evaluation workers. What does not depend on the resource is
/// serialised once per recommendation.
pub struct JsonFindings {
    /// Per recommendation: `{"recommendation":…,"title":…,"severity":…,"state":`.
    head: Vec<Vec<u8>>,
    /// Per recommendation: `,"refs":{…},"resource":`.
    refs: Vec<Vec<u8>>,
}

impl JsonFindings {
    /// Prepares the parts of every recommendation.
    pub fn new(meta: &Metadata) -> JsonFindings {
        let json = |v: &dyn erased::Json| v.json();
        let head = meta
            .recommendations
            .iter()
            .map(|r| {
                format!(
                    "{{\"recommendation\":{},\"title\":{},\"severity\":{},\"state\":",
                    json(&r.id),
                    json(&r.title),
                    json(&r.severity)
                )
                .into_bytes()
            })
            .collect();
        let refs = meta
            .recommendations
            .iter()
            .map(|r| format!(",\"refs\":{},\"resource\":", json(&r.refs)).into_bytes())
            .collect();
        JsonFindings { head, refs }
    }

    /// Appends the findings of an evaluated resource, each as `,\n    {…}` (the writer drops
    /// the first comma).
    pub fn render(&self, meta: &Metadata, sel: &Select<'_>, e: &Evaluated, out: &mut Vec<u8>) {
        let mut resource: Option<Vec<u8>> = None;
        for (i, rec) in meta.recommendations.iter().enumerate() {
            let o = e.outcomes.get(i).copied().unwrap_or(Outcome::NotApplicable);
            if !sel.listed(o)
                || !sel.rec(&rec.id)
                || !sel.risk_ok(rec, meta, e, o)
                || !sel.new_ok(&rec.id, &e.identity.id)
                || !sel.owner_ok(e, i)
            {
                continue;
            }
            let unhealthy = matches!(o, Outcome::NotCompliant | Outcome::Error | Outcome::Exempt);
            if sel.group_by.is_some() || (unhealthy && sel.history.is_some()) {
                // Grouping and history need the whole finding; build it.
                let mut f = finding(rec, meta, e, i);
                f.group = sel.group_by.map(|g| g.key(rec, &f));
                if unhealthy {
                    f.history = sel.history_of(&rec.id, &e.identity.id, o);
                }
                out.extend_from_slice(b",\n    ");
                let _ = serde_json::to_writer(&mut *out, &f);
                continue;
            }
            let res = resource.get_or_insert_with(|| {
                serde_json::to_vec(&resource_ref(&e.identity, &e.origin)).unwrap_or_default()
            });
            out.extend_from_slice(b",\n    ");
            out.extend_from_slice(self.head.get(i).map_or(&[][..], Vec::as_slice));
            out.push(b'"');
            out.extend_from_slice(o.as_str().as_bytes());
            out.push(b'"');
            out.extend_from_slice(self.refs.get(i).map_or(&[][..], Vec::as_slice));
            out.extend_from_slice(res);
            let reason = e.reason(i);
            // Serialising plain data into memory cannot fail.
            let explanation = explain_reason(meta, o, reason);
            if let Some(x) = &explanation {
                out.extend_from_slice(b",\"explanation\":");
                let _ = serde_json::to_writer(&mut *out, x);
            }
            if let Some(r) = reason.and_then(|x| x.remediation.as_ref()) {
                out.extend_from_slice(b",\"remediation\":");
                let _ = serde_json::to_writer(&mut *out, r);
            }
            if let Some(f) = reason.and_then(|x| x.fix.as_ref()) {
                out.extend_from_slice(b",\"fix\":");
                let _ = serde_json::to_writer(&mut *out, f);
            }
            if let Some(p) = property(meta, e, reason, explanation.as_ref()) {
                out.extend_from_slice(b",\"property\":");
                let _ = serde_json::to_writer(&mut *out, &p);
            }
            if let Some(x) = exemption(e, i) {
                out.extend_from_slice(b",\"exemption\":");
                let _ = serde_json::to_writer(&mut *out, x);
            }
            if let Some((_, a)) = e.assignments.iter().find(|(k, _)| *k == i) {
                out.extend_from_slice(b",\"governance\":");
                let _ = serde_json::to_writer(&mut *out, a);
            }
            if matches!(o, Outcome::NotCompliant | Outcome::Error | Outcome::Exempt) {
                out.extend_from_slice(b",\"risk\":");
                let _ = serde_json::to_writer(&mut *out, &risk(rec, meta, e));
            }
            out.push(b'}');
        }
    }
}

mod erased {
    /// Serialisation to a JSON string of anything serialisable.
    pub trait Json {
        fn json(&self) -> String;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> String {
            serde_json::to_string(self).unwrap_or_default()
        }
    }
}

/// Writes the JSON report as the run goes: the head, then findings as they come, then the
/// skipped documents, the summary and the per-recommendation counts.
pub struct JsonWriter<W: std::io::Write> {
    out: W,
    first: bool,
}

impl<W: std::io::Write> JsonWriter<W> {
    /// Writes the head of the report.
    pub fn start(mut out: W, meta: &Metadata, evaluated_at: &str) -> std::io::Result<Self> {
        write!(
            out,
            "{{\n  \"version\": {REPORT_VERSION},\n  \"standard\": {},\n  \"evaluated_at\": {},\n  \"findings\": [",
            serde_json::to_string(&meta.standard).unwrap_or_default(),
            serde_json::to_string(evaluated_at).unwrap_or_default(),
        )?;
        Ok(JsonWriter { out, first: true })
    }

    /// Writes findings rendered by [`JsonFindings::render`].
    pub fn findings(&mut self, rendered: &[u8]) -> std::io::Result<()> {
        if rendered.is_empty() {
            return Ok(());
        }
        if self.first {
            self.first = false;
            self.out.write_all(rendered.get(1..).unwrap_or_default())
        } else {
            self.out.write_all(rendered)
        }
    }

    /// Writes the tail of the report and flushes.
    pub fn finish(mut self, tally: &mut Tally) -> std::io::Result<()> {
        let summary = tally.finish();
        let list = |items: Vec<String>| {
            if items.is_empty() {
                "[]".to_string()
            } else {
                format!("[\n    {}\n  ]", items.join(",\n    "))
            }
        };
        let skipped = list(
            tally
                .skipped
                .iter()
                .map(|s| serde_json::to_string(s).unwrap_or_default())
                .collect(),
        );
        let recs = list(
            tally
                .recommendations
                .iter()
                .map(|s| serde_json::to_string(s).unwrap_or_default())
                .collect(),
        );
        let exemptions = list(
            tally
                .exemptions
                .iter()
                .map(|s| serde_json::to_string(s).unwrap_or_default())
                .collect(),
        );
        write!(
            self.out,
            "{}],\n  \"skipped\": {skipped},\n  \"exemptions\": {exemptions},\n  \"summary\": {},\n  \"recommendations\": {recs}\n}}\n",
            if self.first { "" } else { "\n  " },
            serde_json::to_string(&summary).unwrap_or_default(),
        )?;
        self.out.flush()
    }
}

/// One unhealthy resource as the table lists it.
#[derive(Debug, Clone)]
pub struct TableEntry {
    name: String,
    kind: String,
    at: String,
    error: bool,
    why: Option<String>,
    fix: Option<String>,
    risk: Option<Risk>,
}

/// What the table shows, gathered as the run goes; at most `limit` resources are listed per
/// recommendation (0: all).
#[derive(Debug, Clone)]
pub struct Table {
    limit: usize,
    entries: Vec<Vec<TableEntry>>,
    /// Findings are filtered (`--risk`, `--new-only`): list only what passes, and only the
    /// recommendations with such findings.
    filtered: bool,
}

impl Table {
    /// An empty table for `tally`'s recommendations.
    pub fn new(tally: &Tally, limit: usize, sel: &Select<'_>) -> Table {
        Table {
            limit,
            entries: vec![Vec::new(); tally.recommendations.len()],
            filtered: sel.risk.is_some() || sel.new_only || sel.owner.is_some(),
        }
    }

    /// Adds the unhealthy results of an evaluated resource that `sel` lets through.
    pub fn add(&mut self, meta: &Metadata, tally: &Tally, sel: &Select<'_>, e: &Evaluated) {
        for (k, &i) in tally.selected().iter().enumerate() {
            let o = e.outcomes.get(i).copied().unwrap_or(Outcome::NotApplicable);
            if !matches!(o, Outcome::NotCompliant | Outcome::Error) {
                continue;
            }
            if meta.recommendations.get(i).is_some_and(|rec| {
                !sel.risk_ok(rec, meta, e, o)
                    || !sel.new_ok(&rec.id, &e.identity.id)
                    || !sel.owner_ok(e, i)
            }) {
                continue;
            }
            let Some(list) = self.entries.get_mut(k) else {
                continue;
            };
            if self.limit != 0 && list.len() >= self.limit {
                continue;
            }
            let Some(rec) = meta.recommendations.get(i) else {
                continue;
            };
            let f = finding(rec, meta, e, i);
            list.push(TableEntry {
                name: f.resource.name,
                kind: f.resource.kind,
                at: format!("{}:{}", f.resource.file, f.resource.line),
                error: o == Outcome::Error,
                why: f.explanation.map(|x| x.message),
                fix: f.remediation.filter(|r| !r.is_empty()),
                risk: f.risk,
            });
        }
    }

    /// Renders the report for a terminal: grouped by recommendation, unhealthy resources with why
    /// and how to fix, then a summary line.
    pub fn render(&self, meta: &Metadata, tally: &mut Tally, color: bool) -> String {
        let summary = tally.finish();
        let p = Paint(color);
        let mut out = String::new();
        let std = &meta.standard;
        let _ = writeln!(
            out,
            "{} {} ({}{}): {} resources, {} recommendations\n",
            p.code("1", "Standard"),
            std.title,
            std.id,
            if std.version.is_empty() {
                String::new()
            } else {
                format!(" {}", std.version)
            },
            summary.resources,
            summary.recommendations
        );
        let mut order: Vec<(usize, &RecSummary)> =
            tally.recommendations.iter().enumerate().collect();
        order.sort_by_key(|(_, r)| {
            (
                r.state != "not_compliant",
                r.errors == 0,
                severity_rank(&r.severity),
            )
        });
        for (k, r) in order {
            let listed = self.entries.get(k).map_or(&[][..], Vec::as_slice);
            if self.filtered && listed.is_empty() {
                continue;
            }
            let exempt = if r.exempt > 0 {
                format!(", {} exempt", r.exempt)
            } else {
                String::new()
            };
            let (mark, counts) = match r.state.as_str() {
                "not_compliant" => (
                    p.code("1;31", "✗"),
                    format!("{} of {} unhealthy", r.unhealthy, r.unhealthy + r.healthy),
                ),
                "compliant" => (p.code("32", "✓"), format!("{} healthy{exempt}", r.healthy)),
                _ => (p.code("2", "-"), "not applicable".to_string()),
            };
            let counts = if r.state == "not_compliant" {
                format!("{counts}{exempt}")
            } else {
                counts
            };
            let errs = if r.errors > 0 {
                format!(", {} errors", r.errors)
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "{mark} {} {}  {}  {}{errs}",
                p.severity(&r.severity),
                r.id,
                r.title,
                p.code("2", &counts)
            );
            for f in listed {
                let mut state = if f.error {
                    p.code("35", " [error]")
                } else {
                    String::new()
                };
                // The risk level, when risk factors raised it above the severity.
                if let Some(r) = f.risk.as_ref().filter(|r| !r.factors.is_empty()) {
                    state.push_str(&p.code(
                        "1;35",
                        &format!(" [risk {}: {}]", r.level, r.factors.join(", ")),
                    ));
                }
                let _ = writeln!(
                    out,
                    "    {} ({}){state}  {}",
                    p.code("1", &f.name),
                    f.kind,
                    p.code("2", &f.at)
                );
                if let Some(why) = &f.why {
                    let _ = writeln!(out, "      why: {why}");
                }
                if let Some(fix) = &f.fix {
                    let _ = writeln!(out, "      fix: {fix}");
                }
            }
            let more = (r.unhealthy + r.errors).saturating_sub(listed.len());
            if more > 0 && !self.filtered {
                let _ = writeln!(
                    out,
                    "    {}",
                    p.code(
                        "2",
                        &format!("… and {more} more (--limit 0 lists all; --format json has every finding)")
                    )
                );
            }
        }
        let s = &summary;
        let total: usize = s.not_compliant.values().sum();
        let by_sev: Vec<String> = SEVERITIES
            .iter()
            .filter_map(|sev| s.not_compliant.get(*sev).map(|n| format!("{n} {sev}")))
            .collect();
        let _ = writeln!(
            out,
            "\n{} {} of {} recommendations compliant; {} unhealthy finding{}{}; {} error{}",
            p.code("1", "Summary:"),
            s.compliant_recommendations,
            s.recommendations,
            total,
            if total == 1 { "" } else { "s" },
            if by_sev.is_empty() {
                String::new()
            } else {
                format!(" ({})", by_sev.join(", "))
            },
            s.errors,
            if s.errors == 1 { "" } else { "s" }
        );
        let sc = &s.secure_score;
        let _ = writeln!(
            out,
            "{} {} of {} points ({}%); compliance {}%{}",
            p.code("1", "Secure score:"),
            sc.current,
            sc.max,
            sc.percentage,
            s.compliance,
            if s.exempt > 0 {
                format!(" ({} exempt)", s.exempt)
            } else {
                String::new()
            }
        );
        for o in &s.owners {
            let _ = writeln!(
                out,
                "{} {}: {} unhealthy ({} on time, {} overdue)",
                p.code("1", "Owner"),
                if o.owner.is_empty() {
                    "(unassigned)"
                } else {
                    o.owner.as_str()
                },
                o.unhealthy,
                o.on_time,
                if o.overdue > 0 {
                    p.code("1;31", &o.overdue.to_string())
                } else {
                    "0".into()
                }
            );
        }
        exemption_warnings(&p, tally, &mut out);
        if !tally.skipped.is_empty() {
            let _ = writeln!(
                out,
                "{} {} document(s) skipped (no resource type); see the JSON report",
                p.code("33", "warning:"),
                tally.skipped.len()
            );
        }
        out
    }
}

/// Findings grouped by `--group-by` for a terminal: a heading per group (most findings first),
/// then its findings, then the summary of [`Table::render`].
pub fn render_groups(
    meta: &Metadata,
    tally: &mut Tally,
    findings: &[Finding],
    color: bool,
) -> String {
    let p = Paint(color);
    let mut groups: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in findings {
        groups
            .entry(f.group.as_deref().unwrap_or(""))
            .or_default()
            .push(f);
    }
    let mut order: Vec<(&str, Vec<&Finding>)> = groups.into_iter().collect();
    // Risk and severity groups in their own order, others by size.
    order.sort_by_key(|(k, v)| {
        let rank = risk_rank(k).min(severity_rank(k) + 1);
        (rank, std::cmp::Reverse(v.len()), k.to_string())
    });
    let mut out = String::new();
    for (key, list) in &order {
        let _ = writeln!(
            out,
            "{} {}",
            p.code("1", &format!("{key}:")),
            p.code(
                "2",
                &format!(
                    "{} finding{}",
                    list.len(),
                    if list.len() == 1 { "" } else { "s" }
                )
            )
        );
        for f in list {
            let risk = f
                .risk
                .as_ref()
                .map(|r| format!(" [risk {}]", r.level))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {} {} {} ({})  {}:{}{}{}",
                p.severity(&f.severity),
                f.recommendation,
                p.code("1", &f.resource.name),
                f.resource.kind,
                f.resource.file,
                f.line(),
                if f.state == Outcome::Exempt {
                    " [exempt]"
                } else {
                    ""
                },
                risk
            );
        }
        out.push('\n');
    }
    // The summary lines of the table.
    let table = Table {
        limit: 1,
        entries: vec![Vec::new(); tally.recommendations.len()],
        filtered: false,
    };
    let full = table.render(meta, tally, color);
    if let Some(i) = full.find("\nSummary:").or_else(|| full.find("Summary:")) {
        out.push_str(full[i..].trim_start_matches('\n'));
    }
    out
}

/// The secure score for a terminal: a line per control, then the total and the compliance.
pub fn render_score(meta: &Metadata, summary: &Summary, tally: &Tally, color: bool) -> String {
    let p = Paint(color);
    let mut out = String::new();
    let sc = &summary.secure_score;
    let _ = writeln!(
        out,
        "{} {} ({}): {} resources\n",
        p.code("1", "Secure score of"),
        meta.standard.title,
        meta.standard.id,
        summary.resources
    );
    let width = sc.controls.iter().map(|c| c.id.len()).max().unwrap_or(0);
    for c in &sc.controls {
        let points = if c.applicable {
            format!("{:>6.2} / {:<5}", c.current, c.max)
        } else {
            format!("{:>6} / {:<5}", "-", c.max)
        };
        let detail = if c.applicable {
            format!(
                "{} healthy, {} unhealthy{}",
                c.healthy,
                c.unhealthy,
                if c.exempt > 0 {
                    format!(", {} exempt", c.exempt)
                } else {
                    String::new()
                }
            )
        } else {
            "not applicable".into()
        };
        let _ = writeln!(
            out,
            "  {:<width$}  {points}  {}  {}",
            c.id,
            c.title,
            p.code("2", &detail)
        );
    }
    let _ = writeln!(
        out,
        "\n{} {} of {} points ({}%); compliance {}% of {} recommendations' results",
        p.code("1", "Total:"),
        sc.current,
        sc.max,
        sc.percentage,
        summary.compliance,
        summary.recommendations
    );
    exemption_warnings(&p, tally, &mut out);
    out
}

/// A warning line for each expired or stale exemption.
fn exemption_warnings(p: &Paint, tally: &Tally, out: &mut String) {
    for x in &tally.exemptions {
        if x.status != "active" {
            let _ = writeln!(
                out,
                "{} exemption {} (line {}) is {}{}",
                p.code("33", "warning:"),
                x.id,
                x.line,
                x.status,
                if x.status == "expired" {
                    format!("; {} finding(s) it covered count again", x.findings)
                } else {
                    ": it matches no finding; remove it or fix its scope".to_string()
                }
            );
        }
    }
}

struct Paint(bool);

impl Paint {
    fn code(&self, code: &str, s: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn severity(&self, s: &str) -> String {
        let label = format!("{:<6}", s.to_uppercase());
        match s {
            "high" => self.code("1;31", &label),
            "medium" => self.code("33", &label),
            _ => self.code("36", &label),
        }
    }
}
