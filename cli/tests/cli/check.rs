//! `tenet check` (and `--explain`): the table and JSON reports, thresholds and filters, standard
//! input, bad and large inputs, templates with property locations, grouping.

use crate::common::*;
use std::path::PathBuf;
use std::process::Command;

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
    insta::assert_snapshot!(transcript(&o));
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
    // nsg-web is not compliant, so the explanation fails the run as check would.
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    insta::assert_snapshot!(transcript(&o));
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

/// The `property` of each finding of `rec` in a JSON report: (path, line, column).
fn properties(args: &[&str], rec: &str) -> Vec<(String, u64, u64)> {
    let mut all = vec!["check", "--now", NOW, "--format", "json"];
    all.extend_from_slice(args);
    let o = tenet(&all);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["recommendation"] == rec)
        .map(|f| {
            let p = &f["property"];
            (
                p["path"].as_str().unwrap_or("(none)").to_string(),
                p["line"].as_u64().unwrap_or(0),
                p["column"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

/// A finding points at the property its deciding clause read, traced through the helpers,
/// `let`s and quantifiers the rule is written with, in YAML and JSON alike; when nothing the
/// clause reads is in the file, at the resource itself.
#[test]
fn findings_point_at_the_property_through_helpers_and_quantifiers() {
    // `all c in all_containers(pod) { truthy(c.resources.limits.cpu) }` with `pod` the first
    // present of `spec.template.spec ?? … ?? spec`: the second container lacks the cpu limit.
    let yaml = write(
        "located.yaml",
        b"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: a\n        image: nginx:1.25\n        resources:\n          limits:\n            cpu: 100m\n      - name: b\n        image: nginx:1.25\n        resources:\n          limits:\n            memory: 1Gi\n",
    );
    let y = yaml.to_str().unwrap();
    let k8s = ["--standard", "kubernetes-pod-security", y];
    assert_eq!(
        properties(&k8s, "k8s-cpu-limits"),
        [(
            "spec.template.spec.containers[1].resources.limits".to_string(),
            17,
            11
        )]
    );
    assert_eq!(
        properties(&k8s, "k8s-image-digest"),
        [("spec.template.spec.containers[0].image".to_string(), 10, 9)]
    );
    // The same rule on a Pod in a JSON file: `pod` is `spec` there.
    let json = write(
        "located.json",
        b"{\"apiVersion\": \"v1\", \"kind\": \"Pod\",\n \"metadata\": {\"name\": \"p\"},\n \"spec\": {\"containers\": [\n   {\"name\": \"a\", \"image\": \"nginx:1.25\"}]}}\n",
    );
    let j = json.to_str().unwrap();
    assert_eq!(
        properties(
            &["--standard", "kubernetes-pod-security", j],
            "k8s-cpu-limits"
        ),
        [("spec.containers[0]".to_string(), 4, 4)]
    );
    // A CloudFormation group whose ingress rules are a list, and the group itself as a rule:
    // the rule open to the internet is pointed at, not the resource.
    let cfn = write(
        "located-sg.yaml",
        b"Resources:\n  Web:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: web\n      SecurityGroupIngress:\n      - IpProtocol: tcp\n        FromPort: 443\n        ToPort: 443\n        CidrIp: 0.0.0.0/0\n      - IpProtocol: tcp\n        FromPort: 22\n        ToPort: 22\n        CidrIp: 0.0.0.0/0\n  Logs:\n    Type: AWS::S3::Bucket\n",
    );
    let c = cfn.to_str().unwrap();
    let aws = ["--standard", "aws-foundations", c];
    let ssh = properties(&aws, "aws-sg-no-internet-ssh");
    assert_eq!(ssh.len(), 1);
    assert!(
        ssh[0].0.starts_with("Properties.SecurityGroupIngress[1]") && (11..=14).contains(&ssh[0].1),
        "{ssh:?}"
    );
    // A bucket declared without Properties: nothing the rule reads is in the file.
    assert_eq!(
        properties(&aws, "aws-s3-versioning"),
        [(String::new(), 15, 3)]
    );
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
    // Fixes of templates are never written back over their expressions: the value the
    // parameter gives is named, and the file is left as it is.
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
        stderr(&o).contains(
            "`properties.minimumTlsVersion` is written in the template as `\"[parameters('tls')]\"`, an expression; change it by hand"
        ),
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
    insta::assert_snapshot!("grouped_table", transcript(&o));
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
fn arm_parameter_files_give_the_template_its_values() {
    let tls = |args: &[&str]| -> (Option<i32>, String) {
        let mut all = vec![
            "check",
            "--standard",
            "azure-security-baseline",
            "--recommendation",
            "az-storage-min-tls",
            "--all",
            "--format",
            "json",
            "--now",
            NOW,
        ];
        all.extend_from_slice(args);
        let o = tenet(&all);
        let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
        let state = r["findings"][0]["state"]
            .as_str()
            .unwrap_or("none")
            .to_string();
        (
            o.status.code(),
            format!("{state} {}", stderr(&o).trim()).trim().to_string(),
        )
    };
    let dir = scratch("arm-params");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let template = dir.join("azuredeploy.json");
    std::fs::copy(root().join("tests/fixtures/iac/storage.json"), &template).unwrap();
    let t = template.to_str().unwrap();
    // The default (TLS1_0) alone.
    assert_eq!(tls(&[t]).1, "not_compliant");
    // The parameter file beside it, with the name in another case: TLS1_2.
    let params = r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
      "contentVersion": "1.0.0.0", "parameters": {"TLS": {"value": "TLS1_2"}}}"#;
    std::fs::write(dir.join("azuredeploy.parameters.json"), params).unwrap();
    assert_eq!(tls(&[t]).1, "compliant");
    // A directory walk reads the parameter file as part of its template: no resource, no
    // skipped document, one resource in all.
    let o = tenet(&[
        "check",
        "--standard",
        "azure-security-baseline",
        dir.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["summary"]["resources"], 1);
    assert_eq!(r["skipped"].as_array().unwrap().len(), 0, "{r}");
    // --parameters comes last; a Key Vault reference is unknown, so undecided.
    let kv = write(
        "kv.parameters.json",
        br#"{"parameters": {"tls": {"reference": {"keyVault": {"id": "x"}, "secretName": "s"}}}}"#,
    );
    assert_eq!(
        tls(&[t, "--parameters", kv.to_str().unwrap()]).1,
        "not_compliant"
    );
    let (code, out) = tls(&[t, "--parameters", "/nonexistent.json"]);
    assert_eq!(code, Some(2));
    assert!(out.contains("cannot read the parameter file"), "{out}");
}

/// A snapshot of AWS Config configuration items is judged by the CloudFormation rules of
/// `aws-foundations`: each item as the resource it records (a bucket's policy as its own
/// resource), a deleted resource left out.
#[test]
fn aws_config_items_are_judged_as_the_resources_they_record() {
    let o = tenet(&[
        "check",
        "--standard",
        "aws-foundations",
        "tests/fixtures/iac/aws-config/snapshot.json",
        "--now",
        NOW,
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    insta::assert_snapshot!(transcript(&o));
    let o = tenet(&[
        "check",
        "--standard",
        "aws-foundations",
        "tests/fixtures/iac/aws-config/snapshot.json",
        "--now",
        NOW,
        "--all",
        "--format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        report["summary"]["resources"], 7,
        "6 items and a bucket policy"
    );
    let state = |rec: &str, id: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["recommendation"] == rec && f["resource"]["id"] == id)
            .map(|f| f["state"].as_str().unwrap().to_string())
    };
    let bucket = "arn:aws:s3:::payments-logs";
    for rec in [
        "aws-s3-block-public-acls",
        "aws-s3-versioning",
        "aws-s3-access-logging",
    ] {
        assert_eq!(state(rec, bucket).as_deref(), Some("compliant"), "{rec}");
    }
    assert_eq!(
        state("aws-s3-versioning", "arn:aws:s3:::scratch-uploads").as_deref(),
        Some("not_compliant")
    );
    assert_eq!(
        state(
            "aws-cloudtrail-log-validation",
            "arn:aws:cloudtrail:eu-west-1:123456789012:trail/org-trail"
        )
        .as_deref(),
        Some("compliant")
    );
    // Config records what is deployed: fixes are shown, the file is not written.
    let copy = write(
        "config-snapshot.json",
        &std::fs::read(root().join("tests/fixtures/iac/aws-config/snapshot.json")).unwrap(),
    );
    let before = std::fs::read(&copy).unwrap();
    let o = tenet(&[
        "fix",
        "--standard",
        "aws-foundations",
        copy.to_str().unwrap(),
        "--write",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("AWS Config items and AWS CLI output record what is deployed"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read(&copy).unwrap(), before);
}

/// An Azure Resource Graph export (`az graph query`: `{"data": [...]}`, types in lower case) is
/// judged by `azure-security-baseline` as the same resources read from ARM would be.
#[test]
fn resource_graph_exports_are_judged_by_the_azure_standard() {
    let o = tenet(&[
        "check",
        "--standard",
        "azure-security-baseline",
        "tests/fixtures/inventories/resource-graph.json",
        "--now",
        NOW,
        "--all",
        "--format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["summary"]["resources"], 2);
    let states = |name: &str| {
        let mut s: Vec<String> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["resource"]["name"] == name && f["state"] != "not_applicable")
            .map(|f| {
                format!(
                    "{} {}",
                    f["recommendation"].as_str().unwrap(),
                    f["state"].as_str().unwrap()
                )
            })
            .collect();
        s.sort();
        s
    };
    let storage = states("paylogs");
    assert!(
        storage.contains(&"az-storage-min-tls not_compliant".to_string()),
        "{storage:?}"
    );
    assert!(
        storage.contains(&"az-storage-no-public-blob compliant".to_string()),
        "{storage:?}"
    );
    let vault = states("paysecrets");
    assert!(
        vault.contains(&"az-keyvault-purge-protection compliant".to_string()),
        "{vault:?}"
    );
}

/// The AWS CLI's output (`describe-instances`, `describe-db-instances`,
/// `get-account-authorization-details`) is judged by the CloudFormation rules: an instance's
/// public address and optional IMDS tokens, a user's inline policy, and a role trusting a service.
#[test]
fn aws_cli_output_is_judged_as_the_resources_it_describes() {
    let o = tenet(&[
        "check",
        "--standard",
        "aws-foundations",
        "tests/fixtures/iac/aws-cli",
        "--now",
        NOW,
        "--all",
        "--format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut states: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["state"] != "not_applicable")
        .map(|f| {
            format!(
                "{} {} {}",
                f["resource"]["name"].as_str().unwrap(),
                f["recommendation"].as_str().unwrap(),
                f["state"].as_str().unwrap()
            )
        })
        .collect();
    states.sort();
    assert_eq!(
        states,
        [
            "api aws-ec2-instance-imdsv2 compliant",
            "api aws-ec2-no-public-ip compliant",
            "ci aws-iam-no-admin-policy compliant",
            "ci aws-iam-no-wildcard-assume compliant",
            "deployer aws-iam-no-admin-policy compliant",
            "deployer aws-iam-no-user-policies not_compliant",
            "legacy-batch aws-ec2-instance-imdsv2 not_compliant",
            "legacy-batch aws-ec2-no-public-ip not_compliant",
            "orders aws-rds-backups compliant",
            "orders aws-rds-encrypted compliant",
            "orders aws-rds-multi-az compliant",
            "orders aws-rds-not-public compliant",
        ]
    );
}

/// One AWS Config item alone is read as the resource it records; one whose configuration Config
/// did not record is undecided, not passed by the defaults a template's empty properties get.
#[test]
fn a_single_config_item_is_read_and_an_unrecorded_one_is_not_passed() {
    let item = |status: &str, config: &str| {
        format!(
            r#"{{"resourceType": "AWS::RDS::DBInstance", "resourceId": "db-1", "resourceName": "orders",
                "arn": "arn:aws:rds:eu-west-1:1:db:orders", "configurationItemStatus": "{status}",
                "configurationItemCaptureTime": "2026-11-30T00:00:00Z", "configuration": {config}}}"#
        )
    };
    for (name, status, config, want) in [
        (
            "recorded.json",
            "OK",
            r#"{"publiclyAccessible": false}"#,
            "compliant",
        ),
        (
            "unrecorded.json",
            "ResourceNotRecorded",
            "null",
            "not_compliant",
        ),
    ] {
        let f = write(name, item(status, config).as_bytes());
        let o = tenet(&[
            "check",
            "--standard",
            "aws-foundations",
            f.to_str().unwrap(),
            "--recommendation",
            "aws-rds-not-public",
            "--all",
            "--format",
            "json",
            "--now",
            NOW,
        ]);
        let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(report["findings"][0]["state"], want, "{name}: {report}");
    }
}
