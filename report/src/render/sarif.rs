//! SARIF 2.1.0 for code scanning: one rule per recommendation, one result per unhealthy
//! finding, exempt ones as suppressed results; paths relative to `%SRCROOT%` (the repository
//! root), one `automationDetails.id` per standard, and within GitHub's limits.

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

/// The most results one run may hold: GitHub code scanning refuses a file with more.
pub const MAX_RESULTS: usize = 25_000;

/// A remediation template for people who read it before any resource fills it: each
/// `{placeholder}` is shown as `<placeholder>` (`{{` and `}}` are literal braces).
fn template(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => out.push('<'),
            '}' => out.push('>'),
            c => out.push(c),
        }
    }
    out
}

/// A file name as code scanning wants it: relative to the repository root, `/`-separated; a
/// file outside any repository (an absolute scope) as a `file:` URI.
fn artifact(scope: &str) -> Value {
    if scope.starts_with('/') {
        json!({"uri": format!("file://{scope}")})
    } else {
        json!({"uri": scope.trim_start_matches("./"), "uriBaseId": "%SRCROOT%"})
    }
}

/// SARIF 2.1.0: one rule per recommendation, one result per not-compliant or error finding
/// (the most severe [`MAX_RESULTS`] when there are more; a notification says how many were
/// left out). The second value is that number.
pub fn sarif(
    meta: &Metadata,
    findings: &[Finding],
    baseline: Option<&Baseline>,
    failed: &[InputFailure],
) -> (Value, usize) {
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
            tags.extend(r.techniques.iter().cloned());
            tags.extend(
                r.frameworks
                    .iter()
                    .flat_map(|(k, v)| v.iter().map(move |c| format!("{k}/{c}"))),
            );
            let about = if r.description.is_empty() {
                r.title.clone()
            } else {
                r.description.clone()
            };
            let fix = template(&r.remediation);
            let (text, markdown) = if fix.is_empty() {
                (about.clone(), about.clone())
            } else {
                (
                    format!("{about}\n\nRemediation: {fix}"),
                    format!("{about}\n\n**Remediation:** {fix}"),
                )
            };
            json!({
                "id": r.id,
                "name": r.id,
                "shortDescription": {"text": r.title},
                "fullDescription": {"text": about},
                "help": {"text": text, "markdown": markdown},
                "defaultConfiguration": {"level": level(Severity::of(&r.severity))},
                "properties": {"tags": tags, "security-severity": score, "precision": "high"},
            })
        })
        .collect();
    let mut listed: Vec<&Finding> = findings
        .iter()
        .filter(|f| {
            matches!(
                f.state,
                Outcome::NotCompliant | Outcome::Error | Outcome::Exempt
            )
        })
        .collect();
    let dropped = listed.len().saturating_sub(MAX_RESULTS);
    if dropped > 0 {
        // Keep the most severe: unhealthy before exempt, then by severity, in report order.
        listed.sort_by_key(|f| (f.state == Outcome::Exempt, std::cmp::Reverse(f.severity)));
        listed.truncate(MAX_RESULTS);
    }
    let results: Vec<Value> = listed
        .into_iter()
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
                        "artifactLocation": artifact(&f.resource.origin.scope),
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
    let mut notifications: Vec<Value> = failed
        .iter()
        .map(|f| {
            let scope = tenet_runtime::input::Roots::default().scope(std::path::Path::new(&f.file));
            json!({
                "level": "error",
                "message": {"text": f.message},
                "locations": [{"physicalLocation": {
                    "artifactLocation": artifact(&scope),
                    "region": {"startLine": f.line.max(1), "startColumn": f.column.max(1)}
                }}],
            })
        })
        .collect();
    if dropped > 0 {
        notifications.push(json!({
            "level": "warning",
            "message": {"text": format!(
                "{dropped} results were left out: code scanning accepts at most {MAX_RESULTS} per run; the most severe are kept, and the JSON report lists them all"
            )},
        }));
    }
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "tenet",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://example.invalid/tenet",
                "rules": rules,
            }},
            // One category per standard, so that several standards upload side by side.
            "automationDetails": {"id": format!("tenet/{}/", meta.standard.id)},
            "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The root of the repository (the folder holding .git)"}}},
            "results": results,
            // Inputs that could not be read (the run is not complete, and says where) and
            // results left out.
            "invocations": [{
                "executionSuccessful": failed.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
        }]
    });
    (doc, dropped)
}
