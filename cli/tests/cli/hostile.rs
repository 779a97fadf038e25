//! Hostile input: files from a pull request must not choose their verdict, knock the gate over,
//! or make tenet write outside its target. Each hostile file is generated here, and every run
//! is bounded by a deadline, so a hang fails the test instead of stalling the suite.
#![allow(clippy::panic, reason = "a test fails by panicking")]

use crate::common::*;
use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Runs `cmd` (stdin from `input`), killing it after `secs`: a hang is a failure, and so is an
/// abort (a signal, such as a stack overflow's SIGABRT). Output is drained as it comes, so a
/// long report cannot block the child.
pub(crate) fn bounded(mut cmd: Command, input: Option<Vec<u8>>, secs: u64) -> Output {
    use std::io::Read;
    cmd.stdin(if input.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run tenet");
    if let Some(bytes) = input {
        let mut stdin = child.stdin.take().unwrap();
        std::thread::spawn(move || {
            let _ = stdin.write_all(&bytes);
        });
    }
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = r.read_to_end(&mut v);
            v
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(secs) {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "tenet did not finish within {secs} s; stderr: {}",
                String::from_utf8_lossy(&err.join().unwrap())
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let o = Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    };
    assert!(
        o.status.code().is_some(),
        "tenet was killed by a signal ({:?}); stderr: {}",
        o.status,
        stderr(&o)
    );
    o
}

/// `tenet check --standard <standard> --format json <args>`, bounded by `secs`.
fn check_json(standard: &str, args: &[&str], secs: u64) -> Output {
    let mut all = vec!["check", "--standard", standard, "--format", "json"];
    all.extend_from_slice(args);
    bounded(tenet_command(&all), None, secs)
}

fn pods(args: &[&str]) -> Output {
    check_json("kubernetes-pod-security", args, 60)
}

fn errors(o: &Output) -> Vec<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(o), stderr(o)));
    v["errors"].as_array().cloned().unwrap_or_default()
}

const PRIVILEGED: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n    securityContext:\n      privileged: true\n";

#[test]
fn a_repeated_yaml_key_is_a_located_error_and_the_rest_is_reported() {
    let dir = scratch("hostile-duplicate");
    std::fs::create_dir_all(&dir).unwrap();
    let bypass = PRIVILEGED.replace(
        "      privileged: true\n",
        "      privileged: true\n      privileged: false\n",
    );
    std::fs::write(dir.join("a-bypass.yaml"), bypass).unwrap();
    std::fs::write(dir.join("b-plain.yaml"), PRIVILEGED).unwrap();
    let o = pods(&[dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let errs = errors(&o);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0]["file"].as_str().unwrap().ends_with("a-bypass.yaml"));
    assert_eq!(
        (errs[0]["line"].as_u64(), errs[0]["column"].as_u64()),
        (Some(11), Some(7))
    );
    assert!(errs[0]["message"]
        .as_str()
        .unwrap()
        .contains("`privileged` appears twice"));
    // The other file is still judged: its privileged container is found.
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["resource"]["file"]
                .as_str()
                .unwrap()
                .ends_with("b-plain.yaml")),
        "{}",
        stdout(&o)
    );
}

#[test]
fn an_unknown_yaml_tag_is_a_located_error() {
    let hidden = PRIVILEGED.replace("spec:\n", "spec: !Anything\n");
    let file = write("hostile-tag.yaml", hidden.as_bytes());
    let o = pods(&[file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let errs = errors(&o);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0]["line"], 5);
    assert!(errs[0]["message"].as_str().unwrap().contains("`!Anything`"));
    // CloudFormation's tags keep their meaning.
    let cfn = "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub '${AWS::StackName}-b'\n";
    let file = write("hostile-cfn-tags.yaml", cfn.as_bytes());
    let o = check_json("aws-foundations", &[file.to_str().unwrap()], 60);
    assert!(errors(&o).is_empty(), "{}", stdout(&o));
}

/// A policy with one recommendation whose condition is `expr`, after `defs`.
fn policy(name: &str, defs: &str, expr: &str) -> std::path::PathBuf {
    write(
        &format!("{name}.tenet"),
        format!(
            "standard h \"H\" {{ version \"1\" }}\n{defs}\nrecommendation r \"R\" {{\n  severity high\n  applies azure \"X/y\"\n  compliant when {expr}\n  remediation \"x\"\n}}\n"
        )
        .as_bytes(),
    )
}

#[test]
fn deeply_nested_policies_are_refused_with_a_location() {
    let n = 6000;
    let chain = |op: &str| vec!["properties.a == 1"; n].join(op);
    let fns: String = (1..3000)
        .map(|i| format!("fn f{i}(x) = f{}(x) and x.b == {i}\n", i - 1))
        .collect();
    let cases = [
        (
            "parens",
            String::new(),
            "(".repeat(n) + "true" + &")".repeat(n),
        ),
        (
            "lists",
            String::new(),
            "[".repeat(n) + "1" + &"]".repeat(n) + " == [1]",
        ),
        ("ands", String::new(), chain(" and ")),
        (
            "defaults",
            String::new(),
            vec!["properties.a"; n].join(" ?? ") + " == 1",
        ),
        ("nots", String::new(), "not ".repeat(n) + "true"),
        (
            "members",
            String::new(),
            "properties".to_string() + &".b".repeat(n) + " == 1",
        ),
        (
            "helpers",
            "fn f0(x) = x.a == 1\n".to_string() + &fns,
            "f2999(properties)".to_string(),
        ),
    ];
    for (name, defs, expr) in cases {
        let file = policy(&format!("hostile-{name}"), &defs, &expr);
        for cmd in ["check-policy", "compile"] {
            let mut args = vec![cmd, file.to_str().unwrap()];
            let out = scratch(&format!("hostile-{name}.wasm"));
            if cmd == "compile" {
                args.extend(["-o", out.to_str().unwrap()]);
            }
            let o = bounded(tenet_command(&args), None, 60);
            assert_eq!(o.status.code(), Some(1), "{name} {cmd}: {}", stderr(&o));
            let text = stdout(&o) + &stderr(&o);
            assert!(text.contains("E0004"), "{name} {cmd}: {text}");
            assert!(
                text.contains(&format!("hostile-{name}.tenet:")),
                "{name}: {text}"
            );
        }
    }
    // At the limits, a policy still compiles.
    let mut e = "properties.a".to_string();
    for _ in 0..60 {
        e = format!("({e} ?? properties.b)");
    }
    let file = policy("hostile-edge", "", &(e + " == 1"));
    let o = bounded(
        tenet_command(&["check-policy", file.to_str().unwrap()]),
        None,
        60,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn an_arm_expression_with_thousands_of_accessors_is_read_as_unknown() {
    let expr = format!("[parameters('p'){}]", "[0]".repeat(40_000));
    let template = serde_json::json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {"p": {"type": "array", "defaultValue": [true]}},
        "resources": [{"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-01-01",
                       "name": "s", "location": "x",
                       "properties": {"supportsHttpsTrafficOnly": expr}}]
    });
    let file = write("hostile-arm.json", template.to_string().as_bytes());
    let o = check_json("azure-security-baseline", &[file.to_str().unwrap()], 60);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["recommendation"] == "az-storage-https-only")
        .unwrap_or_else(|| panic!("{}", stdout(&o)));
    assert_eq!(f["state"], "not_compliant", "{f}");
}

#[test]
fn a_huge_string_literal_is_checked_in_linear_time_with_a_short_diagnostic() {
    // 3 MB: past where the parser's fixed work bound used to fail it slowly.
    let big = "x".repeat(3_000_000);
    let file = policy(
        "hostile-string",
        "",
        &format!("properties.a == \"{big}\" and 1 == \"a\""),
    );
    let o = bounded(
        tenet_command(&["check-policy", file.to_str().unwrap()]),
        None,
        60,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = stdout(&o) + &stderr(&o);
    assert!(text.contains("E0206"), "{}", &text[..text.len().min(2000)]);
    assert!(
        text.contains("hostile-string.tenet:6:3000041"),
        "{}",
        &text[..text.len().min(2000)]
    );
    assert!(text.len() < 4000, "a {} byte diagnostic", text.len());
}

/// Makes a FIFO (which blocks whoever opens it for reading).
#[cfg(unix)]
fn fifo(path: &std::path::Path) {
    let ok = Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "mkfifo {}", path.display());
}

#[cfg(unix)]
#[test]
fn directory_walks_end_on_link_loops_skip_special_files_and_read_each_file_once() {
    use std::os::unix::fs::symlink;
    let dir = scratch("hostile-walk");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("a/b")).unwrap();
    std::fs::write(dir.join("a/pod.yaml"), PRIVILEGED).unwrap();
    symlink(".", dir.join("self")).unwrap();
    symlink("..", dir.join("a/b/up")).unwrap();
    symlink(dir.join("a"), dir.join("a/b/loop")).unwrap();
    symlink("pod.yaml", dir.join("a/again.yaml")).unwrap();
    fifo(&dir.join("a/fifo.yaml"));
    let o = pods(&[dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["summary"]["resources"], 1, "{}", v["summary"]);
    assert!(errors(&o).is_empty(), "{:?}", errors(&o));

    // A policy directory with the same traps compiles its one file once.
    let pol = scratch("hostile-policy-walk");
    let _ = std::fs::remove_dir_all(&pol);
    std::fs::create_dir_all(pol.join("sub")).unwrap();
    std::fs::copy(
        root().join("examples/standard/standard.tenet"),
        pol.join("standard.tenet"),
    )
    .unwrap();
    for f in [
        "network.tenet",
        "azure.tenet",
        "aws-gcp.tenet",
        "kubernetes.tenet",
    ] {
        std::fs::copy(root().join("examples/standard").join(f), pol.join(f)).unwrap();
    }
    symlink(".", pol.join("sub/loop")).unwrap();
    symlink("..", pol.join("sub/up")).unwrap();
    symlink("standard.tenet", pol.join("twice.tenet")).unwrap();
    fifo(&pol.join("sub/fifo.tenet"));
    let o = bounded(
        tenet_command(&["check-policy", pol.to_str().unwrap()]),
        None,
        60,
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn binary_standard_input_is_refused_at_once_by_a_standard_with_lookups() {
    // kubernetes-pod-security looks up NetworkPolicies, so a pipe is held in memory.
    let o = bounded(
        tenet_command(&[
            "check",
            "--standard",
            "kubernetes-pod-security",
            "--format",
            "json",
            "-",
        ]),
        Some(vec![0u8; 64 << 20]),
        30,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("binary data, not JSON or YAML"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_huge_resource_name_is_shortened_in_every_finding() {
    let name = "a".repeat(4 << 20);
    let line = format!(
        "{{\"type\":\"Microsoft.Storage/storageAccounts\",\"name\":\"{name}\",\"properties\":{{}}}}\n"
    );
    let file = write("hostile-name.jsonl", line.as_bytes());
    let o = check_json("azure-security-baseline", &[file.to_str().unwrap()], 120);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let findings = v["findings"].as_array().unwrap();
    assert!(!findings.is_empty(), "{}", stderr(&o));
    for f in findings {
        let shown = f["resource"]["name"].as_str().unwrap();
        assert!(
            shown.len() < 300 && shown.contains("…#"),
            "{}",
            &shown[..shown.len().min(400)]
        );
    }
}

#[test]
fn a_long_line_that_never_ends_is_a_located_error_and_the_rest_is_reported() {
    // 24 MiB without a newline, read in 1 MiB batches: the search for the line's end resumes
    // where it stopped instead of starting over (bench/RESULTS.md has the timings).
    let mut text =
        b"{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"".to_vec();
    text.resize(text.len() + (24 << 20), b'a');
    let long = write("hostile-long-line.jsonl", &text);
    let pod = write("hostile-long-line-pod.yaml", PRIVILEGED.as_bytes());
    let o = pods(&[long.to_str().unwrap(), pod.to_str().unwrap()]);
    let errs = errors(&o);
    assert_eq!(errs.len(), 1, "{}", stdout(&o));
    assert_eq!(errs[0]["file"], long.to_str().unwrap());
    assert_eq!(errs[0]["line"], 1);
    assert!(
        errs[0]["message"]
            .as_str()
            .unwrap()
            .contains("unterminated string"),
        "{}",
        errs[0]
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["recommendation"] == "k8s-no-privileged"));
}

/// `tenet fix --standard kubernetes-pod-security --write <args>`, bounded.
fn fix_write(args: &[&str]) -> Output {
    let mut all = vec!["fix", "--standard", "kubernetes-pod-security", "--write"];
    all.extend_from_slice(args);
    bounded(tenet_command(&all), None, 60)
}

#[cfg(unix)]
#[test]
fn fix_write_never_writes_through_a_planted_link() {
    use std::os::unix::fs::symlink;
    let base = scratch("hostile-links");
    let (repo, outside) = (base.join("repo"), base.join("outside"));
    std::fs::create_dir_all(repo.join("real")).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    // Outside the repository: a file the run must never change.
    std::fs::write(outside.join("victim.yaml"), PRIVILEGED).unwrap();
    std::fs::write(repo.join("real/pod.yaml"), PRIVILEGED).unwrap();
    // Planted: a file link, a folder link, and a link where the backup goes.
    symlink(outside.join("victim.yaml"), repo.join("evil.yaml")).unwrap();
    symlink(&outside, repo.join("sub")).unwrap();
    symlink(outside.join("victim.yaml"), repo.join("real/pod.yaml.bak")).unwrap();
    let o = fix_write(&[repo.to_str().unwrap(), "--backup"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("evil.yaml is a symbolic link"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read_to_string(outside.join("victim.yaml")).unwrap(),
        PRIVILEGED,
        "nothing outside the repository changes"
    );
    // The real file is still fixed; its backup replaced the planted link instead of following it.
    let fixed = std::fs::read_to_string(repo.join("real/pod.yaml")).unwrap();
    assert!(fixed.contains("runAsNonRoot: true"), "{fixed}");
    let bak = repo.join("real/pod.yaml.bak");
    assert!(!bak.symlink_metadata().unwrap().is_symlink());
    assert_eq!(std::fs::read_to_string(&bak).unwrap(), PRIVILEGED);
    // A link named on the command line is refused too, unless the flag says so.
    let named = repo.join("evil.yaml");
    let o = fix_write(&[named.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(named.symlink_metadata().unwrap().is_symlink());
    let o = fix_write(&[named.to_str().unwrap(), "--follow-symlinks"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        named.symlink_metadata().unwrap().is_symlink(),
        "the link stays a link"
    );
    assert!(std::fs::read_to_string(outside.join("victim.yaml"))
        .unwrap()
        .contains("runAsNonRoot: true"));
}

#[cfg(unix)]
#[test]
fn fix_write_keeps_permissions_and_cleans_what_a_killed_run_left() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("hostile-modes");
    std::fs::create_dir_all(&dir).unwrap();
    let pod = dir.join("pod.yaml");
    std::fs::write(&pod, PRIVILEGED).unwrap();
    std::fs::set_permissions(&pod, std::fs::Permissions::from_mode(0o600)).unwrap();
    // What a run killed between writing and renaming leaves: a temporary file of a process
    // that no longer runs, old enough to count as left behind everywhere.
    let left = dir.join(".pod.yaml.tenet-4294967-abcdef.tmp");
    std::fs::write(&left, "half").unwrap();
    let old = std::time::SystemTime::now() - Duration::from_secs(7200);
    std::fs::File::options()
        .write(true)
        .open(&left)
        .unwrap()
        .set_modified(old)
        .unwrap();
    let o = fix_write(&[pod.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let meta = std::fs::metadata(&pod).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    assert!(std::fs::read_to_string(&pod)
        .unwrap()
        .contains("runAsNonRoot: true"));
    let rest: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(rest, ["pod.yaml"], "no temporary file is left");
}

/// A name that tries everything a human format could act on: terminal escapes, a carriage
/// return and a newline starting a workflow command, NUL, a bell, a bidirectional override,
/// HTML, a `javascript:` link, a bare link and a mention.
const HOSTILE_NAME: &str = "evil\u{1b}[31mRED\r\n::error::pwned\u{0}\u{7}\u{202e}dcba <img src=x onerror=alert(1)> [x](javascript:alert(1)) https://e.example @octocat";

/// Fails on a raw control character other than a line break, or on a line that the hostile
/// name started.
fn assert_shown_safely(what: &str, text: &str) {
    let bad: Vec<char> = text
        .chars()
        .filter(|c| (c.is_control() && *c != '\n') || *c == '\u{202e}')
        .collect();
    assert!(bad.is_empty(), "{what}: raw {bad:?} in\n{text}");
    for line in text.lines() {
        assert!(
            !line.trim_start().starts_with("::error::"),
            "{what}: a line starts a workflow command: {line}"
        );
    }
}

#[test]
fn names_with_control_characters_are_shown_escaped_in_every_human_format() {
    let dir = scratch("hostile-names");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let pod = serde_json::json!([{
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": HOSTILE_NAME, "namespace": "n\u{1b}]0;title\u{7}"},
        "spec": {"containers": [{"name": "c\u{1b}[2J", "image": "nginx:1.27",
                                 "securityContext": {"privileged": true}}]}
    }]);
    // The file name is hostile too.
    let inv = dir.join("inv\u{1b}[2J.json");
    std::fs::write(&inv, pod.to_string()).unwrap();
    let p = inv.to_str().unwrap();
    let run = |args: &[&str]| {
        let mut all = vec!["check", "--standard", "kubernetes-pod-security", p];
        all.extend_from_slice(args);
        let o = bounded(tenet_command(&all), None, 60);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        o
    };
    for args in [
        &[][..],
        &["--group-by", "resource-type"],
        &["--format", "markdown"],
        &["--format", "junit"],
        &["--format", "csv"],
        &["--format", "html"],
    ] {
        let o = run(args);
        assert_shown_safely(&format!("{args:?}"), &stdout(&o));
        assert_shown_safely(&format!("{args:?} stderr"), &stderr(&o));
    }
    let table = stdout(&run(&[]));
    assert!(
        table.contains(r"evil\x1b[31mRED\r\n::error::pwned\x00\x07\u{202e}dcba"),
        "{table}"
    );
    let md = stdout(&run(&["--format", "markdown"]));
    assert!(!md.contains("<img") && !md.contains("@octocat") && !md.contains("https://"));
    assert!(md.contains("@\u{200b}octocat"), "{md}");
    // The JUnit file is well-formed XML and shows the escapes.
    let junit = stdout(&run(&["--format", "junit"]));
    quick_junit::Report::deserialize_from_str(&junit).unwrap();
    assert!(junit.contains(r"\x1b[31mRED\r\n"), "{junit}");
    // The fix diff, and the history of a recorded run.
    let o = bounded(
        tenet_command(&["fix", "--standard", "kubernetes-pod-security", p]),
        None,
        60,
    );
    assert_shown_safely("fix", &stdout(&o));
    assert_shown_safely("fix stderr", &stderr(&o));
    let db = dir.join("h.db");
    let db = db.to_str().unwrap();
    for at in ["2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z"] {
        let o = tenet_recording(&[
            "check",
            "--standard",
            "kubernetes-pod-security",
            p,
            "--db",
            db,
            "--now",
            at,
        ]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        // Between the runs the pod is fixed, so the history lists a change on it.
        let fixed = pod
            .to_string()
            .replace("\"privileged\":true", "\"privileged\":false");
        std::fs::write(&inv, fixed).unwrap();
    }
    let o = tenet(&["history", "--db", db]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("Changes in the last run"),
        "{}",
        stdout(&o)
    );
    assert_shown_safely("history", &stdout(&o));
}

#[test]
fn every_command_that_evaluates_takes_the_limits_from_flags_or_the_configuration() {
    let dir = scratch("hostile-limits");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    let pod = |name: &str, n: usize| {
        let containers: Vec<_> = (0..n)
            .map(|i| serde_json::json!({"name": format!("c{i}"), "image": "nginx:1.27"}))
            .collect();
        serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
                           "spec": {"containers": containers}})
    };
    let inv = dir.join("pods.json");
    std::fs::write(
        &inv,
        serde_json::json!([pod("small", 1), pod("huge", 3000)]).to_string(),
    )
    .unwrap();
    let p = inv.to_str().unwrap();
    let run = |args: &[&str]| {
        let mut c = tenet_command(args);
        c.current_dir(&dir);
        bounded(c, None, 120)
    };
    // `tenet <command> -s kubernetes-pod-security pods.json <more>`.
    let pods = |command: &str, more: &[&str]| {
        run(&[&[command, "-s", "kubernetes-pod-security", p][..], more].concat())
    };
    // A run that stops on the huge pod's error result (exit 2, the pod named).
    let stops_on_huge = |o: Output| {
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("huge was not evaluated"),
            "{}",
            stderr(&o)
        );
    };
    // The flags: on fix and test as on check.
    let small_budget = ["--max-instructions", "1000000"];
    stops_on_huge(pods("check", &small_budget));
    // fix evaluates in memory: the resource over the limit is reported as failed, not
    // evaluated, and the other is still fixed (the same semantics as check).
    let o = pods("fix", &small_budget);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("huge was not evaluated") && out.contains("--max-instructions"),
        "{out}"
    );
    assert!(
        out.contains("small (Pod)") && out.contains("fixed      "),
        "{out}"
    );
    stops_on_huge(pods(
        "check",
        &[&small_budget[..], &["--explain", "k8s-run-as-non-root"]].concat(),
    ));
    let o = pods("fix", &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let standard = root().join("policies/kubernetes-pod-security");
    let s = standard.to_str().unwrap();
    let o = run(&["test", s, "--max-instructions", "100"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--max-instructions"), "{}", stderr(&o));
    let o = run(&["test", s, "--timeout", "0"]);
    assert_eq!(o.status.code(), Some(2), "a zero limit is refused");
    // The configuration: used without the flag, and a flag wins over it.
    std::fs::create_dir_all(dir.join(".tenet")).unwrap();
    std::fs::write(
        dir.join(".tenet/config.yaml"),
        "version: 1\nlimits:\n  max_instructions: 1000000\n",
    )
    .unwrap();
    stops_on_huge(pods("check", &[]));
    let o = pods("fix", &[]);
    assert!(
        stdout(&o).contains("huge was not evaluated"),
        "{}",
        stdout(&o)
    );
    let o = pods("check", &["--max-instructions", "1000000000"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    std::fs::write(
        dir.join(".tenet/config.yaml"),
        "version: 1\nlimits:\n  timeout_ms: 0\n",
    )
    .unwrap();
    let o = pods("check", &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("greater than 0"), "{}", stderr(&o));
}

/// A custom section named `name` holding `data`, in the binary format.
fn custom_section(name: &str, data: &[u8]) -> Vec<u8> {
    fn leb(mut n: usize, out: &mut Vec<u8>) {
        loop {
            let b = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                out.push(b);
                return;
            }
            out.push(b | 0x80);
        }
    }
    let mut body = Vec::new();
    leb(name.len(), &mut body);
    body.extend_from_slice(name.as_bytes());
    body.extend_from_slice(data);
    let mut out = vec![0u8];
    leb(body.len(), &mut out);
    out.extend(body);
    out
}

#[test]
fn inspect_refuses_the_modules_check_refuses() {
    let dir = scratch("hostile-modules");
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.wasm");
    let o = tenet(&["compile", "examples/standard", "-o", good.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let wasm = std::fs::read(&good).unwrap();
    let o = tenet(&["inspect", "--json", good.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let meta = o.stdout;
    let mut newer: serde_json::Value = serde_json::from_slice(&meta).unwrap();
    newer["abi"] = serde_json::json!(99);
    let mut later_abi = wasm.clone();
    later_abi.extend(custom_section(
        "tenet.metadata",
        newer.to_string().as_bytes(),
    ));
    let mut metadata_only = b"\0asm\x01\0\0\0".to_vec();
    metadata_only.extend(custom_section("tenet.metadata", &meta));
    let cases: [(&str, Vec<u8>, &str); 3] = [
        (
            "truncated",
            wasm[..wasm.len() / 2].to_vec(),
            "not a WebAssembly module",
        ),
        ("metadata-only", metadata_only, "does not export"),
        ("later-abi", later_abi, "ABI version 99"),
    ];
    for (name, bytes, says) in cases {
        let m = dir.join(format!("{name}.wasm"));
        std::fs::write(&m, bytes).unwrap();
        let m = m.to_str().unwrap();
        for args in [
            vec!["inspect", m],
            vec!["inspect", "--json", m],
            vec!["check", "--standard", m, "examples/inventory.json"],
        ] {
            let o = bounded(tenet_command(&args), None, 60);
            assert_eq!(o.status.code(), Some(2), "{name} {args:?}: {}", stdout(&o));
            assert!(stderr(&o).contains(says), "{name} {args:?}: {}", stderr(&o));
            assert!(o.stdout.is_empty(), "{name} {args:?}: nothing is described");
        }
    }
}
