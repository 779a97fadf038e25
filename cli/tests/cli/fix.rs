//! `tenet fix`: shown, proven and applied fixes on the example and on real manifests.

use crate::common::*;
use std::process::Command;

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
    insta::assert_snapshot!("fix_example_diff", transcript(&o));
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
    let write = |more: &[&str]| {
        let mut args = vec!["fix", "--standard", "examples/standard", p, "--now", NOW];
        args.push("--write");
        args.extend_from_slice(more);
        tenet(&args)
    };
    let o = write(&["--backup"]);
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
    // The next run removes the temporary file the killed one left.
    let left = || {
        std::fs::read_dir(inv.parent().unwrap())
            .unwrap()
            .filter(|e| {
                let name = e.as_ref().unwrap().file_name();
                name.to_string_lossy()
                    .starts_with(".fix-inventory.json.tenet-")
            })
            .count()
    };
    assert_eq!(left(), 1, "the killed run left its temporary file");
    let o = write(&[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(left(), 0);
}

/// Real Kubernetes manifests (the kube-prometheus slice of the corpus): fix everything that can
/// be fixed, and nothing fixable remains; resources without a fix read back unchanged.
#[test]
fn fix_round_trips_on_real_manifests() {
    let corpus =
        root().join("../shared/corpus/files/kubernetes/prometheus-operator__kube-prometheus");
    if !corpus.is_dir() {
        println!(
            "skipped fix_round_trips_on_real_manifests: {} is absent",
            corpus.display()
        );
        return;
    }
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
        .filter(|p| p["json_patch"].as_array().is_some_and(|a| !a.is_empty()))
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

/// A fix is proved against the whole standard: one that makes the resource fail another
/// recommendation it passed is refused, its patch is neither written nor printed by
/// `--format patch-json`, and the file is left as it is.
#[test]
fn a_fix_that_creates_another_finding_is_refused() {
    let policy = write(
        "proof.tenet",
        br#"standard proof "Proof" { version "1" }
recommendation deny-by-default "Deny by default" {
  severity medium
  applies azure "Microsoft.Storage/storageAccounts"
  compliant when (properties.networkAcls.defaultAction ?? "Allow") == "Deny"
  fix { set properties.networkAcls.defaultAction = "Deny" }
}
recommendation trusted-services "Trusted services pass the firewall" {
  severity low
  applies azure "Microsoft.Storage/storageAccounts"
  compliant when (properties.networkAcls.defaultAction ?? "Allow") == "Allow"
    or contains(properties.networkAcls.bypass ?? "", "AzureServices")
}
"#,
    );
    let inv = write(
        "proof.json",
        br#"[{"type": "Microsoft.Storage/storageAccounts", "name": "st", "id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/st", "apiVersion": "2023-01-01", "properties": {}}]"#,
    );
    let original = std::fs::read_to_string(&inv).unwrap();
    let run = |more: &[&str]| {
        let mut args = vec![
            "fix",
            "--standard",
            policy.to_str().unwrap(),
            inv.to_str().unwrap(),
            "--now",
            NOW,
        ];
        args.extend_from_slice(more);
        tenet(&args)
    };
    let o = run(&[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stdout(&o).contains(
            "failed      deny-by-default  (the patched resource would fail trusted-services, which it passed before; a fix may not create another finding)"
        ),
        "{}",
        stdout(&o)
    );
    let o = run(&["--format", "patch-json"]);
    assert_eq!(stdout(&o).trim(), "[]", "no unproved patch is offered");
    let o = run(&["--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["json_patch"], serde_json::Value::Null);
    let o = run(&["--write"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&inv).unwrap(), original);
}

/// `--write` on Terraform source: the attributes the fixes set are changed or added in the
/// resource's block and every other byte is kept; a value set by an expression is refused and
/// named, and the file's other fixes are still written.
#[test]
fn fixes_are_written_back_to_terraform_source() {
    let dir = scratch("tf-fix-azure");
    copy_dir(&root().join("tests/fixtures/iac/terraform/azure"), &dir);
    let file = dir.join("main.tf");
    let original = std::fs::read_to_string(&file).unwrap();
    let o = tenet(&[
        "fix",
        "--standard",
        "azure-security-baseline",
        dir.to_str().unwrap(),
        "--now",
        NOW,
        "--write",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(
        stderr(&o).contains(
            "azurerm_key_vault.kv[1]: the fix does not apply to the resource: `purge_protection_enabled` of azurerm_key_vault.kv is set by the expression `count.index == 0`; change it where its value comes from (the other fixes of"
        ),
        "{}",
        stderr(&o)
    );
    let fixed = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        fixed,
        original.replace(
            "  min_tls_version          = \"TLS1_0\"\n",
            "  min_tls_version          = \"TLS1_2\"\n  allow_nested_items_to_be_public = false\n  public_network_access_enabled = false\n  shared_access_key_enabled = false\n"
        )
    );
    // What was written is compliant now: only the refused fix is left.
    let o = tenet(&[
        "fix",
        "--standard",
        "azure-security-baseline",
        dir.to_str().unwrap(),
        "--now",
        NOW,
    ]);
    assert!(
        stdout(&o).contains("\n1 fixed, 5 not fixable, 0 failed, in 4 resources"),
        "{}",
        stdout(&o)
    );
}

/// `--write` on commented YAML (a Kubernetes Deployment, a CloudFormation template) and on an ARM
/// template: the fixed values are written where they belong and every other byte, comments and
/// quoting included, is kept; a template value given by a parameter is refused and named, and
/// the file's other resource is still written. Fixing again finds nothing left to fix.
#[test]
fn fixes_are_written_into_yaml_and_templates_keeping_the_rest() {
    let dir = scratch("fix-yaml-templates");
    copy_dir(&root().join("tests/fixtures/fix"), &dir);
    for (file, standard, code) in [
        ("deployment.yaml", "kubernetes-pod-security", 1),
        ("bucket.yaml", "aws-foundations", 1),
        ("storage.json", "azure-security-baseline", 2),
    ] {
        let path = dir.join(file);
        let original = std::fs::read_to_string(&path).unwrap();
        let p = path.to_str().unwrap();
        let o = tenet(&["fix", "--standard", standard, p, "--now", NOW, "--write"]);
        assert_eq!(o.status.code(), Some(code), "{file}: {}", stderr(&o));
        let fixed = std::fs::read_to_string(&path).unwrap();
        // Every line of the original that the fixes did not change is still there, in order.
        let changed = |l: &str| {
            ["hostNetwork", "TLS1_0", "allowBlobPublicAccess\": false"]
                .iter()
                .any(|c| l.contains(c))
        };
        let mut lines = fixed.lines();
        for l in original.lines().filter(|l| !changed(l)) {
            assert!(lines.any(|f| f == l), "{file}: line lost: {l}\n{fixed}");
        }
        insta::assert_snapshot!(format!("written_{file}"), fixed);
        if code == 2 {
            assert!(
                stderr(&o).contains("paymentslogs: the fix does not apply to the resource: `properties.allowBlobPublicAccess` is written in the template as `\"[parameters('publicAccess')]\"`, an expression; change it by hand (the other fixes of"),
                "{}",
                stderr(&o)
            );
        }
        let o = tenet(&["fix", "--standard", standard, p, "--now", NOW]);
        let last = stdout(&o).lines().last().unwrap_or_default().to_string();
        // The template's refused account keeps the fixes that follow the refused one: five.
        let left = if code == 2 { "5 fixed," } else { "0 fixed," };
        assert!(last.starts_with(left), "{file}: {last}");
    }
}
