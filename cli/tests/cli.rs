//! End-to-end tests of the `tenet` binary: outputs, exit codes, bad inputs, hostile modules.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail the test on unexpected errors"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const NOW: &str = "2026-11-25T00:00:00Z";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn tenet(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tenet"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env("TENET_CACHE_DIR", scratch("cache"))
        // Tests that use the history name their own database (and unset this).
        .env("TENET_NO_HISTORY", "1")
        .output()
        .expect("run tenet")
}

/// Runs tenet with the history on (the other tests turn it off).
fn tenet_recording(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tenet"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env("TENET_CACHE_DIR", scratch("cache"))
        .env_remove("TENET_NO_HISTORY")
        .output()
        .expect("run tenet")
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("tenet-cli-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

#[test]
fn check_example_table() {
    let o = tenet(&[
        "check",
        "--standard",
        "examples/standard",
        "examples/inventory.json",
        "--now",
        NOW,
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    insta::assert_snapshot!(stdout(&o));
}

#[test]
fn check_example_json() {
    let o = tenet(&[
        "check",
        "--standard",
        "examples/standard",
        "examples/inventory.json",
        "--now",
        NOW,
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
    assert_eq!(v["version"], 1);
    let f = &v["findings"][0];
    for key in [
        "recommendation",
        "title",
        "severity",
        "state",
        "refs",
        "resource",
        "explanation",
        "remediation",
    ] {
        assert!(f.get(key).is_some(), "finding lacks {key}");
    }
    insta::assert_json_snapshot!(v);
}

#[test]
fn explain_shows_every_clause() {
    let o = tenet(&[
        "check",
        "--standard",
        "examples/standard",
        "examples/inventory.json",
        "--now",
        NOW,
        "--explain",
        "nsg-no-internet-admin",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    insta::assert_snapshot!(stdout(&o));
}

#[test]
fn thresholds_and_filters() {
    let base = [
        "check",
        "--standard",
        "examples/standard",
        "examples/inventory.json",
        "--now",
        NOW,
    ];
    let o = tenet(
        &[
            &base[..],
            &["--recommendation", "storage-min-tls", "--fail-on", "high"],
        ]
        .concat(),
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "medium findings pass a high threshold"
    );
    let o = tenet(
        &[
            &base[..],
            &["--recommendation", "storage-min-tls", "--fail-on", "medium"],
        ]
        .concat(),
    );
    assert_eq!(o.status.code(), Some(1));
    let o = tenet(&[&base[..], &["--resource", "kv-payments"]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("1 resources"));
}

#[test]
fn compile_inspect_and_run_a_module() {
    let wasm = scratch("example.wasm");
    let o = tenet(&["compile", "examples/standard", "-o", wasm.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = tenet(&["inspect", wasm.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o).lines().skip(1).collect::<Vec<_>>().join("\n");
    insta::assert_snapshot!(text);
    let table = |std: &str| {
        stdout(&tenet(&[
            "check",
            "--standard",
            std,
            "examples/inventory.json",
            "--now",
            NOW,
        ]))
    };
    assert_eq!(
        table(wasm.to_str().unwrap()),
        table("examples/standard"),
        "module and source agree"
    );
    let o = tenet(&["compile", "examples/standard", "--emit", "wat"]);
    assert!(stdout(&o).starts_with("(module"));
}

#[test]
fn reads_standard_input() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tenet"))
        .env("TENET_NO_HISTORY", "1")
        .args([
            "check",
            "--standard",
            "examples/standard",
            "-",
            "--now",
            NOW,
            "--format",
            "json",
        ])
        .current_dir(root())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let inv = std::fs::read(root().join("examples/inventory.json")).unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), &inv).unwrap();
    drop(child.stdin.take());
    let o = child.wait_with_output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["summary"]["resources"], 23);
    assert_eq!(v["findings"][0]["resource"]["file"], "<stdin>");
}

fn write(name: &str, bytes: &[u8]) -> PathBuf {
    let p = scratch(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn bad_inputs_exit_2_with_a_location() {
    let cases: Vec<(PathBuf, &str)> = vec![
        (
            write("broken.json", b"[\n  {\"type\": \"x\",,}\n]"),
            "broken.json:2:",
        ),
        (
            write(
                "deep.json",
                format!("{}{}", "[".repeat(300), "]".repeat(300)).as_bytes(),
            ),
            "128 levels",
        ),
        (
            write("latin1.json", b"[{\"type\": \"caf\xe9\"}]"),
            "not UTF-8",
        ),
        (write("broken.yaml", b"a: [1, 2\nb: 3\n"), "broken.yaml:"),
        (scratch("missing.json"), "cannot read"),
        (
            write(
                "twice.json",
                b"[\n{\"type\": \"Microsoft.Storage/storageAccounts\", \"name\": \"s\",\n \"properties\": {\"supportsHttpsTrafficOnly\": true, \"supportsHttpsTrafficOnly\": false}}]",
            ),
            "twice.json:3:16: invalid JSON: member `supportsHttpsTrafficOnly` appears twice",
        ),
        (
            write("trunc.jsonl", b"{\"type\": \"AWS::S3::Bucket\"}\n{\"type\": \"AWS::S3::Bucket\""),
            "trunc.jsonl:2:",
        ),
    ];
    for (path, want) in cases {
        let o = tenet(&[
            "check",
            "--standard",
            "examples/standard",
            path.to_str().unwrap(),
        ]);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{}: {}",
            path.display(),
            stderr(&o)
        );
        assert!(
            stderr(&o).contains(want),
            "{}: {}",
            path.display(),
            stderr(&o)
        );
    }
    let o = tenet(&[
        "check",
        "--standard",
        "no-such-standard",
        "examples/inventory.json",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no standard `no-such-standard`"));
    let o = tenet(&[
        "check",
        "--standard",
        "examples/standard",
        "examples/inventory.json",
        "--format",
        "xml",
    ]);
    assert_eq!(o.status.code(), Some(2), "usage errors exit 2");
}

/// An inventory larger than one read (8 MiB) is split while it is read: a resource holding a
/// 12 MB string spans reads, and an error near the end is still located exactly.
#[test]
fn large_inventories_stream_and_locate_errors() {
    let mut text = String::from("{\"resources\": [\n");
    let big = "x".repeat(12 << 20);
    text.push_str(&format!(
        "{{\"type\": \"AWS::S3::Bucket\", \"name\": \"big\", \"Properties\": {{\"Note\": \"{big}\"}}}},\n"
    ));
    for i in 0..2000 {
        text.push_str(&format!(
            "{{\"type\": \"AWS::S3::Bucket\", \"name\": \"b{i}\"}},\n"
        ));
    }
    let good = format!(
        "{}{{\"type\": \"AWS::S3::Bucket\", \"name\": \"last\"}}]}}\n",
        text
    );
    let p = write("big.json", good.as_bytes());
    let o = tenet(&[
        "check",
        "--standard",
        "examples/standard",
        p.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["summary"]["resources"], 2002);
    let bad = format!(
        "{}{{\"type\": \"AWS::S3::Bucket\",, \"name\": \"last\"}}]}}\n",
        text
    );
    let p = write("big-bad.json", bad.as_bytes());
    let o = tenet(&[
        "check",
        "--standard",
        "examples/standard",
        p.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("big-bad.json:2003:28: invalid JSON"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn the_table_lists_at_most_limit_resources_per_recommendation() {
    let o = tenet(&[
        "check",
        "--standard",
        "examples/standard",
        "examples/inventory.json",
        "--now",
        NOW,
        "--limit",
        "1",
    ]);
    let out = stdout(&o);
    assert!(
        out.contains("    … and 1 more (--limit 0 lists all; --format json has every finding)"),
        "{out}"
    );
    assert_eq!(out.matches("metrics-agent (Pod)").count(), 0, "{out}");
}

#[test]
fn skips_documents_without_a_type() {
    let p = write("mixed.json", br#"[{"type": "Microsoft.KeyVault/vaults", "name": "kv", "properties": {"enablePurgeProtection": true}}, {"name": "no type"}]"#);
    let o = tenet(&[
        "check",
        "--standard",
        "examples/standard",
        p.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["summary"]["resources"], 1);
    assert_eq!(v["skipped"][0]["line"], 1);
}

#[test]
fn policy_errors() {
    let o = tenet(&[
        "check-policy",
        "tests/fixtures/check/E0201-unknown-function.tenet",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("did you mean `lower`?"));
    let o = tenet(&[
        "check-policy",
        "--format",
        "short",
        "tests/fixtures/check/E0206-type-mismatch.tenet",
    ]);
    assert!(
        stdout(&o).contains("E0206-type-mismatch.tenet:2:71: error[E0206]"),
        "{}",
        stdout(&o)
    );
    let o = tenet(&["check-policy", "examples/standard"]);
    assert_eq!(o.status.code(), Some(0));
    let o = tenet(&[
        "check",
        "--standard",
        "tests/fixtures/check/E0110-severity.tenet",
        "examples/inventory.json",
    ]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "a broken policy is an error, not a finding"
    );
}

/// A hand-written module with tenet's exports whose evaluation misbehaves.
fn hostile(name: &str, abi: u32, eval_body: &str) -> PathBuf {
    let meta = format!(
        r#"{{"abi":{abi},"compiler":"test","standard":{{"id":"h","title":"Hostile"}},"controls":[],"recommendations":[],"clauses":[],"vars":[],"projection":{{}},"lookups":[]}}"#
    );
    let text = format!(
        r#"(module
            (memory (export "memory") 1)
            (func (export "tenet_abi_version") (result i32) i32.const {abi})
            (func (export "tenet_index_reserve") (param i32) (result i32) i32.const 1024)
            (func (export "tenet_reserve") (param i32) (result i32) i32.const 1024)
            (func (export "tenet_eval") (param i32 i32) (result i32) {eval_body})
            (@custom "tenet.metadata" "{}"))"#,
        meta.replace('"', "\\\"")
    );
    let wasm = wat::parse_str(text).unwrap();
    write(name, &wasm)
}

#[test]
fn hostile_modules_are_stopped() {
    let inv = "examples/inventory.json";
    let looping = hostile("loop.wasm", 1, "(loop (br 0)) i32.const 0");
    let o = tenet(&[
        "check",
        "--standard",
        looping.to_str().unwrap(),
        inv,
        "--timeout",
        "200",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("took longer than"), "{}", stderr(&o));
    let greedy = hostile(
        "grow.wasm",
        1,
        "(loop (br_if 0 (i32.ne (memory.grow (i32.const 16)) (i32.const -1)))) unreachable",
    );
    let o = tenet(&[
        "check",
        "--standard",
        greedy.to_str().unwrap(),
        inv,
        "--max-memory",
        "64",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("failed while evaluating"),
        "{}",
        stderr(&o)
    );
    let future = hostile("abi2.wasm", 2, "i32.const 0");
    let o = tenet(&["check", "--standard", future.to_str().unwrap(), inv]);
    assert!(stderr(&o).contains("ABI version 2"), "{}", stderr(&o));
    let plain = write("plain.wasm", &wat::parse_str("(module)").unwrap());
    let o = tenet(&["check", "--standard", plain.to_str().unwrap(), inv]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("not a tenet standard"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn help_has_examples() {
    for cmd in ["check", "compile", "check-policy", "inspect"] {
        let o = tenet(&[cmd, "--help"]);
        assert!(stdout(&o).contains("Examples:"), "{cmd} --help");
    }
    assert!(Path::new(env!("CARGO_BIN_EXE_tenet")).exists());
}

#[test]
fn compiled_modules_are_cached_unless_told_not_to() {
    let run = |dir: &Path, extra: &[&str]| {
        let mut args = vec![
            "check",
            "--standard",
            "examples/standard",
            "examples/inventory.json",
        ];
        args.extend_from_slice(extra);
        Command::new(env!("CARGO_BIN_EXE_tenet"))
            .env("TENET_NO_HISTORY", "1")
            .args(&args)
            .current_dir(root())
            .env("TENET_CACHE_DIR", dir)
            .output()
            .unwrap()
    };
    let files = |dir: &Path| -> usize {
        fn count(d: &Path) -> usize {
            std::fs::read_dir(d).map_or(0, |it| {
                it.flatten()
                    .map(|e| {
                        if e.path().is_dir() {
                            count(&e.path())
                        } else {
                            1
                        }
                    })
                    .sum()
            })
        }
        count(dir)
    };
    let off = scratch("cache-off");
    assert_eq!(run(&off, &["--no-cache"]).status.code(), Some(1));
    assert_eq!(files(&off), 0, "--no-cache writes nothing");
    let on = scratch("cache-on");
    assert_eq!(run(&on, &[]).status.code(), Some(1));
    assert!(files(&on) > 0, "the compiled module is cached");
    assert_eq!(
        run(&on, &[]).status.code(),
        Some(1),
        "a cached run gives the same result"
    );
}

#[test]
fn missing_imports_are_reported_where_imported() {
    let p = write(
        "imports.tenet",
        b"standard s \"S\"\nimport \"no-such-file.tenet\"\n",
    );
    let o = tenet(&["check-policy", "--format", "short", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("imports.tenet:2:8: error[E0117]: cannot read"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_relative_cache_directory_works() {
    let dir = scratch("relative-base");
    std::fs::create_dir_all(&dir).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_tenet"))
        .env("TENET_NO_HISTORY", "1")
        .args([
            "check",
            "--standard",
            root().join("examples/standard").to_str().unwrap(),
            root().join("examples/inventory.json").to_str().unwrap(),
        ])
        .current_dir(&dir)
        .env("TENET_CACHE_DIR", "cache")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
    assert!(
        dir.join("cache").is_dir(),
        "the cache was written under the working directory"
    );
}

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
    let out = stdout(&o).replace(dir.to_str().unwrap(), "DIR");
    insta::assert_snapshot!(out);
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

#[test]
fn fmt_checks_rewrites_atomically_and_reads_standard_input() {
    let messy = "standard s \"S\"{version \"1\"}\nconst l=[ 1 ,2 ]  // keep me\n";
    let tidy = "standard s \"S\" { version \"1\" }\nconst l = [1, 2] // keep me\n";
    let p = write("messy.tenet", messy.as_bytes());
    let o = tenet(&["fmt", "--check", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("messy.tenet"));
    assert_eq!(
        std::fs::read_to_string(&p).unwrap(),
        messy,
        "--check changes nothing"
    );
    let o = tenet(&["fmt", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&p).unwrap(), tidy);
    let o = tenet(&["fmt", "--check", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    // A file with a syntax error is reported with its location and left as it is.
    let bad = write("bad.tenet", b"fn f( = 1\n");
    let o = tenet(&["fmt", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bad.tenet:1:"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&bad).unwrap(), "fn f( = 1\n");
    // Standard input to standard output.
    let mut child = Command::new(env!("CARGO_BIN_EXE_tenet"))
        .env("TENET_NO_HISTORY", "1")
        .args(["fmt", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), messy.as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(stdout(&o), tidy);
    // The repository's own policies are formatted.
    let o = tenet(&["fmt", "--check", "policies", "examples/standard"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
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
        "out of date (run `TENET_BLESS=1 cargo test -p tenet --test cli standard_reference`): {stale:?}"
    );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

#[test]
fn fix_shows_proves_and_applies_on_the_example() {
    let o = tenet(&[
        "fix",
        "--standard",
        "examples/standard",
        "examples/inventory.json",
        "--now",
        NOW,
    ]);
    assert_eq!(o.status.code(), Some(1), "some findings have no fix");
    insta::assert_snapshot!("fix_example_diff", stdout(&o));
    let o = tenet(&[
        "fix",
        "--standard",
        "examples/standard",
        "examples/inventory.json",
        "--now",
        NOW,
        "--recommendation",
        "storage-*",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "every selected finding is fixed");
    insta::assert_json_snapshot!(
        "fix_example_json",
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()
    );
    let o = tenet(&[
        "fix",
        "--standard",
        "examples/standard",
        "examples/inventory.json",
        "--now",
        NOW,
        "--recommendation",
        "storage-secure-transfer",
        "--format",
        "patch-json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["method"], "PATCH");
    assert_eq!(
        v[0]["body"],
        serde_json::json!({"properties": {"supportsHttpsTrafficOnly": true}})
    );
    // --write changes only what the fixes change, keeps a backup, and leaves nothing fixable.
    let inv = write(
        "fix-inventory.json",
        &std::fs::read(root().join("examples/inventory.json")).unwrap(),
    );
    let original = std::fs::read_to_string(&inv).unwrap();
    let p = inv.to_str().unwrap();
    let o = tenet(&[
        "fix",
        "--standard",
        "examples/standard",
        p,
        "--now",
        NOW,
        "--write",
        "--backup",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(format!("{p}.bak")).unwrap(),
        original
    );
    let fixed = std::fs::read_to_string(&inv).unwrap();
    let changed = similar::TextDiff::from_lines(&original, &fixed)
        .iter_all_changes()
        .filter(|c| c.tag() != similar::ChangeTag::Equal)
        .count();
    assert!(changed > 0 && changed < 60, "{changed} changed lines");
    let o = tenet(&["fix", "--standard", "examples/standard", p, "--now", NOW]);
    assert!(
        stdout(&o).contains("\n0 fixed, 9 not fixable, 0 failed"),
        "{}",
        stdout(&o)
    );
    // A crash between writing the new file and renaming it leaves the original whole.
    let before = std::fs::read_to_string(&inv).unwrap();
    std::fs::write(&inv, &original).unwrap();
    let crashed = Command::new(env!("CARGO_BIN_EXE_tenet"))
        .env("TENET_NO_HISTORY", "1")
        .args([
            "fix",
            "--standard",
            "examples/standard",
            p,
            "--now",
            NOW,
            "--write",
        ])
        .current_dir(root())
        .env("TENET_CACHE_DIR", scratch("cache"))
        .env("TENET_TEST_CRASH_BEFORE_RENAME", "1")
        .output()
        .unwrap();
    assert!(
        !crashed.status.success(),
        "the fault injection stops the process"
    );
    assert_eq!(
        std::fs::read_to_string(&inv).unwrap(),
        original,
        "not truncated, not half-written"
    );
    assert_ne!(before, original);
}

/// Real Kubernetes manifests (the kube-prometheus slice of the corpus): fix everything that can
/// be fixed, and nothing fixable remains; resources without a fix read back unchanged.
#[test]
fn fix_round_trips_on_real_manifests() {
    let corpus =
        root().join("../shared/corpus/files/kubernetes/prometheus-operator__kube-prometheus");
    assert!(
        corpus.is_dir(),
        "the corpus is missing at {}",
        corpus.display()
    );
    let dir = scratch("k8s-fix");
    copy_dir(&corpus, &dir);
    let d = dir.to_str().unwrap();
    let before = tenet::runtime::inventory::load(std::slice::from_ref(&dir)).unwrap();
    let o = tenet(&[
        "fix",
        "--standard",
        "kubernetes-pod-security",
        d,
        "--write",
        "--format",
        "json",
    ]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    let plan: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let fixed: std::collections::HashSet<String> = plan
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| !p["json_patch"].as_array().unwrap().is_empty())
        .map(|p| {
            format!(
                "{}#{}",
                p["resource"]["file"].as_str().unwrap(),
                p["resource"]["id"].as_str().unwrap()
            )
        })
        .collect();
    assert!(fixed.len() >= 5, "{} resources fixed", fixed.len());
    let o = tenet(&["fix", "--standard", "kubernetes-pod-security", d]);
    let last = stdout(&o).lines().last().unwrap_or_default().to_string();
    assert!(
        last.starts_with("0 fixed,") && last.contains(" 0 failed"),
        "{last}"
    );
    let after = tenet::runtime::inventory::load(std::slice::from_ref(&dir)).unwrap();
    assert_eq!(before.resources.len(), after.resources.len());
    let mut untouched = 0;
    for (b, a) in before.resources.iter().zip(&after.resources) {
        if !fixed.contains(&format!("{}#{}", b.origin.file, b.identity.id)) {
            assert_eq!(
                b.doc, a.doc,
                "{} {} changed without a fix",
                b.origin.file, b.identity.id
            );
            untouched += 1;
        }
    }
    assert!(untouched > 20, "{untouched}");
}

/// The library API gives the findings the CLI reports.
#[test]
fn the_library_api_agrees_with_the_cli() {
    let files = tenet_compiler_files(&root().join("examples/standard"));
    let module = tenet::compile_files(&files).unwrap();
    let standard = tenet::Standard::load(&module).unwrap().at(1_795_564_800.0);
    let findings = standard
        .evaluate_inventory(&[root().join("examples/inventory.json")])
        .unwrap();
    let failing: Vec<(String, String)> = findings
        .iter()
        .filter(|f| f.state == tenet::Outcome::NotCompliant)
        .map(|f| (f.recommendation.clone(), f.resource.identity.id.clone()))
        .collect();
    let o = tenet(&[
        "check",
        "--standard",
        "examples/standard",
        "examples/inventory.json",
        "--now",
        NOW,
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let cli: Vec<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["recommendation"].as_str().unwrap().to_string(),
                f["resource"]["id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(!cli.is_empty());
    assert_eq!(failing, cli);
    assert!(matches!(
        tenet::compile("x.tenet", "fn f( ="),
        Err(tenet::Error::Compile(_))
    ));
}

fn tenet_compiler_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "tenet"))
        .collect();
    files.sort();
    files
}

/// Keys sorted at every level, as hosts/node/conformance.js prints findings.
fn canonical(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Array(items) => {
            format!(
                "[{}]",
                items.iter().map(canonical).collect::<Vec<_>>().join(",")
            )
        }
        serde_json::Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .into_iter()
                .map(|k| {
                    format!(
                        "{}:{}",
                        serde_json::Value::String(k.clone()),
                        canonical(&m[k])
                    )
                })
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        other => other.to_string(),
    }
}

/// Every built-in standard, over the bundled example and the Kubernetes files of the corpus,
/// through the Rust runtime and through the Node host: identical findings, byte for byte after
/// canonical ordering (the Node host takes documents, not files, so file and line are left out).
#[test]
fn the_node_host_gives_the_same_findings_as_the_rust_runtime() {
    let node = Command::new("node").arg("--version").output();
    assert!(
        node.is_ok_and(|o| o.status.success()),
        "Node.js is needed (./test.sh installs it with apt-get)"
    );
    let now = 1_795_564_800.0;
    let inventories = [
        root().join("examples/inventory.json"),
        root().join("../shared/corpus/files/kubernetes"),
    ];
    let mut names: Vec<String> = std::fs::read_dir(root().join("policies"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    // Each inventory is read once, as documents.
    let loaded: Vec<(PathBuf, Vec<serde_json::Value>, PathBuf)> = inventories
        .iter()
        .enumerate()
        .map(|(k, inv)| {
            let docs: Vec<serde_json::Value> =
                tenet::runtime::inventory::load(std::slice::from_ref(inv))
                    .unwrap()
                    .resources
                    .into_iter()
                    .map(|r| r.doc)
                    .collect();
            let file = scratch(&format!("conformance-docs-{k}.json"));
            std::fs::write(&file, serde_json::to_vec(&docs).unwrap()).unwrap();
            (inv.clone(), docs, file)
        })
        .collect();
    let mut compared = 0;
    for name in &names {
        let module =
            tenet::compile_files(&tenet_compiler_files(&root().join("policies").join(name)))
                .unwrap();
        let wasm = scratch(&format!("{name}.wasm"));
        std::fs::write(&wasm, &module).unwrap();
        let standard = tenet::Standard::load(&module).unwrap().at(now);
        for (inv, docs, docs_file) in &loaded {
            let rust: String = standard
                .evaluate(docs)
                .unwrap()
                .iter()
                .map(|f| {
                    let mut v = serde_json::to_value(f).unwrap();
                    let r = v["resource"].as_object_mut().unwrap();
                    r.remove("file");
                    r.remove("line");
                    r.remove("column");
                    canonical(&v) + "\n"
                })
                .collect();
            let o = Command::new("node")
                .arg(root().join("hosts/node/conformance.js"))
                .arg(&wasm)
                .arg(docs_file)
                .arg(now.to_string())
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", stderr(&o));
            let js = stdout(&o);
            if let Some((a, b)) = rust.lines().zip(js.lines()).find(|(a, b)| a != b) {
                panic!(
                    "{name} on {}: first difference\nrust: {a}\nnode: {b}",
                    inv.display()
                );
            }
            assert_eq!(
                rust.lines().count(),
                js.lines().count(),
                "{name} on {}",
                inv.display()
            );
            compared += rust.lines().count();
        }
    }
    assert!(compared > 1000, "{compared} findings compared");
}

/// CI outputs: GitHub annotations, JUnit and Markdown as snapshots; SARIF's structure, and
/// fingerprints that do not depend on line numbers; several outputs in one run.
#[test]
fn ci_outputs() {
    let run = |format: &str| {
        let o = tenet(&[
            "check",
            "--standard",
            "examples/standard",
            "examples/inventory.json",
            "--now",
            NOW,
            "--format",
            format,
        ]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        stdout(&o)
    };
    insta::assert_snapshot!("ci_github", run("github"));
    insta::assert_snapshot!("ci_junit", run("junit"));
    insta::assert_snapshot!("ci_markdown", run("markdown"));
    let sarif: serde_json::Value = serde_json::from_str(&run("sarif")).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let run0 = &sarif["runs"][0];
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run0["results"].as_array().unwrap();
    assert_eq!(results.len(), 16);
    for r in results {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], r["ruleId"]);
        assert!(["error", "warning", "note"].contains(&r["level"].as_str().unwrap()));
        assert!(
            r["locations"][0]["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .unwrap()
                >= 1
        );
        assert_eq!(
            r["partialFingerprints"]["tenetFinding/v1"]
                .as_str()
                .unwrap()
                .len(),
            16
        );
    }
    // The same inventory shifted by blank lines keeps every fingerprint.
    let text = std::fs::read_to_string(root().join("examples/inventory.json")).unwrap();
    let shifted = write("shifted.json", format!("\n\n\n{text}").as_bytes());
    let (sarif_path, junit_path) = (scratch("out.sarif"), scratch("out.xml"));
    let o = tenet(&[
        "check",
        "--standard",
        "examples/standard",
        shifted.to_str().unwrap(),
        "--now",
        NOW,
        "--output",
        &format!("sarif={}", sarif_path.display()),
        "--output",
        &format!("junit={}", junit_path.display()),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("Summary:"),
        "the table still goes to standard output"
    );
    let shifted_sarif: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&sarif_path).unwrap()).unwrap();
    let prints = |s: &serde_json::Value| -> Vec<String> {
        s["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["partialFingerprints"]["tenetFinding/v1"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    assert_eq!(prints(&sarif), prints(&shifted_sarif));
    assert_ne!(
        sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        shifted_sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
            ["startLine"]
    );
    assert!(std::fs::read_to_string(&junit_path)
        .unwrap()
        .starts_with("<?xml"));
    let o = tenet(&[
        "check",
        "--standard",
        "examples/standard",
        "examples/inventory.json",
        "--output",
        "table=x",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

/// A baseline accepts today's findings: `check --baseline` then fails only on new ones, whose
/// fingerprints do not depend on line numbers.
#[test]
fn baselines_fail_only_on_new_findings() {
    let text = std::fs::read_to_string(root().join("examples/inventory.json")).unwrap();
    let inv = write("baseline-inventory.json", text.as_bytes());
    let base = scratch("baseline/base.json");
    let (p, b) = (inv.to_str().unwrap(), base.to_str().unwrap());
    let o = tenet(&[
        "baseline",
        "create",
        "--standard",
        "examples/standard",
        p,
        "--now",
        NOW,
        "--to",
        b,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = tenet(&[
        "check",
        "--standard",
        "examples/standard",
        p,
        "--now",
        NOW,
        "--baseline",
        b,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("0 new findings, 16 already in the baseline"),
        "{}",
        stderr(&o)
    );
    // Lines move and a new finding appears: only the new one counts.
    let changed = format!(
        "\n\n{}",
        text.replacen(
            "\"enablePurgeProtection\": true",
            "\"enablePurgeProtection\": false",
            1
        )
    );
    std::fs::write(&inv, changed).unwrap();
    let sarif = scratch("baseline.sarif");
    let o = tenet(&[
        "check",
        "--standard",
        "examples/standard",
        p,
        "--now",
        NOW,
        "--baseline",
        b,
        "--output",
        &format!("sarif={}", sarif.display()),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("1 new finding, 16 already in the baseline"),
        "{}",
        stderr(&o)
    );
    let s: serde_json::Value = serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap();
    let states: Vec<&str> = s["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["baselineState"].as_str().unwrap())
        .collect();
    assert_eq!(states.iter().filter(|x| **x == "new").count(), 1);
    assert_eq!(states.iter().filter(|x| **x == "unchanged").count(), 16);
    assert_valid_sarif(&s);
    let o = tenet(&[
        "check",
        "--standard",
        "examples/standard",
        p,
        "--baseline",
        "/nonexistent/baseline.json",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

/// Fails unless `sarif` is valid against the official SARIF 2.1.0 schema (OASIS, errata 01),
/// kept in `tests/schemas/`.
fn assert_valid_sarif(sarif: &serde_json::Value) {
    let schema: serde_json::Value = serde_json::from_slice(
        &std::fs::read(root().join("tests/schemas/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF:\n{}", errors.join("\n"));
}

#[test]
fn sarif_is_valid_against_the_official_schema() {
    // The validator itself rejects what the schema forbids.
    let bad = serde_json::json!({"version": "2.1.0", "runs": [{"tool": {}}]});
    let schema: serde_json::Value = serde_json::from_slice(
        &std::fs::read(root().join("tests/schemas/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    assert!(!jsonschema::is_valid(&schema, &bad));
    for (standard, input) in [
        ("examples/standard", "examples/inventory.json"),
        ("azure-security-baseline", "tests/fixtures/iac/storage.json"),
        ("aws-foundations", "tests/fixtures/iac/logs.yaml"),
    ] {
        let o = tenet(&[
            "check",
            "--standard",
            standard,
            input,
            "--now",
            NOW,
            "--format",
            "sarif",
        ]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let sarif: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert!(!sarif["runs"][0]["results"].as_array().unwrap().is_empty());
        assert_valid_sarif(&sarif);
    }
}

#[test]
fn templates_are_read_with_property_locations() {
    let region = |standard: &str, input: &str, rule: &str| -> (u64, u64) {
        let o = tenet(&[
            "check",
            "--standard",
            standard,
            input,
            "--now",
            NOW,
            "--format",
            "sarif",
        ]);
        let sarif: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        let r = sarif["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["ruleId"] == rule)
            .unwrap_or_else(|| panic!("no {rule} result"));
        let reg = &r["locations"][0]["physicalLocation"]["region"];
        (
            reg["startLine"].as_u64().unwrap(),
            reg["startColumn"].as_u64().unwrap(),
        )
    };
    // The parameter's default TLS1_0 is evaluated; the finding points at the property.
    assert_eq!(
        region(
            "azure-security-baseline",
            "tests/fixtures/iac/storage.json",
            "az-storage-min-tls"
        ),
        (13, 9)
    );
    // An absent property: the deepest part that exists (`Properties`).
    assert_eq!(
        region(
            "aws-foundations",
            "tests/fixtures/iac/logs.yaml",
            "aws-log-group-kms"
        ),
        (9, 5)
    );
    // Short tags are read: `!Ref Retention` is the parameter's default, so retention is set.
    let o = tenet(&[
        "check",
        "--standard",
        "aws-foundations",
        "tests/fixtures/iac/logs.yaml",
        "--now",
        NOW,
        "--format",
        "json",
        "--all",
        "--recommendation",
        "aws-log-group-retention",
    ]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(report["findings"][0]["state"], "compliant", "{report}");
    // Fixes of templates are shown, never written back over their expressions.
    let copy = write(
        "template-fix-storage.json",
        &std::fs::read(root().join("tests/fixtures/iac/storage.json")).unwrap(),
    );
    let before = std::fs::read_to_string(&copy).unwrap();
    let o = tenet(&[
        "fix",
        "--standard",
        "azure-security-baseline",
        copy.to_str().unwrap(),
        "--write",
    ]);
    assert_ne!(o.status.code(), Some(0));
    assert!(
        stderr(&o).contains("templates and plans are not rewritten"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read_to_string(&copy).unwrap(), before);
    // Forcing another format is refused with the file named.
    let o = tenet(&[
        "check",
        "--standard",
        "aws-foundations",
        "tests/fixtures/iac/logs.yaml",
        "--input-format",
        "terraform-plan",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("logs.yaml"), "{}", stderr(&o));
    let o = tenet(&[
        "check",
        "--standard",
        "aws-foundations",
        "tests/fixtures/iac/logs.yaml",
        "--input-format",
        "nonsense",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

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
    insta::assert_snapshot!("score_table", stdout(&o));
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
    insta::assert_snapshot!("exemptions_error", stderr(&o));
}

#[test]
fn filters_and_grouping() {
    let json = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec![
            "check",
            "--standard",
            "examples/standard",
            "examples/inventory.json",
            "--now",
            NOW,
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let o = tenet(&args);
        assert!(o.status.code().is_some_and(|c| c < 2), "{}", stderr(&o));
        serde_json::from_str(&stdout(&o)).unwrap()
    };
    let findings = |v: &serde_json::Value| v["findings"].as_array().unwrap().clone();
    let all = json(&[]);
    let aws = json(&["--environment", "aws"]);
    assert!(!findings(&aws).is_empty());
    assert!(findings(&aws)
        .iter()
        .all(|f| f["resource"]["provider"] == "aws"));
    assert!(findings(&aws).len() < findings(&all).len());
    let high = json(&["--severity", "high"]);
    assert!(findings(&high).iter().all(|f| f["severity"] == "high"));
    assert_eq!(
        high["recommendations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["severity"] != "high")
            .count(),
        0,
        "counts follow the severity filter"
    );
    let dp3 = json(&["--control", "DP-3"]);
    assert!(findings(&dp3).iter().all(|f| f["recommendation"]
        .as_str()
        .unwrap()
        .starts_with("storage-")));
    // --risk keeps findings at that level or above; the example declares no risk factors, so the
    // level is the severity's.
    let risky = json(&["--risk", "high"]);
    assert!(findings(&risky)
        .iter()
        .all(|f| f["risk"]["level"] == "high" || f["risk"]["level"] == "critical"));
    assert_eq!(findings(&risky).len(), findings(&high).len());
    let grouped = json(&["--group-by", "severity"]);
    assert!(findings(&grouped)
        .iter()
        .all(|f| f["group"] == f["severity"]));
    let o = tenet(&[
        "check",
        "--standard",
        "examples/standard",
        "examples/inventory.json",
        "--now",
        NOW,
        "--group-by",
        "environment",
    ]);
    insta::assert_snapshot!("grouped_table", stdout(&o));
    let o = tenet(&[
        "check",
        "--standard",
        "examples/standard",
        "examples/inventory.json",
        "--group-by",
        "colour",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn history_across_runs_with_a_fixed_clock() {
    let dir = scratch("history");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("h.db");
    let inv = dir.join("inv.json");
    let text = std::fs::read_to_string(root().join("examples/inventory.json")).unwrap();
    std::fs::write(&inv, &text).unwrap();
    let check = |at: &str, extra: &[&str]| {
        let mut args = vec![
            "check",
            "--standard",
            "examples/standard",
            inv.to_str().unwrap(),
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
        serde_json::from_str::<serde_json::Value>(&stdout(&o)).unwrap()
    };
    let first = check("2026-11-01T00:00:00Z", &[]);
    let h = &first["findings"][0]["history"];
    assert_eq!(
        (h["new"].as_bool(), h["age_days"].as_i64()),
        (Some(true), Some(0))
    );
    // A new finding appears; the old ones keep their first time.
    std::fs::write(
        &inv,
        text.replacen(
            "\"enablePurgeProtection\": true",
            "\"enablePurgeProtection\": false",
            1,
        ),
    )
    .unwrap();
    let second = check("2026-11-11T00:00:00Z", &["--new-only"]);
    let listed = second["findings"].as_array().unwrap();
    assert_eq!(listed.len(), 1, "--new-only lists the one new finding");
    assert_eq!(listed[0]["recommendation"], "keyvault-recoverable");
    assert_eq!(listed[0]["history"]["new"], true);
    let third = check("2026-11-21T00:00:00Z", &[]);
    let old = third["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["recommendation"] == "storage-secure-transfer")
        .unwrap();
    assert_eq!(old["history"]["first_seen"], "2026-11-01T00:00:00Z");
    assert_eq!(old["history"]["age_days"], 20);
    // Two runs at once both land (one waits for the other's transaction).
    let handles: Vec<_> = ["2026-11-22T00:00:00Z", "2026-11-23T00:00:00Z"]
        .into_iter()
        .map(|at| {
            let (db, inv) = (db.clone(), inv.clone());
            std::thread::spawn(move || {
                tenet_recording(&[
                    "check",
                    "--standard",
                    "examples/standard",
                    inv.to_str().unwrap(),
                    "--db",
                    db.to_str().unwrap(),
                    "--now",
                    at,
                ])
                .status
                .code()
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), Some(1));
    }
    let o = tenet(&["history", "--db", db.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 5);
    assert_eq!(runs[0]["unhealthy"], 16);
    assert_eq!(runs[1]["unhealthy"], 17);
    assert!(runs[1]["percentage"].as_f64() < runs[0]["percentage"].as_f64());
    let o = tenet(&["history", "--db", dir.join("none.db").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
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
