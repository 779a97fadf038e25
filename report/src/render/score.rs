//! The secure score for a terminal (`tenet score`).

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
