//! Reports for CI systems, rendered from the findings of a run: SARIF 2.1.0 (code scanning),
//! JUnit XML (test reports), GitHub Actions workflow commands (annotations on the changed lines)
//! and a Markdown summary for a pull-request comment.

use crate::report::{severity_rank, Finding, Summary, SEVERITIES};
use serde_json::{json, Value};
use std::fmt::Write as _;
use tenet_stdlib::abi::{Metadata, Outcome};

/// A stable identity of a finding that survives unrelated edits: the recommendation and the
/// resource's identity, never its line (FNV-1a, 64 bits, hex).
pub fn fingerprint(f: &Finding) -> String {
    fingerprint_of(&f.recommendation, &f.resource.id)
}

/// [`fingerprint`] of a recommendation id and a resource id.
pub fn fingerprint_of(recommendation: &str, resource: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in recommendation
        .bytes()
        .chain(std::iter::once(0))
        .chain(resource.bytes())
    {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

fn level(severity: &str) -> &'static str {
    match severity {
        "high" => "error",
        "medium" => "warning",
        _ => "note",
    }
}

fn message(f: &Finding) -> String {
    let why = f
        .explanation
        .as_ref()
        .map_or_else(|| f.title.clone(), |e| e.message.clone());
    match &f.remediation {
        Some(r) if !r.is_empty() => format!("{}: {why}. {r}", f.title),
        _ => format!("{}: {why}.", f.title),
    }
}

/// SARIF 2.1.0: one rule per recommendation, one result per not-compliant or error finding.
pub fn sarif(meta: &Metadata, findings: &[Finding], baseline: Option<&Baseline>) -> Value {
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
                "defaultConfiguration": {"level": level(&r.severity)},
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
                "level": level(&f.severity),
                "message": {"text": message(f)},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": f.resource.file.trim_start_matches("./")},
                        "region": {"startLine": f.line(), "startColumn": f.column()}
                    },
                    "logicalLocations": [{"name": f.resource.name, "fullyQualifiedName": f.resource.id, "kind": "resource"}]
                }],
                "partialFingerprints": {"tenetFinding/v1": fingerprint(f)},
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
                        crate::exemptions::Category::Waiver => "waiver",
                        crate::exemptions::Category::Mitigated => "mitigated",
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
        }]
    })
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// JUnit XML: a test suite per run, a test case per not-compliant or error finding, failed.
pub fn junit(meta: &Metadata, summary: &Summary, findings: &[Finding]) -> String {
    let failing: Vec<&Finding> = findings
        .iter()
        .filter(|f| matches!(f.state, Outcome::NotCompliant | Outcome::Error))
        .collect();
    // One test case per failing finding, and one for all the compliant results.
    let cases = failing.len() + usize::from(summary.compliant > 0);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"tenet\" tests=\"{cases}\" failures=\"{}\">",
        failing.len()
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{cases}\" failures=\"{}\">",
        xml(&meta.standard.id),
        failing.len()
    );
    for f in failing {
        let _ = writeln!(
            out,
            "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" line=\"{}\">",
            xml(&f.group.as_ref().map_or_else(
                || f.recommendation.clone(),
                |g| format!("{g}.{}", f.recommendation)
            )),
            xml(&f.resource.id),
            xml(&f.resource.file),
            f.line()
        );
        let _ = writeln!(
            out,
            "      <failure type=\"{}\" message=\"{}\">{}</failure>",
            f.severity,
            xml(&f.title),
            xml(&message(f))
        );
        let _ = writeln!(out, "    </testcase>");
    }
    if summary.compliant > 0 {
        let _ = writeln!(
            out,
            "    <testcase classname=\"{}\" name=\"{} compliant results\"/>",
            xml(&meta.standard.id),
            summary.compliant
        );
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// GitHub Actions workflow commands: an annotation per finding on its file and line (`error`
/// for high, `warning` for medium, `notice` for low).
pub fn github(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings
        .iter()
        .filter(|f| matches!(f.state, Outcome::NotCompliant | Outcome::Error))
    {
        let kind = match f.severity.as_str() {
            "high" => "error",
            "medium" => "warning",
            _ => "notice",
        };
        let _ = writeln!(
            out,
            "::{kind} file={},line={},col={},title={}::{}",
            escape_property(&f.resource.file),
            f.line(),
            f.column(),
            escape_property(&match &f.group {
                Some(g) => format!("[{g}] {} ({})", f.recommendation, f.resource.name),
                None => format!("{} ({})", f.recommendation, f.resource.name),
            }),
            escape_data(&message(f))
        );
    }
    out
}

/// A Markdown summary for a pull-request comment: the secure score and counts by severity, then
/// the findings, new ones first (with a baseline), most severe first.
pub fn markdown(
    meta: &Metadata,
    summary: &Summary,
    findings: &[Finding],
    baseline: Option<&Baseline>,
) -> String {
    let mut out = format!(
        "## tenet: {} ({})\n\n{} of {} recommendations compliant over {} resources. Secure score {} of {} ({}%), compliance {}%{}.\n\n| severity | not compliant |\n|---|---|\n",
        meta.standard.title,
        meta.standard.id,
        summary.compliant_recommendations,
        summary.recommendations,
        summary.resources,
        summary.secure_score.current,
        summary.secure_score.max,
        summary.secure_score.percentage,
        summary.compliance,
        if summary.exempt > 0 {
            format!(", {} exempt", summary.exempt)
        } else {
            String::new()
        }
    );
    for s in SEVERITIES {
        let _ = writeln!(
            out,
            "| {s} | {} |",
            summary.not_compliant.get(s).unwrap_or(&0)
        );
    }
    let mut failing: Vec<&Finding> = findings
        .iter()
        .filter(|f| matches!(f.state, Outcome::NotCompliant | Outcome::Error))
        .collect();
    // New findings first (with a baseline), then by group (with --group-by), then by severity.
    failing.sort_by_key(|f| {
        (
            baseline.is_some_and(|b| b.contains(f)),
            f.group.clone(),
            severity_rank(&f.severity),
        )
    });
    if let Some(b) = baseline {
        let new = failing.iter().filter(|f| !b.contains(f)).count();
        let _ = writeln!(
            out,
            "\n{new} new since the baseline, {} known.",
            failing.len() - new
        );
    }
    if failing.is_empty() {
        out.push_str("\nNo finding.\n");
        return out;
    }
    let grouped = failing.iter().any(|f| f.group.is_some());
    out.push_str(if grouped {
        "\n| group | severity | recommendation | resource | location | why |\n|---|---|---|---|---|---|\n"
    } else {
        "\n| severity | recommendation | resource | location | why |\n|---|---|---|---|---|\n"
    });
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    for f in failing {
        let why = f.explanation.as_ref().map_or("", |e| e.message.as_str());
        if let Some(g) = &f.group {
            let _ = write!(out, "| {} ", cell(g));
        }
        let _ = writeln!(
            out,
            "| {} | {} | {} | {}:{} | {} |",
            f.severity,
            cell(&f.title),
            cell(&f.resource.name),
            cell(&f.resource.file),
            f.line(),
            cell(why)
        );
    }
    out
}

/// Findings accepted at some point (`tenet baseline create`): `check --baseline` fails only on
/// findings that are not in it. Stored as JSON: `{"version": 1, "standard", "created",
/// "findings": [{"fingerprint", "recommendation", "resource"}]}`.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    fingerprints: std::collections::HashSet<String>,
}

impl Baseline {
    /// Whether a finding is in the baseline.
    pub fn contains(&self, f: &Finding) -> bool {
        self.fingerprints.contains(&fingerprint(f))
    }

    /// Reads a baseline file's text.
    pub fn parse(text: &str) -> Result<Baseline, String> {
        let v: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if v["version"] != 1 {
            return Err("not a tenet baseline of version 1".into());
        }
        let fingerprints = v["findings"]
            .as_array()
            .ok_or("no `findings` list")?
            .iter()
            .filter_map(|f| f["fingerprint"].as_str().map(str::to_string))
            .collect();
        Ok(Baseline { fingerprints })
    }

    /// The baseline file of the not-compliant and error findings of a run.
    pub fn render(meta: &Metadata, created: &str, findings: &[Finding]) -> String {
        let mut items: Vec<Value> = findings
            .iter()
            .filter(|f| matches!(f.state, Outcome::NotCompliant | Outcome::Error))
            .map(|f| json!({"fingerprint": fingerprint(f), "recommendation": f.recommendation, "resource": f.resource.id}))
            .collect();
        items.sort_by(|a, b| a["fingerprint"].as_str().cmp(&b["fingerprint"].as_str()));
        items.dedup();
        let v = json!({
            "version": 1,
            "standard": {"id": meta.standard.id, "version": meta.standard.version},
            "created": created,
            "findings": items,
        });
        serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
    }
}
