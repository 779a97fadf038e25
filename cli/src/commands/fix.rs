//! `tenet fix`: shows, proves and applies the fixes of not-compliant resources.
//!
//! For each selected not-compliant finding the module's fix operations become a JSON Patch on
//! the resource (runtime::fix); the patched resources are evaluated again, and a finding counts
//! as fixed only when its recommendation is then compliant. `--write` changes the source files
//! (docs/fix.md says what is kept), each replaced atomically.

use super::{color, error, load_standard, ERROR, FINDINGS, OK};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use tenet::check::Session;
use tenet::report::finding::explain_reason;
use tenet::report::model::Severity;
use tenet::report::render::visible;
use tenet::report::select::Select;
use tenet::runtime::input::Input;
use tenet::runtime::resource::Resource;
use tenet::runtime::{fix, inventory};
use tenet::stdlib::abi::Outcome;
use tenet::stdlib::secret;

/// Output forms of `tenet fix`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Per resource: what is fixed, what is not and why, and a diff of the resource.
    Diff,
    /// Per resource: the statuses, the JSON Patch (RFC 6902) and the JSON Merge Patch (RFC 7396).
    Json,
    /// One REST-ready entry per resource: id, API path where known, merge-patch body.
    PatchJson,
}

/// Flags of `tenet fix`.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  tenet fix --standard azure-security-baseline inventory.json             show fixes (dry run)
  tenet fix --standard kubernetes-pod-security manifests/ --write --backup
  tenet fix --standard example.wasm --format patch-json inventory.json > patches.json

Every fix is proved: the patched resource is evaluated again against the whole standard;
each fixed recommendation must be compliant and no other may fail that passed before.
Only proved patches are written (--write) or printed (--format patch-json).
Exit codes: 0 every selected finding is fixed, 1 some are not fixable or a fix failed,
2 usage, input or policy errors.")]
pub struct Args {
    /// The standard: a .wasm module, a .tenet file, a directory of .tenet files, or a built-in name.
    #[arg(short, long)]
    pub standard: String,
    /// Inventory files or directories (JSON, JSON Lines, YAML); `-` reads standard input.
    #[arg(required = true)]
    pub inventory: Vec<PathBuf>,
    /// Only recommendations whose id matches this glob.
    #[arg(long, value_name = "GLOB")]
    pub recommendation: Option<String>,
    /// Only resources whose id or name matches this glob.
    #[arg(long, value_name = "GLOB")]
    pub resource: Option<String>,
    /// Only findings of this severity or higher.
    #[arg(long, value_parser = ["high", "medium", "low"])]
    pub severity: Option<String>,
    /// Output form.
    #[arg(short, long, value_enum, default_value = "diff")]
    pub format: Format,
    /// Show the fixes without writing anything (the default).
    #[arg(long, conflicts_with = "write")]
    pub dry_run: bool,
    /// Apply the fixes to the source files (atomically). Without it nothing is written.
    #[arg(long)]
    pub write: bool,
    /// With --write, keep each original as FILE.bak.
    #[arg(long, requires = "write")]
    pub backup: bool,
    /// With --write, also change files reached through symbolic links (the file a link points
    /// to is written; the link stays). Without it such files are refused.
    #[arg(long, requires = "write")]
    pub follow_symlinks: bool,
    /// Evaluation time (RFC 3339); default: now.
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
    /// Exemptions (docs/exemptions.md): exempt findings are not fixed; default:
    /// .tenet/exemptions.yaml when it exists.
    #[arg(long, value_name = "FILE")]
    pub exemptions: Option<PathBuf>,
    /// Refuse exemptions without an approver or an expiry, and in-resource ones, as `tenet check
    /// --require-approval` does: their findings are fixed; also `require_approval: true` in
    /// .tenet/config.yaml.
    #[arg(long)]
    pub require_approval: bool,
    /// Governance rules (docs/governance.md); default: .tenet/governance.yaml when it exists.
    #[arg(long, value_name = "FILE")]
    pub governance: Option<PathBuf>,
    /// Leave out paths below the directories given, in .gitignore syntax; may repeat (as for
    /// `tenet check`).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    #[command(flatten)]
    pub limits: super::LimitArgs,
}

/// What happened to one finding.
#[derive(Clone, Debug, PartialEq)]
enum Status {
    Fixed,
    NotFixable(String),
    Failed(String),
}

impl Status {
    fn name(&self) -> &'static str {
        match self {
            Status::Fixed => "fixed",
            Status::NotFixable(_) => "not fixable",
            Status::Failed(_) => "failed",
        }
    }
}

/// The fixes of one resource.
struct Planned {
    index: usize,
    statuses: Vec<(usize, Status)>,
    patch: Vec<Value>,
    after: Value,
}

fn glob(p: &Option<String>) -> Result<Option<globset::GlobMatcher>, String> {
    p.as_ref()
        .map(|g| {
            globset::Glob::new(g)
                .map(|g| g.compile_matcher())
                .map_err(|e| format!("invalid glob `{g}`: {e}"))
        })
        .transpose()
}

/// Runs `tenet fix`.
pub fn run(a: Args) -> u8 {
    let Some(now) = super::evaluation_time(a.now.as_deref(), super::clock) else {
        return ERROR;
    };
    let (rec_glob, res_glob) = match (glob(&a.recommendation), glob(&a.resource)) {
        (Ok(x), Ok(y)) => (x, y),
        (Err(e), _) | (_, Err(e)) => {
            error(e);
            return ERROR;
        }
    };
    let (rooted, limits, require_approval) = match super::config() {
        Ok(Some(c)) => (
            Some((c.root, c.exclude)),
            a.limits.or(&c.limits),
            a.require_approval || c.require_approval,
        ),
        Ok(None) => (None, a.limits, a.require_approval),
        Err(code) => return code,
    };
    let Some(engine) = super::engine(true, limits.limits()) else {
        return ERROR;
    };
    let Some(loaded) = load_standard(&engine, &a.standard) else {
        return ERROR;
    };
    let meta = &loaded.standard.metadata;
    let Some(inputs) = super::list_inputs(&a.inventory, &a.exclude, rooted, false) else {
        return ERROR;
    };
    if a.write && inputs.iter().any(|i| matches!(i, Input::Stdin)) {
        error("--write cannot change standard input; name the files instead");
        return ERROR;
    }
    let inv = match inventory::load_inputs(&inputs, None) {
        Ok(i) => i,
        Err(e) => {
            error(e);
            return ERROR;
        }
    };
    // The same triage as `tenet check`: exempt findings are not fixed.
    let settings = |e: tenet::load::SettingsError| {
        super::input_error(&e.error, &e.text);
        ERROR
    };
    let exemptions = match tenet::load::exemptions(a.exemptions.as_deref()) {
        Ok(x) => x,
        Err(e) => return settings(e),
    };
    let governance = match tenet::load::governance(a.governance.as_deref()) {
        Ok(x) => x,
        Err(e) => return settings(e),
    };
    let mut triage = tenet::report::triage::Triage {
        exemptions,
        governance,
        history: None,
        now,
        ..Default::default()
    };
    if require_approval {
        triage.refuse_unapproved();
    }
    let session = Session {
        standard: &loaded.standard,
        triage,
        select: Select::default(),
        input_format: tenet::runtime::iac::Format::Auto,
        given: Default::default(),
    };
    let assessed = match session.assess(&inv.resources) {
        Ok(r) => r,
        Err(e) => {
            error(e);
            return ERROR;
        }
    };
    let threshold = a
        .severity
        .as_deref()
        .and_then(Severity::parse)
        .unwrap_or(Severity::Low);
    // Plan: the fix operations of every selected not-compliant finding, per resource.
    let mut plans = Vec::new();
    for (i, (r, res)) in inv.resources.iter().zip(&assessed).enumerate() {
        if res_glob
            .as_ref()
            .is_some_and(|m| !m.is_match(&r.identity.id) && !m.is_match(&r.identity.name))
        {
            continue;
        }
        let mut statuses = Vec::new();
        let mut ops = Vec::new();
        let mut fixed_here = Vec::new();
        for (j, rec) in meta.recommendations.iter().enumerate() {
            let selected = rec_glob.as_ref().is_none_or(|m| m.is_match(&rec.id))
                && Severity::of(&rec.severity) >= threshold;
            if !selected {
                continue;
            }
            // What was not evaluated is not silently passed over: it is reported as failed, as
            // `tenet check` reports an error result.
            let res = match res {
                Ok(res) if res.outcome(j) == Outcome::Error => {
                    let why = explain_reason(meta, Outcome::Error, res.reason(j))
                        .map_or_else(|| "evaluation failed".into(), |e| e.message);
                    statuses.push((j, Status::Failed(format!("not evaluated: {why}"))));
                    continue;
                }
                Ok(res) => res,
                Err(e) => {
                    statuses.push((j, Status::Failed(e.message.clone())));
                    continue;
                }
            };
            if res.outcome(j) != Outcome::NotCompliant {
                continue;
            }
            match res.reason(j).and_then(|x| x.fix.as_ref()) {
                Some(Value::Array(o)) if !o.is_empty() => {
                    ops.extend(o.iter().cloned());
                    fixed_here.push(j);
                }
                _ if rec.fix.is_empty() => {
                    statuses.push((j, Status::NotFixable("no fix is defined".into())))
                }
                _ if rec
                    .shapes()
                    .iter()
                    .find(|v| v.selects(&r.identity.provider, &r.identity.kind))
                    .is_none_or(|v| v.fix.is_empty()) =>
                {
                    statuses.push((
                        j,
                        Status::NotFixable(format!("no fix is defined for {}", r.identity.kind)),
                    ))
                }
                Some(Value::Array(_)) => statuses.push((
                    j,
                    Status::NotFixable(
                        "the fix changes nothing on this resource; change it by hand".into(),
                    ),
                )),
                _ => statuses.push((
                    j,
                    Status::NotFixable("a value the fix needs is missing from the resource".into()),
                )),
            }
        }
        if statuses.is_empty() && fixed_here.is_empty() {
            continue;
        }
        let (patch, after) = match fix::json_patch(&r.doc, &ops).and_then(|p| {
            let mut after = r.doc.clone();
            fix::apply(&mut after, &p).map(|()| (p, after))
        }) {
            Ok(x) => x,
            Err(e) => {
                for j in fixed_here.drain(..) {
                    statuses.push((j, Status::Failed(e.to_string())));
                }
                (Vec::new(), r.doc.clone())
            }
        };
        statuses.extend(fixed_here.into_iter().map(|j| (j, Status::Fixed)));
        statuses.sort_by_key(|(j, _)| *j);
        plans.push(Planned {
            index: i,
            statuses,
            patch,
            after,
        });
    }
    // Proof: every fix must make its recommendation compliant.
    let patched: Vec<Resource> = plans
        .iter()
        .map(|p| Resource {
            doc: p.after.clone(),
            ..inv.resources[p.index].clone()
        })
        .collect();
    let again = match session.assess(&patched) {
        Ok(r) => r,
        Err(e) => {
            error(e);
            return ERROR;
        }
    };
    for (p, res) in plans.iter_mut().zip(&again) {
        for (j, st) in &mut p.statuses {
            let res = match res {
                Ok(res) => res,
                Err(e) => {
                    if *st == Status::Fixed {
                        *st = Status::Failed(format!("the patched resource: {}", e.message));
                    }
                    continue;
                }
            };
            let after = res.outcome(*j);
            if *st == Status::Fixed && after != Outcome::Compliant {
                let why = explain_reason(meta, after, res.reason(*j))
                    .map_or_else(String::new, |e| e.message);
                *st = Status::Failed(format!(
                    "the patched resource is still {}: {why} (a bug in the policy's fix)",
                    after.as_str()
                ));
            }
        }
        // The whole standard, not only the fixed recommendations: a fix may not make the
        // resource fail a recommendation it passed (or was not judged by) before.
        let (Ok(before), Ok(after)) = (&assessed[p.index], res) else {
            continue;
        };
        let created: Vec<&str> = (0..meta.recommendations.len())
            .filter(|&k| {
                matches!(
                    before.outcome(k),
                    Outcome::Compliant | Outcome::NotApplicable
                ) && matches!(after.outcome(k), Outcome::NotCompliant | Outcome::Error)
            })
            .map(|k| meta.recommendations[k].id.as_str())
            .collect();
        if !created.is_empty() {
            for (_, st) in &mut p.statuses {
                if *st == Status::Fixed {
                    *st = Status::Failed(format!(
                        "the patched resource would fail {}, which it passed before; a fix may \
                         not create another finding",
                        created.join(", ")
                    ));
                }
            }
        }
    }
    let code = if plans
        .iter()
        .all(|p| p.statuses.iter().all(|(_, s)| *s == Status::Fixed))
    {
        OK
    } else {
        FINDINGS
    };
    let paint = color(std::io::stdout().is_terminal());
    match a.format {
        Format::Diff => out!(
            "{}",
            render_diff(meta, &inv.resources, &plans, paint, a.write)
        ),
        Format::Json => {
            let out: Vec<Value> = plans
                .iter()
                .map(|p| {
                    let r = &inv.resources[p.index];
                    // A patch that failed its proof is not offered.
                    let proven = is_proven(p);
                    json!({
                        "resource": r.head(),
                        "fixes": p.statuses.iter().map(|(j, s)| status_json(meta, *j, s)).collect::<Vec<_>>(),
                        "json_patch": if proven { json!(p.patch) } else { Value::Null },
                        "merge_patch": if proven { fix::merge_patch(&r.doc, &p.after) } else { Value::Null },
                    })
                })
                .collect();
            outln!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        }
        Format::PatchJson => {
            // Only patches whose every fix was proved: an API client applies what it gets.
            let out: Vec<Value> = plans
                .iter()
                .filter(|p| is_proven(p))
                .map(|p| {
                    let r = &inv.resources[p.index];
                    json!({
                        "id": r.identity.id,
                        "method": "PATCH",
                        "path": api_path(r),
                        "content_type": "application/merge-patch+json",
                        "body": fix::merge_patch(&r.doc, &p.after),
                    })
                })
                .collect();
            outln!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        }
    }
    if a.write && !write_files(&inv.resources, &plans, &a) {
        return ERROR;
    }
    code
}

/// Whether a resource has a patch and every one of its fixes was proved (none failed).
fn is_proven(p: &Planned) -> bool {
    !p.patch.is_empty()
        && !p
            .statuses
            .iter()
            .any(|(_, s)| matches!(s, Status::Failed(_)))
}

fn status_json(meta: &tenet::stdlib::abi::Metadata, j: usize, s: &Status) -> Value {
    let mut v = json!({"recommendation": meta.recommendations[j].id, "status": s.name()});
    if let Status::NotFixable(why) | Status::Failed(why) = s {
        v["reason"] = json!(why);
    }
    v
}

/// The REST path of a resource where tenet knows it: Azure resources with an id and an API version.
fn api_path(r: &Resource) -> Value {
    let api = r.doc.get("apiVersion").and_then(Value::as_str);
    let id = &r.identity;
    match (id.provider.as_str(), api) {
        ("azure", Some(v)) if id.id.starts_with("/subscriptions/") => {
            json!(format!("{}?api-version={v}", id.id))
        }
        _ => Value::Null,
    }
}

fn render_diff(
    meta: &tenet::stdlib::abi::Metadata,
    resources: &[Resource],
    plans: &[Planned],
    paint: bool,
    written: bool,
) -> String {
    use std::fmt::Write as _;
    let c = |code: &str, s: &str| {
        if paint {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    let mut out = String::new();
    let mut counts = BTreeMap::new();
    for p in plans {
        let r = &resources[p.index];
        let _ = writeln!(
            out,
            "{} ({})  {}",
            c("1", &visible(&r.identity.name)),
            visible(&r.identity.kind),
            c(
                "2",
                &format!("{}:{}", visible(&r.origin.file), r.origin.line)
            )
        );
        for (j, s) in &p.statuses {
            *counts.entry(s.name()).or_insert(0usize) += 1;
            let label = match s {
                Status::Fixed => c("32", "fixed      "),
                Status::NotFixable(_) => c("33", "not fixable"),
                Status::Failed(_) => c("1;31", "failed     "),
            };
            let why = match s {
                Status::Fixed => String::new(),
                Status::NotFixable(w) | Status::Failed(w) => format!("  ({})", visible(w)),
            };
            let _ = writeln!(out, "  {label} {}{why}", meta.recommendations[*j].id);
        }
        if !p.patch.is_empty() {
            // What a person reads has the resource's secrets masked, before and after; the
            // machine formats and `--write` carry the exact values they apply.
            let mut found = Vec::new();
            let before = secret::redact(&r.doc, None, &mut found).unwrap_or_else(|| r.doc.clone());
            let after = secret::redact(&p.after, None, &mut found);
            let after = after.unwrap_or_else(|| p.after.clone());
            let patch = serde_json::to_value(&p.patch).unwrap_or_default();
            let patch = secret::scrub_value(&patch, &found).unwrap_or(patch);
            let _ = writeln!(
                out,
                "  {} {}",
                c("2", "json patch: "),
                serde_json::to_string(&patch).unwrap_or_default()
            );
            let _ = writeln!(
                out,
                "  {} {}",
                c("2", "merge patch:"),
                serde_json::to_string(&fix::merge_patch(&before, &after)).unwrap_or_default()
            );
            let before = serde_json::to_string_pretty(&before).unwrap_or_default() + "\n";
            let after = serde_json::to_string_pretty(&after).unwrap_or_default() + "\n";
            let diff = similar::TextDiff::from_lines(&before, &after);
            for hunk in diff.unified_diff().context_radius(2).iter_hunks() {
                for line in hunk.to_string().lines() {
                    let line = match line.chars().next() {
                        Some('+') => c("32", line),
                        Some('-') => c("31", line),
                        Some('@') => c("36", line),
                        _ => line.to_string(),
                    };
                    let _ = writeln!(out, "    {line}");
                }
            }
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "{} fixed, {} not fixable, {} failed, in {} resource{}{}",
        counts.get("fixed").unwrap_or(&0),
        counts.get("not fixable").unwrap_or(&0),
        counts.get("failed").unwrap_or(&0),
        plans.len(),
        if plans.len() == 1 { "" } else { "s" },
        if written {
            ""
        } else {
            "; nothing was written (use --write to apply)"
        }
    );
    out
}

/// Applies the patched documents to their source files, each replaced atomically and only when
/// it is still what was read. A file that cannot be written is reported and the others are
/// still written; returns whether every file was.
fn write_files(resources: &[Resource], plans: &[Planned], a: &Args) -> bool {
    let mut by_file: BTreeMap<String, Vec<(&Resource, &Value)>> = BTreeMap::new();
    // A resource is written only when every one of its fixes was proved.
    for p in plans.iter().filter(|p| is_proven(p)) {
        let r = &resources[p.index];
        by_file
            .entry(r.origin.file.to_string())
            .or_default()
            .push((r, &p.after));
    }
    let mut all = true;
    for (file, edits) in by_file {
        match write_file(&file, &edits, a) {
            Ok(()) => super::note(format!("fixed {file}")),
            Err(e) => {
                error(e);
                all = false;
            }
        }
    }
    all
}

/// Rewrites one file: no symbolic link is followed below the path named on the command line
/// unless --follow-symlinks says so, and the file must not have changed since it was read.
fn write_file(file: &str, edits: &[(&Resource, &Value)], a: &Args) -> Result<(), String> {
    use crate::fsio;
    let listed = PathBuf::from(file);
    let path = if a.follow_symlinks {
        std::fs::canonicalize(&listed).map_err(|e| format!("cannot read {file}: {e}"))?
    } else {
        // Links above the path as named are the caller's choice; below it, a pull request's.
        let named = a
            .inventory
            .iter()
            .filter(|n| listed.starts_with(n))
            .max_by_key(|n| n.as_os_str().len())
            .unwrap_or(&listed);
        fsio::refuse_links(&listed, named).map_err(|e| format!("cannot write {file}: {e}"))?;
        listed
    };
    let (text, was) = fsio::read_checked(&path).map_err(|e| format!("cannot read {file}: {e}"))?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let rewrite = |edits: &[(&Resource, &Value)]| {
        tenet::runtime::fix::rewrite(file, &text, ext.as_deref(), Some(&path), edits)
    };
    // A resource that cannot be written back (a Terraform value set by an expression) is
    // reported, and the others of the file are still written.
    let mut refused = Vec::new();
    let new = match rewrite(edits) {
        Ok(new) => new,
        Err(_) if edits.len() > 1 => {
            let mut kept = Vec::new();
            for e in edits {
                match rewrite(std::slice::from_ref(e)) {
                    Ok(_) => kept.push(*e),
                    Err(err) => refused.push(format!("{file}: {}: {err}", e.0.identity.id)),
                }
            }
            if kept.is_empty() {
                return Err(refused.join("; "));
            }
            rewrite(&kept).map_err(|e| format!("{file}: {e}"))?
        }
        Err(e) => return Err(format!("{file}: {e}")),
    };
    if a.backup {
        let mut bak = path.clone().into_os_string();
        bak.push(".bak");
        // Replaced, never opened: a link planted under that name is replaced, not followed.
        fsio::replace(std::path::Path::new(&bak), text.as_bytes(), None)
            .map_err(|e| format!("cannot write {file}.bak: {e}"))?;
    }
    fsio::replace(&path, new.as_bytes(), Some(&was))
        .map_err(|e| format!("cannot write {file}: {e}"))?;
    if refused.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} (the other fixes of {file} were written)",
            refused.join("; ")
        ))
    }
}
