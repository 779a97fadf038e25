//! The terminal table: recommendations with their unhealthy resources (why, how to fix),
//! findings grouped by `--group-by`, and the summary lines.

use super::{exemption_warnings, visible, Paint};
use crate::finding::{finding, Finding};
use crate::model::Percent;
use crate::model::{unhealthy, RiskLevel, Severity};
use crate::risk::Risk;
use crate::select::Select;
use crate::tally::{RecSummary, Tally};
use crate::triage::Assessed;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use tenet_stdlib::abi::{Metadata, Outcome};

/// One unhealthy resource as the table lists it.
#[derive(Debug, Clone)]
pub struct TableEntry {
    name: String,
    kind: String,
    at: String,
    error: bool,
    why: Option<String>,
    fix: Option<String>,
    risk: Option<Risk>,
}

/// What the table shows, gathered as the run goes; at most `limit` resources are listed per
/// recommendation (0: all).
#[derive(Debug, Clone)]
pub struct Table {
    limit: usize,
    entries: Vec<Vec<TableEntry>>,
    /// Findings are filtered (`--risk`, `--new-only`): list only what passes, and only the
    /// recommendations with such findings.
    filtered: bool,
}

impl Table {
    /// An empty table for `tally`'s recommendations.
    pub fn new(tally: &Tally, limit: usize, sel: &Select) -> Table {
        Table {
            limit,
            entries: vec![Vec::new(); tally.recommendations.len()],
            filtered: sel.filters_findings(),
        }
    }

    /// Adds the unhealthy results of an evaluated resource that `sel` lets through.
    pub fn add(&mut self, meta: &Metadata, tally: &Tally, sel: &Select, e: &Assessed) {
        for (k, &i) in tally.selected().iter().enumerate() {
            let o = e.outcome(i);
            let Some(rec) = meta.recommendations.get(i) else {
                continue;
            };
            if !unhealthy(o) || !sel.admits(meta, i, rec, e) {
                continue;
            }
            let Some(list) = self.entries.get_mut(k) else {
                continue;
            };
            if self.limit != 0 && list.len() >= self.limit {
                continue;
            }
            let f = finding(rec, meta, e, i);
            // What came from the inventory is shown visibly: see [`visible`].
            let shown = |s: &str| visible(s).into_owned();
            list.push(TableEntry {
                at: format!(
                    "{}:{}",
                    visible(&f.resource.origin.file),
                    f.resource.origin.line
                ),
                name: shown(&f.resource.identity.name),
                kind: shown(&f.resource.identity.kind),
                error: o == Outcome::Error,
                why: f.explanation.map(|x| shown(&x.message)),
                fix: f.remediation.filter(|r| !r.is_empty()).map(|r| shown(&r)),
                risk: f.risk,
            });
        }
    }

    /// Renders the report for a terminal: grouped by recommendation, unhealthy resources with why
    /// and how to fix, then a summary line.
    pub fn render(&self, meta: &Metadata, tally: &mut Tally, color: bool) -> String {
        let summary = tally.finish();
        let p = Paint(color);
        let mut out = String::new();
        let std = &meta.standard;
        let _ = writeln!(
            out,
            "{} {} ({}{}): {} resources, {} recommendations\n",
            p.code("1", "Standard"),
            std.title,
            std.id,
            if std.version.is_empty() {
                String::new()
            } else {
                format!(" {}", std.version)
            },
            summary.resources,
            summary.recommendations
        );
        let mut order: Vec<(usize, &RecSummary)> =
            tally.recommendations.iter().enumerate().collect();
        order.sort_by_key(|(_, r)| {
            (
                r.state != Outcome::NotCompliant,
                r.errors == 0,
                std::cmp::Reverse(r.severity),
            )
        });
        for (k, r) in order {
            let listed = self.entries.get(k).map_or(&[][..], Vec::as_slice);
            if self.filtered && listed.is_empty() {
                continue;
            }
            let exempt = if r.exempt > 0 {
                format!(", {} exempt", r.exempt)
            } else {
                String::new()
            };
            let (mark, counts) = match r.state {
                Outcome::NotCompliant => (
                    p.code("1;31", "✗"),
                    format!("{} of {} unhealthy", r.unhealthy, r.unhealthy + r.healthy),
                ),
                Outcome::Compliant => (p.code("32", "✓"), format!("{} healthy{exempt}", r.healthy)),
                _ => (p.code("2", "-"), "not applicable".to_string()),
            };
            let counts = if r.state == Outcome::NotCompliant {
                format!("{counts}{exempt}")
            } else {
                counts
            };
            let errs = if r.errors > 0 {
                format!(", {} errors", r.errors)
            } else {
                String::new()
            };
            // A category other than misconfiguration is named: an exposed secret or a
            // vulnerability reads differently from a setting.
            let category = if r.category.is_default() {
                String::new()
            } else {
                p.code("1;35", &format!(" [{}]", r.category.as_str()))
            };
            let _ = writeln!(
                out,
                "{mark} {} {}  {}{category}  {}{errs}",
                p.severity(r.severity),
                r.id,
                r.title,
                p.code("2", &counts)
            );
            for f in listed {
                let mut state = if f.error {
                    p.code("35", " [error]")
                } else {
                    String::new()
                };
                // The risk level, when risk factors raised it above the severity.
                if let Some(r) = f.risk.as_ref().filter(|r| !r.factors.is_empty()) {
                    state.push_str(&p.code(
                        "1;35",
                        &format!(" [risk {}: {}]", r.level, r.factors.join(", ")),
                    ));
                }
                let _ = writeln!(
                    out,
                    "    {} ({}){state}  {}",
                    p.code("1", &f.name),
                    f.kind,
                    p.code("2", &f.at)
                );
                if let Some(why) = &f.why {
                    let _ = writeln!(out, "      why: {why}");
                }
                if let Some(fix) = &f.fix {
                    let _ = writeln!(out, "      fix: {fix}");
                }
            }
            let more = (r.unhealthy + r.errors).saturating_sub(listed.len());
            if more > 0 && !self.filtered {
                let _ = writeln!(
                    out,
                    "    {}",
                    p.code(
                        "2",
                        &format!("… and {more} more (--limit 0 lists all; --format json has every finding)")
                    )
                );
            }
        }
        let s = &summary;
        let total: usize = s.not_compliant.values().sum();
        let by_sev: Vec<String> = Severity::ALL
            .iter()
            .filter_map(|sev| {
                s.not_compliant
                    .get(sev.as_str())
                    .map(|n| format!("{n} {sev}"))
            })
            .collect();
        let _ = writeln!(
            out,
            "\n{} {} of {} recommendations compliant; {} unhealthy finding{}{}; {} error{}",
            p.code("1", "Summary:"),
            s.compliant_recommendations,
            s.recommendations,
            total,
            if total == 1 { "" } else { "s" },
            if by_sev.is_empty() {
                String::new()
            } else {
                format!(" ({})", by_sev.join(", "))
            },
            s.errors,
            if s.errors == 1 { "" } else { "s" }
        );
        let sc = &s.secure_score;
        let _ = writeln!(
            out,
            "{} {} of {} points ({}); compliance {}{}",
            p.code("1", "Secure score:"),
            sc.current,
            sc.max,
            Percent(sc.percentage),
            Percent(s.compliance),
            if s.exempt > 0 {
                format!(" ({} exempt)", s.exempt)
            } else {
                String::new()
            }
        );
        for o in &s.owners {
            let _ = writeln!(
                out,
                "{} {}: {} unhealthy ({} on time, {} overdue)",
                p.code("1", "Owner"),
                if o.owner.is_empty() {
                    "(unassigned)".into()
                } else {
                    visible(&o.owner)
                },
                o.unhealthy,
                o.on_time,
                if o.overdue > 0 {
                    p.code("1;31", &o.overdue.to_string())
                } else {
                    "0".into()
                }
            );
        }
        exemption_warnings(&p, tally, &mut out);
        for f in &tally.failed {
            let _ = writeln!(
                out,
                "{} {}:{}:{}: {} (not evaluated; everything else was)",
                p.code("1;31", "error:"),
                visible(&f.file),
                f.line,
                f.column,
                visible(&f.message)
            );
        }
        if !tally.skipped.is_empty() {
            let _ = writeln!(
                out,
                "{} {} document(s) skipped (no resource type); see the JSON report",
                p.code("33", "warning:"),
                tally.skipped.len()
            );
        }
        out
    }
}

/// Findings grouped by `--group-by` for a terminal: a heading per group (most findings first),
/// then its findings, then the summary of [`Table::render`].
pub fn render_groups(
    meta: &Metadata,
    tally: &mut Tally,
    findings: &[Finding],
    color: bool,
) -> String {
    let p = Paint(color);
    let mut groups: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in findings {
        groups
            .entry(f.group.as_deref().unwrap_or(""))
            .or_default()
            .push(f);
    }
    let mut order: Vec<(&str, Vec<&Finding>)> = groups.into_iter().collect();
    // Risk levels and severities first, most severe first; other groups by size.
    order.sort_by_key(|(k, v)| {
        let rank = RiskLevel::parse(k)
            .map(|l| 3 - l as usize)
            .or_else(|| Severity::parse(k).map(|s| 3 - s as usize))
            .unwrap_or(4);
        (rank, std::cmp::Reverse(v.len()), k.to_string())
    });
    let mut out = String::new();
    for (key, list) in &order {
        let _ = writeln!(
            out,
            "{} {}",
            p.code("1", &format!("{}:", visible(key))),
            p.code(
                "2",
                &format!(
                    "{} finding{}",
                    list.len(),
                    if list.len() == 1 { "" } else { "s" }
                )
            )
        );
        for f in list {
            let risk = f
                .risk
                .as_ref()
                .map(|r| format!(" [risk {}]", r.level))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {} {} {} ({})  {}:{}{}{}",
                p.severity(f.severity),
                f.recommendation,
                p.code("1", &visible(&f.resource.identity.name)),
                visible(&f.resource.identity.kind),
                visible(&f.resource.origin.file),
                f.line(),
                if f.state == Outcome::Exempt {
                    " [exempt]"
                } else {
                    ""
                },
                risk
            );
        }
        out.push('\n');
    }
    // The summary lines of the table.
    let table = Table {
        limit: 1,
        entries: vec![Vec::new(); tally.recommendations.len()],
        filtered: false,
    };
    let full = table.render(meta, tally, color);
    if let Some(i) = full.find("\nSummary:").or_else(|| full.find("Summary:")) {
        out.push_str(full[i..].trim_start_matches('\n'));
    }
    out
}
