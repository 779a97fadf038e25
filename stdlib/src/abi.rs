//! The module ABI: what a compiled standard exports, how a host feeds it and how it answers.
//! `docs/abi.md` is the normative text; this module holds the constants and the Rust codecs.

use crate::value::{self, DecodeError, Reader};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Version of the ABI. A host must refuse a module whose `tenet_abi_version()` differs.
pub const ABI_VERSION: u32 = 1;
/// Name of the custom section holding the JSON metadata.
pub const METADATA_SECTION: &str = "tenet.metadata";
/// Export: `() -> i32`, the ABI version.
pub const EXPORT_VERSION: &str = "tenet_abi_version";
/// Export: `(len: i32) -> i32`, reserves a persistent region for the inventory index; resets the module.
pub const EXPORT_INDEX_RESERVE: &str = "tenet_index_reserve";
/// Export: `(len: i32) -> i32`, reserves the region for one evaluation input after the index.
pub const EXPORT_RESERVE: &str = "tenet_reserve";
/// Export: `(ptr: i32, len: i32) -> i32`, evaluates one input; returns the output's address.
pub const EXPORT_EVAL: &str = "tenet_eval";
/// Export: the linear memory.
pub const EXPORT_MEMORY: &str = "memory";

/// Outcome of one recommendation on one resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The resource is not in scope.
    NotApplicable = 0,
    /// The condition holds.
    Compliant = 1,
    /// The condition is false, or could not be decided because a value was missing.
    NotCompliant = 2,
    /// Evaluation failed (a type fault).
    Error = 3,
    /// Not compliant, but covered by an exemption (set by hosts; modules never return it).
    Exempt = 4,
}

impl Outcome {
    /// Decodes an outcome byte.
    pub fn from_byte(b: u8) -> Option<Outcome> {
        Some(match b {
            0 => Outcome::NotApplicable,
            1 => Outcome::Compliant,
            2 => Outcome::NotCompliant,
            3 => Outcome::Error,
            _ => return None,
        })
    }

    /// The snake_case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::NotApplicable => "not_applicable",
            Outcome::Compliant => "compliant",
            Outcome::NotCompliant => "not_compliant",
            Outcome::Error => "error",
            Outcome::Exempt => "exempt",
        }
    }
}

/// Three-valued result of the clause that decided an outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Leaf {
    /// The clause was false.
    False = 0,
    /// The clause was true (e.g. under `not` or `none`).
    True = 1,
    /// A value the clause needs was missing or unknown.
    Unknown = 2,
}

/// A bound variable at the deciding clause.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Binding {
    /// Index into [`Metadata::vars`].
    pub var: u32,
    /// Element index in the list the variable ranges over (-1 for map entries without one).
    pub index: i32,
    /// The element.
    pub value: Option<serde_json::Value>,
}

/// What a module says about one recommendation on one resource.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecResult {
    /// The outcome.
    pub outcome: Outcome,
    /// Why, for `not_compliant` and `error`.
    pub reason: Option<Reason>,
}

/// Explanation data for a failing outcome.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// Index into [`Metadata::clauses`] of the deciding clause, if any.
    pub clause: Option<u32>,
    /// The deciding clause's value.
    pub leaf: Leaf,
    /// The fault, for `error`.
    pub fault: Option<u8>,
    /// The actual value the clause looked at (absent when missing).
    pub actual: Option<serde_json::Value>,
    /// Variables bound by enclosing quantifiers.
    pub bindings: Vec<Binding>,
    /// The rendered remediation text.
    pub remediation: Option<String>,
    /// The fix operations (`[{op, path, value?}]`), absent when there is no fix or it cannot be computed.
    pub fix: Option<serde_json::Value>,
}

/// Error decoding a module's output.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// Malformed value.
    #[error(transparent)]
    Value(#[from] DecodeError),
    /// An outcome byte out of range.
    #[error("invalid outcome byte {0}")]
    Outcome(u8),
    /// The record count differs from the metadata.
    #[error("module reported {got} recommendations, metadata lists {want}")]
    Count {
        /// Count in the output.
        got: u32,
        /// Count expected.
        want: usize,
    },
}

/// Decodes an output buffer (starting at its length field).
pub fn decode_output(bytes: &[u8], expected: usize) -> Result<Vec<RecResult>, OutputError> {
    let (outcomes, reasons) = decode_sparse(bytes, expected)?;
    let mut reasons = reasons.into_iter().peekable();
    Ok(outcomes
        .into_iter()
        .enumerate()
        .map(|(i, outcome)| RecResult {
            outcome,
            reason: reasons.next_if(|(k, _)| *k == i).map(|(_, r)| r),
        })
        .collect())
}

/// Decodes an output buffer into one outcome per recommendation and the reasons of the failing
/// ones (by recommendation index, ascending): cheaper than [`decode_output`] when most pass.
#[allow(clippy::type_complexity, reason = "a pair read right where it is made")]
pub fn decode_sparse(
    bytes: &[u8],
    expected: usize,
) -> Result<(Vec<Outcome>, Vec<(usize, Reason)>), OutputError> {
    let mut r = Reader::new(bytes, 0);
    let _len = r.u32()?;
    let n = r.u32()?;
    if n as usize != expected {
        return Err(OutputError::Count {
            got: n,
            want: expected,
        });
    }
    let mut outcomes = Vec::with_capacity(expected);
    let mut reasons = Vec::new();
    for i in 0..n as usize {
        let b = r.u8()?;
        let outcome = Outcome::from_byte(b).ok_or(OutputError::Outcome(b))?;
        outcomes.push(outcome);
        if matches!(outcome, Outcome::NotCompliant | Outcome::Error) {
            let clause = r.u32()?;
            let leaf = match r.u8()? {
                0 => Leaf::False,
                1 => Leaf::True,
                _ => Leaf::Unknown,
            };
            let fault = r.u8()?;
            let actual = r.value()?;
            let nb = r.u32()?;
            let mut bindings = Vec::new();
            for _ in 0..nb {
                let var = r.u32()?;
                let index = r.u32()? as i32;
                let value = r.value()?;
                bindings.push(Binding { var, index, value });
            }
            let remediation = r.value()?.and_then(|v| match v {
                serde_json::Value::String(s) => Some(s),
                _ => None,
            });
            let fix = r.value()?;
            reasons.push((
                i,
                Reason {
                    clause: (clause != u32::MAX).then_some(clause),
                    leaf,
                    fault: (fault != 0).then_some(fault),
                    actual,
                    bindings,
                    remediation,
                    fix,
                },
            ));
        }
    }
    Ok((outcomes, reasons))
}

/// Encodes the evaluation input for one resource.
pub fn encode_input(now: f64, provider: &str, kind: &str, resource: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(&now.to_le_bytes());
    value::put_u32(out, provider.len());
    out.extend_from_slice(provider.as_bytes());
    value::put_u32(out, kind.len());
    out.extend_from_slice(kind.as_bytes());
    out.extend_from_slice(resource);
}

/// Builds the inventory index: for each lookup of the metadata, its entries (key, encoded value),
/// which this function sorts by key bytes.
pub fn encode_index(lookups: Vec<Vec<(Vec<u8>, Vec<u8>)>>) -> Vec<u8> {
    let mut out = Vec::new();
    value::put_u32(&mut out, lookups.len());
    for mut entries in lookups {
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        value::put_u32(&mut out, entries.len());
        let table = out.len();
        out.resize(table + 4 * entries.len(), 0);
        for (i, (key, val)) in entries.iter().enumerate() {
            let at = out.len() as u32;
            if let Some(slot) = out.get_mut(table + 4 * i..table + 4 * i + 4) {
                slot.copy_from_slice(&at.to_le_bytes());
            }
            value::put_u32(&mut out, key.len());
            out.extend_from_slice(key);
            out.extend_from_slice(val);
        }
    }
    out
}

/// The metadata custom section.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    /// ABI version (same as the export).
    pub abi: u32,
    /// Compiler that produced the module.
    pub compiler: String,
    /// The standard.
    pub standard: StandardMeta,
    /// Controls, in source order.
    pub controls: Vec<ControlMeta>,
    /// Recommendations, in output order.
    pub recommendations: Vec<RecMeta>,
    /// Clauses that can decide an outcome.
    pub clauses: Vec<ClauseMeta>,
    /// Quantifier variables.
    pub vars: Vec<VarMeta>,
    /// Paths of the resource the module reads; a host may omit everything else.
    pub projection: Projection,
    /// Cross-resource lookups the host must index.
    pub lookups: Vec<LookupMeta>,
    /// Risk factors: their outcomes follow the recommendations' in the output (compliant means
    /// the factor is present on the resource).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub risk_factors: Vec<FactorMeta>,
}

/// A risk factor: a named condition on a resource (and its relationships) that raises the risk
/// level of its findings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FactorMeta {
    /// Stable id (`internet-exposure`).
    pub id: String,
    /// Title.
    pub title: String,
    /// Description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

impl Metadata {
    /// Outcomes a module writes per resource: one per recommendation, then one per risk factor.
    pub fn outputs(&self) -> usize {
        self.recommendations.len() + self.risk_factors.len()
    }
}

/// A tree of field names; a node marked `all` needs its whole subtree. `each` applies to every
/// element of an array and to every value of an object (the path segment `*`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Projection {
    /// The whole value is needed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub all: bool,
    /// Needed fields.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, Projection>,
    /// What is needed of every element or value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub each: Option<Box<Projection>>,
}

impl Projection {
    /// Marks a path as needed (`*` stands for every element); `whole` when its entire subtree is read.
    pub fn add(&mut self, path: &[String], whole: bool) {
        if self.all {
            return;
        }
        match path.split_first() {
            None => {
                if whole {
                    *self = Projection {
                        all: true,
                        ..Projection::default()
                    };
                }
            }
            Some((head, rest)) if head == "*" => {
                self.each.get_or_insert_with(Box::default).add(rest, whole)
            }
            Some((head, rest)) => self
                .fields
                .entry(head.clone())
                .or_default()
                .add(rest, whole),
        }
    }

    /// Merges another projection into this one.
    pub fn merge(&mut self, other: &Projection) {
        if self.all {
            return;
        }
        if other.all {
            *self = Projection {
                all: true,
                ..Projection::default()
            };
            return;
        }
        for (k, v) in &other.fields {
            self.fields.entry(k.clone()).or_default().merge(v);
        }
        if let Some(e) = &other.each {
            self.each.get_or_insert_with(Box::default).merge(e);
        }
    }

    /// What is kept of member `key` of an object: the member's own projection, with what `each`
    /// asks of every member; `None` when nothing of it is.
    pub fn member(&self, key: &str) -> Option<std::borrow::Cow<'_, Projection>> {
        use std::borrow::Cow;
        if self.all {
            return Some(Cow::Borrowed(self));
        }
        match (self.fields.get(key), self.each.as_deref()) {
            (Some(p), Some(e)) => {
                let mut m = p.clone();
                m.merge(e);
                Some(Cow::Owned(m))
            }
            (Some(p), None) => Some(Cow::Borrowed(p)),
            (None, Some(e)) => Some(Cow::Borrowed(e)),
            (None, None) => None,
        }
    }

    /// What is kept of each element of an array.
    pub fn element(&self) -> &Projection {
        if self.all {
            self
        } else {
            self.each.as_deref().unwrap_or(self)
        }
    }

    /// Keeps only the projected parts of a JSON value.
    pub fn apply(&self, v: &serde_json::Value) -> serde_json::Value {
        use serde_json::Value;
        if self.all {
            return v.clone();
        }
        match v {
            Value::Object(m) if !value::is_unknown(v) => Value::Object(
                m.iter()
                    .filter_map(|(k, x)| self.member(k).map(|p| (k.clone(), p.apply(x))))
                    .collect(),
            ),
            Value::Array(items) => {
                let p = self.element();
                Value::Array(items.iter().map(|x| p.apply(x)).collect())
            }
            other => other.clone(),
        }
    }
}

/// Standard metadata.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StandardMeta {
    /// Stable id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Version.
    #[serde(default)]
    pub version: String,
    /// Benchmark it follows.
    #[serde(default)]
    pub source: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// The highest severity a resource may exempt itself from with a `tenet-exempt-<id>` tag or
    /// annotation (`none`, `low`, `medium`, `high`; absent: `high`, every severity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inline_exemptions: Option<String>,
}

/// A control (secure-score group).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ControlMeta {
    /// Stable id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Maximum points.
    pub points: f64,
}

/// Where a construct is in the policy source.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceLoc {
    /// File name as given to the compiler.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column (characters).
    pub col: u32,
}

/// A resource type selector.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliesMeta {
    /// azure, aws, gcp, kubernetes, or `*`.
    pub provider: String,
    /// Type or glob, matched case-insensitively.
    pub types: Vec<String>,
}

/// What kind of weakness a recommendation finds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// A setting that weakens the resource (the default).
    #[default]
    Misconfiguration,
    /// A credential written where it can be read.
    ExposedSecret,
    /// A known vulnerability in software the resource runs.
    Vulnerability,
}

impl Category {
    /// Every category, in the order reports list them.
    pub const ALL: [Category; 3] = [
        Category::Misconfiguration,
        Category::ExposedSecret,
        Category::Vulnerability,
    ];

    /// Its name, as standards and reports write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Misconfiguration => "misconfiguration",
            Category::ExposedSecret => "exposed-secret",
            Category::Vulnerability => "vulnerability",
        }
    }

    /// The category named `name`.
    pub fn parse(name: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == name)
    }

    /// Whether it is the default, which module metadata leaves out.
    pub fn is_default(&self) -> bool {
        *self == Category::Misconfiguration
    }
}

/// A recommendation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RecMeta {
    /// Stable id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// high, medium or low.
    pub severity: String,
    /// What kind of weakness it finds (left out of the metadata when a misconfiguration).
    #[serde(default, skip_serializing_if = "Category::is_default")]
    pub category: Category,
    /// Control id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control: Option<String>,
    /// Resource types.
    pub applies: Vec<AppliesMeta>,
    /// MITRE ATT&CK tactics.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tactics: Vec<String>,
    /// MITRE ATT&CK techniques.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub techniques: Vec<String>,
    /// Framework references: framework -> clause ids.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub frameworks: BTreeMap<String, Vec<String>>,
    /// Equivalent checks in other tools: tool -> check ids.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub refs: BTreeMap<String, Vec<String>>,
    /// Workload (free text, e.g. `storage`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload: Option<String>,
    /// Domain (free text, e.g. `data`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// Links.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<String>,
    /// Risk factors the recommendation considers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub risk_factors: Vec<String>,
    /// The compliance condition as written.
    pub condition: String,
    /// The remediation template as written.
    #[serde(default)]
    pub remediation: String,
    /// The fix as written (empty when there is none); with several variants, the first fix
    /// any of them has.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub fix: String,
    /// Where the recommendation is declared.
    pub span: SourceLoc,
    /// Written with `applies … { … }` blocks: the condition, remediation and fix for each input
    /// shape, in the order they are tried (the first whose `applies` selects a resource judges
    /// it). Empty for a recommendation written with one condition; `applies`, `condition`,
    /// `remediation` and `fix` above then say it all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<VariantMeta>,
}

impl RecMeta {
    /// The variants of the recommendation: those it lists, or the one its own fields describe.
    pub fn shapes(&self) -> Vec<VariantMeta> {
        if !self.variants.is_empty() {
            return self.variants.clone();
        }
        vec![VariantMeta {
            applies: self.applies.clone(),
            condition: self.condition.clone(),
            remediation: self.remediation.clone(),
            fix: self.fix.clone(),
            span: self.span.clone(),
        }]
    }
}

impl VariantMeta {
    /// Whether this variant's `applies` select a resource of `provider` and `kind`, as the
    /// module decides it: providers and types ASCII case-insensitively, types also by glob.
    pub fn selects(&self, provider: &str, kind: &str) -> bool {
        self.applies.iter().any(|a| {
            (a.provider == "*" || a.provider.eq_ignore_ascii_case(provider))
                && a.types.iter().any(|t| {
                    if t.contains(['*', '?', '[', '{']) {
                        crate::automata::glob_regex(t, true)
                            .and_then(|re| crate::automata::cached_regex(&re))
                            .is_some_and(|re| re.is_match(kind.as_bytes()))
                    } else {
                        t.eq_ignore_ascii_case(kind)
                    }
                })
        })
    }
}

/// What a recommendation decides for the resources one `applies` selects.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct VariantMeta {
    /// The types it judges.
    pub applies: Vec<AppliesMeta>,
    /// The compliance condition as written.
    pub condition: String,
    /// The remediation template as written.
    #[serde(default)]
    pub remediation: String,
    /// The fix as written (empty when this variant has none).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub fix: String,
    /// Where the variant is written (the `applies` block).
    pub span: SourceLoc,
}

/// A clause: a comparison, call or quantifier that can decide an outcome.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ClauseMeta {
    /// The clause as written.
    pub text: String,
    /// The path the clause reads, as written (empty when none).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub path: String,
    /// The property of the resource the clause is about, for pointing at it in source files:
    /// `path`, or the first path its subject reads (`properties.minimumTlsVersion` in
    /// `version_compare(properties.minimumTlsVersion ?? "TLS1_0", "TLS1_2") >= 0`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reads: String,
    /// Where the value the clause reads comes from in the resource, through the helpers, `let`s
    /// and quantifiers it was written with; hosts resolve it against the record's bindings to
    /// point at the property's line (`reads` is the fallback when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
    /// Where it is.
    pub span: SourceLoc,
}

/// Where a value comes from in the resource's document, as far as the compiler can tell: a path
/// from a base, which is the resource (none of `var`, `first`, `concat`, `items` set), a
/// quantifier variable's element, the first present of several alternatives (`a ?? b`), the
/// lists joined by `concat` or a list written in the rule (both indexed by the path's first
/// step).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Origin {
    /// Base: the element a quantifier variable (index into [`Metadata::vars`]) is bound to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub var: Option<u32>,
    /// Base: the first of these that is present in the document.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub first: Vec<Origin>,
    /// Base: these lists joined, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub concat: Vec<Origin>,
    /// Base: a list written in the rule (`[props]`), of these values (`null`: not from the
    /// resource).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Option<Origin>>,
    /// Members and elements below the base (negative indexes count from the end).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub path: Vec<Step>,
    /// The value is computed from this place (`lower(x)`, `keys(m)`, `m[k]` with a computed key):
    /// point at it, but do not index into it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub near: bool,
}

/// One step of an [`Origin`] path: a member by name or an element by index.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Step {
    /// An element.
    Index(i64),
    /// A member.
    Key(String),
}

/// A quantifier variable.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct VarMeta {
    /// Its name.
    pub name: String,
    /// The collection it ranges over, as written.
    pub source: String,
    /// Where that collection comes from in the resource (absent for lookups and computed lists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

/// A cross-resource lookup the host indexes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LookupMeta {
    /// Resource types (globs, case-insensitive) to include.
    pub types: Vec<String>,
    /// Path of the key to index by (exact string match), or empty for a plain list.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub key: Vec<String>,
    /// Fields of the indexed resources that the module reads.
    pub projection: Projection,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn projection_keeps_only_needed_fields() {
        let mut p = Projection::default();
        p.add(&["properties".into(), "a".into()], true);
        p.add(&["properties".into()], false);
        p.add(&["tags".into()], true);
        let v = json!({"properties": {"a": 1, "b": 2, "list": []}, "tags": {"x": "y"}, "other": 3});
        assert_eq!(
            p.apply(&v),
            json!({"properties": {"a": 1}, "tags": {"x": "y"}})
        );
        let arr = json!({"properties": {"a": [{"a": 1}]}});
        assert_eq!(p.apply(&arr), arr);
        let mut q = Projection::default();
        q.add(&["m".into(), "*".into(), "x".into()], true);
        let m = json!({"m": {"k1": {"x": 1, "y": 2}, "k2": {"y": 3}}, "l": [1]});
        assert_eq!(q.apply(&m), json!({"m": {"k1": {"x": 1}, "k2": {}}}));
        let l = json!({"m": [{"x": 1, "y": 2}]});
        assert_eq!(q.apply(&l), json!({"m": [{"x": 1}]}));
    }
}
