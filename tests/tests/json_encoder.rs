//! The JSON report's fast encoder (`JsonFindings`, which writes the parts of a finding that do
//! not depend on the resource once per recommendation) writes byte for byte what serialising the
//! `Finding` itself writes, for every state, with exemptions and governance in play.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test on unexpected errors"
)]

use std::path::{Path, PathBuf};
use tenet_report::finding::finding;
use tenet_report::render::json::JsonFindings;
use tenet_report::select::{GroupBy, Select};
use tenet_report::triage::Triage;
use tenet_runtime::{eval, inventory, Engine, Limits};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn the_streamed_encoder_writes_what_a_finding_serialises_to() {
    let standard_dir = root().join("examples/standard");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&standard_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "tenet"))
        .collect();
    files.sort();
    let wasm = tenet::compile_files(&files).unwrap();
    let standard = Engine::new(None, Limits::default())
        .unwrap()
        .load(&wasm)
        .unwrap();
    let meta = &standard.metadata;
    let inv = inventory::load(&[root().join("examples/inventory.json")]).unwrap();
    let now = 1_795_564_800.0;
    let triage = Triage {
        exemptions: tenet::load::exemptions(Some(
            &root().join("tests/fixtures/exemptions/example.yaml"),
        ))
        .unwrap(),
        governance: tenet::load::governance(Some(
            &root().join("tests/fixtures/governance/example.yaml"),
        ))
        .unwrap(),
        history: None,
        now,
        ..Triage::default()
    };
    let assessed: Vec<_> = eval::evaluate_all(&standard, &inv.resources, now, false)
        .unwrap()
        .into_iter()
        .map(|e| triage.apply(meta, e.expect("every resource is evaluated")))
        .collect();
    let encoder = JsonFindings::new(meta);
    let mut states = std::collections::BTreeSet::new();
    for select in [
        Select {
            all: true,
            ..Select::default()
        },
        Select::default(),
        Select {
            group_by: Some(GroupBy::Control),
            ..Select::default()
        },
    ] {
        let mut fast = Vec::new();
        let mut slow = Vec::new();
        for a in &assessed {
            encoder.render(meta, &select, a, &mut fast);
            for (i, rec) in meta.recommendations.iter().enumerate() {
                if select.admits(meta, i, rec, a) {
                    let mut f = finding(rec, meta, a, i);
                    f.group = select.group_by.map(|g| g.key(rec, &f));
                    states.insert(f.state.as_str());
                    slow.extend_from_slice(b",\n    ");
                    serde_json::to_writer(&mut slow, &f).unwrap();
                }
            }
        }
        assert!(!fast.is_empty());
        if fast != slow {
            let at = fast.iter().zip(&slow).take_while(|(a, b)| a == b).count();
            let show = |b: &[u8]| {
                String::from_utf8_lossy(&b[at.saturating_sub(300)..(at + 200).min(b.len())])
                    .into_owned()
            };
            panic!(
                "the encoders differ at byte {at}:\nfast: {}\nslow: {}",
                show(&fast),
                show(&slow)
            );
        }
    }
    for s in ["compliant", "not_compliant", "exempt", "not_applicable"] {
        assert!(states.contains(s), "no {s} finding was compared");
    }
}
