//! GitHub Actions workflow commands: annotations on the findings' files and lines, the most
//! severe first and within what GitHub shows, every value escaped as the workflow commands
//! require.

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

/// Annotations GitHub shows per level (error, warning, notice) in one step; more are dropped.
pub const PER_LEVEL: usize = 10;

/// GitHub Actions workflow commands: an `error` annotation per input that could not be read,
/// then the findings on their files and lines (`error` for high, `warning` for medium,
/// `notice` for low), at most [`PER_LEVEL`] of each level; when some are left out, a last
/// notice says how many (the job's other reports list them all).
pub fn github(findings: &[Finding], failed: &[InputFailure]) -> String {
    let mut out = String::new();
    let mut shown = [0usize; 3];
    let mut left = 0usize;
    for f in failed {
        if shown[0] >= PER_LEVEL {
            left += 1;
            continue;
        }
        shown[0] += 1;
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
    let mut failing: Vec<&Finding> = findings
        .iter()
        .filter(|f| matches!(f.state, Outcome::NotCompliant | Outcome::Error))
        .collect();
    failing.sort_by_key(|f| std::cmp::Reverse(f.severity));
    for f in failing {
        let (kind, level) = match f.severity {
            Severity::High => ("error", 0),
            Severity::Medium => ("warning", 1),
            Severity::Low => ("notice", 2),
        };
        // The last notice is kept for the count of what was left out.
        let room = if level == 2 { PER_LEVEL - 1 } else { PER_LEVEL };
        if shown[level] >= room {
            left += 1;
            continue;
        }
        shown[level] += 1;
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
    if left > 0 {
        let _ = writeln!(
            out,
            "::notice title={}::{}",
            escape_property("tenet: more findings"),
            escape_data(&format!(
                "{left} more findings are not annotated: GitHub shows at most {PER_LEVEL} annotations per level in a step. The table, SARIF and Markdown reports list them all."
            ))
        );
    }
    out
}
