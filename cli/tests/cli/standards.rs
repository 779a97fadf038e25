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
