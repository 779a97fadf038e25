//! JUnit XML for test report viewers: a test case per unhealthy finding.

use super::message;
use crate::finding::Finding;
use crate::tally::Summary;
use std::fmt::Write as _;
use tenet_stdlib::abi::{Metadata, Outcome};

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
            xml(&f.resource.identity.id),
            xml(&f.resource.origin.file),
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
