//! The regulatory compliance view (`tenet score --framework`), and findings filtered and grouped
//! by framework, tactic, owner and governance status.

use crate::common::*;

/// Runs `tenet` over the example inventory with the built-in Kubernetes standard.
fn k8s(args: &[&str]) -> std::process::Output {
    let mut all = vec![
        args[0],
        "--standard",
        "kubernetes-pod-security",
        "examples/inventory.json",
        "--now",
        NOW,
    ];
    all.extend_from_slice(&args[1..]);
    tenet(&all)
}

/// The rows of a CSV report as maps from column to cell.
fn rows(csv: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut rows = parse_csv(csv).into_iter();
    let head = rows.next().unwrap();
    rows.map(|r| head.iter().cloned().zip(r).collect())
        .collect()
}

#[test]
fn compliance_per_framework_control() {
    let o = k8s(&["score", "--framework", "nist-800-53,cis-kubernetes"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    insta::assert_snapshot!("score_frameworks", stdout(&o));
    let o = k8s(&["score", "--framework", "NIST-800-53", "--format", "json"]);
    let score: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let fws = score["frameworks"].as_array().unwrap();
    assert_eq!(fws.len(), 1);
    assert_eq!(fws[0]["id"], "nist-800-53");
    // Each control adds up its recommendations' results.
    let recs: std::collections::HashMap<&str, &serde_json::Value> = score["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["id"].as_str().unwrap(), r))
        .collect();
    let (mut passed, mut failed) = (0, 0);
    for c in fws[0]["controls"].as_array().unwrap() {
        let mut sums = [0, 0, 0];
        for r in c["recommendations"].as_array().unwrap() {
            let r = recs[r.as_str().unwrap()];
            sums[0] += r["healthy"].as_u64().unwrap();
            sums[1] += r["unhealthy"].as_u64().unwrap();
            sums[2] += r["exempt"].as_u64().unwrap();
        }
        let counted = [&c["passed"], &c["failed"], &c["exempt"]].map(|v| v.as_u64().unwrap());
        assert_eq!(counted, sums, "{c}");
        let state = c["state"].as_str().unwrap();
        match state {
            "failed" => {
                assert!(sums[1] > 0);
                failed += 1
            }
            "passed" => {
                assert!(sums[1] == 0 && sums[0] + sums[2] > 0);
                passed += 1
            }
            _ => assert_eq!(sums, [0, 0, 0]),
        }
    }
    assert_eq!(
        (fws[0]["passed"].as_u64(), fws[0]["failed"].as_u64()),
        (Some(passed), Some(failed))
    );
    assert!(failed > 0 && passed > 0, "{passed} passed, {failed} failed");
    // A framework no recommendation maps to checks nothing: an error, never a pass.
    let o = k8s(&["score", "--framework", "iso-27001"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("matches the filters (--framework iso-27001)"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn findings_by_framework_and_tactic() {
    let all = rows(&stdout(&k8s(&["check", "--format", "csv"])));
    let cis = rows(&stdout(&k8s(&[
        "check",
        "--format",
        "csv",
        "--framework",
        "cis-kubernetes",
    ])));
    assert!(!cis.is_empty() && cis.len() < all.len());
    assert!(cis
        .iter()
        .all(|r| r["frameworks"].contains("cis-kubernetes ")));
    assert_eq!(
        cis.len(),
        all.iter()
            .filter(|r| r["frameworks"].contains("cis-kubernetes "))
            .count()
    );
    let escalation = rows(&stdout(&k8s(&[
        "check",
        "--format",
        "csv",
        "--tactic",
        "privilege escalation",
    ])));
    assert!(!escalation.is_empty() && escalation.len() < all.len());
    assert!(escalation
        .iter()
        .all(|r| r["tactics"].contains("Privilege Escalation")));
    // Groups: the first tactic, the first framework control.
    let grouped: serde_json::Value = serde_json::from_str(&stdout(&k8s(&[
        "check",
        "--format",
        "json",
        "--group-by",
        "tactic",
    ])))
    .unwrap();
    let by_rec: std::collections::HashMap<String, String> = all
        .iter()
        .map(|r| (r["recommendation"].clone(), r["tactics"].clone()))
        .collect();
    for f in grouped["findings"].as_array().unwrap() {
        let tactics = &by_rec[f["recommendation"].as_str().unwrap()];
        let first = tactics.split("; ").next().filter(|t| !t.is_empty());
        assert_eq!(
            f["group"].as_str(),
            Some(first.unwrap_or("(no tactic)")),
            "{f}"
        );
    }
    let o = k8s(&["check", "--group-by", "framework"]);
    assert!(
        stdout(&o).contains("cis-kubernetes 5.2.2"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn findings_by_owner_and_governance_status() {
    let dir = scratch("status-filter");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("h.db");
    let run = |at: &str, extra: &[&str]| -> std::process::Output {
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
        ];
        args.extend_from_slice(extra);
        tenet_recording(&args)
    };
    assert_eq!(run("2026-11-01T00:00:00Z", &[]).status.code(), Some(1));
    // Three weeks on, the 7-day high-severity findings are overdue; the rest is not.
    let later = "2026-11-22T00:00:00Z";
    let json = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec!["--format", "json"];
        args.extend_from_slice(extra);
        serde_json::from_str(&stdout(&run(later, &args))).unwrap()
    };
    let all = json(&[]);
    let status_of =
        |f: &serde_json::Value| f["governance"]["status"].as_str().unwrap_or("").to_string();
    let findings = all["findings"].as_array().unwrap();
    let overdue = findings
        .iter()
        .filter(|f| status_of(f) == "overdue")
        .count();
    assert!(overdue > 0 && overdue < findings.len());
    let only = json(&["--status", "overdue"]);
    let listed = only["findings"].as_array().unwrap();
    assert_eq!(listed.len(), overdue);
    assert!(listed.iter().all(|f| status_of(f) == "overdue"));
    // Grouped by owner and by status.
    let by_owner = json(&["--group-by", "owner"]);
    for f in by_owner["findings"].as_array().unwrap() {
        let owner = f["governance"]["owner"].as_str().unwrap_or("(no owner)");
        assert_eq!(f["group"], owner);
    }
    let by_status = json(&["--group-by", "status"]);
    for f in by_status["findings"].as_array().unwrap() {
        assert_eq!(f["group"].as_str().unwrap(), status_of(f));
    }
    // Without governance rules, --status is an error that says what is missing.
    let o = tenet(&[
        "check",
        "--standard",
        "examples/standard",
        "examples/inventory.json",
        "--status",
        "overdue",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--status needs governance rules"),
        "{}",
        stderr(&o)
    );
}
