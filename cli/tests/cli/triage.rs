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

/// `--require-approval` (or `require_approval: true` in the configuration) refuses exemptions
/// without an approver or an expiry, and in-resource ones: their findings count again. An
/// exemption of every recommendation on every resource is flagged in any case: without approval
/// required it takes the score to 100%, which a reviewer must see.
#[test]
fn approval_can_be_required_and_wildcards_are_flagged() {
    let dir = scratch("require-approval");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join(".tenet")).unwrap();
    let exemptions = dir.join("exemptions.yaml");
    std::fs::write(
        &exemptions,
        "version: 1
exemptions:
  - id: approved
    recommendations: storage-secure-transfer
    scope: {resources: stlegacyexport}
    category: waiver
    justification: Deleted in March.
    approved_by: ciso@example.com
    expires: 2030-03-31
  - id: unapproved
    recommendations: storage-min-tls
    scope: {resources: stlegacyexport}
    category: waiver
    justification: Deleted in March.
    expires: 2030-03-31
  - id: everything
    recommendations: '*'
    scope: {resources: '*'}
    category: waiver
    justification: Not now.
",
    )
    .unwrap();
    // A storage account that exempts itself with a tag.
    let tagged = dir.join("tagged.json");
    std::fs::write(
        &tagged,
        r#"[{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/sttagged", "name": "sttagged", "type": "Microsoft.Storage/storageAccounts", "location": "westeurope", "tags": {"tenet-exempt-storage-min-tls": "Read-only archive."}, "properties": {"supportsHttpsTrafficOnly": true, "minimumTlsVersion": "TLS1_0"}}]"#,
    )
    .unwrap();
    let standard = root().join("examples/standard");
    let inventory = root().join("examples/inventory.json");
    let run = |inputs: &[&std::path::Path], flags: &[&str], in_dir: bool| {
        let mut args = vec![
            "check".to_string(),
            "--standard".into(),
            standard.display().to_string(),
            "--now".into(),
            NOW.into(),
        ];
        args.extend(inputs.iter().map(|p| p.display().to_string()));
        args.extend(flags.iter().map(|f| f.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut c = tenet_command(&args);
        if in_dir {
            c.current_dir(&dir);
        }
        c.output().unwrap()
    };
    let x = exemptions.to_str().unwrap();
    let json = |o: &std::process::Output| -> serde_json::Value {
        serde_json::from_str(&stdout(o)).unwrap()
    };

    // Without approval required, the wildcard exempts everything: 100%, and a warning says so.
    let o = run(&[&inventory], &["--exemptions", x], false);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains(
            "warning: exemption everything (line 16) is broad: it exempts every recommendation on \
             every resource; narrow it to what it is meant for"
        ),
        "{}",
        stdout(&o)
    );
    let r = json(&run(
        &[&inventory],
        &["--exemptions", x, "--format", "json"],
        false,
    ));
    assert_eq!(r["summary"]["secure_score"]["percentage"], 100.0);
    assert_eq!(
        r["exemptions"][2]["warning"],
        "it exempts every recommendation on every resource"
    );

    // With approval required: only the approved exemption applies.
    let o = run(
        &[&inventory, &tagged],
        &["--exemptions", x, "--require-approval"],
        false,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let table = stdout(&o);
    for line in [
        "warning: exemption unapproved (line 10) is refused: it has no `approved_by` (approval is required); 1 finding(s) it would cover count",
        "warning: exemption tag:tenet-exempt-* is refused: in-resource exemptions (tags, labels, annotations) have no approver and no expiry (approval is required); 1 finding(s) it would cover count",
    ] {
        assert!(table.contains(line), "{line}\n{table}");
    }
    let required = |in_dir: bool, flags: &[&str]| {
        let mut all = vec!["--exemptions", x, "--format", "json"];
        all.extend_from_slice(flags);
        json(&run(&[&inventory, &tagged], &all, in_dir))
    };
    let r = required(false, &["--require-approval"]);
    let status: Vec<(&str, &str, u64)> = r["exemptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["id"].as_str().unwrap(),
                e["status"].as_str().unwrap(),
                e["findings"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        status,
        vec![
            ("approved", "active", 1),
            ("unapproved", "refused", 1),
            ("everything", "refused", 16),
            ("tag:tenet-exempt-*", "refused", 1),
        ]
    );
    let state = |r: &serde_json::Value, rec: &str, name: &str| -> String {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["recommendation"] == rec && f["resource"]["name"] == name)
            .map(|f| f["state"].as_str().unwrap().to_string())
            .unwrap_or_default()
    };
    assert_eq!(
        state(&r, "storage-secure-transfer", "stlegacyexport"),
        "exempt"
    );
    assert_eq!(
        state(&r, "storage-min-tls", "stlegacyexport"),
        "not_compliant"
    );
    assert_eq!(state(&r, "storage-min-tls", "sttagged"), "not_compliant");
    assert!(r["summary"]["secure_score"]["percentage"].as_f64().unwrap() < 60.0);
    let flagged = r["exemptions"].clone();
    // Without the flag the finding is exempt.
    let r = required(false, &[]);
    assert_eq!(state(&r, "storage-min-tls", "sttagged"), "exempt");
    // The configuration asks for the same.
    std::fs::write(
        dir.join(".tenet/config.yaml"),
        "version: 1\nrequire_approval: true\n",
    )
    .unwrap();
    assert_eq!(required(true, &[])["exemptions"], flagged);
}

/// A governance override gives one finding another due date, with its reason, in the report.
#[test]
fn a_governance_override_moves_one_due_date_with_its_reason() {
    let g = write(
        "override-governance.yaml",
        b"version: 1
rules:
  - match: {severity: [high]}
    owner: secops@example.com
    timeframe_days: 7
overrides:
  - recommendation: storage-secure-transfer
    resource: stlegacyexport
    due: 2026-12-31
    owner: data-team@example.com
    justification: Deleted with the January migration.
",
    );
    let o = tenet(&[
        "check",
        "--standard",
        "examples/standard",
        "examples/inventory.json",
        "--governance",
        g.to_str().unwrap(),
        "--now",
        NOW,
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let r: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let of = |rec: &str, name: &str| -> serde_json::Value {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["recommendation"] == rec && f["resource"]["name"] == name)
            .unwrap()["governance"]
            .clone()
    };
    assert_eq!(
        of("storage-secure-transfer", "stlegacyexport"),
        serde_json::json!({"status": "on_time", "owner": "data-team@example.com",
            "due": "2027-01-01T00:00:00Z", "rule": "#1",
            "justification": "Deleted with the January migration."})
    );
    // The rule alone elsewhere: due seven days after first seen (now, without a history).
    let other = of("nsg-no-internet-admin", "nsg-web");
    assert_eq!(other["owner"], "secops@example.com");
    assert_eq!(other["due"], "2026-12-02T00:00:00Z");
    assert!(other.get("justification").is_none());
}
