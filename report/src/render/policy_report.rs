//! Kubernetes policy reports (`wgpolicyk8s.io/v1alpha2`), the format cluster tooling (Policy
//! Reporter, Kyverno's UI, kubectl) reads: a `List` with one `PolicyReport` per namespace and a
//! `ClusterPolicyReport` for everything without one (cluster-scoped objects, cloud resources and
//! inputs that could not be read), ready for `kubectl apply -f -`.

use super::message;
use crate::finding::Finding;
use crate::fingerprint::fingerprint_of;
use crate::tally::InputFailure;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use tenet_stdlib::abi::{Metadata, Outcome};

/// A name Kubernetes accepts (RFC 1123 subdomain): lower case letters, digits, `-` and `.`,
/// starting and ending with a letter or digit, at most 253 characters.
fn object_name(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| match c.to_ascii_lowercase() {
            c @ ('a'..='z' | '0'..='9' | '-' | '.') => c,
            _ => '-',
        })
        .collect();
    out.truncate(253);
    let trimmed = out.trim_matches(|c: char| c == '-' || c == '.');
    if trimmed.is_empty() {
        "tenet".into()
    } else {
        trimmed.into()
    }
}

/// The result of a finding: `fail` (not compliant), `error`, `skip` (exempt or not applicable)
/// or `pass`.
fn result(o: Outcome) -> &'static str {
    match o {
        Outcome::NotCompliant => "fail",
        Outcome::Error => "error",
        Outcome::Compliant => "pass",
        Outcome::Exempt | Outcome::NotApplicable => "skip",
    }
}

/// One report (per namespace, or the cluster's) as it fills.
#[derive(Default)]
struct Report {
    results: Vec<Value>,
    summary: BTreeMap<&'static str, usize>,
}

impl Report {
    fn add(&mut self, outcome: &'static str, r: Value) {
        *self.summary.entry(outcome).or_default() += 1;
        self.results.push(r);
    }
}

/// The policy reports of a run, as JSON (which is YAML too). `seconds` is the evaluation time.
pub fn policy_report(
    meta: &Metadata,
    findings: &[Finding],
    failed: &[InputFailure],
    seconds: i64,
) -> String {
    let recs = super::by_id(meta);
    let timestamp = json!({"seconds": seconds, "nanos": 0});
    let mut namespaces: BTreeMap<String, Report> = BTreeMap::new();
    let mut cluster = Report::default();
    for f in findings {
        let rec = recs.get(f.recommendation.as_str());
        let i = &f.resource.identity;
        let mut object = Map::new();
        object.insert("kind".into(), i.kind.clone().into());
        object.insert("name".into(), i.name.clone().into());
        if let Some(ns) = &i.namespace {
            object.insert("namespace".into(), ns.clone().into());
        }
        // Every property is a string, as the schema requires.
        let mut properties = Map::new();
        let mut put = |k: &str, v: String| {
            if !v.is_empty() {
                properties.insert(k.into(), v.into());
            }
        };
        put("resource", i.id.clone());
        put("type", f.category.as_str().into());
        put("provider", i.provider.clone());
        put("file", f.resource.origin.file.to_string());
        put("line", f.line().to_string());
        put("column", f.column().to_string());
        if let Some(p) = &f.property {
            put("property", p.path.clone());
        }
        if let Some(r) = &f.risk {
            put("risk", r.level.as_str().into());
        }
        if let Some(r) = &f.remediation {
            put("remediation", r.clone());
        }
        if let Some(x) = &f.exemption {
            put("exemption", format!("{}: {}", x.id, x.justification));
        }
        if let Some(g) = &f.governance {
            put("governance", g.status.into());
            put("owner", g.owner.clone().unwrap_or_default());
            put("due", g.due.clone().unwrap_or_default());
        }
        if let Some(r) = rec {
            for (framework, ids) in &r.frameworks {
                put(&format!("framework.{framework}"), ids.join(","));
            }
            put("tactics", r.tactics.join(","));
            put("techniques", r.techniques.join(","));
        }
        put(
            "fingerprint",
            fingerprint_of(&f.recommendation, &f.resource.key()),
        );
        let outcome = result(f.state);
        let mut r = json!({
            "source": "tenet",
            "policy": meta.standard.id,
            "rule": f.recommendation,
            "result": outcome,
            "severity": f.severity.as_str(),
            "scored": true,
            "message": if f.explanation.is_some() { message(f) } else { f.title.clone() },
            "resources": [Value::Object(object)],
            "properties": properties,
            "timestamp": timestamp,
        });
        if let Some(c) = rec.and_then(|r| r.control.as_ref()) {
            r["category"] = c.clone().into();
        }
        match &i.namespace {
            Some(ns) if i.provider == "kubernetes" => {
                namespaces.entry(ns.clone()).or_default().add(outcome, r)
            }
            _ => cluster.add(outcome, r),
        }
    }
    for e in failed {
        cluster.add(
            "error",
            json!({
                "source": "tenet",
                "policy": meta.standard.id,
                "result": "error",
                "scored": true,
                "message": e.message,
                "properties": {"file": e.file, "line": e.line.to_string(), "column": e.column.to_string()},
                "timestamp": timestamp,
            }),
        );
    }
    let name = object_name(&format!("tenet-{}", meta.standard.id));
    let labels = json!({"app.kubernetes.io/managed-by": "tenet"});
    let report = |kind: &str, namespace: Option<&str>, r: Report| {
        let mut metadata = json!({"name": name, "labels": labels});
        if let Some(ns) = namespace {
            metadata["namespace"] = ns.into();
        }
        let summary: Map<String, Value> = ["pass", "fail", "warn", "error", "skip"]
            .into_iter()
            .map(|k| (k.to_string(), r.summary.get(k).copied().unwrap_or(0).into()))
            .collect();
        json!({
            "apiVersion": "wgpolicyk8s.io/v1alpha2",
            "kind": kind,
            "metadata": metadata,
            "summary": summary,
            "results": r.results,
        })
    };
    let mut items: Vec<Value> = namespaces
        .into_iter()
        .map(|(ns, r)| report("PolicyReport", Some(&ns), r))
        .collect();
    if !cluster.results.is_empty() || items.is_empty() {
        items.push(report("ClusterPolicyReport", None, cluster));
    }
    let list = json!({"apiVersion": "v1", "kind": "List", "items": items});
    let mut text = serde_json::to_string_pretty(&list).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::object_name;

    #[test]
    fn names_are_valid_kubernetes_names() {
        assert_eq!(
            object_name("tenet-Kubernetes_Pod Security"),
            "tenet-kubernetes-pod-security"
        );
        assert_eq!(object_name("--"), "tenet");
        assert_eq!(object_name(&"a".repeat(300)).len(), 253);
    }
}
