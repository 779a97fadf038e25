//! Findings: one (recommendation, resource) result with its explanation, remediation, fix,
//! location, exemption, governance, risk and history, as every report format shows it.

use crate::model::Severity;
use crate::risk::{risk, Risk};
use crate::triage::exemptions::Applied;
use crate::triage::governance::Assignment;
use crate::triage::history::FindingHistory;
use crate::triage::Assessed;
use serde::Serialize;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::BTreeMap;
use tenet_runtime::eval::Evaluated;
use tenet_runtime::input::locate::Place;
use tenet_runtime::resource::Resource;
use tenet_stdlib::abi::{Category, Leaf, Metadata, Outcome, Reason, RecMeta, RecResult};
use tenet_stdlib::secret;
use tenet_stdlib::text::render;

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
    /// The secrets masked in `actual` and the bindings, to be masked in the remediation and
    /// the fix too (never written out).
    #[serde(skip)]
    pub secrets: Vec<String>,
}

impl Explanation {
    /// A remediation text with the secrets of this explanation, and any it carries, masked.
    pub fn scrub<'a>(&self, text: &'a str) -> std::borrow::Cow<'a, str> {
        secret::scrub(text, &self.secrets)
    }

    /// A fix with the secrets of this explanation, and any it carries, masked.
    pub fn scrub_fix(&self, fix: &Value) -> Option<Value> {
        secret::scrub_value(fix, &self.secrets)
    }
}

/// One (recommendation, resource) result.
#[derive(Serialize, Debug, Clone)]
pub struct Finding {
    /// Recommendation id.
    pub recommendation: String,
    /// Recommendation title.
    pub title: String,
    /// Severity.
    pub severity: Severity,
    /// What kind of weakness it is: misconfiguration, exposed-secret or vulnerability.
    pub category: Category,
    /// State.
    pub state: Outcome,
    /// Equivalent checks in other tools.
    pub refs: BTreeMap<String, Vec<String>>,
    /// The resource.
    pub resource: Resource<()>,
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
    pub property: Option<Place>,
    /// The exemption that covers it (state `exempt`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exemption: Option<Applied>,
    /// Its risk level and the risk factors behind it (unhealthy and exempt findings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk: Option<Risk>,
    /// Its group, with `--group-by`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Its owner, due date and status, with governance rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub governance: Option<Assignment>,
    /// When it was first seen and last changed, when a history is kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<FindingHistory>,
}

impl Finding {
    /// The line to point at: the deciding property's, else the resource's.
    pub fn line(&self) -> usize {
        self.property
            .as_ref()
            .map_or(self.resource.origin.line, |p| p.line)
            .max(1)
    }

    /// The column to point at (1 when only the resource's line is known).
    pub fn column(&self) -> usize {
        self.property
            .as_ref()
            .map_or(self.resource.origin.col, |p| p.column)
            .max(1)
    }
}

pub(crate) fn concrete_path(path: &str, bindings: &[BindingOut]) -> String {
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
    // Values that look like secrets are masked before anything is made of them.
    let mut secrets = Vec::new();
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
        let value = b.value.as_ref().map_or(Value::Null, |x| {
            secret::redact(x, None, &mut secrets).unwrap_or_else(|| x.clone())
        });
        bindings.push(BindingOut {
            name: v.name.clone(),
            path,
            value,
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
    // The member that holds the value read names it: `properties.MasterUserPassword`.
    let holder = path.as_deref().map(|p| {
        p.trim_end_matches(|c: char| c == ']' || c.is_ascii_digit() || c == '[')
            .rsplit('.')
            .next()
            .unwrap_or(p)
    });
    let actual = reason
        .actual
        .as_ref()
        .map(|a| secret::redact(a, holder, &mut secrets).unwrap_or_else(|| a.clone()));
    let shown = render(actual.as_ref());
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
                Some(p) if reason.leaf == Leaf::Unknown && actual.is_none() => {
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
        actual,
        bindings,
        policy: clause.map(|c| format!("{}:{}:{}", c.span.file, c.span.line, c.span.col)),
        secrets,
    })
}

/// The finding of recommendation `rec` (its metadata) on an evaluated resource.
pub fn finding(rec: &RecMeta, meta: &Metadata, e: &Assessed, index: usize) -> Finding {
    let outcome = e
        .outcomes
        .get(index)
        .copied()
        .unwrap_or(Outcome::NotApplicable);
    let reason = e.reason(index);
    let explanation = explain_reason(meta, outcome, reason);
    let property = property(meta, e, reason, explanation.as_ref());
    let remediation = reason
        .and_then(|x| x.remediation.as_deref())
        .map(|r| scrubbed(explanation.as_ref(), &e.secrets, r).into_owned());
    let fix = reason
        .and_then(|x| x.fix.as_ref())
        .map(|f| scrubbed_fix(explanation.as_ref(), &e.secrets, f).unwrap_or_else(|| f.clone()));
    Finding {
        recommendation: rec.id.clone(),
        title: rec.title.clone(),
        severity: Severity::of(&rec.severity),
        category: rec.category,
        state: outcome,
        refs: rec.refs.clone(),
        resource: e.resource.clone(),
        explanation,
        remediation,
        fix,
        property,
        exemption: e.exemption(index).cloned(),
        risk: matches!(
            outcome,
            Outcome::NotCompliant | Outcome::Error | Outcome::Exempt
        )
        .then(|| risk(rec, meta, &e.factors)),
        group: None,
        history: e.history(index).cloned(),
        governance: e.assignment(index).cloned(),
    }
}

/// The secrets to mask in a finding's texts: its explanation's and its document's
/// ([`Evaluated::secrets`]).
fn secrets_of<'a>(x: Option<&'a Explanation>, doc: &'a [String]) -> Cow<'a, [String]> {
    match x {
        Some(x) if doc.is_empty() => Cow::Borrowed(&x.secrets),
        None => Cow::Borrowed(doc),
        Some(x) => Cow::Owned(x.secrets.iter().chain(doc).cloned().collect()),
    }
}

/// A remediation text with secrets masked.
pub(crate) fn scrubbed<'a>(x: Option<&Explanation>, doc: &[String], text: &'a str) -> Cow<'a, str> {
    secret::scrub(text, &secrets_of(x, doc))
}

/// A fix with secrets masked, or `None` when it holds none.
pub(crate) fn scrubbed_fix(x: Option<&Explanation>, doc: &[String], fix: &Value) -> Option<Value> {
    secret::scrub_value(fix, &secrets_of(x, doc))
}

/// Where the property the deciding clause reads is, when the resource's places are known.
pub(crate) fn property(
    meta: &Metadata,
    e: &Evaluated,
    reason: Option<&Reason>,
    explanation: Option<&Explanation>,
) -> Option<Place> {
    let places = e.resource.origin.places.as_ref()?;
    let x = explanation?;
    let reason = reason?;
    let clause = reason.clause.and_then(|c| meta.clauses.get(c as usize))?;
    let own = (e.resource.origin.line, e.resource.origin.col);
    if let Some(at) = clause.origin.as_ref() {
        if let Some(p) = places.locate(at, &meta.vars, &reason.bindings, own) {
            return Some(p);
        }
    }
    // Modules that predate origins, and origins that do not resolve: the path as written.
    let reads = Some(clause.reads.as_str()).filter(|r| !r.is_empty())?;
    places.find(&concrete_path(reads, &x.bindings))
}
