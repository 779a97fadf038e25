//! A Markdown summary for a pull-request comment or a job summary.

use super::baseline::Baseline;
use crate::finding::Finding;
use crate::model::Percent;
use crate::model::Severity;
use crate::tally::{InputFailure, Summary};
use std::fmt::Write as _;
use tenet_stdlib::abi::{Metadata, Outcome};

/// A Markdown summary for a pull-request comment: the secure score and counts by severity, then
/// the findings, new ones first (with a baseline), most severe first.
pub fn markdown(
    meta: &Metadata,
    summary: &Summary,
    findings: &[Finding],
    baseline: Option<&Baseline>,
    failed: &[InputFailure],
) -> String {
    let mut out = format!(
        "## tenet: {} ({})\n\n{} of {} recommendations compliant over {} resources. Secure score {} of {} ({}), compliance {}{}.\n\n| severity | not compliant |\n|---|---|\n",
        meta.standard.title,
        meta.standard.id,
        summary.compliant_recommendations,
        summary.recommendations,
        summary.resources,
        summary.secure_score.current,
        summary.secure_score.max,
        Percent(summary.secure_score.percentage),
        Percent(summary.compliance),
        if summary.exempt > 0 {
            format!(", {} exempt", summary.exempt)
        } else {
            String::new()
        }
    );
    for s in Severity::ALL {
        let _ = writeln!(
            out,
            "| {s} | {} |",
            summary.not_compliant.get(s.as_str()).unwrap_or(&0)
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
            std::cmp::Reverse(f.severity),
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
            cell(&f.resource.identity.name),
            cell(&f.resource.origin.file),
            f.line(),
            cell(why)
        );
    }
    if !failed.is_empty() {
        let _ = writeln!(
            out,
            "\n**{} input(s) could not be read and were not evaluated:**\n",
            failed.len()
        );
        for f in failed {
            let _ = writeln!(
                out,
                "- `{}:{}:{}`: {}",
                f.file.replace('`', "'"),
                f.line,
                f.column,
                cell(&f.message)
            );
        }
    }
    out
}
