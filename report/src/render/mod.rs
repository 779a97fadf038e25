//! Renderings of a run, one file each: the JSON report ([`json`]), the terminal table
//! ([`table`]) and score ([`score`]), and the CI formats ([`sarif`], [`junit`], [`github`],
//! [`markdown`]); baselines ([`baseline`]). Shared here: terminal colours and the one-line
//! message of a finding.

pub mod baseline;
pub mod github;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod score;
pub mod table;

use crate::finding::Finding;
use crate::model::Severity;
use crate::tally::Tally;
use std::fmt::Write as _;

/// ANSI colours, or none.
pub(crate) struct Paint(pub bool);

impl Paint {
    pub(crate) fn code(&self, code: &str, s: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    pub(crate) fn severity(&self, s: Severity) -> String {
        let label = format!("{:<6}", s.as_str().to_uppercase());
        match s {
            Severity::High => self.code("1;31", &label),
            Severity::Medium => self.code("33", &label),
            Severity::Low => self.code("36", &label),
        }
    }
}

/// A finding in one sentence: title, why, and how to fix it.
pub(crate) fn message(f: &Finding) -> String {
    let why = f
        .explanation
        .as_ref()
        .map_or_else(|| f.title.clone(), |e| e.message.clone());
    match &f.remediation {
        Some(r) if !r.is_empty() => format!("{}: {why}. {r}", f.title),
        _ => format!("{}: {why}.", f.title),
    }
}

/// A warning line for each expired or stale exemption.
pub(crate) fn exemption_warnings(p: &Paint, tally: &Tally, out: &mut String) {
    for x in &tally.exemptions {
        if x.status != "active" {
            let _ = writeln!(
                out,
                "{} exemption {} (line {}) is {}{}",
                p.code("33", "warning:"),
                x.id,
                x.line,
                x.status,
                if x.status == "expired" {
                    format!("; {} finding(s) it covered count again", x.findings)
                } else {
                    ": it matches no finding; remove it or fix its scope".to_string()
                }
            );
        }
    }
}
