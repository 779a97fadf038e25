//! JUnit XML for test report viewers: a test case per unhealthy finding.

use super::message;
use crate::finding::Finding;
use crate::tally::{InputFailure, Summary};
use std::fmt::Write as _;
use tenet_stdlib::abi::{Metadata, Outcome};

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// JUnit XML: a test suite per run, a test case per not-compliant or error finding, failed, and
/// one per input that could not be read, in error.
pub fn junit(
    meta: &Metadata,
    summary: &Summary,
    findings: &[Finding],
    failed: &[InputFailure],
) -> String {
    let failing: Vec<&Finding> = findings
        .iter()
        .filter(|f| matches!(f.state, Outcome::NotCompliant | Outcome::Error))
        .collect();
    // One test case per failing finding, and one for all the compliant results.
    let cases = failing.len() + failed.len() + usize::from(summary.compliant > 0);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"tenet\" tests=\"{cases}\" failures=\"{}\" errors=\"{}\">",
        failing.len(),
        failed.len()
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{cases}\" failures=\"{}\" errors=\"{}\">",
        xml(&meta.standard.id),
        failing.len(),
        failed.len()
    );
    for f in failed {
        let _ = writeln!(
            out,
            "    <testcase classname=\"input\" name=\"{}\" file=\"{}\" line=\"{}\">",
            xml(&f.file),
            xml(&f.file),
            f.line
        );
        let _ = writeln!(
            out,
            "      <error type=\"input\" message=\"not evaluated\">{}</error>",
            xml(&f.message)
        );
        let _ = writeln!(out, "    </testcase>");
    }
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
