//! Fidelity against real infrastructure: every built-in recommendation that names an equivalent
//! Checkov check is compared with Checkov 3.3.30's verdicts on the corpus of real files in
//! `../shared/corpus` (per-file scans), (file, resource) by (file, resource).
//!
//! Every disagreement must be listed, with its reason, in `docs/fidelity/differences.tsv`; every
//! listed one must still occur. Outside those, each check must agree on at least 99% of its
//! verdicts. The per-check figures are printed and must match the table in `docs/fidelity.md`
//! (`TENET_BLESS=1 cargo test -p tenet-tests --test fidelity` rewrites it).
#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test on unexpected errors"
)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use tenet_runtime::inventory;
use tenet_stdlib::abi::Outcome;
use tenet_tests::*;

/// Frameworks of the corpus tenet reads today, with the built-in standard that covers each.
const FRAMEWORKS: &[(&str, &str)] = &[
    ("kubernetes", "kubernetes-pod-security"),
    ("arm", "azure-security-baseline"),
    ("cloudformation", "aws-foundations"),
    ("terraform_plan", "aws-foundations"),
    ("terraform_plan", "azure-security-baseline"),
    ("terraform_plan", "gcp-foundations"),
    ("terraform", "aws-foundations"),
    ("terraform", "azure-security-baseline"),
    ("terraform", "gcp-foundations"),
];

/// Checkov's resource id of a tenet resource. ARM resources are matched by type and position
/// among the resources of that type in their file ([`arm_key`]).
fn checkov_id(framework: &str, r: &tenet_runtime::resource::Resource) -> String {
    let r = &r.identity;
    match framework {
        "kubernetes" => format!(
            "{}.{}.{}",
            r.kind,
            r.namespace.as_deref().unwrap_or("default"),
            r.name
        ),
        "cloudformation" => format!("{}.{}", r.kind, r.name),
        // Checkov names a data source of Terraform source without the `data.` of its address
        // and without its instance key.
        "terraform" => match r.id.strip_prefix("data.") {
            Some(d) => d.split('[').next().unwrap_or(d).to_string(),
            None => r.id.clone(),
        },
        _ => r.id.clone(),
    }
}

/// The type of a Checkov ARM resource id `<type>.<name expression>`: it ends at the first dot
/// after its namespace.
fn arm_type(resource: &str) -> &str {
    let slash = resource.find('/').unwrap_or(0);
    let end = resource[slash..]
        .find('.')
        .map_or(resource.len(), |i| slash + i);
    &resource[..end]
}

/// ARM resources are keyed `<type>#<k>`, the k-th of that type in the file: Checkov names them
/// by a partly rendered copy of their name expression, and its line numbers are sometimes those
/// of a substituted parameter value, but both list them in file order. `resources` are
/// (id, first line) pairs; the result maps ids to keys.
fn arm_keys<'a>(
    resources: impl Iterator<Item = (&'a str, &'a str, usize)>,
) -> HashMap<String, String> {
    let mut sorted: Vec<(usize, &str, &str)> = resources.map(|(id, ty, l)| (l, id, ty)).collect();
    sorted.sort();
    sorted.dedup();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut out = HashMap::new();
    for (_, id, ty) in sorted {
        let k = seen.entry(ty).or_default();
        out.entry(id.to_string())
            .or_insert_with(|| format!("{ty}#{k}"));
        *k += 1;
    }
    out
}

/// One compared verdict.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Difference {
    framework: String,
    check: String,
    file: String,
    resource: String,
    checkov: String,
    tenet: String,
}

fn documented() -> BTreeMap<Difference, String> {
    let text = std::fs::read_to_string(root().join("docs/fidelity/differences.tsv")).unwrap();
    let mut out = BTreeMap::new();
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(
            f.len(),
            7,
            "differences.tsv: 7 columns expected in {line:?}"
        );
        out.insert(
            Difference {
                framework: f[0].into(),
                check: f[1].into(),
                file: f[2].into(),
                resource: f[3].into(),
                checkov: f[4].into(),
                tenet: f[5].into(),
            },
            f[6].to_string(),
        );
    }
    out
}

#[test]
fn built_in_standards_agree_with_checkov() {
    let Some(corpus) = tenet_tests::corpus("built_in_standards_agree_with_checkov") else {
        return;
    };
    let engine = engine();
    let documented = documented();
    let mut found = BTreeSet::new();
    // check -> (agree, compared, documented differences)
    let mut table: BTreeMap<(String, String), (usize, usize, usize)> = BTreeMap::new();
    let mut unreadable = Vec::new();
    let mut refused: Vec<String> = Vec::new();
    for (framework, std_name) in FRAMEWORKS {
        let c = builtin(std_name);
        let module = engine.load(&c.wasm).unwrap();
        // Checkov check id -> indexes of the recommendations that name it.
        let mut by_check: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, r) in c.metadata.recommendations.iter().enumerate() {
            // Only the recommendations that apply to a Terraform type claim to judge Terraform
            // plans and source.
            let terraform = r.applies.iter().any(|a| {
                a.types.iter().any(|t| {
                    ["aws_", "azurerm_", "google_"]
                        .iter()
                        .any(|p| t.starts_with(p))
                })
            });
            if framework.starts_with("terraform") && !terraform {
                continue;
            }
            for id in r.refs.get("checkov").into_iter().flatten() {
                by_check.entry(id.clone()).or_default().push(i);
            }
        }
        let oracle =
            std::fs::read_to_string(corpus.join(format!("oracle/perfile/{framework}.jsonl")))
                .unwrap();
        let mut records: BTreeMap<String, Vec<serde_json::Value>> = BTreeMap::new();
        // Every resource Checkov saw per file, with its first line (for ARM keys).
        let mut seen: HashMap<String, Vec<(String, usize)>> = HashMap::new();
        for line in oracle.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            seen.entry(v["file"].as_str().unwrap_or_default().to_string())
                .or_default()
                .push((
                    v["resource"].as_str().unwrap_or_default().to_string(),
                    v["line_range"][0].as_u64().unwrap_or(0) as usize,
                ));
            let check = v["check_id"].as_str().unwrap_or_default();
            if by_check.contains_key(check) && v["result"] != "skipped" {
                let file = v["file"].as_str().unwrap_or_default().to_string();
                records.entry(file).or_default().push(v);
            }
        }
        for (file, recs) in &records {
            let path = corpus.join("files").join(file);
            let inv = match inventory::load(std::slice::from_ref(&path)) {
                Ok(inv) => inv,
                // A mapping that repeats a key is refused on purpose (Kubernetes refuses it too):
                // which value counts would otherwise be the file's choice.
                Err(e) if e.message.contains("appears twice in this mapping") => {
                    refused.push(file.clone());
                    continue;
                }
                Err(e) => {
                    unreadable.push(format!("{file}: {e}"));
                    continue;
                }
            };
            let results =
                tenet_runtime::eval::evaluate(&module, &inv.resources, NOW, false, &|_| {})
                    .unwrap();
            let (ours, theirs) = if *framework == "arm" {
                let mut by_line: Vec<(usize, String, &str)> = inv
                    .resources
                    .iter()
                    .enumerate()
                    .map(|(i, r)| (r.origin.line, i.to_string(), r.identity.kind.as_str()))
                    .collect();
                by_line.sort();
                let ours = arm_keys(by_line.iter().map(|(l, i, t)| (i.as_str(), *t, *l)));
                let list = seen.get(file).map(Vec::as_slice).unwrap_or_default();
                let theirs = arm_keys(list.iter().map(|(r, l)| (r.as_str(), arm_type(r), *l)));
                (ours, theirs)
            } else {
                Default::default()
            };
            let mut outcome: HashMap<(String, usize), Outcome> = HashMap::new();
            // Each resource's (provider, type), to tell which recommendations select it.
            let mut kind: HashMap<String, (String, String)> = HashMap::new();
            for (n, (r, res)) in inv.resources.iter().zip(&results).enumerate() {
                let key = match ours.get(&n.to_string()) {
                    Some(k) => k.clone(),
                    None => checkov_id(framework, r),
                };
                kind.insert(
                    key.clone(),
                    (r.identity.provider.clone(), r.identity.kind.clone()),
                );
                for (i, x) in res.iter().enumerate() {
                    outcome.insert((key.clone(), i), x.outcome);
                }
            }
            for v in recs {
                let check = v["check_id"].as_str().unwrap_or_default();
                let raw = v["resource"].as_str().unwrap_or_default();
                let resource = theirs.get(raw).map_or(raw, String::as_str);
                let checkov = v["result"].as_str().unwrap_or_default();
                // Where several recommendations name the check (one per resource type), the
                // ones that select the resource are compared; if none does, all are, so a type
                // no recommendation covers shows as a difference.
                let named = &by_check[check];
                let selecting: Vec<usize> = named
                    .iter()
                    .copied()
                    .filter(|&i| {
                        kind.get(resource).is_some_and(|(p, k)| {
                            c.metadata.recommendations[i]
                                .shapes()
                                .iter()
                                .any(|v| v.selects(p, k))
                        })
                    })
                    .collect();
                let compared = if selecting.is_empty() {
                    named.clone()
                } else {
                    selecting
                };
                for i in compared {
                    let tenet = outcome
                        .get(&(resource.to_string(), i))
                        .map_or("absent", |o| o.as_str());
                    let agree = matches!(
                        (checkov, tenet),
                        ("passed", "compliant") | ("failed", "not_compliant")
                    );
                    let row = table
                        .entry((framework.to_string(), check.to_string()))
                        .or_default();
                    row.1 += 1;
                    if agree {
                        row.0 += 1;
                        continue;
                    }
                    let d = Difference {
                        framework: framework.to_string(),
                        check: check.into(),
                        file: file.clone(),
                        resource: resource.into(),
                        checkov: checkov.into(),
                        tenet: tenet.into(),
                    };
                    if documented.contains_key(&d) {
                        row.2 += 1;
                    }
                    found.insert(d);
                }
            }
        }
    }
    let mut out = String::from(
        "| framework | Checkov check | verdicts compared | agree | documented differences | agreement outside them |\n|---|---|---|---|---|---|\n",
    );
    let mut low = Vec::new();
    for ((fw, check), (agree, n, doc)) in &table {
        if n == doc {
            // Every verdict is a documented difference: nothing is left to agree on.
            out.push_str(&format!(
                "| {fw} | {check} | {n} | {agree} | {doc} | n/a |\n"
            ));
            continue;
        }
        let pct = 100.0 * *agree as f64 / (*n - *doc) as f64;
        out.push_str(&format!(
            "| {fw} | {check} | {n} | {agree} | {doc} | {pct:.1}% |\n"
        ));
        if pct < 99.0 {
            low.push(format!("{check}: {pct:.1}%"));
        }
    }
    println!("{out}");
    println!(
        "{} files left out: each repeats a YAML key, which tenet refuses",
        refused.len()
    );
    assert!(
        refused.len() <= 5,
        "more files refused than expected: {refused:?}"
    );
    let undocumented: Vec<String> = found
        .iter()
        .filter(|d| !documented.contains_key(*d))
        .map(|d| {
            format!(
                "{}\t{}\t{}\t{}\t{}\t{}\t<reason>",
                d.framework, d.check, d.file, d.resource, d.checkov, d.tenet
            )
        })
        .collect();
    let stale: Vec<&Difference> = documented.keys().filter(|d| !found.contains(*d)).collect();
    assert!(
        unreadable.is_empty(),
        "files tenet could not read:\n{}",
        unreadable.join("\n")
    );
    assert!(
        undocumented.is_empty(),
        "disagreements with Checkov that are neither fixed nor documented in docs/fidelity/differences.tsv:\n{}",
        undocumented.join("\n")
    );
    assert!(
        stale.is_empty(),
        "documented differences that no longer occur: {stale:?}"
    );
    assert!(low.is_empty(), "agreement under 99%: {low:?}");
    fresh_section(&root().join("docs/fidelity.md"), "fidelity", &out);
}
