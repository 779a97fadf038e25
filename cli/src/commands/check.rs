//! `tenet check`, and `tenet score` and `tenet baseline create`, which share its flags: set up a
//! [`Session`] from the flags and the `.tenet/` settings, run it, record the history, write the
//! reports, and map the findings to an exit code.

pub use super::reports::Format;
use super::reports::{self, outputs};
use super::{
    color, error, input_error, load_standard, warn, write_atomic, Loaded, ERROR, FINDINGS, OK,
};
use crate::store::{History, Row, RunSummary};
use std::io::IsTerminal;
use std::path::PathBuf;
use tenet::check::{Checked, Session, Sinks, Tee};
use tenet::report::finding::Finding;
use tenet::report::frameworks;
use tenet::report::model::{rfc3339, unhealthy, unhealthy_or_exempt, RiskLevel, Severity};
use tenet::report::render::baseline::Baseline;
use tenet::report::render::{score, table};
use tenet::report::select::{GroupBy, Select};
use tenet::report::triage::Triage;
use tenet::runtime::iac::Format as InputFormat;
use tenet::runtime::input;
use tenet::runtime::{inventory, Engine};

/// What a run of the shared flags is for.
pub enum Mode {
    /// `tenet check`: report findings.
    Check,
    /// `tenet score`: print the secure score.
    Score,
    /// `tenet baseline create`: write the findings to this baseline file.
    Baseline(PathBuf),
}

/// Flags of `tenet check`.
#[derive(clap::Args)]
#[command(after_help = concat!("Examples:
  tenet check --standard examples/standard examples/inventory.json
  tenet check --standard example.wasm --format json inventories/ > report.json
  kubectl get pods -A -o json | tenet check --standard k8s.wasm -
  tenet check --standard examples/standard --explain storage-secure-transfer examples/inventory.json
  tenet check --standard k8s.wasm manifests/ --format github --output sarif=tenet.sarif --output junit=tenet.xml
  tenet check --standard aws-foundations templates/stack.yaml
  tenet check --standard azure-security-baseline infra/ --var-file prod.tfvars --var env=prod
  terraform show -json plan.out | tenet check --standard aws-foundations --input-format terraform-plan -

", check_exit_codes!()))]
pub struct Args {
    /// The standard: a .wasm module, a .tenet file, a directory of .tenet files, or a built-in
    /// name; default: `standard` in .tenet/config.yaml.
    #[arg(short, long)]
    pub standard: Option<String>,
    /// Inventory files or directories (JSON, JSON Lines, YAML, Terraform `.tf` and
    /// `.tf.json`); `-` reads standard input.
    #[arg(required = true)]
    pub inventory: Vec<PathBuf>,
    /// What the inputs hold: detected from each file's content by default (docs/inventories.md).
    #[arg(long, value_name = "FORMAT", default_value = "auto", value_parser = input_format)]
    pub input_format: InputFormat,
    /// A value for a variable of the Terraform root modules read (repeatable), applied after
    /// their terraform.tfvars and *.auto.tfvars; VALUE is HCL (`[22, 443]`) or else a string.
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = terraform_var)]
    pub var: Vec<(String, String)>,
    /// A Terraform variables file applied to the root modules read (repeatable), after their own
    /// *.tfvars and before --var.
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_file: Vec<PathBuf>,
    /// An ARM parameter file applied to every ARM template read (repeatable), after the
    /// template's own NAME.parameters.json beside it.
    #[arg(long = "parameters", value_name = "FILE")]
    pub parameters: Vec<PathBuf>,
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
    /// Only recommendations of these categories (comma-separated:
    /// misconfiguration,exposed-secret,vulnerability).
    #[arg(long, value_name = "CATEGORY", value_delimiter = ',', value_parser = ["misconfiguration", "exposed-secret", "vulnerability"])]
    pub category: Vec<String>,
    /// Only resources of these environments (comma-separated: azure,aws,gcp,kubernetes).
    #[arg(long, value_name = "ENV", value_delimiter = ',', value_parser = ["azure", "aws", "gcp", "kubernetes"])]
    pub environment: Vec<String>,
    /// Only recommendations of these workloads (their `workload` field; comma-separated).
    #[arg(long, value_name = "WORKLOAD", value_delimiter = ',')]
    pub workload: Vec<String>,
    /// Only recommendations of these controls (comma-separated).
    #[arg(long, value_name = "CONTROL", value_delimiter = ',')]
    pub control: Vec<String>,
    /// Only recommendations mapped to these frameworks (comma-separated: cis-aws, mcsb,
    /// nist-800-53, ...); `tenet score` then shows compliance per control of each.
    #[arg(long, value_name = "FRAMEWORK", value_delimiter = ',')]
    pub framework: Vec<String>,
    /// Only recommendations of these MITRE ATT&CK tactics (comma-separated, any case:
    /// "initial access,privilege escalation").
    #[arg(long, value_name = "TACTIC", value_delimiter = ',')]
    pub tactic: Vec<String>,
    /// Only findings at this risk level or above (critical, high, medium, low).
    #[arg(long, value_name = "LEVEL", value_parser = ["critical", "high", "medium", "low"])]
    pub risk: Option<String>,
    /// Group findings in every output: risk, title, severity, category, control,
    /// resource-type, environment, tactic, framework, owner, status.
    #[arg(long, value_name = "KEY", value_parser = GroupBy::NAMES.to_vec())]
    pub group_by: Option<String>,
    /// Lowest severity that makes the exit code 1; default: `fail_on` in .tenet/config.yaml,
    /// else low.
    #[arg(long, value_name = "SEVERITY", value_parser = ["high", "medium", "low"])]
    pub fail_on: Option<String>,
    /// List compliant and not-applicable results too (JSON).
    #[arg(long)]
    pub all: bool,
    /// Leave out paths below the directories given, in .gitignore syntax (`node_modules`,
    /// `charts/**/templates`); may repeat. `.gitignore` and `.ignore` files are honoured too.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Say which files of the directories were passed over, and why (not JSON or YAML, or
    /// nothing in them looks like infrastructure).
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// The repository's `exclude` list (`.tenet/config.yaml`), read with the other defaults.
    #[arg(skip)]
    pub rooted: super::Rooted,
    /// Whether an input that cannot be read or parsed fails the run (exit code 2) once every
    /// other input is evaluated and reported.
    #[arg(long, value_name = "BOOL", default_value_t = true, action = clap::ArgAction::Set)]
    pub fail_on_errors: bool,
    /// Accept a run that checked nothing (no resource that a selected recommendation applies
    /// to); without it such a run is an error (exit code 2), never a pass.
    #[arg(long)]
    pub allow_empty: bool,
    /// Exemptions (docs/exemptions.md); default: .tenet/exemptions.yaml when it exists.
    #[arg(long, value_name = "FILE")]
    pub exemptions: Option<PathBuf>,
    /// Refuse exemptions without an approver (`approved_by`) or an expiry (`expires`), and
    /// in-resource ones (tags, labels, annotations): their findings count as unhealthy; also
    /// `require_approval: true` in .tenet/config.yaml.
    #[arg(long)]
    pub require_approval: bool,
    /// Governance rules (docs/governance.md); default: .tenet/governance.yaml when it exists.
    #[arg(long, value_name = "FILE")]
    pub governance: Option<PathBuf>,
    /// Only findings of this governance status (needs governance rules).
    #[arg(long, value_name = "STATUS", value_parser = ["overdue", "on_time", "unassigned"])]
    pub status: Option<String>,
    /// Only findings assigned to this owner by the governance rules.
    #[arg(long, value_name = "OWNER")]
    pub owner: Option<String>,
    /// The history database (docs/history.md); default: history.db in the repository's .tenet/
    /// folder (found walking up from here), else .tenet/history.db here.
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Do not read or record the history (also TENET_NO_HISTORY=1).
    #[arg(long, env = "TENET_NO_HISTORY", value_parser = clap::builder::FalseyValueParser::new())]
    pub no_history: bool,
    /// Report only findings that were not open after the previous run of this standard.
    #[arg(long)]
    pub new_only: bool,
    /// Fail only on findings that are not in this baseline (see `tenet baseline create`).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Also write a report to a file, as FORMAT=PATH (json, sarif, junit, github, markdown, html,
    /// csv, ocsf, policy-report); may repeat. Files are replaced atomically.
    #[arg(long, value_name = "FORMAT=PATH")]
    pub output: Vec<String>,
    /// SARIF: each rule's help page, with `{standard}` and `{id}` filled in (e.g.
    /// `https://github.com/ORG/REPO/blob/main/docs/standards/{standard}.md#{id}`); default:
    /// `help_uri` in .tenet/config.yaml, else the recommendation's first web link.
    #[arg(long, value_name = "TEMPLATE")]
    pub help_uri: Option<String>,
    /// Unhealthy resources listed per recommendation in the table (0: all).
    #[arg(long, default_value = "20", value_name = "N")]
    pub limit: usize,
    /// Evaluation time (RFC 3339) for date functions; default: now.
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
    /// Do not use the cache of compiled modules.
    #[arg(long)]
    pub no_cache: bool,
    #[command(flatten)]
    pub limits: super::LimitArgs,
}

/// Parses `--input-format`.
/// A `--var NAME=VALUE`.
fn terraform_var(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err("expected NAME=VALUE".into()),
    }
}

impl Args {
    /// The values given to templates and modules: `--var`, `--var-file`, `--parameters`.
    pub fn given(&self) -> tenet::runtime::iac::Given {
        tenet::runtime::iac::Given {
            vars: self.var.clone(),
            var_files: self.var_file.clone(),
            arm_parameters: self.parameters.clone(),
        }
    }
}

pub fn input_format(name: &str) -> Result<InputFormat, String> {
    InputFormat::parse(name)
        .ok_or_else(|| format!("expected one of {}", InputFormat::NAMES.join(", ")))
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

/// The filters the flags ask for.
fn select(a: &Args) -> Result<Select, u8> {
    Ok(Select {
        all: a.all,
        recommendation: glob(&a.recommendation, "recommendation")?,
        resource: glob(&a.resource, "resource")?,
        severities: a
            .severity
            .iter()
            .filter_map(|s| Severity::parse(s))
            .collect(),
        workloads: a.workload.clone(),
        controls: a.control.clone(),
        environments: a.environment.clone(),
        risk: a.risk.as_deref().and_then(RiskLevel::parse),
        group_by: a.group_by.as_deref().and_then(GroupBy::parse),
        new_only: a.new_only,
        owner: a.owner.clone(),
        categories: a
            .category
            .iter()
            .filter_map(|c| tenet::stdlib::abi::Category::parse(c))
            .collect(),
        frameworks: a.framework.clone(),
        tactics: a.tactic.iter().map(|t| t.trim().to_string()).collect(),
        status: a.status.clone(),
    })
}

/// The triage the settings files ask for (without the history).
fn triage(a: &Args, now: f64) -> Result<Triage, u8> {
    let settings = |e: tenet::load::SettingsError| {
        input_error(&e.error, &e.text);
        ERROR
    };
    let exemptions = tenet::load::exemptions(a.exemptions.as_deref()).map_err(settings)?;
    let governance = tenet::load::governance(a.governance.as_deref()).map_err(settings)?;
    if governance.is_none() {
        let needs = [
            ("--owner", a.owner.is_some()),
            ("--status", a.status.is_some()),
        ];
        if let Some((flag, _)) = needs.iter().find(|(_, given)| *given) {
            error(format!(
                "{flag} needs governance rules: pass --governance FILE or create .tenet/governance.yaml"
            ));
            return Err(ERROR);
        }
    }
    let mut triage = Triage {
        exemptions,
        governance,
        history: None,
        now,
        ..Triage::default()
    };
    if a.require_approval {
        triage.refuse_unapproved();
    }
    Ok(triage)
}

fn read_baseline(path: Option<&std::path::Path>) -> Result<Option<Baseline>, u8> {
    let Some(p) = path else {
        return Ok(None);
    };
    match std::fs::read_to_string(p)
        .map_err(|e| e.to_string())
        .and_then(|t| Baseline::parse(&t))
    {
        Ok(b) => Ok(Some(b)),
        Err(e) => {
            error(format!(
                "{}: {e}; create one with `tenet baseline create`",
                p.display()
            ));
            Err(ERROR)
        }
    }
}

/// Fills what the flags leave out from the repository's `.tenet/config.yaml`: the standard, the
/// failing severity, and the report files (when no `--output` is given), and keeps its
/// `exclude` list for the walk. Flags always win.
fn with_config(mut a: Args) -> Result<Args, u8> {
    if let Some(c) = super::config()? {
        if a.standard.is_none() {
            a.standard = c.standard;
        }
        if a.fail_on.is_none() {
            a.fail_on = c.fail_on;
        }
        if a.output.is_empty() {
            a.output = c.outputs;
        }
        if a.help_uri.is_none() {
            a.help_uri = c.help_uri;
        }
        a.require_approval |= c.require_approval;
        a.limits = a.limits.or(&c.limits);
        a.rooted = Some((c.root, c.exclude));
    }
    if a.standard.is_none() {
        error("no standard: pass --standard NAME_OR_PATH, or set `standard` in .tenet/config.yaml");
        return Err(ERROR);
    }
    Ok(a)
}

/// Runs `tenet check`, `tenet score` or `tenet baseline create`.
pub fn run(a: Args, mode: Mode) -> u8 {
    let mut a = match with_config(a) {
        Ok(a) => a,
        Err(code) => return code,
    };
    if matches!(mode, Mode::Score) {
        if !matches!(a.format, Format::Table | Format::Json) {
            error("tenet score prints a table or JSON (--format table|json); use tenet check for other formats");
            return ERROR;
        }
        // The score counts: the table's counting, no report files.
        a.output.clear();
    }
    match check(&a, &mode) {
        Ok(code) | Err(code) => code,
    }
}

fn check(a: &Args, mode: &Mode) -> Result<u8, u8> {
    let mut phases = Phases(std::env::var_os("TENET_TIMING").map(|_| std::time::Instant::now()));
    let now = super::evaluation_time(a.now.as_deref(), super::clock).ok_or(ERROR)?;
    let select = select(a)?;
    let engine: Engine = super::engine(!a.no_cache, a.limits.limits()).ok_or(ERROR)?;
    let loaded: Loaded =
        load_standard(&engine, a.standard.as_deref().unwrap_or_default()).ok_or(ERROR)?;
    phases.mark("standard");
    let meta = &loaded.standard.metadata;
    if !meta.recommendations.iter().any(|r| select.rec(r)) {
        error(format!(
            "no recommendation of {} matches the filters ({}); nothing would be checked",
            meta.standard.id,
            filters_named(a)
        ));
        return Err(ERROR);
    }
    let inputs =
        super::list_inputs(&a.inventory, &a.exclude, a.rooted.clone(), a.verbose).ok_or(ERROR)?;
    let mut triage = triage(a, now)?;
    if let Some(rec) = &a.explain {
        let inv =
            inventory::load_inputs_as(&inputs, a.input_format, &a.given(), None).map_err(|e| {
                error(e);
                ERROR
            })?;
        let code = super::explain::run(&loaded, &inv.resources, rec, now, select.resource.as_ref());
        if code != OK {
            return Err(code);
        }
        // The exit code follows the recommendation's results after triage, as `check` reports
        // them: exempt resources do not fail it.
        let Some(idx) = meta.recommendations.iter().position(|r| r.id == *rec) else {
            return Err(ERROR);
        };
        let session = Session {
            standard: &loaded.standard,
            triage,
            select,
            input_format: a.input_format,
            given: a.given(),
        };
        let assessed = session.assess(&inv.resources).map_err(|e| {
            error(e);
            ERROR
        })?;
        // A resource that could not be evaluated is an error result, as in a full run.
        let mut failed = false;
        let mut explained: Vec<tenet::Outcome> = Vec::new();
        for e in &assessed {
            match e {
                Ok(e) if session.select.resource(&e.resource.identity) => {
                    explained.push(e.outcome(idx));
                }
                Ok(_) => {}
                Err(e) => {
                    super::input_error(e, "");
                    failed = true;
                    explained.push(tenet::Outcome::Error);
                }
            }
        }
        explained.retain(|o| *o != tenet::Outcome::NotApplicable);
        if explained.is_empty() && !a.allow_empty {
            error(format!(
                "`{rec}` applies to none of the {} resources read; nothing was checked (--allow-empty accepts it)",
                inv.resources.len()
            ));
            return Err(ERROR);
        }
        let threshold =
            Severity::parse(a.fail_on.as_deref().unwrap_or("low")).unwrap_or(Severity::Low);
        let fails = Severity::of(&meta.recommendations[idx].severity) >= threshold
            && explained.iter().any(|o| unhealthy(*o));
        if failed && a.fail_on_errors {
            return Err(ERROR);
        }
        return Ok(if fails { FINDINGS } else { OK });
    }
    // History: what the previous runs of this standard left open. A run that leaves resources
    // out would resolve their findings: it reads the history but does not record.
    let record =
        !a.no_history && !matches!(mode, Mode::Baseline(_)) && !select.leaves_resources_out();
    if a.new_only && a.no_history {
        error("--new-only needs the history; drop --no-history");
        return Err(ERROR);
    }
    // A history that cannot be opened or written never costs the report: the run goes on
    // unrecorded, with a warning (only --new-only, which needs it, fails).
    let db = a.db.clone().unwrap_or_else(super::default_db);
    let opened = (record || a.new_only).then(|| {
        let h = History::open(&db)?;
        let known = h.open_findings(&meta.standard.id)?;
        Ok::<_, crate::store::HistoryError>((h, known))
    });
    let mut history = match opened {
        None => None,
        Some(Ok((h, known))) => {
            if h.migrated {
                warn(format!(
                    "{}: recorded by an older tenet that named resources by id alone; its open findings start again from this run (every finding is new once)",
                    db.display()
                ));
            }
            triage.history = Some(known);
            Some(h)
        }
        Some(Err(e)) if a.new_only => {
            error(format!("{e} (--new-only needs the history)"));
            return Err(ERROR);
        }
        Some(Err(e)) => {
            warn(format!("{e}; this run is not recorded"));
            None
        }
    };
    let outputs = outputs(&a.output, a.format)?;
    let baseline = read_baseline(a.baseline.as_deref())?;
    let table_mode = a.format == Format::Table || matches!(mode, Mode::Score);
    let grouped_table = select.group_by.is_some() && table_mode;
    let collect = outputs.iter().any(|(f, _)| *f != Format::Json)
        || baseline.is_some()
        || matches!(mode, Mode::Baseline(_))
        || grouped_table;
    let session = Session {
        standard: &loaded.standard,
        triage,
        select,
        input_format: a.input_format,
        given: a.given(),
    };
    let total = input::total_bytes(&inputs);
    let bar = (std::io::stderr().is_terminal() && total >= 4 << 20 && !super::quiet()).then(|| {
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
    if let Some(h) = history.as_mut().filter(|_| record) {
        if let Err(e) = h.stage() {
            warn(format!("{e}; this run is not recorded"));
            history = None;
        }
    }
    let mut history_error = None;
    let threshold = Severity::parse(a.fail_on.as_deref().unwrap_or("low")).unwrap_or(Severity::Low);
    // Whether a listed finding fails the run: with finding filters (--new-only, --risk, --owner),
    // the exit code follows what is listed, not every result.
    let mut listed_failing = false;
    let mut observe = |e: &tenet::report::triage::Assessed| {
        if session.select.filters_findings() && !listed_failing {
            listed_failing = meta.recommendations.iter().enumerate().any(|(i, rec)| {
                unhealthy(e.outcome(i))
                    && Severity::of(&rec.severity) >= threshold
                    && session.select.admits(meta, i, rec, e)
            });
        }
        let Some(h) = history
            .as_mut()
            .filter(|_| record && history_error.is_none())
        else {
            return;
        };
        let key = e.resource.key();
        for (i, rec) in meta.recommendations.iter().enumerate() {
            let o = e.outcome(i);
            if unhealthy_or_exempt(o) {
                let row = Row {
                    fingerprint: tenet::report::fingerprint::fingerprint_of(&rec.id, &key),
                    recommendation: rec.id.clone(),
                    resource: e.resource.identity.id.clone(),
                    state: o.as_str().into(),
                };
                if let Err(x) = h.add(&row) {
                    history_error = Some(x);
                    return;
                }
            }
        }
    };
    let mut warn_skipped = |s: &tenet::runtime::resource::Skipped| {
        if table_mode {
            warn(format!("{}:{}: skipped: {}", s.file, s.line, s.reason));
        }
    };
    // The JSON report, streamed: to standard output and to every `--output json=` file, from
    // one encoder.
    let json_files: Vec<&String> = outputs
        .iter()
        .filter(|(f, _)| *f == Format::Json)
        .map(|(_, p)| p)
        .collect();
    let mut buffers: Vec<Vec<u8>> = vec![Vec::new(); json_files.len()];
    // An input that cannot be read or parsed is an error result: said on standard error as it
    // happens (the table and the reports list them too), while everything else is evaluated.
    let mut report_failed = |e: &tenet::runtime::InputError| error(e);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
    let mut tee = Tee(Vec::new());
    if a.format == Format::Json && !matches!(mode, Mode::Score) {
        tee.0.push(&mut out);
    }
    for b in &mut buffers {
        tee.0.push(b);
    }
    let streamed = !tee.0.is_empty();
    let sinks = Sinks {
        json: streamed.then_some(&mut tee as &mut dyn std::io::Write),
        collect,
        table: table_mode.then_some(a.limit),
        observe: Some(&mut observe),
        skipped: Some(&mut warn_skipped),
        failed: Some(&mut report_failed),
        progress: Some(&progress),
    };
    let checked = session.check(&inputs, sinks);
    drop(tee);
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let Checked {
        mut tally,
        findings,
        table,
    } = match checked {
        Ok(c) => c,
        Err(tenet::check::CheckError::Write(e)) => return Err(write_failed(e)),
        Err(e) => {
            error(e);
            return Err(ERROR);
        }
    };
    drop(out);
    phases.mark("evaluate");
    // A run that judged nothing is not a pass: it says so and fails, unless asked to accept it.
    let applicable = tally.applicable();
    if applicable == 0 && !a.allow_empty {
        error(format!(
            "nothing was checked: {} resource{} read{}{}, and no selected recommendation applies \
             to any of them; check the inputs and the filters{}, or pass --allow-empty to accept \
             an empty run",
            tally.resources,
            if tally.resources == 1 { "" } else { "s" },
            match tally.skipped.len() {
                0 => String::new(),
                n => format!(" ({n} document{} skipped)", if n == 1 { "" } else { "s" }),
            },
            match tally.failed.len() {
                0 => String::new(),
                n => format!(", {n} input{} not readable", if n == 1 { "" } else { "s" }),
            },
            // Resources were read, but of types or shapes the standard does not cover.
            if tally.resources > 0 {
                " (`tenet standards --coverage STANDARD` lists the shapes each recommendation \
                 reads)"
            } else {
                ""
            }
        ));
        return Err(ERROR);
    }
    // The run is recorded whole once evaluated, before reports are written (a run that judged
    // nothing is not recorded).
    if let Some(h) = history.as_mut().filter(|_| record && applicable > 0) {
        let s = tally.finish();
        let run = RunSummary {
            at: rfc3339(now),
            standard: meta.standard.id.clone(),
            version: meta.standard.version.clone(),
            inventory: crate::store::digest(&inputs),
            resources: s.resources as i64,
            unhealthy: (s.not_compliant.values().sum::<usize>() + s.errors) as i64,
            exempt: s.exempt as i64,
            score: s.secure_score.current,
            score_max: s.secure_score.max,
            // A run with applicable results has a compliance; a score only where a control
            // applies (0 recorded otherwise).
            percentage: s.secure_score.percentage.unwrap_or(0.0),
            compliance: s.compliance.unwrap_or(0.0),
            ..Default::default()
        };
        let recorded = match history_error.take() {
            Some(e) => Err(e),
            None => h.commit(&run, now),
        };
        if let Err(e) = recorded {
            warn(format!("{e}; this run is not recorded"));
        }
    }
    let summary = tally.finish();
    let mut json_buffers = buffers.into_iter();
    let written = reports::Written {
        help_uri: a.help_uri.as_deref(),
        limit: a.limit,
        inputs: &a.inventory,
        meta,
        summary: &summary,
        tally: &tally,
        findings: &findings,
        baseline: baseline.as_ref(),
        history: history.as_ref(),
        now,
    };
    for (format, path) in &outputs {
        let text = match format {
            Format::Json | Format::Table => {
                String::from_utf8_lossy(&json_buffers.next().unwrap_or_default()).into_owned()
            }
            f => written.render(*f),
        };
        let done = if path == "-" {
            std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes())
        } else {
            write_atomic(std::path::Path::new(path), text.as_bytes())
        };
        done.map_err(write_failed)?;
    }
    let paint = color(std::io::stdout().is_terminal());
    // A failed input fails every mode.
    let input_failed = !tally.failed.is_empty() && a.fail_on_errors;
    match mode {
        Mode::Score if a.format == Format::Json => {
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
                "frameworks": frameworks::frameworks(meta, &tally, &a.framework),
            });
            outln!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
            return Ok(if input_failed { ERROR } else { OK });
        }
        Mode::Score => {
            out!("{}", score::render_score(meta, &summary, &tally, paint));
            if !a.framework.is_empty() {
                let fws = frameworks::frameworks(meta, &tally, &a.framework);
                out!("{}", score::render_frameworks(&fws, paint));
            }
            return Ok(if input_failed { ERROR } else { OK });
        }
        _ if grouped_table => out!(
            "{}",
            table::render_groups(meta, &mut tally, &findings, paint)
        ),
        _ if table_mode => {
            if let Some(t) = &table {
                out!("{}", t.render(meta, &mut tally, paint));
            }
        }
        _ => {}
    }
    phases.mark("output");
    if let Mode::Baseline(path) = mode {
        let text = Baseline::render(meta, &rfc3339(now), &findings);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            let _ = std::fs::create_dir_all(dir);
        }
        write_atomic(path, text.as_bytes()).map_err(|e| {
            error(format!("cannot write {}: {e}", path.display()));
            ERROR
        })?;
        super::note(format!(
            "baseline of {} findings written to {}",
            text.matches("\"fingerprint\"").count(),
            path.display()
        ));
        return Ok(if input_failed { ERROR } else { OK });
    }
    if let Some(b) = &baseline {
        let failing: Vec<&Finding> = findings.iter().filter(|f| unhealthy(f.state)).collect();
        let new: Vec<&&Finding> = failing.iter().filter(|f| !b.contains(f)).collect();
        super::note(format!(
            "baseline: {} new finding{}, {} already in the baseline",
            new.len(),
            if new.len() == 1 { "" } else { "s" },
            failing.len() - new.len()
        ));
        let fails = new.iter().any(|f| f.severity >= threshold);
        return Ok(if fails { FINDINGS } else { OK });
    }
    let fails = if session.select.filters_findings() {
        listed_failing
    } else {
        tally.failing(threshold)
    };
    if input_failed {
        let n = tally.failed.len();
        let s = if n == 1 { "" } else { "s" };
        error(format!(
            "{n} error result{s}: input{s} or resource{s} that could not be read or evaluated \
             (everything else was evaluated and reported); fix {} or pass \
             --fail-on-errors=false",
            if n == 1 { "it" } else { "them" }
        ));
        return Ok(ERROR);
    }
    Ok(if fails { FINDINGS } else { OK })
}

/// The filters given, for a message.
fn filters_named(a: &Args) -> String {
    let mut named = Vec::new();
    if let Some(r) = &a.recommendation {
        named.push(format!("--recommendation {r}"));
    }
    for (flag, values) in [
        ("--severity", &a.severity),
        ("--workload", &a.workload),
        ("--control", &a.control),
        ("--environment", &a.environment),
        ("--category", &a.category),
        ("--framework", &a.framework),
        ("--tactic", &a.tactic),
    ] {
        for v in values {
            named.push(format!("{flag} {v}"));
        }
    }
    if named.is_empty() {
        "none given".into()
    } else {
        named.join(", ")
    }
}

/// The exit code for a report that could not be written (a closed pipe is not an error).
fn write_failed(e: std::io::Error) -> u8 {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        return crate::term::CLOSED_PIPE;
    }
    error(format!("cannot write the report: {e}"));
    ERROR
}
