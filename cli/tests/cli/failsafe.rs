//! A gate never passes a run that checked nothing, and its exit code follows what it reports:
//! one test per trap.

use crate::common::*;
use std::process::{Command, Stdio};

fn check(args: &[&str]) -> std::process::Output {
    let mut all = vec!["check", "--standard", "examples/standard", "--now", NOW];
    all.extend_from_slice(args);
    tenet(&all)
}

#[test]
fn an_empty_directory_is_not_a_pass() {
    let dir = scratch("empty-dir");
    std::fs::create_dir_all(&dir).unwrap();
    let o = check(&[dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("nothing was checked: 0 resources read"),
        "{}",
        stderr(&o)
    );
    assert!(!stdout(&o).contains("100%"), "{}", stdout(&o));
    // Accepted on purpose, it is still no score, never 100%.
    let o = check(&[dir.to_str().unwrap(), "--allow-empty"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("(no score); compliance no score"),
        "{}",
        stdout(&o)
    );
    let o = check(&[dir.to_str().unwrap(), "--allow-empty", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["summary"]["compliance"], serde_json::Value::Null);
    assert_eq!(
        v["summary"]["secure_score"]["percentage"],
        serde_json::Value::Null
    );
    assert_eq!(v["summary"]["applicable"], 0);
}

#[test]
fn resources_no_recommendation_applies_to_are_not_a_pass() {
    // AWS Config items: typed, but of a shape no recommendation of the standard reads.
    let file = scratch("config-items.json");
    std::fs::write(
        &file,
        r#"[{"resourceType": "AWS::EC2::Instance", "type": "AWS::Config::ConfigurationItem", "configuration": {}}]"#,
    )
    .unwrap();
    let o = check(&[file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("nothing was checked: 1 resource read"),
        "{}",
        stderr(&o)
    );
    // Resources of a shape no recommendation covers: the message says where to look.
    assert!(
        stderr(&o).contains("tenet standards --coverage"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_filter_that_selects_nothing_is_an_error() {
    for filter in [
        ["--recommendation", "nosuch*"],
        ["--recommendation", "!storage-*"],
        ["--control", "XX-9"],
        ["--workload", "storage"],
    ] {
        let o = check(&["examples/inventory.json", filter[0], filter[1]]);
        assert_eq!(o.status.code(), Some(2), "{filter:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("no recommendation of example-baseline matches the filters"),
            "{filter:?}: {}",
            stderr(&o)
        );
        assert!(stdout(&o).is_empty());
    }
}

#[test]
fn explain_fails_when_the_resources_are_not_compliant() {
    let explain = |extra: &[&str]| {
        let mut args = vec!["examples/inventory.json", "--explain", "storage-min-tls"];
        args.extend_from_slice(extra);
        check(&args).status.code()
    };
    assert_eq!(explain(&[]), Some(1));
    assert_eq!(explain(&["--resource", "stcontosodata"]), Some(0));
    // Exempt by the exemptions file: the exit code follows check's triage.
    let exempt = [
        "--resource",
        "stlegacyexport",
        "--exemptions",
        "tests/fixtures/exemptions/example.yaml",
    ];
    assert_eq!(explain(&exempt), Some(0));
    // Resources the recommendation does not apply to: nothing was explained.
    let o = check(&[
        "examples/inventory.json",
        "--explain",
        "storage-min-tls",
        "--resource",
        "nsg-*",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("applies to none"), "{}", stderr(&o));
}

/// `check` of the example with the history database `db`.
fn recorded(db: &std::path::Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "check",
        "--standard",
        "examples/standard",
        "examples/inventory.json",
        "--db",
        db.to_str().unwrap(),
        "--now",
        NOW,
    ];
    args.extend_from_slice(extra);
    tenet_recording(&args)
}

#[test]
fn new_only_exits_zero_when_nothing_is_new() {
    let db = scratch("new-only.db");
    let _ = std::fs::remove_file(&db);
    let run = |extra: &[&str]| recorded(&db, extra);
    // The first run: everything is new.
    let o = run(&["--new-only"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // The same inventory again: nothing new, so nothing fails.
    let o = run(&["--new-only"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    // Without the filter the open findings still fail the run.
    let o = run(&[]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn a_closed_standard_output_ends_quietly() {
    for args in [
        &[
            "check",
            "--standard",
            "examples/standard",
            "examples/inventory.json",
            "--all",
            "--format",
            "json",
        ][..],
        &[
            "check",
            "--standard",
            "examples/standard",
            "examples/inventory.json",
        ],
        &["standards"],
        &["compile", "examples/standard", "--emit", "wat", "-o", "-"],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tenet"))
            .args(args)
            .current_dir(root())
            .env("NO_COLOR", "1")
            .env("TENET_NO_HISTORY", "1")
            .env("TENET_CACHE_DIR", scratch("cache"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Close the reading end at once, as `| head -0` would.
        drop(child.stdout.take());
        let o = child.wait_with_output().unwrap();
        let err = stderr(&o);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        // The JSON report is larger than a pipe's buffer, so it always meets the closed end;
        // shorter outputs may have been written before the end closed.
        let want: &[i32] = if args.contains(&"--all") {
            &[141]
        } else {
            &[141, 0, 1]
        };
        assert!(
            o.status.code().is_some_and(|c| want.contains(&c)),
            "{args:?}: {:?} {err}",
            o.status.code()
        );
    }
}

#[test]
fn a_history_that_cannot_be_written_costs_no_report() {
    let o = tenet_recording(&[
        "check",
        "--standard",
        "examples/standard",
        "examples/inventory.json",
        "--now",
        NOW,
        "--db",
        "/proc/no-such-dir/history.db",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("warning:"), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("this run is not recorded"),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).contains("Secure score:"), "{}", stdout(&o));
    // --new-only needs the history: that is an error.
    let o = tenet_recording(&[
        "check",
        "--standard",
        "examples/standard",
        "examples/inventory.json",
        "--db",
        "/proc/no-such-dir/history.db",
        "--new-only",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn settings_are_found_from_a_subfolder_of_the_repository() {
    let repo = scratch("repo-settings");
    let _ = std::fs::remove_dir_all(&repo);
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::create_dir_all(repo.join(".tenet")).unwrap();
    std::fs::create_dir_all(repo.join("infra/azure")).unwrap();
    std::fs::copy(
        root().join("tests/fixtures/exemptions/example.yaml"),
        repo.join(".tenet/exemptions.yaml"),
    )
    .unwrap();
    let state = |cwd: &std::path::Path| {
        let o = Command::new(env!("CARGO_BIN_EXE_tenet"))
            .args(["check", "--standard"])
            .arg(root().join("examples/standard"))
            .arg(root().join("examples/inventory.json"))
            .args(["--now", NOW, "--format", "json", "--no-history"])
            .env("TENET_CACHE_DIR", scratch("cache"))
            .current_dir(cwd)
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| {
                f["recommendation"] == "storage-min-tls"
                    && f["resource"]["name"] == "stlegacyexport"
            })
            .unwrap()["state"]
            .clone()
    };
    assert_eq!(
        state(&repo.join("infra/azure")),
        "exempt",
        "from a subfolder"
    );
    assert_eq!(state(&repo), "exempt", "from the root");
    // Outside the repository the settings do not apply.
    let outside = scratch("outside-repo");
    std::fs::create_dir_all(outside.join(".git")).unwrap();
    assert_eq!(state(&outside), "not_compliant");
}

#[test]
fn directory_walks_honour_ignores_and_exclusions_and_visit_each_file_once() {
    let dir = scratch("walk");
    let _ = std::fs::remove_dir_all(&dir);
    for sub in ["app", "node_modules/pkg", "vendor", "charts/web/templates"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    let pod = |name: &str| {
        format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}}}\nspec:\n  containers:\n  - {{name: c, image: nginx:1.27, securityContext: {{privileged: true}}}}\n")
    };
    std::fs::write(dir.join("app/pod.yaml"), pod("app")).unwrap();
    std::fs::write(dir.join("node_modules/pkg/pod.yaml"), pod("dependency")).unwrap();
    std::fs::write(dir.join("vendor/pod.yaml"), pod("vendored")).unwrap();
    std::fs::write(dir.join("charts/web/templates/pod.yaml"), pod("template")).unwrap();
    std::fs::write(dir.join(".gitignore"), "vendor/\n").unwrap();
    // A link back to the top: followed, it would repeat every file forever.
    #[cfg(unix)]
    std::os::unix::fs::symlink(&dir, dir.join("app/self")).unwrap();
    let names = |extra: &[&str]| -> Vec<String> {
        let mut args = vec![dir.to_str().unwrap(), "--format", "json"];
        args.extend_from_slice(extra);
        let o = check(&args);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let mut n: Vec<String> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["recommendation"] == "pod-no-privileged")
            .map(|f| f["resource"]["name"].as_str().unwrap().to_string())
            .collect();
        n.sort();
        n
    };
    // .gitignore leaves vendor/ out; the link is not followed; nothing counts twice.
    assert_eq!(names(&[]), ["app", "dependency", "template"]);
    assert_eq!(
        names(&[
            "--exclude",
            "node_modules",
            "--exclude",
            "charts/**/templates"
        ]),
        ["app"]
    );
}

#[test]
fn an_unreadable_file_is_an_error_result_and_everything_else_is_reported() {
    let dir = scratch("partial");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("k8s")).unwrap();
    std::fs::copy(
        root().join("examples/inventory.json"),
        dir.join("inventory.json"),
    )
    .unwrap();
    // A template with a comment, and a Helm template: both look like infrastructure, neither
    // parses.
    std::fs::write(
        dir.join("template.json"),
        "{\n  // comment\n  \"Resources\": {}\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("k8s/deployment.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n  labels: [\n",
    )
    .unwrap();
    let path = dir.to_str().unwrap();
    let o = check(&[path, "--format", "json"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0]["file"]
        .as_str()
        .unwrap()
        .ends_with("k8s/deployment.yaml"));
    assert!(errors[1]["file"]
        .as_str()
        .unwrap()
        .ends_with("template.json"));
    assert_eq!(errors[1]["line"], 2, "{errors:?}");
    // The good inventory's findings are all there: the same as checking it alone.
    let alone = check(&[
        dir.join("inventory.json").to_str().unwrap(),
        "--format",
        "json",
    ]);
    let alone: serde_json::Value = serde_json::from_slice(&alone.stdout).unwrap();
    assert_eq!(v["findings"], alone["findings"]);
    assert!(stderr(&o).contains("template.json:2:"), "{}", stderr(&o));
    assert!(stderr(&o).contains("2 error results"), "{}", stderr(&o));
    // Every CI format says them too.
    let sarif = scratch("partial.sarif");
    let junit = scratch("partial.xml");
    let md = scratch("partial.md");
    let o = check(&[
        path,
        "--format",
        "github",
        "--output",
        &format!("sarif={}", sarif.display()),
        "--output",
        &format!("junit={}", junit.display()),
        "--output",
        &format!("markdown={}", md.display()),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stdout(&o).contains("template.json,line=2,") && stdout(&o).starts_with("::error file="),
        "{}",
        stdout(&o)
    );
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_valid_sarif(&s);
    let inv = &s["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    assert_eq!(
        inv["toolExecutionNotifications"].as_array().unwrap().len(),
        2
    );
    let x = std::fs::read_to_string(&junit).unwrap();
    assert!(
        x.contains("errors=\"2\"") && x.contains("<error message=\"not evaluated\" type=\"input\""),
        "{x}"
    );
    let m = std::fs::read_to_string(&md).unwrap();
    assert!(m.contains("2 input(s) could not be read"), "{m}");
    // The table lists them after the findings; --fail-on-errors=false leaves the exit code to them.
    let o = check(&[path, "--fail-on-errors=false"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stdout(&o).contains("error: "), "{}", stdout(&o));
    assert!(stdout(&o).contains("(not evaluated; everything else was)"));
}

/// A standard that compares the `items` of a bucket pairwise, and an inventory of five small
/// buckets and, third, one with 20,000 items: (standard, inventory), written as `name.*`.
fn slow_case(name: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let policy = scratch(&format!("{name}.tenet"));
    std::fs::write(
        &policy,
        "standard slow \"Slow\"\n\nrecommendation pairs \"Items are pairwise distinct\" {\n  severity low\n  applies aws [\"AWS::S3::Bucket\"]\n  compliant when all a in items ?? [] { all b in items ?? [] { a == b or a != b } }\n}\n",
    )
    .unwrap();
    let mut docs: Vec<serde_json::Value> = (0..5)
        .map(|i| serde_json::json!({"type": "AWS::S3::Bucket", "name": format!("small{i}"), "items": [1, 2, 3]}))
        .collect();
    // 20,000 items compared pairwise: far over 50 ms on any machine.
    let huge: Vec<usize> = (0..20_000).collect();
    docs.insert(
        2,
        serde_json::json!({"type": "AWS::S3::Bucket", "name": "huge", "items": huge}),
    );
    let inv = scratch(&format!("{name}.json"));
    std::fs::write(&inv, serde_json::to_vec(&docs).unwrap()).unwrap();
    (policy, inv)
}

#[test]
fn a_resource_over_the_time_limit_is_an_error_result_and_the_scan_goes_on() {
    let (policy, inv) = slow_case("slow");
    let o = tenet(&[
        "check",
        "--standard",
        policy.to_str().unwrap(),
        inv.to_str().unwrap(),
        "--timeout",
        "50",
        "--max-instructions",
        "18446744073709551615",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("huge was not evaluated: evaluation took longer than 50ms"),
        "{errors:?}"
    );
    // The five small buckets were all evaluated.
    assert_eq!(v["summary"]["resources"], 5);
    assert_eq!(v["summary"]["compliant"], 5);
}

#[test]
fn a_resource_over_the_instruction_budget_is_an_error_result_the_same_on_every_run() {
    let (policy, inv) = slow_case("budget");
    let run = || {
        tenet(&[
            "check",
            "--standard",
            policy.to_str().unwrap(),
            inv.to_str().unwrap(),
            "--max-instructions",
            "1000000",
            "--now",
            NOW,
            "--format",
            "json",
        ])
    };
    let o = run();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0]["message"].as_str().unwrap().starts_with(
            "huge was not evaluated: evaluation needed more than 1000000 instructions"
        ),
        "{errors:?}"
    );
    assert_eq!(v["summary"]["compliant"], 5);
    // Deterministic: the budget trips at the same place whatever the machine's load.
    assert_eq!(run().stdout, o.stdout);
}

/// A standard with cross-resource lookups reads its inputs twice: a pipe (as process
/// substitution gives) is held in memory, not read empty the second time.
#[cfg(unix)]
#[test]
fn a_pipe_is_read_once_even_when_lookups_need_two_passes() {
    let fifo = scratch("inventory.fifo");
    let _ = std::fs::remove_file(&fifo);
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        println!("skipped: mkfifo is not available");
        return;
    }
    let text = std::fs::read(root().join("examples/inventory.json")).unwrap();
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, text).unwrap())
    };
    let piped = check(&[fifo.to_str().unwrap(), "--format", "json"]);
    writer.join().unwrap();
    let direct = check(&["examples/inventory.json", "--format", "json"]);
    assert_eq!(piped.status.code(), Some(1), "{}", stderr(&piped));
    let findings = |o: &std::process::Output| -> Vec<(String, String)> {
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["recommendation"].as_str().unwrap().to_string(),
                    f["resource"]["id"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    // pod-network-policy looks up NetworkPolicies: its findings need the second pass.
    let got = findings(&piped);
    assert!(got.iter().any(|(r, _)| r == "pod-network-policy"));
    assert_eq!(got, findings(&direct));
}

/// Writes the files of a small Kubernetes repository (with `.git`) and returns its root.
fn repo(name: &str, files: &[(&str, &str)]) -> std::path::PathBuf {
    let root = scratch(name);
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join(".git")).unwrap();
    for (path, text) in files {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    root
}

/// `baseline create` then `check --baseline` on a repository: the check's exit code and output.
fn baselined(root: &std::path::Path, change: &dyn Fn()) -> std::process::Output {
    let baseline = root.join("baseline.json");
    let args = |cmd: &[&'static str]| -> Vec<String> {
        let mut v: Vec<String> = cmd.iter().map(|s| s.to_string()).collect();
        v.extend(
            [
                "--standard",
                "kubernetes-pod-security",
                "--now",
                NOW,
                root.join("k8s").to_str().unwrap(),
            ]
            .map(String::from),
        );
        v
    };
    let create = args(&["baseline", "create", "--to"]);
    let mut create: Vec<&str> = create.iter().map(String::as_str).collect();
    create.insert(3, baseline.to_str().unwrap());
    let o = tenet(&create);
    assert!(o.status.success(), "{}", stderr(&o));
    change();
    let check = args(&["check", "--no-history", "--baseline"]);
    let mut check: Vec<&str> = check.iter().map(String::as_str).collect();
    check.insert(3, baseline.to_str().unwrap());
    tenet(&check)
}

const PRIVILEGED_JOB: &str = "apiVersion: batch/v1
kind: Job
metadata: {generateName: migrate-, namespace: apps}
spec:
  template:
    spec:
      containers: [{name: m, image: registry/m:1, securityContext: {privileged: true}}]
";

#[test]
fn objects_named_by_generate_name_do_not_hide_each_other() {
    // One privileged Job is accepted; a second one, just as privileged, is new.
    let root = repo("generate-name", &[("k8s/jobs.yaml", PRIVILEGED_JOB)]);
    let o = baselined(&root, &|| {
        let both = format!("{PRIVILEGED_JOB}---\n{PRIVILEGED_JOB}");
        std::fs::write(root.join("k8s/jobs.yaml"), both).unwrap();
    });
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("k8s-no-privileged"), "{}", stdout(&o));
    assert!(stdout(&o).contains("migrate-*"), "{}", stdout(&o));
    assert!(!stderr(&o).contains(" 0 new findings"), "{}", stderr(&o));
}

#[test]
fn the_same_name_in_two_files_makes_two_resources() {
    // An overlay repeats the base's name: a baselined finding in one file must not hide a new
    // one in the other.
    let named = PRIVILEGED_JOB.replace("generateName: migrate-", "name: migrate");
    let root = repo("overlays", &[("k8s/base/job.yaml", &named)]);
    let o = baselined(&root, &|| {
        let prod = root.join("k8s/prod/job.yaml");
        std::fs::create_dir_all(prod.parent().unwrap()).unwrap();
        std::fs::write(prod, &named).unwrap();
    });
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("k8s-no-privileged"), "{}", stdout(&o));
    assert!(stdout(&o).contains("prod/job.yaml"), "{}", stdout(&o));
}

#[test]
fn a_baseline_keyed_by_id_alone_is_refused() {
    let old = write(
        "baseline-v1.json",
        br#"{"version": 1, "standard": {"id": "example-baseline"}, "findings": []}"#,
    );
    let o = check(&[
        "examples/inventory.json",
        "--no-history",
        "--baseline",
        old.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("tenet baseline create"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_history_keyed_by_id_alone_starts_again_with_a_warning() {
    let db = scratch("history-v1.db");
    let _ = std::fs::remove_file(&db);
    let run = || recorded(&db, &["--new-only"]);
    assert_eq!(run().status.code(), Some(1));
    // Make it a version 1 database, as an older tenet left it.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch("PRAGMA user_version = 1;").unwrap();
    drop(conn);
    let o = run();
    assert!(
        stderr(&o).contains("named resources by id alone"),
        "{}",
        stderr(&o)
    );
    // Every finding is new once: the gate fails rather than trusting old fingerprints.
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let o = run();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stderr(&o).contains("id alone"), "{}", stderr(&o));
}

#[test]
fn files_that_are_not_infrastructure_and_the_repository_exclude_list_are_passed_over() {
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: prod}\nspec:\n  containers: [{name: c, image: nginx:1.25}]\n";
    let root = repo(
        "passed-over",
        &[
            ("deploy/pod.yaml", pod),
            // Not infrastructure, and not even valid JSON: passed over, not an error.
            (
                "web/tsconfig.json",
                "{ // strict\n  \"compilerOptions\": {\"strict\": true}\n}\n",
            ),
            ("README.md", "# docs\n"),
            // Infrastructure that does not parse: an error result, unless excluded.
            (
                "charts/app/templates/svc.yaml",
                "{{- if .Values.enabled }}\napiVersion: v1\nkind: Service\n{{- end }}\n",
            ),
        ],
    );
    let run = |dir: &std::path::Path| {
        let mut c = tenet_command(&[
            "check",
            "--standard",
            "kubernetes-pod-security",
            "--no-history",
            "--now",
            NOW,
            "--verbose",
            "..",
        ]);
        c.current_dir(dir);
        c.output().unwrap()
    };
    std::fs::create_dir_all(root.join("deploy")).unwrap();
    let o = run(&root.join("deploy"));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("svc.yaml"), "{}", stderr(&o));
    assert!(stdout(&o).contains("web (Pod)"), "{}", stdout(&o));
    assert!(
        stderr(&o)
            .contains("tsconfig.json: JSON or YAML with nothing that looks like infrastructure"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("1 not JSON, JSON Lines, YAML or Terraform"),
        "{}",
        stderr(&o)
    );
    // The repository's exclude list, read from a subfolder, leaves the templates out.
    std::fs::create_dir_all(root.join(".tenet")).unwrap();
    std::fs::write(
        root.join(".tenet/config.yaml"),
        "version: 1\nexclude: [\"charts/**/templates\"]\n",
    )
    .unwrap();
    let o = run(&root.join("deploy"));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(!stderr(&o).contains("svc.yaml"), "{}", stderr(&o));
    assert!(stdout(&o).contains("web (Pod)"), "{}", stdout(&o));
}

#[test]
fn the_repository_configuration_gives_defaults_that_flags_override() {
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: prod}\nspec:\n  containers: [{name: c, image: nginx:1.25, securityContext: {allowPrivilegeEscalation: false}}]\n";
    let root = repo("configured", &[("deploy/pod.yaml", pod)]);
    std::fs::create_dir_all(root.join(".tenet")).unwrap();
    std::fs::write(
        root.join(".tenet/config.yaml"),
        "version: 1\nstandard: kubernetes-pod-security\nfail_on: high\noutputs: [\"sarif=tenet.sarif\"]\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        let mut c = tenet_command(args);
        c.current_dir(&root);
        c.output().unwrap()
    };
    // No --standard, no --output: the configuration's. The pod has no high finding.
    let o = run(&["check", "deploy", "--now", NOW]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("Kubernetes Pod Security"),
        "{}",
        stdout(&o)
    );
    assert!(root.join("tenet.sarif").exists());
    // Flags win.
    let o = run(&["check", "deploy", "--now", NOW, "--fail-on", "low"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // A bad value is refused with the file.
    std::fs::write(
        root.join(".tenet/config.yaml"),
        "version: 1\nfail_on: critical\n",
    )
    .unwrap();
    let o = run(&["check", "deploy", "--standard", "kubernetes-pod-security"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("config.yaml"), "{}", stderr(&o));
    // Without a standard anywhere, the error says where to give one.
    std::fs::write(root.join(".tenet/config.yaml"), "version: 1\n").unwrap();
    let o = run(&["check", "deploy"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("set `standard` in .tenet/config.yaml"),
        "{}",
        stderr(&o)
    );
}
