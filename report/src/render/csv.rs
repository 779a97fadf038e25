//! CSV for spreadsheets and data tools: one row per listed finding (RFC 4180 quoting, written with the
//! `csv` crate), with the recommendation's control, frameworks and tactics beside the resource,
//! location, explanation, remediation, exemption and governance. Text is written visibly
//! ([`super::visible`]) and a cell that a spreadsheet would run as a formula (starting with `=`,
//! `+`, `-`, `@`, a tab or a carriage return) is prefixed with `'`, so opening a report of
//! someone else's inventory cannot run anything.

use super::{message, visible};
use crate::finding::Finding;
use crate::fingerprint::fingerprint_of;
use crate::tally::InputFailure;
use tenet_stdlib::abi::Metadata;

/// The columns, in order.
pub const COLUMNS: [&str; 29] = [
    "recommendation",
    "title",
    "severity",
    "category",
    "state",
    "risk",
    "risk_factors",
    "control",
    "frameworks",
    "tactics",
    "techniques",
    "provider",
    "resource_type",
    "resource",
    "resource_name",
    "namespace",
    "location",
    "file",
    "line",
    "column",
    "property",
    "message",
    "remediation",
    "fix",
    "exemption",
    "owner",
    "due",
    "governance",
    "fingerprint",
];

/// A cell as a spreadsheet may show it: visible, and never a formula.
fn text(s: &str) -> String {
    let shown = visible(s);
    if shown.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{shown}")
    } else {
        shown.into_owned()
    }
}

/// Several values in one cell, separated by `; `.
fn joined<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    text(&items.into_iter().collect::<Vec<_>>().join("; "))
}

/// The CSV report: a header, one row per finding, then one row per input that could not be
/// read (state `error`, with the file, line and message), so that nothing unread looks clean.
pub fn csv(meta: &Metadata, findings: &[Finding], failed: &[InputFailure]) -> String {
    let recs = super::by_id(meta);
    // Lines end with `\n` (no raw carriage return anywhere, as in every human format).
    let mut w = ::csv::WriterBuilder::new().from_writer(Vec::new());
    // Writing into memory cannot fail.
    let _ = w.write_record(COLUMNS);
    for f in findings {
        let rec = recs.get(f.recommendation.as_str());
        let (i, o) = (&f.resource.identity, &f.resource.origin);
        let frameworks = rec.map(|r| super::framework_controls(r));
        let exemption = f
            .exemption
            .as_ref()
            .map(|x| format!("{} ({}): {}", x.id, x.category.as_str(), x.justification));
        let g = f.governance.as_ref();
        let row = [
            text(&f.recommendation),
            text(&f.title),
            f.severity.as_str().to_string(),
            f.category.as_str().to_string(),
            f.state.as_str().to_string(),
            f.risk
                .as_ref()
                .map_or(String::new(), |r| r.level.as_str().to_string()),
            f.risk.as_ref().map_or(String::new(), |r| {
                joined(r.factors.iter().map(String::as_str))
            }),
            text(rec.and_then(|r| r.control.as_deref()).unwrap_or_default()),
            joined(frameworks.iter().flatten().map(String::as_str)),
            joined(
                rec.into_iter()
                    .flat_map(|r| r.tactics.iter().map(String::as_str)),
            ),
            joined(
                rec.into_iter()
                    .flat_map(|r| r.techniques.iter().map(String::as_str)),
            ),
            text(&i.provider),
            text(&i.kind),
            text(&i.id),
            text(&i.name),
            text(i.namespace.as_deref().unwrap_or_default()),
            text(i.location.as_deref().unwrap_or_default()),
            text(&o.file),
            f.line().to_string(),
            f.column().to_string(),
            text(f.property.as_ref().map_or("", |p| p.path.as_str())),
            if f.explanation.is_some() {
                text(&message(f))
            } else {
                String::new()
            },
            text(f.remediation.as_deref().unwrap_or_default()),
            if f.fix.is_some() { "yes" } else { "" }.to_string(),
            text(exemption.as_deref().unwrap_or_default()),
            text(g.and_then(|g| g.owner.as_deref()).unwrap_or_default()),
            text(g.and_then(|g| g.due.as_deref()).unwrap_or_default()),
            g.map_or(String::new(), |g| {
                if g.grace {
                    format!("{} (grace)", g.status)
                } else {
                    g.status.to_string()
                }
            }),
            fingerprint_of(&f.recommendation, &f.resource.key()),
        ];
        let _ = w.write_record(&row);
    }
    let at = |name: &str| COLUMNS.iter().position(|c| *c == name).unwrap_or(0);
    for e in failed {
        let mut row = vec![String::new(); COLUMNS.len()];
        row[at("state")] = "error".into();
        row[at("file")] = text(&e.file);
        row[at("line")] = e.line.to_string();
        row[at("column")] = e.column.to_string();
        row[at("message")] = text(&e.message);
        let _ = w.write_record(&row);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::text;

    #[test]
    fn cells_never_become_formulas() {
        assert_eq!(text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(text("+1"), "'+1");
        assert_eq!(text("-2+3"), "'-2+3");
        assert_eq!(text("@SUM(A1)"), "'@SUM(A1)");
        // A tab is written visibly first, so it no longer starts the cell.
        assert_eq!(text("\tx"), "\\tx");
        assert_eq!(text("plain-name"), "plain-name");
        assert_eq!(text("a\nb"), "a\\nb");
    }
}
