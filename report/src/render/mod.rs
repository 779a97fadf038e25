//! Renderings of a run, one file each: the JSON report ([`json`]), the terminal table
//! ([`table`]) and score ([`score`]), the CI formats ([`sarif`], [`junit`], [`github`],
//! [`markdown`]), the page for people ([`html`]), the data formats ([`csv`], [`ocsf`],
//! [`policy_report`]); baselines
//! ([`baseline`]). Shared here: terminal colours and the one-line
//! message of a finding.

pub mod baseline;
pub mod csv;
pub mod github;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod ocsf;
pub mod policy_report;
pub mod sarif;
pub mod score;
pub mod table;

use crate::finding::Finding;
use crate::model::Severity;
use crate::tally::Tally;
use std::collections::HashMap;
use std::fmt::Write as _;
use tenet_stdlib::abi::{Metadata, RecMeta};

/// Text from an inventory as a human format shows it: control characters (C0, DEL, C1, including
/// line breaks and tabs) and the Unicode controls that reorder or hide text (bidirectional
/// overrides and isolates, zero-width marks) written visibly as escapes such as `\x1b`, `\n` or
/// `\u{202e}`, so a name cannot move the cursor, colour the terminal, start a new line (a
/// forged workflow command or report line) or read differently from what it is. A backslash
/// stays as it is; text without such characters is returned unchanged.
pub fn visible(s: &str) -> std::borrow::Cow<'_, str> {
    let hidden = |c: char| {
        c.is_control()
            || matches!(c, '\u{061c}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}')
    };
    if !s.chars().any(hidden) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if hidden(c) && (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if hidden(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The recommendations of a standard by id, for renderers that look up a finding's metadata.
pub(crate) fn by_id(meta: &Metadata) -> HashMap<&str, &RecMeta> {
    meta.recommendations
        .iter()
        .map(|r| (r.id.as_str(), r))
        .collect()
}

/// A recommendation's framework controls, one entry per framework: `cis-azure 3.1, 3.2`.
pub(crate) fn framework_lines(rec: &RecMeta) -> Vec<String> {
    rec.frameworks
        .iter()
        .map(|(k, ids)| format!("{k} {}", ids.join(", ")))
        .collect()
}

/// A recommendation's framework controls, one entry per control: `cis-azure 3.1`.
pub(crate) fn framework_controls(rec: &RecMeta) -> Vec<String> {
    rec.frameworks
        .iter()
        .flat_map(|(k, ids)| ids.iter().map(move |id| format!("{k} {id}")))
        .collect()
}

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

/// A warning line for each expired, refused, stale or over-broad exemption.
pub(crate) fn exemption_warnings(p: &Paint, tally: &Tally, out: &mut String) {
    for x in &tally.exemptions {
        let warning = x.warning.as_deref().unwrap_or_default();
        let what = match x.status {
            "expired" => format!(
                "is expired; {} finding(s) it covered count again",
                x.findings
            ),
            "refused" => format!(
                "is refused: {warning} (approval is required); {} finding(s) it would cover count",
                x.findings
            ),
            "stale" => "is stale: it matches no finding; remove it or fix its scope".to_string(),
            _ if !warning.is_empty() => {
                format!("is broad: {warning}; narrow it to what it is meant for")
            }
            _ => continue,
        };
        let line = if x.line > 0 {
            format!(" (line {})", x.line)
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "{} exemption {}{line} {what}",
            p.code("33", "warning:"),
            visible(&x.id),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::visible;

    #[test]
    fn hidden_characters_are_written_visibly() {
        assert_eq!(visible("plain name-1 é 日本"), "plain name-1 é 日本");
        assert!(matches!(visible("plain"), std::borrow::Cow::Borrowed(_)));
        assert_eq!(
            visible("a\x1b[31mb\r\n::error::x\0\t\u{7f}\u{85}"),
            "a\\x1b[31mb\\r\\n::error::x\\x00\\t\\x7f\\u{85}"
        );
        assert_eq!(
            visible("abc\u{202e}fed\u{200b}"),
            "abc\\u{202e}fed\\u{200b}"
        );
    }
}
