//! The HTML report: one self-contained page (inline style and script, no network: its Content
//! Security Policy forbids every load and allows only its own style and script by hash), readable
//! with JavaScript off. It shows the secure score and compliance with their trend, charts of
//! findings by severity and risk level, the score per control, compliance per framework control,
//! and every recommendation with its unhealthy resources; the script adds search, sorting and
//! grouping. Every value is escaped; at most [`MAX_ROWS`] resources are listed.

use super::visible;
use crate::finding::Finding;
use crate::model::{Percent, RiskLevel, Severity};
use crate::tally::{InputFailure, Summary, Tally};
use base64::Engine as _;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fmt::Write as _;
use tenet_stdlib::abi::{Metadata, Outcome};

/// The page's style.
const STYLE: &str = include_str!("html/page.css");
/// The page's script.
const SCRIPT: &str = include_str!("html/page.js");

/// Resources listed on the page in all; beyond, each recommendation says how many it leaves out
/// (the JSON and CSV reports list every one). Keeps 10,000 findings well under 5 MB.
pub const MAX_ROWS: usize = 5_000;

/// A past run, for the trend.
#[derive(Clone, Debug)]
pub struct Point {
    /// When (RFC 3339).
    pub at: String,
    /// Its secure score in percent.
    pub score: f64,
    /// Its compliance in percent.
    pub compliance: f64,
}

/// What the page shows.
pub struct Page<'a> {
    /// The standard.
    pub meta: &'a Metadata,
    /// Totals and the secure score.
    pub summary: &'a Summary,
    /// Per-recommendation counts and exemptions.
    pub tally: &'a Tally,
    /// The listed findings.
    pub findings: &'a [Finding],
    /// Inputs that could not be read.
    pub failed: &'a [InputFailure],
    /// Evaluation time (RFC 3339).
    pub evaluated_at: &'a str,
    /// The inputs as given.
    pub inputs: &'a [String],
    /// Earlier runs of the standard and this one, oldest first (empty without a history).
    pub trend: &'a [Point],
}

/// Text escaped for HTML (element content and quoted attributes), control characters visible.
fn esc(s: &str) -> String {
    let shown = visible(s);
    let mut out = String::with_capacity(shown.len());
    for c in shown.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The CSP source for an inline element's text.
fn hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// A horizontal bar chart as SVG (attributes only: the page allows no inline style).
fn bars(title: &str, id: &str, items: &[(&str, &str, usize)]) -> String {
    let max = items.iter().map(|i| i.2).max().unwrap_or(0).max(1);
    let mut out = format!(
        "<div class=\"chart\" id=\"{id}\"><h3>{}</h3><svg viewBox=\"0 0 420 {}\" role=\"img\" aria-label=\"{}\">",
        esc(title),
        items.len() * 28 + 4,
        esc(title)
    );
    for (row, (label, class, n)) in items.iter().enumerate() {
        let y = row * 28 + 4;
        let w = (*n as f64 / max as f64 * 280.0).round();
        let _ = write!(
            out,
            "<text x=\"0\" y=\"{}\">{}</text><rect class=\"bar-{class}\" x=\"80\" y=\"{y}\" width=\"{w}\" height=\"20\" rx=\"3\"></rect><text x=\"{}\" y=\"{}\" data-count=\"{label}\">{n}</text>",
            y + 15,
            esc(label),
            85.0 + w,
            y + 15
        );
    }
    out.push_str("</svg></div>");
    out
}

/// The secure score over the runs as an SVG line (two runs or more).
fn trend(points: &[Point]) -> String {
    if points.len() < 2 {
        return String::new();
    }
    let (w, h) = (420.0, 120.0);
    let step = (w - 20.0) / (points.len() - 1) as f64;
    let xy: Vec<(f64, f64)> = points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            (
                10.0 + i as f64 * step,
                10.0 + (100.0 - p.score.clamp(0.0, 100.0)) / 100.0 * (h - 30.0),
            )
        })
        .collect();
    let line: Vec<String> = xy.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
    let mut out = format!(
        "<div class=\"chart\" id=\"trend\"><h3>Secure score over the last {} runs</h3><svg viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"Secure score trend\"><polyline class=\"trend\" points=\"{}\"></polyline>",
        points.len(),
        line.join(" ")
    );
    for ((x, y), p) in xy.iter().zip(points) {
        let _ = write!(
            out,
            "<circle class=\"trend-dot\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\"><title>{}: {}%, compliance {}%</title></circle>",
            esc(&p.at),
            p.score,
            p.compliance
        );
    }
    let (first, last) = (&points[0], &points[points.len() - 1]);
    let _ = write!(
        out,
        "<text x=\"10\" y=\"{}\">{}</text><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}%</text></svg></div>",
        h - 4.0,
        esc(first.at.get(..10).unwrap_or(&first.at)),
        w - 10.0,
        h - 4.0,
        last.score
    );
    out
}

/// The HTML page.
pub fn html(p: &Page<'_>) -> String {
    let meta = p.meta;
    let s = p.summary;
    let mut out = String::with_capacity(64 * 1024 + p.findings.len() * 400);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src {}; script-src {}; img-src data:\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"generator\" content=\"tenet {}\">\
         <title>{} — tenet report</title><style>{STYLE}</style></head><body>\n",
        hash(STYLE),
        hash(SCRIPT),
        env!("CARGO_PKG_VERSION"),
        esc(&meta.standard.title)
    );
    let inputs: Vec<String> = p.inputs.iter().map(|i| esc(i)).collect();
    let _ = writeln!(
        out,
        "<header><h1>{}</h1><p class=\"meta\"><span class=\"id\">{}</span> {} · evaluated at <time>{}</time> · {} resources from {}</p></header>",
        esc(&meta.standard.title),
        esc(&meta.standard.id),
        esc(&meta.standard.version),
        esc(p.evaluated_at),
        s.resources,
        if inputs.is_empty() { "standard input".into() } else { inputs.join(", ") }
    );
    let unhealthy: usize = s.not_compliant.values().sum::<usize>() + s.errors;
    let sc = &s.secure_score;
    let _ = writeln!(
        out,
        "<section class=\"kpis\"><div class=\"kpi\" id=\"secure-score\" data-value=\"{}\">Secure score<b>{}</b><span class=\"muted\">{} of {} points</span></div>\
         <div class=\"kpi\" id=\"compliance\" data-value=\"{}\">Compliance<b>{}</b><span class=\"muted\">{} of {} results healthy or exempt</span></div>\
         <div class=\"kpi\" id=\"unhealthy\" data-value=\"{unhealthy}\">Unhealthy findings<b>{unhealthy}</b><span class=\"muted\">{} exempt</span></div>\
         <div class=\"kpi\" id=\"inputs-failed\" data-value=\"{}\">Inputs not read<b>{}</b></div></section>",
        sc.percentage.map_or("none".into(), |v| v.to_string()),
        Percent(sc.percentage),
        sc.current,
        sc.max,
        s.compliance.map_or("none".into(), |v| v.to_string()),
        Percent(s.compliance),
        s.compliant + s.exempt,
        s.applicable,
        s.exempt,
        p.failed.len(),
        p.failed.len(),
    );
    // Charts: unhealthy findings by severity and by risk level, and the trend.
    let listed = |f: &&Finding| matches!(f.state, Outcome::NotCompliant | Outcome::Error);
    let by_severity: Vec<(&str, &str, usize)> = Severity::ALL
        .iter()
        .map(|sev| {
            let n = s.not_compliant.get(sev.as_str()).copied().unwrap_or(0);
            (sev.as_str(), sev.as_str(), n)
        })
        .collect();
    let by_risk: Vec<(&str, &str, usize)> = RiskLevel::ALL
        .iter()
        .map(|l| {
            let n = p
                .findings
                .iter()
                .filter(listed)
                .filter(|f| f.risk.as_ref().is_some_and(|r| r.level == *l))
                .count();
            (l.as_str(), l.as_str(), n)
        })
        .collect();
    let _ = writeln!(
        out,
        "<section class=\"charts\">{}{}{}</section>",
        bars(
            "Not-compliant results by severity",
            "by-severity",
            &by_severity
        ),
        bars("Unhealthy findings by risk level", "by-risk", &by_risk),
        trend(p.trend)
    );
    controls(&mut out, s);
    frameworks(&mut out, p);
    recommendations(&mut out, p);
    failures(&mut out, p.failed);
    exemptions(&mut out, p.tally);
    let _ = write!(
        out,
        "<footer><p class=\"muted\">Written by tenet {}. The JSON report (<code>--format json</code>) holds every detail.</p></footer>\n<script>{SCRIPT}</script></body></html>\n",
        env!("CARGO_PKG_VERSION")
    );
    out
}

/// The secure score per control.
fn controls(out: &mut String, s: &Summary) {
    if s.secure_score.controls.is_empty() {
        return;
    }
    out.push_str("<section id=\"controls\"><h2>Secure score by control</h2><table><thead><tr><th>Control</th><th>Title</th><th class=\"num\">Points</th><th class=\"num\">Healthy</th><th class=\"num\">Unhealthy</th><th class=\"num\">Exempt</th></tr></thead><tbody>");
    for c in &s.secure_score.controls {
        let points = if c.applicable {
            format!("{} / {}", c.current, c.max)
        } else {
            format!("– / {} (not applicable)", c.max)
        };
        let _ = write!(
            out,
            "<tr data-control=\"{}\"><td class=\"id\">{}</td><td>{}</td><td class=\"num\">{points}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&c.id),
            esc(&c.id),
            esc(&c.title),
            c.healthy,
            c.unhealthy,
            c.exempt
        );
    }
    out.push_str("</tbody></table></section>\n");
}

/// Compliance per framework control: the recommendations mapped to it and their results.
fn frameworks(out: &mut String, p: &Page<'_>) {
    let all = crate::frameworks::frameworks(p.meta, p.tally, &[]);
    if all.is_empty() {
        return;
    }
    out.push_str("<section id=\"frameworks\"><h2>Regulatory compliance</h2>");
    for fw in all {
        let _ = write!(
            out,
            "<details class=\"framework\" data-framework=\"{}\"><summary><b>{}</b> <span class=\"muted\">{} of {} applicable controls passed ({})</span></summary><table><thead><tr><th>Control</th><th>Recommendations</th><th>State</th><th class=\"num\">Passed</th><th class=\"num\">Failed</th><th class=\"num\">Exempt</th><th class=\"num\">Compliance</th></tr></thead><tbody>",
            esc(&fw.id),
            esc(&fw.id),
            fw.passed,
            fw.passed + fw.failed,
            Percent(fw.compliance),
        );
        for c in &fw.controls {
            let names: Vec<String> = c.recommendations.iter().map(|r| esc(r)).collect();
            let _ = write!(
                out,
                "<tr data-state=\"{}\"><td class=\"id\">{}</td><td class=\"id\">{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                c.state,
                esc(&c.id),
                names.join(", "),
                c.state.replace('_', " "),
                c.passed,
                c.failed,
                c.exempt,
                c.compliance.map_or("not applicable".into(), |v| format!("{v}%"))
            );
        }
        out.push_str("</tbody></table></details>");
    }
    out.push_str("</section>\n");
}

/// The recommendations with their unhealthy and exempt resources.
fn recommendations(out: &mut String, p: &Page<'_>) {
    let mut by_rec: HashMap<&str, Vec<&Finding>> = HashMap::new();
    for f in p.findings {
        by_rec.entry(&f.recommendation).or_default().push(f);
    }
    out.push_str("<section id=\"recommendations\"><h2>Recommendations</h2>\
        <div class=\"tools\" id=\"tools\" hidden><input id=\"search\" type=\"search\" placeholder=\"Search resources, files, messages\" aria-label=\"Search\">\
        <label>Order and group by <select id=\"order\"><option value=\"risk\">risk level</option><option value=\"severity\">severity</option><option value=\"category\">category</option><option value=\"control\">control</option><option value=\"framework\">framework</option><option value=\"owner\">owner</option></select></label>\
        <span class=\"muted\" id=\"shown\"></span></div><div id=\"recs\">");
    let mut rows_left = MAX_ROWS;
    // Recommendations with unhealthy findings first, most severe first; then the others.
    let mut recs: Vec<&crate::tally::RecSummary> = p.tally.recommendations.iter().collect();
    recs.sort_by_key(|r| {
        (
            std::cmp::Reverse(r.unhealthy + r.errors > 0),
            std::cmp::Reverse(r.severity),
        )
    });
    let metas = super::by_id(p.meta);
    for r in recs {
        let Some(m) = metas.get(r.id.as_str()) else {
            continue;
        };
        let findings = by_rec.remove(r.id.as_str()).unwrap_or_default();
        let worst = findings
            .iter()
            .filter_map(|f| f.risk.as_ref().map(|x| x.level))
            .max();
        let owner = findings
            .iter()
            .filter_map(|f| f.governance.as_ref().and_then(|g| g.owner.as_deref()))
            .min()
            .unwrap_or_default();
        let framework = super::framework_lines(m)
            .into_iter()
            .next()
            .unwrap_or_default();
        let rank = |l: Option<RiskLevel>| l.map_or(0, |l| l as u8 + 1);
        let unhealthy = r.unhealthy + r.errors;
        let state = if unhealthy > 0 {
            format!("{unhealthy} unhealthy")
        } else if r.state == Outcome::NotApplicable {
            "not applicable".into()
        } else {
            "compliant".into()
        };
        let text = format!(
            "{} {} {} {}",
            r.id,
            r.title,
            m.control.as_deref().unwrap_or_default(),
            framework
        );
        let _ = write!(
            out,
            "<details class=\"rec\" id=\"rec-{}\" data-risk=\"{}\" data-risk-label=\"{}\" data-severity=\"{}\" data-severity-label=\"{}\" data-category=\"{}\" data-category-label=\"{}\" data-control=\"{}\" data-control-label=\"{}\" data-framework=\"{}\" data-framework-label=\"{}\" data-owner=\"{}\" data-owner-label=\"{}\" data-unhealthy=\"{unhealthy}\" data-text=\"{}\"><summary><span class=\"badge sev-{}\">{}</span>{}{}<b>{}</b> <span class=\"id muted\">{}</span> · <span class=\"count\">{state}</span>{}{}</summary><div>",
            esc(&r.id),
            rank(worst),
            worst.map_or("no unhealthy findings".into(), |l| format!("{} risk", l.as_str())),
            r.severity as u8,
            r.severity.as_str(),
            m.category.as_str(),
            m.category.as_str().replace('-', " "),
            esc(m.control.as_deref().unwrap_or_default()),
            esc(m.control.as_deref().unwrap_or("no control")),
            esc(&framework),
            esc(if framework.is_empty() { "no framework" } else { &framework }),
            esc(owner),
            esc(if owner.is_empty() { "no owner" } else { owner }),
            esc(&text),
            r.severity.as_str(),
            r.severity.as_str(),
            worst.map_or(String::new(), |l| format!("<span class=\"badge risk-{0}\">{0} risk</span>", l.as_str())),
            if m.category.is_default() {
                String::new()
            } else {
                format!("<span class=\"badge category\">{}</span>", m.category.as_str().replace('-', " "))
            },
            esc(&r.title),
            esc(&r.id),
            if r.exempt > 0 { format!(", {} exempt", r.exempt) } else { String::new() },
            m.control.as_deref().map_or(String::new(), |c| format!(" · control <span class=\"id\">{}</span>", esc(c))),
        );
        if !m.description.is_empty() {
            let _ = write!(out, "<p>{}</p>", esc(&m.description));
        }
        if !m.tactics.is_empty() || !m.techniques.is_empty() || !m.frameworks.is_empty() {
            let fws = super::framework_lines(m);
            let _ = write!(
                out,
                "<p class=\"muted\">Tactics: {} · techniques: {} · frameworks: {}</p>",
                esc(&or_none(&m.tactics.join(", "))),
                esc(&or_none(&m.techniques.join(", "))),
                esc(&or_none(&fws.join("; ")))
            );
        }
        if !findings.is_empty() {
            out.push_str("<table><thead><tr><th>Resource</th><th>Location</th><th>Why</th><th>Remediation</th><th>Status</th></tr></thead><tbody>");
            let shown = findings.len().min(rows_left);
            for f in &findings[..shown] {
                row(out, f);
            }
            rows_left -= shown;
            out.push_str("</tbody></table>");
            if shown < findings.len() {
                let _ = write!(
                    out,
                    "<p class=\"note\">{} more not shown (the page lists {MAX_ROWS} resources at most); the JSON and CSV reports list every one.</p>",
                    findings.len() - shown
                );
            }
        }
        out.push_str("</div></details>\n");
    }
    out.push_str("</div></section>\n");
}

fn or_none(s: &str) -> String {
    if s.is_empty() {
        "none".into()
    } else {
        s.into()
    }
}

/// One resource of a recommendation.
fn row(out: &mut String, f: &Finding) {
    let i = &f.resource.identity;
    let why = f
        .explanation
        .as_ref()
        .map_or(String::new(), |e| esc(&e.message));
    let mut status = vec![match f.state {
        Outcome::NotCompliant => "not compliant".to_string(),
        Outcome::Error => "error".into(),
        Outcome::Exempt => "exempt".into(),
        Outcome::Compliant => "compliant".into(),
        Outcome::NotApplicable => "not applicable".into(),
    }];
    if let Some(r) = &f.risk {
        status.push(format!("{} risk", r.level.as_str()));
    }
    if f.fix.is_some() {
        status.push("fix available (tenet fix)".into());
    }
    if let Some(x) = &f.exemption {
        status.push(format!(
            "exemption {} ({}): {}{}",
            x.id,
            x.category.as_str(),
            x.justification,
            x.expires
                .as_deref()
                .map_or(String::new(), |e| format!(", expires {e}"))
        ));
    }
    if let Some(g) = &f.governance {
        let mut s = format!("governance: {}", g.status.replace('_', " "));
        if let Some(o) = &g.owner {
            let _ = write!(s, ", owner {o}");
        }
        if let Some(d) = &g.due {
            let _ = write!(s, ", due {d}");
        }
        if g.grace {
            s.push_str(", in grace");
        }
        if let Some(j) = &g.justification {
            let _ = write!(s, " (override: {j})");
        }
        status.push(s);
    }
    let status: Vec<String> = status.iter().map(|s| esc(s)).collect();
    let _ = write!(
        out,
        "<tr data-state=\"{}\"><td class=\"wrap\"><b>{}</b><br><span class=\"id muted\">{}</span></td><td class=\"loc\">{}:{}:{}{}</td><td class=\"wrap\">{why}</td><td class=\"wrap\">{}</td><td>{}</td></tr>",
        f.state.as_str(),
        esc(&i.name),
        esc(&i.id),
        esc(&f.resource.origin.file),
        f.line(),
        f.column(),
        f.property
            .as_ref()
            .filter(|p| !p.path.is_empty())
            .map_or(String::new(), |p| format!("<br>{}", esc(&p.path))),
        esc(f.remediation.as_deref().unwrap_or_default()),
        status.join("<br>")
    );
}

/// Inputs that could not be read.
fn failures(out: &mut String, failed: &[InputFailure]) {
    if failed.is_empty() {
        return;
    }
    out.push_str("<section id=\"errors\"><h2>Inputs not read</h2><p class=\"note\">These inputs were not evaluated: nothing in them counts as compliant.</p><table><thead><tr><th>File</th><th>Error</th></tr></thead><tbody>");
    for f in failed {
        let _ = write!(
            out,
            "<tr><td class=\"loc\">{}:{}:{}</td><td>{}</td></tr>",
            esc(&f.file),
            f.line,
            f.column,
            esc(&f.message)
        );
    }
    out.push_str("</tbody></table></section>\n");
}

/// The exemptions of the run and what became of them.
fn exemptions(out: &mut String, tally: &Tally) {
    if tally.exemptions.is_empty() {
        return;
    }
    out.push_str("<section id=\"exemptions\"><h2>Exemptions</h2><table><thead><tr><th>Exemption</th><th>Status</th><th class=\"num\">Findings</th></tr></thead><tbody>");
    for x in &tally.exemptions {
        let _ = write!(
            out,
            "<tr><td class=\"id\">{}{}</td><td>{}{}</td><td class=\"num\">{}</td></tr>",
            esc(&x.id),
            if x.line > 0 {
                format!(" (line {})", x.line)
            } else {
                String::new()
            },
            esc(x.status),
            x.warning
                .as_deref()
                .map_or(String::new(), |w| format!(": {}", esc(w))),
            x.findings
        );
    }
    out.push_str("</tbody></table></section>\n");
}

#[cfg(test)]
mod tests {
    use super::{esc, hash};

    #[test]
    fn values_are_escaped() {
        assert_eq!(
            esc("<img src=x onerror=\"a('b')\">&\u{1b}"),
            "&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;\\x1b"
        );
    }

    #[test]
    fn hashes_are_csp_sources() {
        // The SHA-256 of the empty text, base64.
        assert_eq!(
            hash(""),
            "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
        );
    }
}
