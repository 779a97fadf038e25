//! Hostile input: files from a pull request must not choose their verdict, knock the gate over,
//! or make tenet write outside its target. Each hostile file is generated here, and every run
//! is bounded by a deadline, so a hang fails the test instead of stalling the suite.
#![allow(clippy::panic, reason = "a test fails by panicking")]

use crate::common::*;
use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Runs `cmd` (stdin from `input`), killing it after `secs`: a hang is a failure, and so is an
/// abort (a signal, such as a stack overflow's SIGABRT).
fn bounded(mut cmd: Command, input: Option<Vec<u8>>, secs: u64) -> Output {
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
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(secs) {
            let _ = child.kill();
            let o = child.wait_with_output().unwrap();
            panic!(
                "tenet did not finish within {secs} s; stderr: {}",
                stderr(&o)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let o = child.wait_with_output().unwrap();
    assert!(
        o.status.code().is_some(),
        "tenet was killed by a signal ({:?}); stderr: {}",
        o.status,
        stderr(&o)
    );
    o
}

fn pods(args: &[&str]) -> Output {
    let mut all = vec![
        "check",
        "--standard",
        "kubernetes-pod-security",
        "--format",
        "json",
    ];
    all.extend_from_slice(args);
    bounded(tenet_command(&all), None, 60)
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
    let o = bounded(
        tenet_command(&[
            "check",
            "--standard",
            "aws-foundations",
            "--format",
            "json",
            file.to_str().unwrap(),
        ]),
        None,
        60,
    );
    assert!(errors(&o).is_empty(), "{}", stdout(&o));
}
