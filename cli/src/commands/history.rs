//! `tenet history`: the score trend and the findings that changed state between runs, from the
//! history store (docs/history.md).

use crate::store::History;
use tenet::report::render::visible;
/// Flags of `tenet history`.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  tenet history
  tenet history --standard azure-security-baseline --limit 30 --format json")]
pub struct Args {
    /// The history database; default: history.db in the repository's .tenet/ folder (found
    /// walking up from here), else .tenet/history.db here.
    #[arg(long, value_name = "PATH")]
    pub db: Option<std::path::PathBuf>,
    /// Only runs of this standard (default: the standard of the latest run).
    #[arg(long, value_name = "ID")]
    pub standard: Option<String>,
    /// Runs shown, most recent last.
    #[arg(long, default_value = "20", value_name = "N")]
    pub limit: usize,
    /// Output format.
    #[arg(short, long, default_value = "table", value_parser = ["table", "json"])]
    pub format: String,
}

/// Runs `tenet history`: the score trend of a standard's runs and what changed in the last one.
pub fn run(a: Args) -> u8 {
    use super::{error, ERROR, OK};
    let db = a.db.clone().unwrap_or_else(super::default_db);
    if !db.is_file() {
        error(format!(
            "{}: no history yet; `tenet check` records one run each time it runs",
            db.display()
        ));
        return ERROR;
    }
    let h = match History::open(&db) {
        Ok(h) => h,
        Err(e) => {
            error(e);
            return ERROR;
        }
    };
    let standard = match a.standard.clone() {
        Some(s) => Some(s),
        None => match h.runs(None, 1) {
            Ok(r) => r.last().map(|r| r.standard.clone()),
            Err(e) => {
                error(e);
                return ERROR;
            }
        },
    };
    let runs = match h.runs(standard.as_deref(), a.limit.max(1)) {
        Ok(r) => r,
        Err(e) => {
            error(e);
            return ERROR;
        }
    };
    let changes = match runs.len() {
        n if n >= 2 => match h.changes(runs[n - 2].id, runs[n - 1].id) {
            Ok(c) => c,
            Err(e) => {
                error(e);
                return ERROR;
            }
        },
        _ => Vec::new(),
    };
    if a.format == "json" {
        let v = serde_json::json!({"standard": standard, "runs": runs, "changes": changes});
        outln!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        return OK;
    }
    let Some(last) = runs.last() else {
        outln!("No runs recorded.");
        return OK;
    };
    outln!(
        "History of {} ({} run{} shown)\n",
        last.standard,
        runs.len(),
        if runs.len() == 1 { "" } else { "s" }
    );
    outln!("  run  evaluated at          score     compliance  unhealthy  exempt  inventory");
    let mut previous: Option<f64> = None;
    for r in &runs {
        let trend = match previous {
            Some(p) if r.percentage > p => "↑",
            Some(p) if r.percentage < p => "↓",
            Some(_) => "=",
            None => " ",
        };
        previous = Some(r.percentage);
        outln!(
            "  {:>3}  {:<20}  {:>6.2}% {trend}  {:>9.2}%  {:>9}  {:>6}  {}",
            r.id,
            r.at,
            r.percentage,
            r.compliance,
            r.unhealthy,
            r.exempt,
            visible(&r.inventory)
        );
    }
    if runs.len() >= 2 {
        outln!("\nChanges in the last run:");
        if changes.is_empty() {
            outln!("  none");
        }
        for c in &changes {
            outln!(
                "  {} on {}: {} → {}",
                visible(&c.recommendation),
                visible(&c.resource),
                c.from,
                c.to
            );
        }
    }
    OK
}
