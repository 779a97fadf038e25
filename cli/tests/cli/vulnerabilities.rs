//! Vulnerability reports (Trivy and Grype JSON) read with the manifests: each vulnerable
//! workload is a finding of category `vulnerability` with the report's severity, its other
//! findings' risk rises, and a workload no report covers is not judged.

use crate::common::*;

fn check(args: &[&str]) -> serde_json::Value {
    let mut all = vec![
        "check",
        "--standard",
        "kubernetes-pod-security",
        "tests/fixtures/scan",
        "--now",
        NOW,
        "--format",
        "json",
    ];
    all.extend_from_slice(args);
    let o = tenet(&all);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

#[test]
fn scanner_reports_attach_to_the_workloads_that_run_the_image() {
    let r = check(&["--all"]);
    let find = |rec: &str, name: &str| -> serde_json::Value {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["recommendation"] == rec && f["resource"]["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no {rec} on {name}"))
    };
    // Trivy's nginx report (written `nginx:1.25.3`) covers `docker.io/library/nginx:1.25.3`.
    let critical = find("k8s-image-critical-vulnerabilities", "web");
    assert_eq!(critical["state"], "not_compliant");
    assert_eq!(critical["category"], "vulnerability");
    assert_eq!(critical["severity"], "high");
    let text = critical["remediation"].as_str().unwrap();
    assert!(
        text.contains("trivy found 1 critical vulnerabilities (CVE-2023-45853 zlib1g 1:1.2.13.dfsg-1 no fix yet)"),
        "{text}"
    );
    let high = find("k8s-image-high-vulnerabilities", "web");
    assert_eq!(high["state"], "not_compliant");
    assert!(high["remediation"]
        .as_str()
        .unwrap()
        .contains("CVE-2024-2961 libc6 2.36-9+deb12u3 -> 2.36-9+deb12u7"));
    // Grype's redis report: one critical (zlib), one high (a Go module), one negligible.
    let cache = find("k8s-image-critical-vulnerabilities", "cache");
    assert_eq!(cache["state"], "not_compliant");
    assert!(cache["remediation"]
        .as_str()
        .unwrap()
        .contains("grype found 1 critical"));
    assert_eq!(
        find("k8s-image-high-vulnerabilities", "cache")["state"],
        "not_compliant"
    );
    // No report covers the api image: not judged.
    for rec in [
        "k8s-image-critical-vulnerabilities",
        "k8s-image-high-vulnerabilities",
    ] {
        assert_eq!(find(rec, "api")["state"], "not_applicable", "{rec}");
    }
    // The web workload's other findings carry the risk factor; the api's do not.
    let other = find("k8s-run-as-non-root", "web");
    assert!(other["risk"]["factors"]
        .as_array()
        .unwrap()
        .contains(&"vulnerable-image".into()));
    assert_eq!(
        other["risk"]["level"], "high",
        "medium severity plus one factor"
    );
    assert!(find("k8s-run-as-non-root", "api")["risk"]["factors"].is_null());
    // The two images are resources of their own, judged by nothing.
    assert_eq!(r["summary"]["resources"], 5);
    assert!(r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["resource"]["type"] == "ContainerImage")
        .all(|f| f["state"] == "not_applicable"));
    // --category keeps the vulnerabilities alone.
    let only = check(&["--category", "vulnerability"]);
    let listed = only["findings"].as_array().unwrap();
    assert_eq!(listed.len(), 4);
    assert!(listed.iter().all(|f| f["category"] == "vulnerability"));
}

#[test]
fn a_report_named_by_its_format() {
    let o = tenet(&[
        "check",
        "--standard",
        "kubernetes-pod-security",
        "--input-format",
        "trivy",
        "tests/fixtures/scan/trivy-nginx.json",
        "--allow-empty",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(r["summary"]["resources"], 1);
    assert_eq!(r["summary"]["applicable"], 0);
}
