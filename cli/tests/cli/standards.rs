//! `tenet test` and `tenet standards`: the built-in standards pass their cases, failures show a
//! diff, the reference pages are fresh.

use crate::common::*;

/// CI runs every built-in standard's cases, and requires each recommendation to have a
/// compliant, a not-compliant and a not-applicable case.
#[test]
fn built_in_standards_pass_their_tests() {
    let o = tenet(&["test", "policies", "--strict"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains(" 0 failed"), "{}", stdout(&o));
    let o = tenet(&["standards"]);
    assert!(
        stdout(&o).contains("kubernetes-pod-security"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn tenet_test_reports_failures_with_a_diff_and_missing_outcomes() {
    let dir = scratch("std-under-test");
    std::fs::create_dir_all(dir.join("tests")).unwrap();
    std::fs::write(
        dir.join("s.tenet"),
        r#"standard t "T" { version "1" }
recommendation pod-no-host-pid "No host PID" {
  severity high
  applies kubernetes "Pod"
  compliant when not (spec.hostPID ?? false)
  remediation "Remove hostPID from {metadata.name}."
}
"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("tests/cases.yaml"),
        r#"- name: host pid
  resource: {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {hostPID: true}}
  expect:
    pod-no-host-pid:
      state: not_compliant
      remediation: Remove hostPID from q.
- name: wrong state
  resource: {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {}}
  expect:
    default: not_compliant
"#,
    )
    .unwrap();
    let o = tenet(&["test", dir.to_str().unwrap(), "--strict"]);
    assert_eq!(o.status.code(), Some(1));
    insta::assert_snapshot!(transcript(&o).replace(dir.to_str().unwrap(), "DIR"));
    // A typo in an expectation is an error that names the closest recommendation.
    std::fs::write(
        dir.join("tests/cases.yaml"),
        "- name: typo\n  resource: {apiVersion: v1, kind: Pod, metadata: {name: p}}\n  expect: {pod-no-host-pdi: compliant}\n",
    )
    .unwrap();
    let o = tenet(&["test", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did you mean `pod-no-host-pid`?"),
        "{}",
        stderr(&o)
    );
}

/// docs/standards/NAME.md is generated from the policies: it must match what
/// `tenet standards --doc NAME` prints (`TENET_BLESS=1` rewrites it).
#[test]
fn standard_reference_pages_are_fresh() {
    let mut names: Vec<String> = std::fs::read_dir(root().join("policies"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 4, "{names:?}");
    let mut stale = Vec::new();
    for name in names {
        let o = tenet(&["standards", "--doc", &name]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let page = root().join("docs/standards").join(format!("{name}.md"));
        if std::fs::read_to_string(&page).unwrap_or_default() != stdout(&o) {
            if std::env::var_os("TENET_BLESS").is_some() {
                std::fs::write(&page, stdout(&o)).unwrap();
            } else {
                stale.push(page.display().to_string());
            }
        }
    }
    assert!(
        stale.is_empty(),
        "out of date (run `TENET_BLESS=1 cargo test -p tenet-cli --test cli standard_reference`): {stale:?}"
    );
}

/// The built-in standards are compiled into the binary: a copy of it alone, in an empty folder,
/// lists and runs every one of them (and `--explain` still has their sources).
#[test]
fn a_binary_copied_alone_lists_and_runs_every_built_in_standard() {
    let dir = scratch("lone-binary");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let bin = dir.join("tenet");
    std::fs::copy(env!("CARGO_BIN_EXE_tenet"), &bin).unwrap();
    std::fs::write(
        dir.join("pod.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: apps}\nspec:\n  containers: [{name: c, image: nginx, securityContext: {privileged: true}}]\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(&bin)
            .args(args)
            .current_dir(&dir)
            .env_remove("TENET_POLICIES")
            .env("NO_COLOR", "1")
            .env("TENET_NO_HISTORY", "1")
            .env("TENET_CACHE_DIR", dir.join("cache"))
            .output()
            .unwrap()
    };
    let o = run(&["standards", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let listed: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    let mut expected: Vec<String> = std::fs::read_dir(root().join("policies"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    expected.sort();
    assert_eq!(names, expected);
    for name in &names {
        let o = run(&["check", "--standard", name, "pod.yaml", "--allow-empty"]);
        assert!(
            matches!(o.status.code(), Some(0 | 1)),
            "{name}: {}",
            stderr(&o)
        );
    }
    let o = run(&[
        "check",
        "--standard",
        "kubernetes-pod-security",
        "pod.yaml",
        "--explain",
        "k8s-no-privileged",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stdout(&o).contains("not_compliant"), "{}", stdout(&o));
}

#[test]
fn coverage_says_which_shapes_each_recommendation_covers() {
    let o = tenet(&["standards", "--coverage", "aws-foundations"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    insta::assert_snapshot!(stdout(&o));
    let o = tenet(&["standards", "--coverage", "no-such-standard"]);
    assert_eq!(o.status.code(), Some(2));
}
