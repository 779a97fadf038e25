//! `tenet check`: evaluate a standard over inventories and report.

use super::{color, error, load_standard, ERROR, FINDINGS, OK};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;
use tenet_runtime::report::{self, severity_rank, Select};
use tenet_runtime::{eval, inventory, Engine, Limits};
use tenet_stdlib::abi::Outcome;

/// Report formats.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Grouped by recommendation, for people.
    Table,
    /// The versioned JSON report (docs/report.md).
    Json,
}

/// Flags of `tenet check`.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  tenet check --standard examples/standard examples/inventory.json
  tenet check --standard example.wasm --format json inventories/ > report.json
  kubectl get pods -A -o json | tenet check --standard k8s.wasm -
  tenet check --standard examples/standard --explain storage-secure-transfer examples/inventory.json

Exit codes: 0 nothing at or above --fail-on is not compliant, 1 findings, 2 usage, input or policy error.")]
pub struct Args {
    /// The standard: a .wasm module, a .tenet file, a directory of .tenet files, or a built-in name.
    #[arg(short, long)]
    pub standard: String,
    /// Inventory files or directories (JSON, JSON Lines, YAML); `-` reads standard input.
    #[arg(required = true)]
    pub inventory: Vec<PathBuf>,
    /// Output format.
    #[arg(short, long, value_enum, default_value = "table")]
    pub format: Format,
    /// Show every clause of one recommendation, its value and outcome, for each resource.
    #[arg(long, value_name = "RECOMMENDATION")]
    pub explain: Option<String>,
    /// Only resources whose id or name matches this glob.
    #[arg(long, value_name = "GLOB")]
    pub resource: Option<String>,
    /// Only recommendations whose id matches this glob.
    #[arg(long, value_name = "GLOB")]
    pub recommendation: Option<String>,
    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_name = "SEVERITY", default_value = "low", value_parser = ["high", "medium", "low"])]
    pub fail_on: String,
    /// List compliant and not-applicable results too (JSON).
    #[arg(long)]
    pub all: bool,
    /// Evaluation time (RFC 3339) for date functions; default: now.
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
    /// Do not use the cache of compiled modules.
    #[arg(long)]
    pub no_cache: bool,
    /// Time limit per resource, in milliseconds.
    #[arg(long, default_value = "2000", value_name = "MS")]
    pub timeout: u64,
    /// Memory limit per evaluation instance, in MiB.
    #[arg(long, default_value = "512", value_name = "MIB")]
    pub max_memory: usize,
}

fn glob(pattern: &Option<String>, what: &str) -> Result<Option<globset::GlobMatcher>, u8> {
    match pattern {
        None => Ok(None),
        Some(p) => match globset::Glob::new(p) {
            Ok(g) => Ok(Some(g.compile_matcher())),
            Err(e) => {
                error(format!("invalid {what} glob `{p}`: {e}"));
                Err(ERROR)
            }
        },
    }
}

fn rfc3339(secs: f64) -> String {
    let days = (secs / 86400.0).floor() as i64;
    let rem = (secs - days as f64 * 86400.0) as i64;
    // civil from days (inverse of stdlib::time::days_from_civil)
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Prints phase timings to standard error when `TENET_TIMING` is set (for profiling).
struct Phases(Option<std::time::Instant>);

impl Phases {
    fn mark(&mut self, what: &str) {
        if let Some(t) = self.0.as_mut() {
            eprintln!("timing: {what:<10} {:>8.3} s", t.elapsed().as_secs_f64());
            *t = std::time::Instant::now();
        }
    }
}

/// Runs `tenet check`.
pub fn run(a: Args) -> u8 {
    let mut phases = Phases(std::env::var_os("TENET_TIMING").map(|_| std::time::Instant::now()));
    let now = match &a.now {
        Some(t) => match tenet_stdlib::time::parse(t) {
            Some(s) => s,
            None => {
                error(format!(
                    "--now `{t}` is not an RFC 3339 time such as 2026-01-31T12:00:00Z"
                ));
                return ERROR;
            }
        },
        None => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs() as f64),
    };
    let (rec_glob, res_glob) = match (
        glob(&a.recommendation, "recommendation"),
        glob(&a.resource, "resource"),
    ) {
        (Ok(x), Ok(y)) => (x, y),
        _ => return ERROR,
    };
    let cache = if a.no_cache {
        None
    } else {
        tenet_runtime::engine::default_cache_dir()
    };
    let limits = Limits {
        timeout: Duration::from_millis(a.timeout),
        memory_bytes: a.max_memory << 20,
    };
    let engine = match Engine::new(cache, limits).or_else(|e| {
        eprintln!("warning: {e}; continuing without a cache of compiled modules");
        Engine::new(None, limits)
    }) {
        Ok(e) => e,
        Err(e) => {
            error(e);
            return ERROR;
        }
    };
    let Some(loaded) = load_standard(&engine, &a.standard) else {
        return ERROR;
    };
    phases.mark("standard");
    let projection = inventory::projection_for(&loaded.standard.metadata);
    let mut inv = match inventory::load_projected(&a.inventory, Some(&projection)) {
        Ok(i) => i,
        Err(e) => {
            error(e);
            return ERROR;
        }
    };
    phases.mark("inventory");
    for s in &inv.skipped {
        if a.format == Format::Table {
            eprintln!("warning: {}:{}: skipped: {}", s.file, s.line, s.reason);
        }
    }
    if let Some(rec) = &a.explain {
        return explain(&loaded, &inv.resources, rec, now, res_glob.as_ref());
    }
    let bar = (std::io::stderr().is_terminal() && inv.resources.len() >= 2000).then(|| {
        let b = indicatif::ProgressBar::new(inv.resources.len() as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} resources {elapsed}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    });
    let progress = |n: usize| {
        if let Some(b) = &bar {
            b.inc(n as u64);
        }
    };
    let results = match eval::evaluate(&loaded.standard, &inv.resources, now, true, &progress) {
        Ok(r) => r,
        Err(e) => {
            error(e);
            return ERROR;
        }
    };
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    phases.mark("evaluate");
    // The report needs only what identifies each resource: free the documents first.
    for r in &mut inv.resources {
        r.doc = serde_json::Value::Null;
    }
    let sel = Select {
        all: a.all,
        recommendation: rec_glob.as_ref(),
        resource: res_glob.as_ref(),
    };
    let rep = report::build(
        &loaded.standard.metadata,
        &inv.resources,
        &results,
        &inv.skipped,
        rfc3339(now),
        sel,
    );
    phases.mark("report");
    match a.format {
        Format::Table => print!(
            "{}",
            report::render_table(&rep, color(std::io::stdout().is_terminal()))
        ),
        Format::Json => {
            // Stream the report: a large one is never held twice in memory.
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            let written = serde_json::to_writer_pretty(&mut out, &rep)
                .map_err(std::io::Error::from)
                .and_then(|()| writeln!(out))
                .and_then(|()| out.flush());
            if let Err(e) = written {
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    error(format!("cannot write the report: {e}"));
                    return ERROR;
                }
            }
        }
    }
    phases.mark("output");
    let threshold = severity_rank(&a.fail_on);
    let failing = rep.findings.iter().any(|f| {
        matches!(f.state, Outcome::NotCompliant | Outcome::Error)
            && severity_rank(&f.severity) <= threshold
    });
    if failing {
        FINDINGS
    } else {
        OK
    }
}

fn explain(
    loaded: &super::Loaded,
    resources: &[inventory::Resource],
    rec: &str,
    now: f64,
    res: Option<&globset::GlobMatcher>,
) -> u8 {
    let Some(program) = &loaded.program else {
        error(
            "--explain needs the policy source (a .tenet file or directory), not a compiled module",
        );
        return ERROR;
    };
    let Some(idx) = program.recs.iter().position(|r| r.meta.id == rec) else {
        let ids: Vec<&str> = program.recs.iter().map(|r| r.meta.id.as_str()).collect();
        let hint = tenet_compiler::diagnostics::suggest(rec, ids.iter().copied())
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        error(format!("no recommendation `{rec}` in this standard{hint}"));
        return ERROR;
    };
    let meta = &loaded.standard.metadata;
    let lookups: Vec<Vec<serde_json::Value>> = meta
        .lookups
        .iter()
        .map(|l| {
            let m: Vec<globset::GlobMatcher> = l
                .types
                .iter()
                .filter_map(|t| {
                    globset::GlobBuilder::new(t)
                        .case_insensitive(true)
                        .build()
                        .ok()
                })
                .map(|g| g.compile_matcher())
                .collect();
            resources
                .iter()
                .filter(|r| m.iter().any(|g| g.is_match(&r.kind)))
                .map(|r| r.doc.clone())
                .collect()
        })
        .collect();
    let paint = color(std::io::stdout().is_terminal());
    let dim = |s: &str| {
        if paint {
            format!("\x1b[2m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    println!(
        "{} — {}\ncompliant when {}\n",
        rec, program.recs[idx].meta.title, program.recs[idx].meta.condition
    );
    for r in resources
        .iter()
        .filter(|r| res.is_none_or(|m| m.is_match(&r.id) || m.is_match(&r.name)))
    {
        let input = tenet_compiler::interp::Input {
            provider: &r.provider,
            kind: &r.kind,
            resource: &r.doc,
            now,
            lookups: &lookups,
        };
        let Some((result, steps)) = tenet_compiler::interp::trace(program, &input, idx) else {
            continue;
        };
        if result.outcome == Outcome::NotApplicable {
            continue;
        }
        println!(
            "{} ({}) {}: {}",
            r.name,
            r.kind,
            dim(&format!("{}:{}", r.file, r.line)),
            result.outcome.as_str()
        );
        for s in steps {
            let Some(c) = meta.clauses.get(s.clause as usize) else {
                continue;
            };
            let v = match s.tri {
                0 => "false",
                1 => "true",
                _ => "missing",
            };
            let binds: Vec<String> = s
                .bindings
                .iter()
                .filter_map(|(var, i, _)| {
                    meta.vars
                        .get(*var as usize)
                        .map(|m| format!("{}={}[{i}]", m.name, m.source))
                })
                .collect();
            let ctx = if binds.is_empty() {
                String::new()
            } else {
                format!("  {}", dim(&format!("with {}", binds.join(", "))))
            };
            println!(
                "  {v:<7} {}  {}{ctx}",
                c.text,
                dim(&format!(
                    "← {}",
                    tenet_stdlib::text::render(s.value.as_ref())
                ))
            );
        }
        if let Some(e) = report::explain(meta, &result) {
            println!("  => {}", e.message);
        }
        println!();
    }
    OK
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_times() {
        assert_eq!(super::rfc3339(0.0), "1970-01-01T00:00:00Z");
        assert_eq!(super::rfc3339(1_709_164_800.0), "2024-02-29T00:00:00Z");
        assert_eq!(super::rfc3339(1_709_168_461.0), "2024-02-29T01:01:01Z");
    }
}
