//! `tenet check`: evaluate a standard over inventories and report.

use super::{color, error, load_standard, ERROR, FINDINGS, OK};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;
use tenet_runtime::report::{self, rfc3339, severity_rank, JsonWriter, Select, Table, Tally};
use tenet_runtime::{eval, inventory, Limits};
use tenet_stdlib::abi::Outcome;

/// Report formats.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Grouped by recommendation, for people.
    Table,
    /// The versioned JSON report (docs/report.md).
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// JUnit XML, for test reports.
    Junit,
    /// GitHub Actions annotations (workflow commands).
    Github,
    /// A Markdown summary for a pull-request comment.
    Markdown,
}

impl Format {
    fn parse(name: &str) -> Option<Format> {
        clap::ValueEnum::from_str(name, true).ok()
    }
}

/// Flags of `tenet check`.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  tenet check --standard examples/standard examples/inventory.json
  tenet check --standard example.wasm --format json inventories/ > report.json
  kubectl get pods -A -o json | tenet check --standard k8s.wasm -
  tenet check --standard examples/standard --explain storage-secure-transfer examples/inventory.json
  tenet check --standard k8s.wasm manifests/ --format github --output sarif=tenet.sarif --output junit=tenet.xml
  tenet check --standard aws-foundations templates/stack.yaml
  terraform show -json plan.out | tenet check --standard aws-foundations --input-format terraform-plan -

Exit codes: 0 nothing at or above --fail-on is not compliant, 1 findings, 2 usage, input or policy error.")]
pub struct Args {
    /// The standard: a .wasm module, a .tenet file, a directory of .tenet files, or a built-in name.
    #[arg(short, long)]
    pub standard: String,
    /// Inventory files or directories (JSON, JSON Lines, YAML); `-` reads standard input.
    #[arg(required = true)]
    pub inventory: Vec<PathBuf>,
    /// What the inputs hold: detected from each file's content by default (docs/inventories.md).
    #[arg(long, value_name = "FORMAT", default_value = "auto", value_parser = input_format)]
    pub input_format: tenet_runtime::iac::Format,
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
    /// Only recommendations of these severities (comma-separated: high,medium).
    #[arg(long, value_name = "SEVERITY", value_delimiter = ',', value_parser = ["high", "medium", "low"])]
    pub severity: Vec<String>,
    /// Only resources of these environments (comma-separated: azure,aws,gcp,kubernetes).
    #[arg(long, value_name = "ENV", value_delimiter = ',', value_parser = ["azure", "aws", "gcp", "kubernetes"])]
    pub environment: Vec<String>,
    /// Only recommendations of these workloads (their `workload` field; comma-separated).
    #[arg(long, value_name = "WORKLOAD", value_delimiter = ',')]
    pub workload: Vec<String>,
    /// Only recommendations of these controls (comma-separated).
    #[arg(long, value_name = "CONTROL", value_delimiter = ',')]
    pub control: Vec<String>,
    /// Only findings at this risk level or above (critical, high, medium, low).
    #[arg(long, value_name = "LEVEL", value_parser = ["critical", "high", "medium", "low"])]
    pub risk: Option<String>,
    /// Group findings in every output: risk, title, severity, control, resource-type, environment.
    #[arg(long, value_name = "KEY", value_parser = tenet_runtime::report::GroupBy::NAMES.to_vec())]
    pub group_by: Option<String>,
    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_name = "SEVERITY", default_value = "low", value_parser = ["high", "medium", "low"])]
    pub fail_on: String,
    /// List compliant and not-applicable results too (JSON).
    #[arg(long)]
    pub all: bool,
    /// Exemptions (docs/exemptions.md); default: .tenet/exemptions.yaml when it exists.
    #[arg(long, value_name = "FILE")]
    pub exemptions: Option<PathBuf>,
    /// Governance rules (docs/governance.md); default: .tenet/governance.yaml when it exists.
    #[arg(long, value_name = "FILE")]
    pub governance: Option<PathBuf>,
    /// Only findings assigned to this owner by the governance rules.
    #[arg(long, value_name = "OWNER")]
    pub owner: Option<String>,
    /// The history database (docs/history.md).
    #[arg(long, value_name = "PATH", default_value = ".tenet/history.db")]
    pub db: PathBuf,
    /// Do not read or record the history (also TENET_NO_HISTORY=1).
    #[arg(long, env = "TENET_NO_HISTORY", value_parser = clap::builder::FalseyValueParser::new())]
    pub no_history: bool,
    /// Report only findings that were not open after the previous run of this standard.
    #[arg(long)]
    pub new_only: bool,
    /// Fail only on findings that are not in this baseline (see `tenet baseline create`).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Where `tenet baseline create` writes the baseline (not a flag of `check`).
    #[arg(skip)]
    pub baseline_out: Option<PathBuf>,
    /// Print the secure score instead of the findings (`tenet score`).
    #[arg(skip)]
    pub score_only: bool,
    /// Also write a report to a file, as FORMAT=PATH (json, sarif, junit, github, markdown); may
    /// repeat. Files are replaced atomically.
    #[arg(long, value_name = "FORMAT=PATH")]
    pub output: Vec<String>,
    /// Unhealthy resources listed per recommendation in the table (0: all).
    #[arg(long, default_value = "20", value_name = "N")]
    pub limit: usize,
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

/// Reads a settings file of `.tenet/`: the one named, or `default` when it exists; errors show
/// the line at fault.
fn load_settings<T>(
    path: Option<&std::path::Path>,
    default: &str,
    what: &str,
    parse: fn(&str, &str) -> Result<T, tenet_runtime::inventory::InputError>,
) -> Result<Option<T>, u8> {
    let default = std::path::Path::new(default);
    let path = match path {
        Some(p) => p,
        None if default.is_file() => default,
        None => return Ok(None),
    };
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        error(format!("{name}: cannot read the {what} file: {e}"));
        ERROR
    })?;
    match parse(&name, &text) {
        Ok(x) => Ok(Some(x)),
        Err(e) => {
            super::input_error(&e, &text);
            Err(ERROR)
        }
    }
}

/// The governance rules: `--governance`, or `.tenet/governance.yaml` when it exists.
fn load_governance(
    path: Option<&std::path::Path>,
) -> Result<Option<tenet_runtime::governance::Governance>, u8> {
    load_settings(
        path,
        ".tenet/governance.yaml",
        "governance",
        tenet_runtime::governance::Governance::parse,
    )
}

/// The exemptions: `--exemptions`, or `.tenet/exemptions.yaml` when it exists.
fn load_exemptions(
    path: Option<&std::path::Path>,
) -> Result<Option<tenet_runtime::exemptions::Exemptions>, u8> {
    load_settings(
        path,
        ".tenet/exemptions.yaml",
        "exemptions",
        tenet_runtime::exemptions::Exemptions::parse,
    )
}

/// Parses `--input-format`.
pub fn input_format(name: &str) -> Result<tenet_runtime::iac::Format, String> {
    use tenet_runtime::iac::Format;
    Format::parse(name).ok_or_else(|| format!("expected one of {}", Format::NAMES.join(", ")))
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

/// Runs `tenet check` (and `tenet score`, `tenet baseline create`).
pub fn run(mut a: Args) -> u8 {
    // `tenet score` runs the check with the table's counting, then prints the score instead.
    let score_format = a.score_only.then_some(a.format);
    if a.score_only {
        a.format = Format::Table;
        a.output.clear();
    }
    let mut phases = Phases(std::env::var_os("TENET_TIMING").map(|_| std::time::Instant::now()));
    let Some(now) = super::evaluation_time(a.now.as_deref(), super::clock) else {
        return ERROR;
    };
    let (rec_glob, res_glob) = match (
        glob(&a.recommendation, "recommendation"),
        glob(&a.resource, "resource"),
    ) {
        (Ok(x), Ok(y)) => (x, y),
        _ => return ERROR,
    };
    let limits = Limits {
        timeout: Duration::from_millis(a.timeout),
        memory_bytes: a.max_memory << 20,
    };
    let Some(engine) = super::engine(!a.no_cache, limits) else {
        return ERROR;
    };
    let Some(loaded) = load_standard(&engine, &a.standard) else {
        return ERROR;
    };
    phases.mark("standard");
    let inputs = match tenet_runtime::source::inputs(&a.inventory) {
        Ok(i) => i,
        Err(e) => {
            error(e);
            return ERROR;
        }
    };
    if let Some(rec) = &a.explain {
        let inv = match inventory::load_inputs_as(&inputs, a.input_format, None) {
            Ok(i) => i,
            Err(e) => {
                error(e);
                return ERROR;
            }
        };
        return explain(&loaded, &inv.resources, rec, now, res_glob.as_ref());
    }
    let exemptions = match load_exemptions(a.exemptions.as_deref()) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let governance = match load_governance(a.governance.as_deref()) {
        Ok(x) => x,
        Err(code) => return code,
    };
    if a.owner.is_some() && governance.is_none() {
        error("--owner needs governance rules: pass --governance FILE or create .tenet/governance.yaml");
        return ERROR;
    }
    let meta = &loaded.standard.metadata;
    let filtered = !(a.severity.is_empty() && a.workload.is_empty() && a.control.is_empty());
    let only: std::collections::HashSet<String> = meta
        .recommendations
        .iter()
        .filter(|r| a.severity.is_empty() || a.severity.contains(&r.severity))
        .filter(|r| {
            a.workload.is_empty() || r.workload.as_ref().is_some_and(|w| a.workload.contains(w))
        })
        .filter(|r| {
            a.control.is_empty() || r.control.as_ref().is_some_and(|c| a.control.contains(c))
        })
        .map(|r| r.id.clone())
        .collect();
    // History: what the previous runs of this standard left open.
    // A run that leaves resources out (--resource, --environment) would resolve their findings:
    // it reads the history but does not record.
    let partial = a.resource.is_some() || !a.environment.is_empty();
    let record = !a.no_history && a.baseline_out.is_none() && !partial;
    if a.new_only && a.no_history {
        error("--new-only needs the history; drop --no-history");
        return ERROR;
    }
    let mut history = if record || (a.new_only && !a.no_history) {
        match super::history::History::open(&a.db) {
            Ok(h) => Some(h),
            Err(e) => {
                error(e);
                return ERROR;
            }
        }
    } else {
        None
    };
    let seen: std::collections::HashMap<String, report::Seen> = match &history {
        Some(h) => match h.open_findings(&meta.standard.id) {
            Ok(m) => m,
            Err(e) => {
                error(e);
                return ERROR;
            }
        },
        None => Default::default(),
    };
    // Exemptions first (exempt findings need no owner), then governance: due dates count from
    // the first run that saw a finding (this run without a history).
    let annotate = |e: &mut eval::Evaluated| {
        for (i, rec) in meta.recommendations.iter().enumerate() {
            let Some(o) = e.outcomes.get_mut(i) else {
                continue;
            };
            if !matches!(o, Outcome::NotCompliant | Outcome::Error) {
                continue;
            }
            if let Some(ex) = exemptions
                .as_ref()
                .and_then(|x| x.find(&rec.id, &e.identity, now))
            {
                *o = Outcome::Exempt;
                e.exemptions.push((i, ex.applied()));
                continue;
            }
            let allowed = meta.standard.inline_exemptions.as_deref();
            if let Some(x) =
                tenet_runtime::exemptions::inline(&rec.id, &rec.severity, &e.identity, allowed)
            {
                *o = Outcome::Exempt;
                e.exemptions.push((i, x));
                continue;
            }
            if let Some(g) = &governance {
                let first = seen
                    .get(&tenet_runtime::ci::fingerprint_of(&rec.id, &e.identity.id))
                    .map_or(now, |s| s.first_seen);
                e.assignments
                    .push((i, g.assign(&rec.id, &rec.severity, &e.identity, first, now)));
            }
        }
    };
    let group_by = a
        .group_by
        .as_deref()
        .and_then(tenet_runtime::report::GroupBy::parse);
    let sel = Select {
        all: a.all,
        recommendation: rec_glob.as_ref(),
        resource: res_glob.as_ref(),
        only: filtered.then_some(&only),
        environments: &a.environment,
        risk: a.risk.as_deref().map(tenet_runtime::report::risk_rank),
        group_by,
        history: history.is_some().then_some(&seen),
        new_only: a.new_only,
        owner: a.owner.as_deref(),
        now,
    };
    let mut tally = Tally::new(meta, &sel);
    let total = tenet_runtime::source::total_bytes(&inputs);
    let bar = (std::io::stderr().is_terminal() && total >= 4 << 20).then(|| {
        let b = indicatif::ProgressBar::new(total);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {bytes}/{total_bytes} {elapsed} (eta {eta})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    });
    let progress = |n: u64| {
        if let Some(b) = &bar {
            b.inc(n);
        }
    };
    let keep = |id: &inventory::Identity| sel.resource(id);
    // Reports written after the run (CI formats, and every --output) need the findings.
    let mut outputs: Vec<(Format, String)> = Vec::new();
    for o in &a.output {
        match o
            .split_once('=')
            .and_then(|(f, p)| Format::parse(f).map(|f| (f, p)))
        {
            Some((Format::Table, _)) | None => {
                error(format!(
                    "--output `{o}`: write FORMAT=PATH with FORMAT one of json, sarif, junit, github, markdown"
                ));
                return ERROR;
            }
            Some((f, p)) => outputs.push((f, p.to_string())),
        }
    }
    if !matches!(a.format, Format::Table | Format::Json) {
        outputs.push((a.format, "-".into()));
    }
    let baseline = match &a.baseline {
        None => None,
        Some(p) => match std::fs::read_to_string(p)
            .map_err(|e| e.to_string())
            .and_then(|t| tenet_runtime::ci::Baseline::parse(&t))
        {
            Ok(b) => Some(b),
            Err(e) => {
                error(format!(
                    "{}: {e}; create one with `tenet baseline create`",
                    p.display()
                ));
                return ERROR;
            }
        },
    };
    let collect = !outputs.is_empty()
        || baseline.is_some()
        || a.baseline_out.is_some()
        || (group_by.is_some() && a.format == Format::Table);
    let mut collected: Vec<report::Finding> = Vec::new();
    let json = a.format == Format::Json;
    let findings = report::JsonFindings::new(meta);
    let render = |e: &eval::Evaluated, out: &mut Vec<u8>| {
        if json {
            findings.render(meta, &sel, e, out);
        }
    };
    let opts = eval::Run {
        now,
        format: a.input_format,
        chunk: tenet_runtime::source::CHUNK,
        keep: &keep,
        annotate: &annotate,
        render: &render,
        progress: &progress,
    };
    let mut table = Table::new(&tally, a.limit, &sel);
    let stdout = std::io::stdout();
    let mut writer = if json {
        match JsonWriter::start(
            std::io::BufWriter::with_capacity(1 << 20, stdout.lock()),
            meta,
            &rfc3339(now),
        ) {
            Ok(w) => Some(w),
            Err(e) => return write_failed(e),
        }
    } else {
        None
    };
    let table_mode = a.format == Format::Table;
    let warn_skipped = |s: &inventory::Skipped| {
        if table_mode {
            eprintln!("warning: {}:{}: skipped: {}", s.file, s.line, s.reason);
        }
    };
    let mut write_error = None;
    let mut history_error = None;
    if let Some(h) = history.as_mut().filter(|_| record) {
        if let Err(e) = h.stage() {
            error(e);
            return ERROR;
        }
    }
    let ran = eval::run(&loaded.standard, &inputs, &opts, &mut |items, bytes| {
        for item in &items {
            match item {
                eval::Item::Resource(e) => {
                    tally.add(e);
                    if let Some(h) = history
                        .as_mut()
                        .filter(|_| record && history_error.is_none())
                    {
                        for (i, rec) in meta.recommendations.iter().enumerate() {
                            let o = e.outcomes.get(i).copied().unwrap_or(Outcome::NotApplicable);
                            if matches!(o, Outcome::NotCompliant | Outcome::Error | Outcome::Exempt)
                            {
                                let row = super::history::Row {
                                    fingerprint: tenet_runtime::ci::fingerprint_of(
                                        &rec.id,
                                        &e.identity.id,
                                    ),
                                    recommendation: rec.id.clone(),
                                    resource: e.identity.id.clone(),
                                    state: o.as_str().into(),
                                };
                                if let Err(x) = h.add(&row) {
                                    history_error = Some(x);
                                    break;
                                }
                            }
                        }
                    }
                    if table_mode {
                        table.add(meta, &tally, &sel, e);
                    }
                    if collect {
                        for (i, rec) in meta.recommendations.iter().enumerate() {
                            let o = e.outcomes.get(i).copied().unwrap_or(Outcome::NotApplicable);
                            if sel.listed(o)
                                && sel.rec(&rec.id)
                                && sel.risk_ok(rec, meta, e, o)
                                && sel.new_ok(&rec.id, &e.identity.id)
                                && sel.owner_ok(e, i)
                            {
                                let mut f = report::finding(rec, meta, e, i);
                                f.group = group_by.map(|g| g.key(rec, &f));
                                if matches!(
                                    o,
                                    Outcome::NotCompliant | Outcome::Error | Outcome::Exempt
                                ) {
                                    f.history = sel.history_of(&rec.id, &e.identity.id, o);
                                }
                                collected.push(f);
                            }
                        }
                    }
                }
                eval::Item::Skipped(s) => {
                    warn_skipped(s);
                    tally.skip(s);
                }
                eval::Item::Filtered => {}
            }
        }
        if let Some(w) = writer.as_mut() {
            if let Err(e) = w.findings(&bytes) {
                write_error = Some(e);
                return Err(tenet_runtime::RuntimeError::Engine("output closed".into()));
            }
        }
        Ok(())
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if let Some(e) = write_error {
        return write_failed(e);
    }
    if let Err(e) = ran {
        error(e);
        return ERROR;
    }
    phases.mark("evaluate");
    if let Some(x) = &exemptions {
        tally.exemptions = x.statuses(now);
    }
    // The run is recorded whole once evaluated, before reports are written.
    if let Some(h) = history.as_mut().filter(|_| record) {
        let s = tally.finish();
        let run = super::history::RunSummary {
            at: rfc3339(now),
            standard: meta.standard.id.clone(),
            version: meta.standard.version.clone(),
            inventory: super::history::digest(&inputs),
            resources: s.resources as i64,
            unhealthy: (s.not_compliant.values().sum::<usize>() + s.errors) as i64,
            exempt: s.exempt as i64,
            score: s.secure_score.current,
            score_max: s.secure_score.max,
            percentage: s.secure_score.percentage,
            compliance: s.compliance,
            ..Default::default()
        };
        if let Some(e) = history_error.take() {
            error(e);
            return ERROR;
        }
        if let Err(e) = h.commit(&run, now) {
            error(e);
            return ERROR;
        }
    }
    if collect {
        let summary = tally.finish();
        for (format, path) in &outputs {
            let text = match format {
                Format::Sarif => {
                    serde_json::to_string_pretty(&tenet_runtime::ci::sarif(
                        meta,
                        &collected,
                        baseline.as_ref(),
                    ))
                    .unwrap_or_default()
                        + "\n"
                }
                Format::Junit => tenet_runtime::ci::junit(meta, &summary, &collected),
                Format::Github => tenet_runtime::ci::github(&collected),
                Format::Markdown => {
                    tenet_runtime::ci::markdown(meta, &summary, &collected, baseline.as_ref())
                }
                Format::Json | Format::Table => {
                    let mut buf = Vec::new();
                    let done =
                        JsonWriter::start(&mut buf, meta, &rfc3339(now)).and_then(|mut w| {
                            for f in &collected {
                                let mut one = b",\n    ".to_vec();
                                serde_json::to_writer(&mut one, f).map_err(std::io::Error::from)?;
                                w.findings(&one)?;
                            }
                            w.finish(&mut tally)
                        });
                    if let Err(e) = done {
                        return write_failed(e);
                    }
                    String::from_utf8_lossy(&buf).into_owned()
                }
            };
            let written = if path == "-" {
                std::io::Write::write_all(&mut std::io::stdout(), text.as_bytes())
            } else {
                super::write_atomic(std::path::Path::new(path), text.as_bytes())
            };
            if let Err(e) = written {
                return write_failed(e);
            }
        }
    }
    match writer {
        Some(w) => {
            if let Err(e) = w.finish(&mut tally) {
                return write_failed(e);
            }
        }
        None if score_format == Some(Format::Json) => {
            let summary = tally.finish();
            let out = serde_json::json!({
                "standard": meta.standard,
                "evaluated_at": rfc3339(now),
                "secure_score": summary.secure_score,
                "compliance": summary.compliance,
                "recommendations": tally.recommendations.iter().map(|r| serde_json::json!({
                    "id": r.id, "control": r.control, "state": r.state, "compliance": r.compliance,
                    "healthy": r.healthy, "unhealthy": r.unhealthy + r.errors, "exempt": r.exempt,
                })).collect::<Vec<_>>(),
                "exemptions": tally.exemptions,
            });
            println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
            return OK;
        }
        None if score_format.is_some() => {
            let summary = tally.finish();
            print!(
                "{}",
                report::render_score(
                    meta,
                    &summary,
                    &tally,
                    color(std::io::stdout().is_terminal())
                )
            );
            return OK;
        }
        None if table_mode && group_by.is_some() => print!(
            "{}",
            report::render_groups(
                meta,
                &mut tally,
                &collected,
                color(std::io::stdout().is_terminal())
            )
        ),
        None if table_mode => print!(
            "{}",
            table.render(meta, &mut tally, color(std::io::stdout().is_terminal()))
        ),
        None => {}
    }
    phases.mark("output");
    if let Some(path) = &a.baseline_out {
        let text = tenet_runtime::ci::Baseline::render(meta, &rfc3339(now), &collected);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            let _ = std::fs::create_dir_all(dir);
        }
        if let Err(e) = super::write_atomic(path, text.as_bytes()) {
            error(format!("cannot write {}: {e}", path.display()));
            return ERROR;
        }
        eprintln!(
            "baseline of {} findings written to {}",
            text.matches("\"fingerprint\"").count(),
            path.display()
        );
        return OK;
    }
    let threshold = severity_rank(&a.fail_on);
    if let Some(b) = &baseline {
        let failing: Vec<&report::Finding> = collected
            .iter()
            .filter(|f| matches!(f.state, Outcome::NotCompliant | Outcome::Error))
            .collect();
        let new: Vec<&&report::Finding> = failing.iter().filter(|f| !b.contains(f)).collect();
        eprintln!(
            "baseline: {} new finding{}, {} already in the baseline",
            new.len(),
            if new.len() == 1 { "" } else { "s" },
            failing.len() - new.len()
        );
        let fails = new.iter().any(|f| severity_rank(&f.severity) <= threshold);
        return if fails { FINDINGS } else { OK };
    }
    if tally.failing(threshold) {
        FINDINGS
    } else {
        OK
    }
}

/// The exit code for a report that could not be written (a closed pipe is not an error).
fn write_failed(e: std::io::Error) -> u8 {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        return OK;
    }
    error(format!("cannot write the report: {e}"));
    ERROR
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
    let lookups = super::interp_lookups(meta, resources);
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
