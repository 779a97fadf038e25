//! The infrastructure-as-code adapters on real files of `../shared/corpus`: which resources each
//! file yields, where each one is, and the documents rules see (expressions evaluated, unknown
//! values marked), as snapshots; and the property places findings point at.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test on unexpected errors"
)]

use std::fmt::Write;
use std::path::PathBuf;
use tenet_runtime::iac::Format;
use tenet_runtime::{input, inventory};

/// A file of the corpus; `None` (the test is skipped) when the corpus is absent.
fn corpus_file(path: &str) -> Option<PathBuf> {
    let p = tenet_tests::corpus(path)?.join("files").join(path);
    assert!(p.is_file(), "missing {}", p.display());
    Some(p)
}

/// The resources of a file: place, provider, type, name, id, then each document.
fn listing(path: &str, format: Format) -> Option<String> {
    let inputs = input::inputs(&[corpus_file(path)?]).unwrap();
    let inv = inventory::load_inputs_as(&inputs, format, &Default::default(), None).unwrap();
    let mut out = String::new();
    for r in &inv.resources {
        let _ = writeln!(
            out,
            "{}:{} {} {} {} (id {})",
            r.origin.line,
            r.origin.col,
            r.identity.provider,
            r.identity.kind,
            r.identity.name,
            r.identity.id
        );
    }
    for s in &inv.skipped {
        let _ = writeln!(out, "skipped {}: {}", s.line, s.reason);
    }
    out.push('\n');
    for r in &inv.resources {
        let _ = writeln!(out, "{}\n", serde_json::to_string_pretty(&r.doc).unwrap());
    }
    Some(out)
}

#[test]
fn cloudformation_yaml_with_short_tags() {
    let Some(listed) = listing(
        "cloudformation/aws-cloudformation__aws-cloudformation-templates/EC2/EC2InstanceWithSecurityGroupSample.yaml",
        Format::Auto
    ) else {
        return;
    };
    insta::assert_snapshot!(listed);
}

#[test]
fn cloudformation_json() {
    let Some(listed) = listing(
        "cloudformation/aws-cloudformation__aws-cloudformation-templates/CloudFormation/StackSets/log-setup-management-pkg.json",
        Format::Auto
    ) else {
        return;
    };
    insta::assert_snapshot!(listed);
}

#[test]
fn arm_child_resources() {
    let Some(listed) = listing(
        "arm/Azure__azure-docs-json-samples/tutorial-sql-extension/azuredeploy.json",
        Format::Auto,
    ) else {
        return;
    };
    insta::assert_snapshot!(listed);
}

#[test]
fn arm_nested_deployment() {
    let Some(listed) = listing(
        "arm/Azure__azure-docs-json-samples/azure-resource-manager/crosssubscription.json",
        Format::Auto,
    ) else {
        return;
    };
    insta::assert_snapshot!(listed);
}

#[test]
fn terraform_plan_with_modules_and_unknowns() {
    let Some(listed) = listing(
        "terraform_plan/Akshay444Kumar__learn-terraform-plan/tfplan.json",
        Format::Auto,
    ) else {
        return;
    };
    insta::assert_snapshot!(listed);
}

#[test]
fn forcing_the_format() {
    // Read as plain resources, the template's resources are taken as they are written: nothing
    // is evaluated or marked unknown.
    let Some(plain) = listing(
        "arm/Azure__azure-docs-json-samples/tutorial-sql-extension/azuredeploy.json",
        Format::Inventory,
    ) else {
        return;
    };
    assert!(
        plain.contains(r#""location": "[parameters('location')]""#),
        "{plain}"
    );
    assert!(!plain.contains("$tenet.unknown"), "{plain}");
    // A Kubernetes manifest forced to CloudFormation is refused with the file and line.
    let inputs = input::inputs(&[corpus_file(
        "kubernetes/prometheus-operator__kube-prometheus/examples/example-app/servicemonitor-frontend.yaml",
    )
    .unwrap()])
    .unwrap();
    let e = inventory::load_inputs_as(&inputs, Format::CloudFormation, &Default::default(), None)
        .unwrap_err();
    assert!(e.file.ends_with("servicemonitor-frontend.yaml"), "{e}");
    assert!(e.message.contains("Resources"), "{e}");
}
