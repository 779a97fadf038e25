//! No compliance by absence: every resource of the real corpus in `../shared/corpus` is evaluated
//! by every built-in standard with its whole configuration removed (`Properties`, `properties`,
//! `values` or `spec`). A recommendation that reads that configuration must then come out
//! `not_compliant` (its condition is undecided), `not_applicable` or `error`, never `compliant`:
//! a gate must not pass what it could not see. Recommendations that read only what is left (the
//! type, the name, the namespace, top-level fields) are free to pass.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test on unexpected errors"
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tenet_runtime::inventory;
use tenet_stdlib::abi::Outcome;
use tenet_tests::*;

/// The members that hold a resource's configuration, per shape: CloudFormation `Properties`,
/// ARM and Azure `properties`, Terraform plan `values`, Kubernetes `spec`. Members that are the
/// content itself are not containers: a Role without `rules` grants nothing, a binding without
/// `subjects` binds nobody, and passing them is the truth.
const CONTAINERS: &[&str] = &["Properties", "properties", "values", "spec"];

const STANDARDS: &[&str] = &[
    "aws-foundations",
    "azure-security-baseline",
    "gcp-foundations",
    "kubernetes-pod-security",
];

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else if p
            .extension()
            .is_some_and(|e| ["json", "yaml", "yml"].contains(&e.to_str().unwrap_or("")))
        {
            out.push(p);
        }
    }
}

/// How many verdicts passed one (recommendation, type, removed members), and one file of them.
type Seen = (usize, String);

#[test]
fn no_built_in_recommendation_passes_a_resource_without_its_configuration() {
    let Some(corpus) = tenet_tests::corpus(
        "no_built_in_recommendation_passes_a_resource_without_its_configuration",
    ) else {
        return;
    };
    let mut paths = Vec::new();
    for framework in ["kubernetes", "arm", "cloudformation", "terraform_plan"] {
        files(&corpus.join("files").join(framework), &mut paths);
    }
    // The hollow copy of every resource that has a configuration container.
    let mut hollow = Vec::new();
    for path in &paths {
        let Ok(inv) = inventory::load(std::slice::from_ref(path)) else {
            continue; // unreadable files are the fidelity test's concern
        };
        for mut r in inv.resources {
            let Some(doc) = r.doc.as_object_mut() else {
                continue;
            };
            let removed: Vec<String> = CONTAINERS
                .iter()
                .filter(|k| doc.remove(**k).is_some())
                .map(|k| k.to_string())
                .collect();
            if !removed.is_empty() {
                hollow.push((r, removed));
            }
        }
    }
    assert!(hollow.len() > 1000, "only {} resources", hollow.len());
    let engine = engine();
    // recommendation -> (type, removed members) -> (verdicts, one file)
    let mut passed: BTreeMap<String, BTreeMap<(String, String), Seen>> = BTreeMap::new();
    let mut judged = 0usize;
    for name in STANDARDS {
        let c = builtin(name);
        let module = engine.load(&c.wasm).unwrap();
        // Results come in program order: the recommendations, then the risk factors.
        let recs = &c.program.recs;
        let reads: Vec<_> = recs
            .iter()
            .map(|r| tenet_compiler::ir::reads(&c.program, r))
            .collect();
        let resources: Vec<_> = hollow.iter().map(|(r, _)| r.clone()).collect();
        let results =
            tenet_runtime::eval::evaluate(&module, &resources, NOW, false, &|_| {}).unwrap();
        for ((r, removed), res) in hollow.iter().zip(&results) {
            for (i, x) in res.iter().enumerate() {
                if recs[i].factor {
                    continue;
                }
                let reads_removed = removed
                    .iter()
                    .any(|k| reads[i].all || reads[i].fields.contains_key(k));
                if !reads_removed || x.outcome == Outcome::NotApplicable {
                    continue;
                }
                judged += 1;
                if x.outcome == Outcome::Compliant {
                    let file = Path::new(&*r.origin.file);
                    let file = file.strip_prefix(corpus.join("files")).unwrap_or(file);
                    let e = passed
                        .entry(format!("{name}/{}", recs[i].meta.id))
                        .or_default()
                        .entry((r.identity.kind.clone(), removed.join("`, `")))
                        .or_insert((0, file.display().to_string()));
                    e.0 += 1;
                }
            }
        }
    }
    println!(
        "{} hollow resources, {judged} verdicts of recommendations that read the removed part",
        hollow.len()
    );
    let lines: Vec<String> = passed
        .iter()
        .flat_map(|(rec, by)| {
            by.iter().map(move |((kind, removed), (n, file))| {
                format!("{rec}: {n} × {kind} without `{removed}` (e.g. {file})")
            })
        })
        .collect();
    assert!(
        passed.is_empty(),
        "{} recommendations pass resources whose configuration is absent:\n{}",
        passed.len(),
        lines.join("\n")
    );
    assert!(judged > 1000, "only {judged} verdicts were judged");
}
