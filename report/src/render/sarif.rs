//! SARIF 2.1.0 for code scanning: one rule per recommendation, one result per unhealthy
//! finding, exempt ones as suppressed results.

use super::baseline::Baseline;
use super::message;
use crate::finding::Finding;
use crate::model::Severity;
use crate::tally::InputFailure;
use serde_json::{json, Value};
use tenet_stdlib::abi::{Metadata, Outcome};

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// SARIF 2.1.0: one rule per recommendation, one result per not-compliant or error finding.
pub fn sarif(
    meta: &Metadata,
    findings: &[Finding],
    baseline: Option<&Baseline>,
    failed: &[InputFailure],
) -> Value {
    let rules: Vec<Value> = meta
        .recommendations
        .iter()
        .map(|r| {
            let score = match r.severity.as_str() {
                "high" => "8.0",
                "medium" => "5.0",
                _ => "2.0",
            };
            let mut tags = vec!["security".to_string()];
            tags.extend(r.tactics.iter().cloned());
            json!({
                "id": r.id,
                "name": r.id,
                "shortDescription": {"text": r.title},
                "fullDescription": {"text": if r.description.is_empty() { r.title.clone() } else { r.description.clone() }},
                "help": {"text": if r.remediation.is_empty() { r.title.clone() } else { r.remediation.clone() }},
                "defaultConfiguration": {"level": level(Severity::of(&r.severity))},
                "properties": {"tags": tags, "security-severity": score, "precision": "high"},
            })
        })
        .collect();
    let results: Vec<Value> = findings
        .iter()
        .filter(|f| matches!(f.state, Outcome::NotCompliant | Outcome::Error | Outcome::Exempt))
        .map(|f| {
            let index = meta
                .recommendations
                .iter()
                .position(|r| r.id == f.recommendation)
                .unwrap_or(0);
            let mut result = json!({
                "ruleId": f.recommendation,
                "ruleIndex": index,
                "level": level(f.severity),
                "message": {"text": message(f)},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": f.resource.origin.file.trim_start_matches("./")},
                        "region": {"startLine": f.line(), "startColumn": f.column()}
                    },
                    "logicalLocations": [{"name": f.resource.identity.name, "fullyQualifiedName": f.resource.identity.id, "kind": "resource"}]
                }],
                "partialFingerprints": {"tenetFinding/v1": super::baseline::fingerprint(f)},
            });
            if let Some(b) = baseline {
                result["baselineState"] = json!(if b.contains(f) { "unchanged" } else { "new" });
            }
            if let Some(r) = &f.risk {
                result["properties"] = json!({"riskLevel": r.level, "riskFactors": r.factors});
            }
            if let Some(g) = &f.group {
                result["properties"]["group"] = json!(g);
            }
            if let Some(x) = &f.exemption {
                // An accepted exemption: code scanning shows the result as suppressed.
                result["suppressions"] = json!([{
                    "kind": "external",
                    "status": "accepted",
                    "justification": format!("{} ({}): {}", x.id, match x.category {
                        crate::triage::exemptions::Category::Waiver => "waiver",
                        crate::triage::exemptions::Category::Mitigated => "mitigated",
                    }, x.justification),
                }]);
            }
            result
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "tenet",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://example.invalid/tenet",
                "rules": rules,
            }},
            "results": results,
            // Inputs that could not be read: the run is not complete, and says where.
            "invocations": [{
                "executionSuccessful": failed.is_empty(),
                "toolExecutionNotifications": failed.iter().map(|f| json!({
                    "level": "error",
                    "message": {"text": f.message},
                    "locations": [{"physicalLocation": {
                        "artifactLocation": {"uri": f.file.trim_start_matches("./")},
                        "region": {"startLine": f.line.max(1), "startColumn": f.column.max(1)}
                    }}],
                })).collect::<Vec<_>>(),
            }],
        }]
    })
}
