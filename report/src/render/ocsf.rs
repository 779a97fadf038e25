//! OCSF for security data lakes and SIEMs (Amazon Security Lake, Splunk, Sentinel): one
//! Compliance Finding event (class 2003) per listed finding, as JSON Lines, in OCSF
//! [`VERSION`]. The finding's fingerprint is its `finding_info.uid`, so the same finding in two
//! runs is one finding downstream.

use super::message;
use crate::finding::Finding;
use crate::fingerprint::fingerprint_of;
use crate::tally::InputFailure;
use serde_json::{json, Map, Value};
use tenet_stdlib::abi::{Category, Metadata, Outcome};

/// The OCSF schema version written.
pub const VERSION: &str = "1.5.0";

/// `severity_id` and its caption for a severity name.
fn severity(name: &str) -> (u8, &'static str) {
    match name {
        "critical" => (5, "Critical"),
        "high" => (4, "High"),
        "medium" => (3, "Medium"),
        _ => (2, "Low"),
    }
}

/// `compliance.status_id` and its caption: Pass 1, Warning 2, Fail 3.
fn compliance_status(o: Outcome) -> (u8, &'static str) {
    match o {
        Outcome::Compliant => (1, "Pass"),
        Outcome::NotCompliant => (3, "Fail"),
        Outcome::Error | Outcome::Exempt | Outcome::NotApplicable => (2, "Warning"),
    }
}

/// The finding's `status_id` and caption: New 1, Suppressed 3 (exempt), Resolved 4
/// (compliant or not applicable).
fn finding_status(o: Outcome) -> (u8, &'static str) {
    match o {
        Outcome::NotCompliant | Outcome::Error => (1, "New"),
        Outcome::Exempt => (3, "Suppressed"),
        Outcome::Compliant | Outcome::NotApplicable => (4, "Resolved"),
    }
}

/// The cloud provider as OCSF names it; none for Kubernetes objects, which run anywhere.
fn provider(p: &str) -> Option<&str> {
    match p {
        "azure" => Some("Azure"),
        "aws" => Some("AWS"),
        "gcp" => Some("GCP"),
        "kubernetes" | "" => None,
        other => Some(other),
    }
}

/// The fields every event shares.
fn event(meta: &Metadata, time_ms: i64, status: (u8, &str), sev: (u8, &str)) -> Map<String, Value> {
    let Value::Object(m) = json!({
        "activity_id": 1,
        "activity_name": "Create",
        "category_uid": 2,
        "category_name": "Findings",
        "class_uid": 2003,
        "class_name": "Compliance Finding",
        "type_uid": 200301,
        "type_name": "Compliance Finding: Create",
        "severity_id": sev.0,
        "severity": sev.1,
        "status_id": status.0,
        "status": status.1,
        "time": time_ms,
        "metadata": {
            "version": VERSION,
            "product": {
                "name": "tenet",
                "vendor_name": "tenet",
                "version": env!("CARGO_PKG_VERSION"),
            },
            "log_name": meta.standard.id,
        },
    }) else {
        return Map::new();
    };
    m
}

/// The OCSF events of a run, one per line; `time_ms` is the evaluation time.
pub fn ocsf(
    meta: &Metadata,
    findings: &[Finding],
    failed: &[InputFailure],
    time_ms: i64,
) -> String {
    let recs = super::by_id(meta);
    let standard = format!("{} {}", meta.standard.title, meta.standard.version);
    let mut out = String::new();
    for f in findings {
        let rec = recs.get(f.recommendation.as_str());
        let i = &f.resource.identity;
        let mut e = event(
            meta,
            time_ms,
            finding_status(f.state),
            severity(
                f.risk
                    .as_ref()
                    .map_or(f.severity.as_str(), |r| r.level.as_str()),
            ),
        );
        e.insert(
            "message".into(),
            if f.explanation.is_some() {
                message(f)
            } else {
                f.title.clone()
            }
            .into(),
        );
        let mut info = json!({
            "uid": fingerprint_of(&f.recommendation, &f.resource.key()),
            "title": f.title,
            "analytic": {"uid": f.recommendation, "name": f.title, "type_id": 1, "type": "Rule"},
            "types": [match f.category {
                Category::Misconfiguration => "Misconfiguration",
                Category::ExposedSecret => "Exposed Secret",
                Category::Vulnerability => "Vulnerability",
            }],
        });
        if let Some(r) = rec {
            if !r.description.is_empty() {
                info["desc"] = r.description.clone().into();
            }
            let attacks: Vec<Value> = r
                .tactics
                .iter()
                .map(|t| json!({"tactic": {"name": t}}))
                .chain(
                    r.techniques
                        .iter()
                        .map(|t| json!({"technique": {"uid": t}})),
                )
                .collect();
            if !attacks.is_empty() {
                info["attacks"] = attacks.into();
            }
        }
        if let Some(h) = &f.history {
            if let Ok(t) = h.first_seen.parse::<jiff::Timestamp>() {
                info["first_seen_time"] = t.as_millisecond().into();
            }
        }
        e.insert("finding_info".into(), info);
        let status = compliance_status(f.state);
        let mut compliance = json!({
            "standards": [standard],
            "status_id": status.0,
            "status": status.1,
        });
        if let Some(r) = rec {
            compliance["control"] = r.control.clone().unwrap_or_else(|| r.id.clone()).into();
            let requirements = super::framework_controls(r);
            if !requirements.is_empty() {
                compliance["requirements"] = requirements.into();
            }
        }
        if let Some(x) = &f.exemption {
            compliance["status_detail"] = format!("exempt ({}): {}", x.id, x.justification).into();
        }
        e.insert("compliance".into(), compliance);
        let mut resource = json!({
            "uid": i.id,
            "name": i.name,
            "type": i.kind,
            "data": {
                "file": f.resource.origin.file.as_ref(),
                "line": f.line(),
                "column": f.column(),
            },
        });
        if let Some(p) = &f.property {
            resource["data"]["property"] = p.path.clone().into();
        }
        if let Some(ns) = &i.namespace {
            resource["namespace"] = ns.clone().into();
        }
        if let Some(l) = &i.location {
            resource["region"] = l.clone().into();
        }
        if let Some(owner) = f.governance.as_ref().and_then(|g| g.owner.as_ref()) {
            resource["owner"] = json!({"name": owner});
        }
        if !i.tags.is_empty() {
            resource["labels"] = i
                .tags
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .into();
        }
        e.insert("resources".into(), json!([resource]));
        if let Some(p) = provider(&i.provider) {
            let mut cloud = json!({"provider": p});
            if let Some(l) = &i.location {
                cloud["region"] = l.clone().into();
            }
            e.insert("cloud".into(), cloud);
            if let Some(m) = e.get_mut("metadata") {
                m["profiles"] = json!(["cloud"]);
            }
        }
        if let Some(r) = f.remediation.as_ref().filter(|r| !r.is_empty()) {
            let mut remediation = json!({"desc": r});
            if let Some(links) = rec.map(|r| &r.links).filter(|l| !l.is_empty()) {
                remediation["references"] = links.clone().into();
            }
            e.insert("remediation".into(), remediation);
        }
        let mut unmapped = Map::new();
        if let Some(r) = &f.risk {
            unmapped.insert("risk_level".into(), r.level.as_str().into());
            if !r.factors.is_empty() {
                unmapped.insert("risk_factors".into(), r.factors.clone().into());
            }
        }
        unmapped.insert("severity".into(), f.severity.as_str().into());
        unmapped.insert("state".into(), f.state.as_str().into());
        if let Some(g) = &f.governance {
            unmapped.insert(
                "governance".into(),
                serde_json::to_value(g).unwrap_or_default(),
            );
        }
        e.insert("unmapped".into(), unmapped.into());
        out.push_str(&serde_json::to_string(&e).unwrap_or_default());
        out.push('\n');
    }
    for x in failed {
        let mut e = event(meta, time_ms, (1, "New"), severity("high"));
        e.insert("message".into(), x.message.clone().into());
        e.insert(
            "finding_info".into(),
            json!({
                "uid": fingerprint_of("input-error", &x.file),
                "title": "Input could not be read",
                "types": ["Input Error"],
            }),
        );
        e.insert(
            "compliance".into(),
            json!({"standards": [standard], "status_id": 2, "status": "Warning",
                   "status_detail": format!("{}:{}:{}: not evaluated", x.file, x.line, x.column)}),
        );
        out.push_str(&serde_json::to_string(&e).unwrap_or_default());
        out.push('\n');
    }
    out
}
