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

/// The largest file code scanning accepts, gzip-compressed.
pub const MAX_GZIP: usize = 10_000_000;

/// How a SARIF file is written.
#[derive(Clone, Debug)]
pub struct Options {
    /// The address of a recommendation's help page, with `{standard}` and `{id}` filled in
    /// (`--help-uri`); without it, a recommendation's first `links` entry that is a web address.
    pub help_uri: Option<String>,
    /// The most results to keep ([`MAX_RESULTS`]).
    pub max_results: usize,
    /// The largest file, gzip-compressed ([`MAX_GZIP`]).
    pub max_gzip: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            help_uri: None,
            max_results: MAX_RESULTS,
            max_gzip: MAX_GZIP,
        }
    }
}

/// The help page of a recommendation, when one is known.
fn help_uri(opts: &Options, standard: &str, r: &tenet_stdlib::abi::RecMeta) -> Option<String> {
    match &opts.help_uri {
        Some(t) => Some(t.replace("{standard}", standard).replace("{id}", &r.id)),
        None => r
            .links
            .iter()
            .find(|l| l.starts_with("https://") || l.starts_with("http://"))
            .cloned(),
    }
}

/// The SARIF file as text, within code scanning's limits: at most `max_results` results and
/// `max_gzip` bytes compressed; the most severe results are kept, and the notification and the
/// second value say how many were left out.
pub fn render(
    meta: &Metadata,
    findings: &[Finding],
    baseline: Option<&Baseline>,
    failed: &[InputFailure],
    opts: &Options,
) -> (String, usize) {
    let mut keep = opts.max_results;
    loop {
        let (doc, dropped, kept) = build(meta, findings, baseline, failed, opts, keep);
        let text = serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
        let size = gzip_len(text.as_bytes());
        if size <= opts.max_gzip || kept == 0 {
            return (text, dropped);
        }
        // Shrink in proportion, with a margin, and always by at least one result.
        let scaled = (kept as f64 * opts.max_gzip as f64 / size as f64 * 0.9) as usize;
        keep = scaled.min(kept - 1);
    }
}

/// The size of bytes once gzip-compressed (default level, as code scanning uploads are).
fn gzip_len(bytes: &[u8]) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0 += b.len();
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut z = flate2::write::GzEncoder::new(Count(0), flate2::Compression::default());
    let written = std::io::Write::write_all(&mut z, bytes);
    match (written, z.finish()) {
        (Ok(()), Ok(c)) => c.0,
        // Counting cannot fail; if it did, assume no compression at all.
        _ => bytes.len(),
    }
}

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
/// left out). The second value is that number. [`render`] also keeps the file within
/// [`MAX_GZIP`].
pub fn sarif(
    meta: &Metadata,
    findings: &[Finding],
    baseline: Option<&Baseline>,
    failed: &[InputFailure],
    opts: &Options,
) -> (Value, usize) {
    let (doc, dropped, _) = build(meta, findings, baseline, failed, opts, opts.max_results);
    (doc, dropped)
}

/// The document with at most `keep` results; also how many were left out and kept.
fn build(
    meta: &Metadata,
    findings: &[Finding],
    baseline: Option<&Baseline>,
    failed: &[InputFailure],
    opts: &Options,
    keep: usize,
) -> (Value, usize, usize) {
    let rules: Vec<Value> = meta
        .recommendations
        .iter()
        .map(|r| {
            let score = match r.severity.as_str() {
                "high" => "8.0",
                "medium" => "5.0",
                _ => "2.0",
            };
            let mut tags = vec!["security".to_string(), r.category.as_str().to_string()];
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
            let mut rule = json!({
                "id": r.id,
                "name": r.id,
                "shortDescription": {"text": r.title},
                "fullDescription": {"text": about},
                "help": {"text": text, "markdown": markdown},
                "defaultConfiguration": {"level": level(Severity::of(&r.severity))},
                "properties": {"tags": tags, "security-severity": score, "precision": "high"},
            });
            if let Some(uri) = help_uri(opts, &meta.standard.id, r) {
                rule["helpUri"] = json!(uri);
            }
            rule
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
    let dropped = listed.len().saturating_sub(keep);
    if dropped > 0 {
        // Keep the most severe: unhealthy before exempt, then by severity, in report order.
        listed.sort_by_key(|f| (f.state == Outcome::Exempt, std::cmp::Reverse(f.severity)));
        listed.truncate(keep);
    }
    let kept = listed.len();
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
                "{dropped} results were left out: code scanning accepts at most {} per run and {} MB compressed per file; the most severe are kept, and the JSON report lists them all",
                opts.max_results, opts.max_gzip / 1_000_000
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
    (doc, dropped, kept)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use tenet_runtime::resource::{Identity, Origin, Resource, Scope};
    use tenet_stdlib::abi::RecMeta;

    fn finding(i: usize, severity: Severity) -> Finding {
        // Names that do not compress well, so the file is large for its count.
        let name = format!(
            "{:016x}{:016x}",
            (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15),
            i
        );
        Finding {
            recommendation: "r".into(),
            title: "R".into(),
            severity,
            category: Default::default(),
            state: Outcome::NotCompliant,
            refs: Default::default(),
            resource: Resource {
                identity: Identity {
                    provider: "aws".into(),
                    kind: "AWS::S3::Bucket".into(),
                    name: name.clone(),
                    id: name,
                    namespace: None,
                    location: None,
                    tags: Vec::new(),
                    scope: Scope::File,
                },
                origin: Origin {
                    file: Arc::from("inv.json"),
                    scope: Arc::from("inv.json"),
                    doc: i,
                    item: 0,
                    line: i + 1,
                    col: 1,
                    places: None,
                },
                doc: (),
            },
            explanation: None,
            remediation: None,
            fix: None,
            property: None,
            exemption: None,
            risk: None,
            group: None,
            governance: None,
            history: None,
        }
    }

    fn meta() -> Metadata {
        Metadata {
            recommendations: vec![RecMeta {
                id: "r".into(),
                title: "R".into(),
                severity: "high".into(),
                links: vec!["ftp://no".into(), "https://example.com/r".into()],
                ..RecMeta::default()
            }],
            ..Metadata::default()
        }
    }

    #[test]
    fn the_file_is_cut_to_its_compressed_limit_keeping_the_most_severe() {
        let findings: Vec<Finding> = (0..2_000)
            .map(|i| {
                let s = if i % 4 == 0 {
                    Severity::High
                } else {
                    Severity::Low
                };
                finding(i, s)
            })
            .collect();
        let whole = render(&meta(), &findings, None, &[], &Options::default());
        assert_eq!(whole.1, 0);
        let limit = gzip_len(whole.0.as_bytes()) / 3;
        let opts = Options {
            max_gzip: limit,
            ..Options::default()
        };
        let (text, dropped) = render(&meta(), &findings, None, &[], &opts);
        assert!(gzip_len(text.as_bytes()) <= limit);
        assert!(dropped > 1_000, "{dropped} dropped");
        let doc: Value = serde_json::from_str(&text).unwrap_or_default();
        let results = doc["runs"][0]["results"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(results.len(), 2_000 - dropped);
        // All 500 high findings fit, and are kept before any low one.
        assert_eq!(
            results.iter().filter(|r| r["level"] == "error").count(),
            500
        );
        let said = doc["runs"][0]["invocations"][0]["toolExecutionNotifications"][0]["message"]
            ["text"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(
            said.starts_with(&format!("{dropped} results were left out")),
            "{said}"
        );
    }

    #[test]
    fn help_pages_come_from_the_template_or_the_first_web_link() {
        let (doc, _) = sarif(&meta(), &[], None, &[], &Options::default());
        let rule = &doc["runs"][0]["tool"]["driver"]["rules"][0];
        assert_eq!(rule["helpUri"], "https://example.com/r");
        let opts = Options {
            help_uri: Some("https://docs.example.com/{standard}.md#{id}".into()),
            ..Options::default()
        };
        let mut m = meta();
        m.standard.id = "std".into();
        let (doc, _) = sarif(&m, &[], None, &[], &opts);
        assert_eq!(
            doc["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"],
            "https://docs.example.com/std.md#r"
        );
        m.recommendations[0].links.clear();
        let (doc, _) = sarif(&m, &[], None, &[], &Options::default());
        assert!(doc["runs"][0]["tool"]["driver"]["rules"][0]
            .get("helpUri")
            .is_none());
    }
}
