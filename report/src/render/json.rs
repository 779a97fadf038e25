//! The versioned JSON report (`docs/report.md`): findings rendered in the evaluation workers and
//! written as they come, then the skipped documents, exemptions, summary and counts.

use crate::finding::{explain_reason, finding, property, scrubbed, scrubbed_fix};
use crate::risk::risk;
use crate::select::Select;
use crate::tally::Tally;
use crate::triage::Assessed;
use tenet_stdlib::abi::{Metadata, Outcome};

/// Version of the JSON report format.
pub const REPORT_VERSION: u32 = 1;

/// Renders findings as JSON in the evaluation workers: the one encoder of the report's findings,
/// for standard output and `--output json=` alike. What does not depend on the resource is
/// serialised once per recommendation; the layout is [`Finding`](crate::finding::Finding)'s (a test holds them equal).
pub struct JsonFindings {
    /// Per recommendation: `{"recommendation":…,"title":…,"severity":…,"category":…,"state":`.
    head: Vec<Vec<u8>>,
    /// Per recommendation: `,"refs":{…},"resource":`.
    refs: Vec<Vec<u8>>,
}

impl JsonFindings {
    /// Prepares the parts of every recommendation.
    pub fn new(meta: &Metadata) -> JsonFindings {
        let json = |v: &dyn erased::Json| v.json();
        let head = meta
            .recommendations
            .iter()
            .map(|r| {
                format!(
                    "{{\"recommendation\":{},\"title\":{},\"severity\":{},\"category\":{},\"state\":",
                    json(&r.id),
                    json(&r.title),
                    json(&r.severity),
                    json(&r.category)
                )
                .into_bytes()
            })
            .collect();
        let refs = meta
            .recommendations
            .iter()
            .map(|r| format!(",\"refs\":{},\"resource\":", json(&r.refs)).into_bytes())
            .collect();
        JsonFindings { head, refs }
    }

    /// Appends the findings of an evaluated resource, each as `,\n    {…}` (the writer drops
    /// the first comma).
    pub fn render(&self, meta: &Metadata, sel: &Select, e: &Assessed, out: &mut Vec<u8>) {
        let mut resource: Option<Vec<u8>> = None;
        for (i, rec) in meta.recommendations.iter().enumerate() {
            if !sel.admits(meta, i, rec, e) {
                continue;
            }
            let o = e.outcome(i);
            if sel.group_by.is_some() || e.history(i).is_some() {
                // Grouping and history need the whole finding; build it.
                let mut f = finding(rec, meta, e, i);
                f.group = sel.group_by.map(|g| g.key(rec, &f));
                out.extend_from_slice(b",\n    ");
                let _ = serde_json::to_writer(&mut *out, &f);
                continue;
            }
            let res =
                resource.get_or_insert_with(|| serde_json::to_vec(&e.resource).unwrap_or_default());
            out.extend_from_slice(b",\n    ");
            out.extend_from_slice(self.head.get(i).map_or(&[][..], Vec::as_slice));
            out.push(b'"');
            out.extend_from_slice(o.as_str().as_bytes());
            out.push(b'"');
            out.extend_from_slice(self.refs.get(i).map_or(&[][..], Vec::as_slice));
            out.extend_from_slice(res);
            let reason = e.reason(i);
            // Serialising plain data into memory cannot fail.
            let explanation = explain_reason(meta, o, reason);
            if let Some(x) = &explanation {
                out.extend_from_slice(b",\"explanation\":");
                let _ = serde_json::to_writer(&mut *out, x);
            }
            if let Some(r) = reason.and_then(|x| x.remediation.as_ref()) {
                out.extend_from_slice(b",\"remediation\":");
                let _ = serde_json::to_writer(
                    &mut *out,
                    &scrubbed(explanation.as_ref(), &e.secrets, r),
                );
            }
            if let Some(f) = reason.and_then(|x| x.fix.as_ref()) {
                out.extend_from_slice(b",\"fix\":");
                match scrubbed_fix(explanation.as_ref(), &e.secrets, f) {
                    Some(f) => serde_json::to_writer(&mut *out, &f),
                    None => serde_json::to_writer(&mut *out, f),
                }
                .unwrap_or_default();
            }
            if let Some(p) = property(meta, e, reason, explanation.as_ref()) {
                out.extend_from_slice(b",\"property\":");
                let _ = serde_json::to_writer(&mut *out, &p);
            }
            if let Some(x) = e.exemption(i) {
                out.extend_from_slice(b",\"exemption\":");
                let _ = serde_json::to_writer(&mut *out, x);
            }
            // The order of `Finding`'s fields: exemption, risk, (group), governance.
            if matches!(o, Outcome::NotCompliant | Outcome::Error | Outcome::Exempt) {
                out.extend_from_slice(b",\"risk\":");
                let _ = serde_json::to_writer(&mut *out, &risk(rec, meta, &e.factors));
            }
            if let Some(a) = e.assignment(i) {
                out.extend_from_slice(b",\"governance\":");
                let _ = serde_json::to_writer(&mut *out, a);
            }
            out.push(b'}');
        }
    }
}

/// Items as a JSON array laid out one per line, as the report's tail lists them.
fn json_list<T: serde::Serialize>(items: &[T]) -> String {
    if items.is_empty() {
        return "[]".to_string();
    }
    let lines: Vec<String> = items
        .iter()
        .map(|s| serde_json::to_string(s).unwrap_or_default())
        .collect();
    format!("[\n    {}\n  ]", lines.join(",\n    "))
}

mod erased {
    /// Serialisation to a JSON string of anything serialisable.
    pub trait Json {
        fn json(&self) -> String;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> String {
            serde_json::to_string(self).unwrap_or_default()
        }
    }
}

/// Writes the JSON report as the run goes: the head, then findings as they come, then the
/// skipped documents, the summary and the per-recommendation counts.
pub struct JsonWriter<W: std::io::Write> {
    out: W,
    first: bool,
}

impl<W: std::io::Write> JsonWriter<W> {
    /// Writes the head of the report.
    pub fn start(mut out: W, meta: &Metadata, evaluated_at: &str) -> std::io::Result<Self> {
        write!(
            out,
            "{{\n  \"version\": {REPORT_VERSION},\n  \"standard\": {},\n  \"evaluated_at\": {},\n  \"findings\": [",
            serde_json::to_string(&meta.standard).unwrap_or_default(),
            serde_json::to_string(evaluated_at).unwrap_or_default(),
        )?;
        Ok(JsonWriter { out, first: true })
    }

    /// Writes findings rendered by [`JsonFindings::render`].
    pub fn findings(&mut self, rendered: &[u8]) -> std::io::Result<()> {
        if rendered.is_empty() {
            return Ok(());
        }
        if self.first {
            self.first = false;
            self.out.write_all(rendered.get(1..).unwrap_or_default())
        } else {
            self.out.write_all(rendered)
        }
    }

    /// Writes the tail of the report and flushes.
    pub fn finish(mut self, tally: &mut Tally) -> std::io::Result<()> {
        let summary = tally.finish();
        let failed = json_list(&tally.failed);
        let skipped = json_list(&tally.skipped);
        let exemptions = json_list(&tally.exemptions);
        let recs = json_list(&tally.recommendations);
        write!(
            self.out,
            "{}],\n  \"errors\": {failed},\n  \"skipped\": {skipped},\n  \"exemptions\": {exemptions},\n  \"summary\": {},\n  \"recommendations\": {recs}\n}}\n",
            if self.first { "" } else { "\n  " },
            serde_json::to_string(&summary).unwrap_or_default(),
        )?;
        self.out.flush()
    }
}
