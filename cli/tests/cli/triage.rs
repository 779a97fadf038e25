//! Exemptions and governance: exempt findings, scores, owners and due dates across runs.

use crate::common::*;

#[test]
fn exemptions_score_and_their_reports() {
    fn run<'a>(args: &[&'a str]) -> Vec<&'a str> {
        let mut all = vec![
            "examples/standard",
            "examples/inventory.json",
            "--now",
            "2026-11-26T00:00:00Z",
            "--exemptions",
            "tests/fixtures/exemptions/example.yaml",
        ];
        all.extend_from_slice(args);
        all
    }
    let mut args = vec!["check", "--standard"];
    args.extend(run(&["--format", "json"]));
    let o = tenet(&args);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let exempt: Vec<(&str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["state"] == "exempt")
        .map(|f| {
            (
                f["recommendation"].as_str().unwrap(),
                f["exemption"]["id"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        exempt,
        vec![
            ("storage-secure-transfer", "legacy-export"),
            ("storage-min-tls", "legacy-export")
        ]
    );
    // The expired exemption no longer applies; the one that matches nothing is stale.
    assert_eq!(
        report["exemptions"],
        serde_json::json!([
            {"id": "legacy-export", "line": 3, "status": "active", "findings": 2},
            {"id": "old-bastion", "line": 11, "status": "expired", "findings": 1},
            {"id": "gone", "line": 17, "status": "stale", "findings": 0}
        ])
    );
    // Score arithmetic, by hand: DP-3 has 3 healthy, 1 unhealthy (2 exempt, counted in
    // neither): 4 x 3/4 = 3; NS-2 8 x 5/11 = 3.64; DP-8 4 x 1/2 = 2; LT-3 3 x 1/2 = 1.5;
    // PV-2 6 x 8/13 = 3.69; total 13.83 of 25 = 55.32%. Compliance (18 + 2) / 34 = 58.82%.
    let s = &report["summary"];
    assert_eq!(s["exempt"], 2);
    assert_eq!(s["compliance"], 58.82);
    assert_eq!(s["secure_score"]["current"], 13.83);
    assert_eq!(s["secure_score"]["max"], 25.0);
    assert_eq!(s["secure_score"]["percentage"], 55.32);
    let dp3 = &s["secure_score"]["controls"][0];
    assert_eq!(
        (dp3["id"].as_str(), dp3["current"].as_f64()),
        (Some("DP-3"), Some(3.0))
    );
    // SARIF shows exempt findings as accepted suppressions, and stays valid.
    let mut args = vec!["check", "--standard"];
    args.extend(run(&["--format", "sarif"]));
    let sarif: serde_json::Value = serde_json::from_str(&stdout(&tenet(&args))).unwrap();
    assert_valid_sarif(&sarif);
    let suppressed: Vec<&serde_json::Value> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 2);
    assert_eq!(suppressed[0]["suppressions"][0]["status"], "accepted");
    assert!(suppressed[0]["suppressions"][0]["justification"]
        .as_str()
        .unwrap()
        .contains("March migration"));
    // tenet score prints the same numbers and exits 0.
    let mut args = vec!["score", "--standard"];
    args.extend(run(&[]));
    let o = tenet(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    insta::assert_snapshot!("score_table", transcript(&o));
    // A resource may exempt itself with a tenet-exempt-<id> annotation, but the built-in
    // standards refuse it for high-severity recommendations.
    let o = tenet(&[
        "check",
        "--standard",
        "kubernetes-pod-security",
        "tests/fixtures/exemptions/inline.yaml",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let state = |id: &str| {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["recommendation"] == id)
            .unwrap()["state"]
            .clone()
    };
    assert_eq!(state("k8s-run-as-non-root"), "exempt");
    assert_eq!(state("k8s-no-privileged"), "not_compliant");
    // An invalid file is an error at its line and column, with the line shown.
    let o = tenet(&[
        "check",
        "--standard",
        "examples/standard",
        "examples/inventory.json",
        "--exemptions",
        "tests/fixtures/exemptions/bad-category.yaml",
    ]);
    assert_eq!(o.status.code(), Some(2));
    insta::assert_snapshot!("exemptions_error", transcript(&o));
}

#[test]
fn governance_due_dates_grace_and_overdue_across_runs() {
    let dir = scratch("governance");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("h.db");
    let run = |at: &str, extra: &[&str]| -> serde_json::Value {
        let mut args = vec![
            "check",
            "--standard",
            "examples/standard",
            "examples/inventory.json",
            "--governance",
            "tests/fixtures/governance/example.yaml",
            "--db",
            db.to_str().unwrap(),
            "--now",
            at,
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let o = tenet_recording(&args);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        serde_json::from_str(&stdout(&o)).unwrap()
    };
    let first = run("2026-11-01T00:00:00Z", &[]);
    let tls = |v: &serde_json::Value| {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["recommendation"] == "storage-min-tls")
            .unwrap()["governance"]
            .clone()
    };
    assert_eq!(
        tls(&first),
        serde_json::json!({"status": "on_time", "owner": "storage@example.com",
            "due": "2026-11-15T00:00:00Z", "rule": "storage-team", "grace": true})
    );
    // By hand: the three storage findings are in their grace period, so DP-3 keeps its 4 points:
    // 4 + 3.64 + 2 + 1.5 + 3.69 = 14.83 of 25.
    assert_eq!(first["summary"]["secure_score"]["current"], 14.83);
    // Fifteen days later the same findings (first seen on the 1st) are overdue, lose their
    // grace, and the score drops to 12.83 (DP-3: 4 x 3/6 = 2).
    let later = run("2026-11-16T00:00:00Z", &[]);
    assert_eq!(tls(&later)["status"], "overdue");
    assert_eq!(tls(&later)["due"], "2026-11-15T00:00:00Z");
    assert_eq!(later["summary"]["secure_score"]["current"], 12.83);
    let owners = later["summary"]["owners"].as_array().unwrap();
    let storage = owners
        .iter()
        .find(|o| o["owner"] == "storage@example.com")
        .unwrap();
    assert_eq!(
        (storage["unhealthy"].as_u64(), storage["overdue"].as_u64()),
        (Some(3), Some(3))
    );
    // --owner keeps that owner's findings only.
    let mine = run("2026-11-16T00:00:00Z", &["--owner", "secops@example.com"]);
    let listed = mine["findings"].as_array().unwrap();
    assert_eq!(listed.len(), 5);
    assert!(listed
        .iter()
        .all(|f| f["governance"]["owner"] == "secops@example.com"));
}

/// A control whose only unhealthy findings are within their grace period keeps its points in
/// the maximum and the current score, exactly as when they are exempt; without either, it
/// loses them.
#[test]
fn a_control_in_grace_keeps_its_points_like_an_exempt_one() {
    let dir = scratch("grace-control");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("std")).unwrap();
    write(
        "grace-control/std/standard.tenet",
        r#"standard grace "Grace" { version "1.0.0" }
control A "Host isolation" { points 4 }
control B "Images" { points 6 }
recommendation no-host-network "Pods should not use the host network" {
  severity high
  control A
  applies kubernetes "Pod"
  compliant when required(spec) and (spec.hostNetwork ?? false) == false
}
recommendation has-containers "Pods should run containers" {
  severity low
  control B
  applies kubernetes "Pod"
  compliant when length(spec.containers ?? []) > 0
}
"#
        .as_bytes(),
    );
    let pod = write(
        "grace-control/pod.yaml",
        b"apiVersion: v1\nkind: Pod\nmetadata: {name: edge, namespace: prod}\nspec:\n  hostNetwork: true\n  containers: [{name: app, image: nginx:1.25}]\n",
    );
    let governance = write(
        "grace-control/governance.yaml",
        b"version: 1\nrules:\n  - match: {recommendations: [no-host-network]}\n    owner: platform@example.com\n    timeframe_days: 30\n    grace_period: true\n",
    );
    let exemptions = write(
        "grace-control/exemptions.yaml",
        b"version: 1\nexemptions:\n  - id: edge\n    recommendations: [no-host-network]\n    scope: {resources: edge}\n    category: mitigated\n    justification: The edge proxy binds the node's ports by design.\n",
    );
    let db = dir.join("h.db");
    let standard = dir.join("std");
    let score = |extra: &[&str]| -> (serde_json::Value, serde_json::Value) {
        let mut args = vec![
            "check",
            "--standard",
            standard.to_str().unwrap(),
            pod.to_str().unwrap(),
            "--now",
            NOW,
            "--db",
            db.to_str().unwrap(),
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let o = tenet_recording(&args);
        let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        let s = &report["summary"]["secure_score"];
        (s["current"].clone(), s["max"].clone())
    };
    let (current, max) = score(&[]);
    assert_eq!(
        (current, max),
        (serde_json::json!(6.0), serde_json::json!(10.0))
    );
    let graced = score(&["--governance", governance.to_str().unwrap()]);
    let exempt = score(&["--exemptions", exemptions.to_str().unwrap()]);
    assert_eq!(exempt, (serde_json::json!(10.0), serde_json::json!(10.0)));
    assert_eq!(graced, exempt);
}
