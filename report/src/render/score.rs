//! The secure score for a terminal (`tenet score`), and compliance per framework control
//! (`tenet score --framework`).

use super::{exemption_warnings, Paint};
use crate::model::Percent;
use crate::tally::{Summary, Tally};
use std::fmt::Write as _;
use tenet_stdlib::abi::Metadata;

/// The secure score for a terminal: a line per control, then the total and the compliance.
pub fn render_score(meta: &Metadata, summary: &Summary, tally: &Tally, color: bool) -> String {
    let p = Paint(color);
    let mut out = String::new();
    let sc = &summary.secure_score;
    let _ = writeln!(
        out,
        "{} {} ({}): {} resources\n",
        p.code("1", "Secure score of"),
        meta.standard.title,
        meta.standard.id,
        summary.resources
    );
    let width = sc.controls.iter().map(|c| c.id.len()).max().unwrap_or(0);
    for c in &sc.controls {
        let points = if c.applicable {
            format!("{:>6.2} / {:<5}", c.current, c.max)
        } else {
            format!("{:>6} / {:<5}", "-", c.max)
        };
        let detail = if c.applicable {
            format!(
                "{} healthy, {} unhealthy{}",
                c.healthy,
                c.unhealthy,
                if c.exempt > 0 {
                    format!(", {} exempt", c.exempt)
                } else {
                    String::new()
                }
            )
        } else {
            "not applicable".into()
        };
        let _ = writeln!(
            out,
            "  {:<width$}  {points}  {}  {}",
            c.id,
            c.title,
            p.code("2", &detail)
        );
    }
    let _ = writeln!(
        out,
        "\n{} {} of {} points ({}); compliance {} of {} recommendations' results",
        p.code("1", "Total:"),
        sc.current,
        sc.max,
        Percent(sc.percentage),
        Percent(summary.compliance),
        summary.recommendations
    );
    exemption_warnings(&p, tally, &mut out);
    out
}

/// Compliance per framework control for a terminal: per framework a total line, then a line per
/// control with its state, counts and recommendations.
pub fn render_frameworks(frameworks: &[crate::frameworks::Framework], color: bool) -> String {
    let p = Paint(color);
    let mut out = String::new();
    for fw in frameworks {
        let _ = writeln!(
            out,
            "\n{} {}: {} of {} applicable controls passed ({}){}",
            p.code("1", "Regulatory compliance,"),
            fw.id,
            fw.passed,
            fw.passed + fw.failed,
            Percent(fw.compliance),
            if fw.not_applicable > 0 {
                format!("; {} not applicable", fw.not_applicable)
            } else {
                String::new()
            }
        );
        let width = fw.controls.iter().map(|c| c.id.len()).max().unwrap_or(0);
        for c in &fw.controls {
            let state = match c.state {
                "failed" => p.code("1;31", "failed        "),
                "passed" => p.code("32", "passed        "),
                _ => p.code("2", "not applicable"),
            };
            let _ = writeln!(
                out,
                "  {:<width$}  {state}  {:>4} passed {:>4} failed {:>4} exempt  {}",
                c.id,
                c.passed,
                c.failed,
                c.exempt,
                p.code("2", &c.recommendations.join(", "))
            );
        }
    }
    out
}
