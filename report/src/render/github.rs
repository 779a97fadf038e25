//! GitHub Actions workflow commands: an annotation per finding on its file and line.

use super::message;
use crate::finding::Finding;
use crate::model::Severity;
use crate::tally::InputFailure;
use std::fmt::Write as _;
use tenet_stdlib::abi::Outcome;

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// GitHub Actions workflow commands: an `error` annotation per input that could not be read,
/// then one per finding on its file and line (`error` for high, `warning` for medium, `notice`
/// for low).
pub fn github(findings: &[Finding], failed: &[InputFailure]) -> String {
    let mut out = String::new();
    for f in failed {
        let _ = writeln!(
            out,
            "::error file={},line={},col={},title={}::{}",
            escape_property(&f.file),
            f.line.max(1),
            f.column.max(1),
            escape_property("tenet: input not evaluated"),
            escape_data(&f.message)
        );
    }
    for f in findings
        .iter()
        .filter(|f| matches!(f.state, Outcome::NotCompliant | Outcome::Error))
    {
        let kind = match f.severity {
            Severity::High => "error",
            Severity::Medium => "warning",
            Severity::Low => "notice",
        };
        let _ = writeln!(
            out,
            "::{kind} file={},line={},col={},title={}::{}",
            escape_property(&f.resource.origin.file),
            f.line(),
            f.column(),
            escape_property(&match &f.group {
                Some(g) => format!("[{g}] {} ({})", f.recommendation, f.resource.identity.name),
                None => format!("{} ({})", f.recommendation, f.resource.identity.name),
            }),
            escape_data(&message(f))
        );
    }
    out
}
