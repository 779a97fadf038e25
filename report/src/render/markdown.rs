//! A Markdown summary for a pull-request comment or a job summary: within GitHub's 1 MiB for a
//! job summary, `--limit` rows per recommendation, every name and message escaped.

use super::baseline::Baseline;
use crate::finding::Finding;
use crate::model::Percent;
use crate::model::Severity;
use crate::tally::{InputFailure, Summary};
use std::fmt::Write as _;
use tenet_stdlib::abi::{Metadata, Outcome};

/// The largest summary written: GitHub drops a job summary over 1 MiB; the rest is room for the
/// closing notes.
pub const MAX_BYTES: usize = 1_000_000;

/// Text for a Markdown table cell: HTML and Markdown syntax is shown, not interpreted; control
/// characters are written visibly ([`super::visible`]) so the cell stays on one line; a zero-width
/// space follows each `@` and splits each `://` and `www.`, so that a name can neither mention
/// (notify) anyone nor become a link.
pub fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let shown = super::visible(s);
    let mut chars = shown.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '@' => out.push_str("@\u{200b}"),
            '/' if out.ends_with(':') && chars.peek() == Some(&'/') => out.push_str("\u{200b}/"),
            '.' if out.len() >= 3
                && out.as_bytes()[out.len() - 3..].eq_ignore_ascii_case(b"www") =>
            {
                out.push_str("\u{200b}.")
            }
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' => out.push_str("\\|"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// An explanation for a table cell: its `code` spans become `<code>` elements with their text
/// escaped (Markdown escapes would show inside a code span), the rest as [`cell`]. A backtick
/// inside a value only moves where code starts; nothing in it is interpreted.
fn explanation_cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    for (i, part) in s.split('`').enumerate() {
        if i % 2 == 0 {
            out.push_str(&cell(part));
            continue;
        }
        out.push_str("<code>");
        // Code is not searched for mentions; control characters are still made visible.
        for c in super::visible(part).chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '|' => out.push_str("&#124;"),
                c => out.push(c),
            }
        }
        out.push_str("</code>");
    }
    out
}

/// A Markdown summary for a pull-request comment: the secure score and counts by severity, then
/// the findings, new ones first (with a baseline), most severe first, at most `limit` per
/// recommendation (0: all) and within [`MAX_BYTES`]; a closing line says what was left out.
pub fn markdown(
    meta: &Metadata,
    summary: &Summary,
    findings: &[Finding],
    baseline: Option<&Baseline>,
    failed: &[InputFailure],
    limit: usize,
) -> String {
    let mut out = format!(
        "## tenet: {} ({})\n\n{} of {} recommendations compliant over {} resources. Secure score {} of {} ({}), compliance {}{}.\n\n| severity | not compliant |\n|---|---|\n",
        cell(&meta.standard.title),
        cell(&meta.standard.id),
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
    let total = failing.len();
    let mut shown = 0;
    let mut per_rec: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut full = false;
    let mut row = String::new();
    for f in failing {
        let n = per_rec.entry(f.recommendation.as_str()).or_default();
        if limit > 0 && *n >= limit {
            continue;
        }
        row.clear();
        let why = f.explanation.as_ref().map_or("", |e| e.message.as_str());
        if let Some(g) = &f.group {
            let _ = write!(row, "| {} ", cell(g));
        }
        let _ = writeln!(
            row,
            "| {} | {} | {} | {}:{} | {} |",
            f.severity,
            cell(&f.title),
            cell(&f.resource.identity.name),
            cell(&f.resource.origin.file),
            f.line(),
            explanation_cell(why)
        );
        // A row that would cross the limit (one value can be long) is not written.
        if out.len() + row.len() > MAX_BYTES {
            full = true;
            break;
        }
        out.push_str(&row);
        *n += 1;
        shown += 1;
    }
    mappings(meta, &per_rec, &mut out);
    if shown < total {
        let _ = writeln!(
            out,
            "\n{} more findings are not shown ({}); the JSON report lists them all.",
            total - shown,
            if full {
                "a job summary must stay under 1 MiB".to_string()
            } else {
                format!("at most {limit} per recommendation, --limit")
            }
        );
    }
    if !failed.is_empty() {
        let _ = writeln!(
            out,
            "\n**{} input(s) could not be read and were not evaluated:**\n",
            failed.len()
        );
        for f in failed {
            if out.len() >= MAX_BYTES {
                out.push_str("- …\n");
                break;
            }
            let _ = writeln!(
                out,
                "- {}:{}:{}: {}",
                cell(&f.file),
                f.line,
                f.column,
                cell(&f.message)
            );
        }
    }
    out
}

/// The control, framework controls, tactics and techniques of the recommendations shown, in a
/// folded table after the findings (left out when it would cross [`MAX_BYTES`]).
fn mappings(meta: &Metadata, shown: &std::collections::HashMap<&str, usize>, out: &mut String) {
    let mut table = String::new();
    for r in meta
        .recommendations
        .iter()
        .filter(|r| shown.get(r.id.as_str()).is_some_and(|n| *n > 0))
    {
        if r.frameworks.is_empty() && r.tactics.is_empty() && r.techniques.is_empty() {
            continue;
        }
        let frameworks = super::framework_lines(r);
        let _ = writeln!(
            table,
            "| {} | {} | {} | {} | {} |",
            cell(&r.id),
            cell(r.control.as_deref().unwrap_or_default()),
            cell(&frameworks.join("; ")),
            cell(&r.tactics.join(", ")),
            cell(&r.techniques.join(", "))
        );
    }
    if table.is_empty() {
        return;
    }
    let head = "\n<details><summary>Frameworks and MITRE ATT&amp;CK of these recommendations</summary>\n\n| recommendation | control | frameworks | tactics | techniques |\n|---|---|---|---|---|\n";
    let tail = "\n</details>\n";
    if out.len() + head.len() + table.len() + tail.len() <= MAX_BYTES {
        out.push_str(head);
        out.push_str(&table);
        out.push_str(tail);
    }
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn a_cell_shows_what_a_name_holds_and_nothing_more() {
        let shown = cell(
            "a\x1b[31m|b\r\n::error::x <img src=x> [l](javascript:y) @team https://e.x www.e.x ::/0 `c`",
        );
        assert_eq!(
            shown,
            "a\\\\x1b\\[31m\\|b\\\\r\\\\n::error::x &lt;img src=x&gt; \\[l\\](javascript:y) @\u{200b}team https:\u{200b}//e.x www\u{200b}.e.x ::/0 \\`c\\`"
        );
        assert!(!shown.contains('\n') && !shown.contains('\x1b'));
    }
}
