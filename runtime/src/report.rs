//! Reports: findings with explanations, per-recommendation counts, and their renderings. The JSON
//! form is versioned ([`REPORT_VERSION`]) and documented in `docs/report.md`.

use crate::inventory::{Resource, Skipped};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use tenet_stdlib::abi::{Leaf, Metadata, Outcome, RecMeta, RecResult, StandardMeta};
use tenet_stdlib::text::render;

/// Version of the JSON report format.
pub const REPORT_VERSION: u32 = 1;

/// Severities in decreasing order.
pub const SEVERITIES: [&str; 3] = ["high", "medium", "low"];

/// Rank of a severity (0 = high).
pub fn severity_rank(s: &str) -> usize {
    SEVERITIES
        .iter()
        .position(|x| *x == s)
        .unwrap_or(SEVERITIES.len())
}

/// A report.
#[derive(Serialize, Debug, Clone)]
pub struct Report {
    /// Report format version.
    pub version: u32,
    /// The standard.
    pub standard: StandardMeta,
    /// Evaluation time (RFC 3339).
    pub evaluated_at: String,
    /// Totals.
    pub summary: Summary,
    /// One entry per recommendation, in standard order.
    pub recommendations: Vec<RecSummary>,
    /// Findings: not compliant and error, plus compliant and not applicable with `--all`.
    pub findings: Vec<Finding>,
    /// Documents skipped while reading the inventory.
    pub skipped: Vec<SkippedOut>,
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
    /// Source file.
    pub file: String,
    /// Line in the file.
    pub line: usize,
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
fn one_line(text: &str) -> String {
    let t = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.chars().count() > 90 {
        format!("{}…", t.chars().take(89).collect::<String>())
    } else {
        t
    }
}

/// Builds the explanation of a failing result.
pub fn explain(meta: &Metadata, result: &RecResult) -> Option<Explanation> {
    let reason = result.reason.as_ref()?;
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
    let message = match (result.outcome, clause) {
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

fn resource_ref(r: &Resource) -> ResourceRef {
    ResourceRef {
        id: r.id.clone(),
        kind: r.kind.clone(),
        name: r.name.clone(),
        provider: r.provider.clone(),
        namespace: r.namespace.clone(),
        file: r.file.to_string(),
        line: r.line,
    }
}

fn finding(rec: &RecMeta, meta: &Metadata, r: &Resource, res: &RecResult) -> Finding {
    let reason = res.reason.as_ref();
    Finding {
        recommendation: rec.id.clone(),
        title: rec.title.clone(),
        severity: rec.severity.clone(),
        state: res.outcome,
        refs: rec.refs.clone(),
        resource: resource_ref(r),
        explanation: explain(meta, res),
        remediation: reason.and_then(|x| x.remediation.clone()),
        fix: reason.and_then(|x| x.fix.clone()),
    }
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
}

/// Assembles the report of a run.
pub fn build(
    meta: &Metadata,
    resources: &[Resource],
    results: &[Vec<RecResult>],
    skipped: &[Skipped],
    evaluated_at: String,
    sel: Select<'_>,
) -> Report {
    let rec_ok = |id: &str| sel.recommendation.is_none_or(|m| m.is_match(id));
    let res_ok = |r: &Resource| {
        sel.resource
            .is_none_or(|m| m.is_match(&r.id) || m.is_match(&r.name))
    };
    let mut recs: Vec<RecSummary> = meta
        .recommendations
        .iter()
        .map(|r| RecSummary {
            id: r.id.clone(),
            title: r.title.clone(),
            severity: r.severity.clone(),
            control: r.control.clone(),
            state: String::new(),
            healthy: 0,
            unhealthy: 0,
            not_applicable: 0,
            errors: 0,
        })
        .collect();
    let mut findings = Vec::new();
    let mut summary = Summary::default();
    for (r, res) in resources.iter().zip(results) {
        if !res_ok(r) {
            continue;
        }
        summary.resources += 1;
        for ((rec, out), s) in meta.recommendations.iter().zip(res).zip(recs.iter_mut()) {
            if !rec_ok(&rec.id) {
                continue;
            }
            match out.outcome {
                Outcome::Compliant => s.healthy += 1,
                Outcome::NotCompliant => s.unhealthy += 1,
                Outcome::NotApplicable => s.not_applicable += 1,
                Outcome::Error => s.errors += 1,
            }
            if sel.all || matches!(out.outcome, Outcome::NotCompliant | Outcome::Error) {
                findings.push(finding(rec, meta, r, out));
            }
        }
    }
    recs.retain(|r| rec_ok(&r.id));
    for s in &mut recs {
        s.state = if s.unhealthy > 0 {
            "not_compliant"
        } else if s.healthy == 0 && s.errors == 0 {
            "not_applicable"
        } else {
            "compliant"
        }
        .into();
        summary.compliant += s.healthy;
        summary.errors += s.errors;
        if s.unhealthy > 0 {
            summary.not_compliant_recommendations += 1;
            *summary.not_compliant.entry(s.severity.clone()).or_default() += s.unhealthy;
        } else if s.state == "compliant" {
            summary.compliant_recommendations += 1;
        }
    }
    summary.recommendations = recs.len();
    Report {
        version: REPORT_VERSION,
        standard: meta.standard.clone(),
        evaluated_at,
        summary,
        recommendations: recs,
        findings,
        skipped: skipped
            .iter()
            .map(|s| SkippedOut {
                file: s.file.clone(),
                line: s.line,
                reason: s.reason.clone(),
            })
            .collect(),
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

/// Renders the report for a terminal: grouped by recommendation, unhealthy resources with why and
/// how to fix, then a summary line.
pub fn render_table(rep: &Report, color: bool) -> String {
    let p = Paint(color);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} ({}{}): {} resources, {} recommendations\n",
        p.code("1", "Standard"),
        rep.standard.title,
        rep.standard.id,
        if rep.standard.version.is_empty() {
            String::new()
        } else {
            format!(" {}", rep.standard.version)
        },
        rep.summary.resources,
        rep.summary.recommendations
    );
    let mut by_rec: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in &rep.findings {
        by_rec.entry(f.recommendation.as_str()).or_default().push(f);
    }
    let mut order: Vec<&RecSummary> = rep.recommendations.iter().collect();
    order.sort_by_key(|r| {
        (
            r.state != "not_compliant",
            r.errors == 0,
            severity_rank(&r.severity),
        )
    });
    for r in order {
        let (mark, counts) = match r.state.as_str() {
            "not_compliant" => (
                p.code("1;31", "✗"),
                format!("{} of {} unhealthy", r.unhealthy, r.unhealthy + r.healthy),
            ),
            "compliant" => (p.code("32", "✓"), format!("{} healthy", r.healthy)),
            _ => (p.code("2", "-"), "not applicable".to_string()),
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
        for f in by_rec.get(r.id.as_str()).into_iter().flatten() {
            if !matches!(f.state, Outcome::NotCompliant | Outcome::Error) {
                continue;
            }
            let state = if f.state == Outcome::Error {
                p.code("35", " [error]")
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "    {} ({}){state}  {}",
                p.code("1", &f.resource.name),
                f.resource.kind,
                p.code("2", &format!("{}:{}", f.resource.file, f.resource.line))
            );
            if let Some(e) = &f.explanation {
                let _ = writeln!(out, "      why: {}", e.message);
            }
            if let Some(rem) = f.remediation.as_deref().filter(|r| !r.is_empty()) {
                let _ = writeln!(out, "      fix: {rem}");
            }
        }
    }
    let s = &rep.summary;
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
    if !rep.skipped.is_empty() {
        let _ = writeln!(
            out,
            "{} {} document(s) skipped (no resource type); see the JSON report",
            p.code("33", "warning:"),
            rep.skipped.len()
        );
    }
    out
}
