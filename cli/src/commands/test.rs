//! `tenet test`: runs the test cases that live next to a standard's policies and reports
//! failures with a diff, and coverage of recommendations and clauses. For every not-compliant
//! result with a fix, it also applies the fix and requires the resource to become compliant.
//!
//! Test files are YAML lists of cases in the standard's `tests/` folder (`*.yaml`):
//!
//! ```yaml
//! - name: privileged container in a deployment
//!   resource: {apiVersion: apps/v1, kind: Deployment, metadata: {name: web}, spec: {…}}
//!   others: []                 # more resources of the inventory, for cross-resource lookups
//!   expect:
//!     default: compliant       # every recommendation not named below
//!     k8s-no-privileged:
//!       state: not_compliant
//!       remediation: "Set securityContext.privileged to false …"   # optional, exact
//!       fix: [{op: set, path: /spec/x, value: false}]                # optional, exact
//!     k8s-no-host-pid: not_applicable
//!   risk_factors: [internet-exposure]   # optional: exactly the risk factors present
//! ```

use super::{color, error, policy_files, ERROR, FINDINGS, OK};
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use tenet::check::Session;
use tenet::report::finding::explain_reason;
use tenet::report::select::Select;
use tenet::report::triage::Triage;
use tenet::runtime::{inventory, Engine};
use tenet::stdlib::abi::Outcome;

/// Flags of `tenet test`.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  tenet test policies/kubernetes-pod-security
  tenet test policies --strict --coverage-threshold 80

A directory with .tenet files is one standard; otherwise each of its subdirectories that has
.tenet files is one. Cases are read from the standard's tests/*.yaml (format: docs/authoring.md).

Exit codes: 0 every case passes (and the coverage holds), 1 failures, 2 usage, policy or test-file errors.")]
pub struct Args {
    /// A standard's directory, or a directory of standards.
    pub dir: PathBuf,
    /// Fail unless every recommendation has a compliant, a not-compliant and a not-applicable case.
    #[arg(long)]
    pub strict: bool,
    /// Fail when fewer than this percentage of clauses were seen both true and false.
    #[arg(long, value_name = "PERCENT")]
    pub coverage_threshold: Option<f64>,
    /// Evaluation time (RFC 3339) for date functions; default: 2026-01-01T00:00:00Z, so results do not change with the day.
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
    #[command(flatten)]
    pub limits: super::LimitArgs,
}

/// One expected result: a state, or a state with the exact remediation and fix.
#[derive(Deserialize, Debug, Clone)]
#[serde(untagged)]
enum Expect {
    State(State),
    Full {
        state: State,
        #[serde(default)]
        remediation: Option<String>,
        #[serde(default)]
        fix: Option<Value>,
    },
}

#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum State {
    Compliant,
    NotCompliant,
    NotApplicable,
    Error,
    Exempt,
}

impl State {
    fn outcome(self) -> Outcome {
        match self {
            State::Compliant => Outcome::Compliant,
            State::NotCompliant => Outcome::NotCompliant,
            State::NotApplicable => Outcome::NotApplicable,
            State::Error => Outcome::Error,
            State::Exempt => Outcome::Exempt,
        }
    }
}

impl Expect {
    fn state(&self) -> State {
        match self {
            Expect::State(s) | Expect::Full { state: s, .. } => *s,
        }
    }
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    resource: Value,
    #[serde(default)]
    others: Vec<Value>,
    expect: BTreeMap<String, Expect>,
    /// The risk factors present on the resource, exactly (checked when given).
    #[serde(default)]
    risk_factors: Option<Vec<String>>,
}

/// The standards under `dir`: itself when it holds policy files, else its subdirectories that do.
fn standards(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let has_policies = |d: &Path| -> bool {
        std::fs::read_dir(d).is_ok_and(|rd| {
            rd.flatten()
                .any(|e| e.path().extension().is_some_and(|x| x == "tenet"))
        })
    };
    if has_policies(dir) {
        return Ok(vec![dir.to_path_buf()]);
    }
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir() && has_policies(p))
        .collect();
    out.sort();
    Ok(out)
}

fn test_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir.join("tests"))
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// Totals over every standard.
#[derive(Default)]
struct Totals {
    cases: usize,
    failed: usize,
    clauses: usize,
    covered: usize,
    missing_outcomes: Vec<String>,
}

/// Runs `tenet test`.
pub fn run(a: Args) -> u8 {
    // A fixed default clock, so date rules give the same result every day.
    let Some(now) = super::evaluation_time(a.now.as_deref(), || 1_767_225_600.0) else {
        return ERROR;
    };
    let dirs = match standards(&a.dir) {
        Ok(d) if !d.is_empty() => d,
        Ok(_) => {
            error(format!(
                "{} holds no standard (.tenet files)",
                a.dir.display()
            ));
            return ERROR;
        }
        Err(e) => {
            error(format!("cannot read {}: {e}", a.dir.display()));
            return ERROR;
        }
    };
    let limits = match super::config() {
        Ok(Some(c)) => a.limits.or(&c.limits),
        Ok(None) => a.limits,
        Err(code) => return code,
    };
    let engine = match Engine::new(None, limits.limits()) {
        Ok(e) => e,
        Err(e) => {
            error(e);
            return ERROR;
        }
    };
    let paint = color(std::io::stdout().is_terminal());
    let mut totals = Totals::default();
    for dir in dirs {
        if let Err(code) = run_standard(&engine, &dir, now, paint, &mut totals) {
            return code;
        }
    }
    let pct = if totals.clauses == 0 {
        100.0
    } else {
        100.0 * totals.covered as f64 / totals.clauses as f64
    };
    outln!(
        "\n{} cases, {} failed; clause coverage {:.1}% ({} of {} clauses seen both true and false)",
        totals.cases,
        totals.failed,
        pct,
        totals.covered,
        totals.clauses
    );
    let mut code = if totals.failed > 0 { FINDINGS } else { OK };
    if !totals.missing_outcomes.is_empty() {
        outln!(
            "recommendations without a case for every outcome:\n  {}",
            totals.missing_outcomes.join("\n  ")
        );
        if a.strict {
            code = FINDINGS;
        }
    }
    if let Some(t) = a.coverage_threshold {
        if pct < t {
            outln!("clause coverage {pct:.1}% is under the threshold of {t}%");
            code = FINDINGS;
        }
    }
    code
}

fn run_standard(
    engine: &Engine,
    dir: &Path,
    now: f64,
    paint: bool,
    totals: &mut Totals,
) -> Result<(), u8> {
    let files = policy_files(dir).map_err(|e| {
        error(format!("cannot read {}: {e}", dir.display()));
        ERROR
    })?;
    let c = tenet::compiler::compile_files(&files).map_err(|f| {
        eprint!("{}", f.render(super::color_stderr()));
        ERROR
    })?;
    let standard = engine.load(&c.wasm).map_err(|e| {
        error(e);
        ERROR
    })?;
    let meta = &c.metadata;
    let session = Session {
        standard: &standard,
        triage: Triage {
            now,
            ..Triage::default()
        },
        select: Select::default(),
        input_format: tenet::runtime::iac::Format::Auto,
        given: Default::default(),
    };
    let ids: Vec<&str> = meta.recommendations.iter().map(|r| r.id.as_str()).collect();
    outln!("{} ({})", meta.standard.id, dir.display());
    // Outcomes seen per recommendation; (clause, value) pairs seen.
    let mut seen: Vec<BTreeSet<Outcome>> = vec![BTreeSet::new(); ids.len()];
    // The same per variant (`applies … { … }` block) of each recommendation.
    let shapes: Vec<_> = meta.recommendations.iter().map(|r| r.shapes()).collect();
    let mut seen_shape: Vec<Vec<BTreeSet<Outcome>>> = shapes
        .iter()
        .map(|v| vec![BTreeSet::new(); v.len()])
        .collect();
    let mut clause_values: BTreeSet<(u32, u8)> = BTreeSet::new();
    let tests = test_files(dir);
    if tests.is_empty() {
        outln!("  no test files in {}", dir.join("tests").display());
    }
    for file in tests {
        let text = std::fs::read_to_string(&file).map_err(|e| {
            error(format!("cannot read {}: {e}", file.display()));
            ERROR
        })?;
        let cases: Vec<Case> =
            tenet::runtime::input::yaml::from_str(&file.display().to_string(), &text).map_err(
                |e| {
                    let at = match (e.line, e.col) {
                        (0, _) => String::new(),
                        (l, c) => format!(":{l}:{c}"),
                    };
                    error(format!("{}{at}: invalid test file: {}", e.file, e.message));
                    ERROR
                },
            )?;
        for case in cases {
            for k in case.expect.keys() {
                if k != "default" && !ids.contains(&k.as_str()) {
                    let hint = tenet::compiler::diagnostics::suggest(k, ids.iter().copied())
                        .map(|s| format!("; did you mean `{s}`?"))
                        .unwrap_or_default();
                    error(format!(
                        "{}: case `{}` expects a result of `{k}`, which this standard does not have{hint}",
                        file.display(),
                        case.name
                    ));
                    return Err(ERROR);
                }
            }
            let mut docs = vec![case.resource.clone()];
            docs.extend(case.others.iter().cloned());
            let mut inv = inventory::Inventory::default();
            let json = Value::Array(docs).to_string();
            inventory::read_bytes(
                &file.display().to_string(),
                json.as_bytes(),
                Some("json"),
                &mut inv,
            )
            .map_err(|e| {
                error(format!("case `{}`: {e}", case.name));
                ERROR
            })?;
            if inv.resources.len() != 1 + case.others.len() {
                error(format!(
                    "{}: case `{}`: every resource needs a type (`type`, or `apiVersion` and `kind`)",
                    file.display(),
                    case.name
                ));
                return Err(ERROR);
            }
            // The same triage as `tenet check` (in-resource exemptions).
            let results = session.assess(&inv.resources).map_err(|e| {
                error(format!("case `{}`: {e}", case.name));
                ERROR
            })?;
            let mine = &inv.resources[0];
            let got = match &results[0] {
                Ok(got) => got,
                Err(e) => {
                    error(format!("case `{}`: {e}", case.name));
                    return Err(ERROR);
                }
            };
            // Clause coverage from the reference interpreter's trace.
            let lookups = super::interp_lookups(meta, &inv.resources);
            let input = tenet::compiler::interp::Input {
                provider: &mine.identity.provider,
                kind: &mine.identity.kind,
                resource: &mine.doc,
                now,
                lookups: &lookups,
            };
            for i in 0..ids.len() {
                if let Some((_, steps)) = tenet::compiler::interp::trace(&c.program, &input, i) {
                    clause_values.extend(steps.iter().map(|s| (s.clause, s.tri)));
                }
            }
            let mut problems = Vec::new();
            if let Some(want) = &case.risk_factors {
                let present: Vec<String> = meta
                    .risk_factors
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| got.factors.contains(k))
                    .map(|(_, f)| f.id.clone())
                    .collect();
                let mut want = want.clone();
                want.sort();
                let mut have = present.clone();
                have.sort();
                if want != have {
                    problems.push(format!("risk factors: expected {want:?}, got {present:?}"));
                }
            }
            for (i, id) in ids.iter().enumerate() {
                let outcome = got.outcome(i);
                seen[i].insert(outcome);
                if let Some(k) = shapes[i]
                    .iter()
                    .position(|v| v.selects(&mine.identity.provider, &mine.identity.kind))
                {
                    seen_shape[i][k].insert(outcome);
                }
                let Some(want) = case.expect.get(*id).or_else(|| case.expect.get("default")) else {
                    continue;
                };
                if outcome != want.state().outcome() {
                    let why = explain_reason(meta, outcome, got.reason(i))
                        .map(|e| format!(" ({})", e.message))
                        .unwrap_or_default();
                    problems.push(format!(
                        "{id}: expected {}, got {}{why}",
                        want.state().outcome().as_str(),
                        outcome.as_str()
                    ));
                    continue;
                }
                if let Expect::Full {
                    remediation, fix, ..
                } = want
                {
                    let reason = got.reason(i);
                    if let Some(w) = remediation {
                        let g = reason
                            .and_then(|x| x.remediation.clone())
                            .unwrap_or_default();
                        if *w != g {
                            problems.push(format!(
                                "{id}: remediation differs\n      - {w}\n      + {g}"
                            ));
                        }
                    }
                    if let Some(w) = fix {
                        let g = reason.and_then(|x| x.fix.clone()).unwrap_or(Value::Null);
                        if *w != g {
                            problems.push(format!("{id}: fix differs\n      - {w}\n      + {g}"));
                        }
                    }
                }
            }
            // Every fix must make its recommendation compliant on this case.
            for (i, id) in ids.iter().enumerate() {
                let Some(ops) = got.reason(i).and_then(|x| x.fix.as_ref()) else {
                    continue;
                };
                let ops = ops.as_array().cloned().unwrap_or_default();
                // An empty fix changes nothing here (e.g. a `remove … where` with no match).
                if ops.is_empty() {
                    continue;
                }
                let fixed = tenet::runtime::fix::json_patch(&mine.doc, &ops).and_then(|p| {
                    let mut doc = mine.doc.clone();
                    tenet::runtime::fix::apply(&mut doc, &p).map(|()| doc)
                });
                let outcome = fixed.map_err(|e| e.to_string()).and_then(|doc| {
                    let mut rs = inv.resources.clone();
                    rs[0].doc = doc;
                    session
                        .assess(&rs)
                        .map_err(|e| e.to_string())
                        .and_then(|mut r| match r.swap_remove(0) {
                            Ok(a) => Ok(a.outcome(i)),
                            Err(e) => Err(e.to_string()),
                        })
                });
                match outcome {
                    Ok(Outcome::Compliant) => {}
                    Ok(o) => problems.push(format!(
                        "{id}: its fix leaves the resource {}; fix the policy's fix",
                        o.as_str()
                    )),
                    Err(e) => problems.push(format!("{id}: its fix does not apply: {e}")),
                }
            }
            totals.cases += 1;
            let (ok, bad) = if paint {
                ("\x1b[32mok\x1b[0m", "\x1b[1;31mFAIL\x1b[0m")
            } else {
                ("ok", "FAIL")
            };
            if problems.is_empty() {
                outln!("  {ok}   {}", case.name);
            } else {
                totals.failed += 1;
                outln!("  {bad} {}  ({})", case.name, file.display());
                for p in problems {
                    outln!("      {p}");
                }
            }
        }
    }
    for (i, id) in ids.iter().enumerate() {
        let rec = &meta.recommendations[i];
        // A recommendation whose `applies` covers everything cannot be not applicable.
        let everything = rec
            .applies
            .iter()
            .any(|a| a.provider == "*" && a.types.iter().any(|t| t == "*"));
        let mut need = vec![Outcome::Compliant, Outcome::NotCompliant];
        if !everything {
            need.push(Outcome::NotApplicable);
        }
        let lacking: Vec<&str> = need
            .iter()
            .filter(|o| !seen[i].contains(o))
            .map(|o| o.as_str())
            .collect();
        if !lacking.is_empty() {
            totals.missing_outcomes.push(format!(
                "{}/{id}: no {} case",
                meta.standard.id,
                lacking.join(", no ")
            ));
        }
        // Each block of a recommendation written per shape needs both verdicts of its own.
        if shapes[i].len() > 1 {
            for (v, got) in shapes[i].iter().zip(&seen_shape[i]) {
                let lacking: Vec<&str> = [Outcome::Compliant, Outcome::NotCompliant]
                    .iter()
                    .filter(|o| !got.contains(o))
                    .map(|o| o.as_str())
                    .collect();
                if !lacking.is_empty() {
                    let types: Vec<&str> = v
                        .applies
                        .iter()
                        .flat_map(|a| a.types.iter().map(String::as_str))
                        .collect();
                    let named = match types.as_slice() {
                        [one] => (*one).to_string(),
                        [first, rest @ ..] => format!("{first} and {} more types", rest.len()),
                        [] => String::new(),
                    };
                    totals.missing_outcomes.push(format!(
                        "{}/{id} for {named}: no {} case",
                        meta.standard.id,
                        lacking.join(", no ")
                    ));
                }
            }
        }
    }
    let n = meta.clauses.len();
    let covered = (0..n as u32)
        .filter(|c| clause_values.contains(&(*c, 0)) && clause_values.contains(&(*c, 1)))
        .count();
    totals.clauses += n;
    totals.covered += covered;
    Ok(())
}
