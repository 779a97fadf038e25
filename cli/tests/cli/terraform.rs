//! `tenet check` on Terraform source: folders as modules, variables and local modules
//! evaluated, broken files as located errors, files named alone, standard input, and nothing
//! rewritten where no fix applies (fix.rs shows fixes written back).

use super::*;

fn json(args: &[&str]) -> (Option<i32>, serde_json::Value) {
    let mut all = vec!["check", "--standard", "aws-foundations", "--now", NOW];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let o = tenet(&all);
    let v = serde_json::from_slice(&o.stdout);
    assert!(v.is_ok(), "{}", stderr(&o));
    (o.status.code(), v.unwrap())
}

/// `recommendation resource` of the findings that apply.
fn ids(report: &serde_json::Value) -> Vec<String> {
    let mut ids: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["state"] != "not_applicable")
        .map(|f| {
            format!(
                "{} {}",
                f["recommendation"].as_str().unwrap(),
                f["resource"]["id"].as_str().unwrap()
            )
        })
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

#[test]
fn a_repository_of_modules_is_evaluated_like_a_plan() {
    let o = tenet(&[
        "check",
        "--standard",
        "aws-foundations",
        "examples/terraform",
        "--now",
        NOW,
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    insta::assert_snapshot!(transcript(&o));

    // The called modules are read through their caller, not again on their own: seven
    // resources, the tfvars' two public instances and the caller's port 22.
    let (_, report) = json(&["examples/terraform", "--all"]);
    assert_eq!(report["summary"]["resources"], 7);
    assert_eq!(
        ids(&report)
            .iter()
            .filter(|i| i.starts_with("aws-ec2-no-public-ip") || i.starts_with("aws-sg-no"))
            .collect::<Vec<_>>(),
        [
            "aws-ec2-no-public-ip aws_instance.web[0]",
            "aws-ec2-no-public-ip aws_instance.web[1]",
            "aws-sg-no-internet-http module.firewall.aws_security_group.this",
            "aws-sg-no-internet-rdp module.firewall.aws_security_group.this",
            "aws-sg-no-internet-ssh module.firewall.aws_security_group.this",
        ]
    );
    let ssh = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["recommendation"] == "aws-sg-no-internet-ssh" && f["state"] != "not_applicable")
        .unwrap();
    assert_eq!(ssh["state"], "not_compliant");
    assert_eq!(
        ssh["resource"]["file"],
        "examples/terraform/modules/firewall/main.tf"
    );
    assert_eq!(ssh["resource"]["line"], 9);
    // A finding points at the attribute its deciding clause reads: the instance's
    // `associate_public_ip_address` (line 11), whose value came from terraform.tfvars.
    let public = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["recommendation"] == "aws-ec2-no-public-ip" && f["state"] == "not_compliant")
        .unwrap();
    assert_eq!(
        public["property"],
        serde_json::json!({"path": "values.associate_public_ip_address", "line": 11, "column": 3}),
        "{public}"
    );

    // The module folder named alone is a root module: its variable has no value, so the rules
    // that read it are undecided (not compliant), never passed.
    let (code, alone) = json(&["examples/terraform/modules/firewall", "--all"]);
    assert_eq!(code, Some(1));
    let states: Vec<&str> = alone["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["recommendation"] == "aws-sg-no-internet-ssh" && f["state"] != "not_applicable"
        })
        .map(|f| f["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["not_compliant"]);
}

#[test]
fn a_file_named_alone_is_judged_with_its_folder() {
    // variables.tf declares nothing but is read: the tfvars make two public instances.
    let (_, report) = json(&["examples/terraform/app/main.tf"]);
    assert_eq!(report["summary"]["resources"], 7);
    let (_, report) = json(&["examples/terraform/app/variables.tf"]);
    assert_eq!(report["summary"]["resources"], 0);
    assert_eq!(report["errors"].as_array().unwrap().len(), 0);
}

#[test]
fn a_broken_file_is_a_located_error_and_the_rest_is_evaluated() {
    let dir = scratch("tf-broken");
    copy_dir(&root().join("examples/terraform"), &dir);
    std::fs::write(
        dir.join("app/broken.tf"),
        "resource \"aws_instance\" \"x\" {\n  ami = = \"a\"\n}\n",
    )
    .unwrap();
    let (code, report) = json(&[dir.to_str().unwrap()]);
    assert_eq!(code, Some(2), "an error result fails the run");
    assert_eq!(report["summary"]["resources"], 7);
    let e = &report["errors"][0];
    assert!(
        e["file"].as_str().unwrap().ends_with("app/broken.tf"),
        "{e}"
    );
    assert_eq!(e["line"], 2);
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("not valid Terraform"),
        "{e}"
    );
}

#[test]
fn standard_input_and_no_rewrites() {
    let mut c = tenet_command(&[
        "check",
        "--standard",
        "aws-foundations",
        "-",
        "--input-format",
        "terraform",
        "--format",
        "json",
    ]);
    c.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"resource \"aws_instance\" \"a\" {\n  associate_public_ip_address = true\n}\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["findings"][0]["resource"]["id"], "aws_instance.a");
    assert_eq!(report["findings"][0]["resource"]["file"], "<stdin>");

    let dir = scratch("tf-fix");
    copy_dir(&root().join("examples/terraform"), &dir);
    let main = dir.join("app/main.tf");
    let before = std::fs::read(&main).unwrap();
    let o = tenet(&[
        "fix",
        "--standard",
        "aws-foundations",
        dir.join("app").to_str().unwrap(),
        "--write",
    ]);
    assert_ne!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(std::fs::read(&main).unwrap(), before);
}

#[test]
fn var_files_and_vars_override_the_folders_tfvars() {
    let vars = write("tf-prod.tfvars", b"instances = 3\nopen_ports = [443]\n");
    let (code, report) = json(&[
        "examples/terraform",
        "--var-file",
        vars.to_str().unwrap(),
        "--var",
        "public=false",
    ]);
    assert_eq!(code, Some(0), "{report}");
    assert_eq!(report["summary"]["resources"], 8, "three instances");
    assert_eq!(report["findings"].as_array().unwrap().len(), 0);
    // A value that is not HCL is a string; a flag without `=` is refused.
    let (_, report) = json(&["examples/terraform", "--var", "public=yes please"]);
    assert_eq!(report["summary"]["resources"], 7);
    let o = tenet(&[
        "check",
        "--standard",
        "aws-foundations",
        "examples/terraform",
        "--var",
        "public",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("NAME=VALUE"), "{}", stderr(&o));
}

#[test]
fn modules_downloaded_by_terraform_init_are_not_read() {
    let dir = scratch("tf-init");
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&root().join("examples/terraform"), &dir);
    let downloaded = dir.join("app/.terraform/modules/vpc");
    std::fs::create_dir_all(&downloaded).unwrap();
    std::fs::write(
        downloaded.join("main.tf"),
        "resource \"aws_instance\" \"x\" {\n  associate_public_ip_address = true\n}\n",
    )
    .unwrap();
    let (_, report) = json(&[dir.to_str().unwrap()]);
    assert_eq!(report["summary"]["resources"], 7, "{report}");
}

#[test]
fn another_file_forced_to_terraform_is_a_module_of_its_own() {
    let f = write(
        "forced.hcl",
        b"resource \"aws_instance\" \"a\" {\n  associate_public_ip_address = true\n}\n",
    );
    let (code, report) = json(&[f.to_str().unwrap(), "--input-format", "terraform"]);
    assert_eq!(code, Some(1));
    assert_eq!(report["findings"][0]["resource"]["id"], "aws_instance.a");
    assert_eq!(report["findings"][0]["resource"]["line"], 1);
}

/// `state recommendation resource property:line` of every finding of a check in JSON.
fn findings_of(standard: &str, dir: &str) -> String {
    let o = tenet(&[
        "check",
        "--standard",
        standard,
        dir,
        "--now",
        NOW,
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["errors"], serde_json::json!([]), "{}", stderr(&o));
    let mut lines = vec![format!("{} resources", v["summary"]["resources"])];
    for f in v["findings"].as_array().unwrap() {
        lines.push(format!(
            "{} {} {} {}:{}",
            f["state"].as_str().unwrap(),
            f["recommendation"].as_str().unwrap(),
            f["resource"]["id"].as_str().unwrap(),
            f["property"]["path"].as_str().unwrap_or("-"),
            f["property"]["line"]
        ));
    }
    lines.join("\n")
}

#[test]
fn azure_and_gcp_source_are_judged_by_their_standards() {
    // Variables, a local, count and a dynamic block over a variable (Azure); for_each over a map
    // (GCP). Findings point at the attribute their clause read, inside dynamic blocks too.
    insta::assert_snapshot!(
        findings_of("azure-security-baseline", "tests/fixtures/iac/terraform/azure"),
        @r#"
    4 resources
    not_compliant az-storage-min-tls azurerm_storage_account.data values.min_tls_version:19
    not_compliant az-storage-no-public-blob azurerm_storage_account.data values:15
    not_compliant az-storage-no-public-network azurerm_storage_account.data values:15
    not_compliant az-storage-geo-replication azurerm_storage_account.data values.account_replication_type:18
    not_compliant az-storage-no-shared-key azurerm_storage_account.data values:15
    not_compliant az-storage-infrastructure-encryption azurerm_storage_account.data values:15
    not_compliant az-nsg-no-internet-ssh azurerm_network_security_group.admin values.security_rule[0].destination_port_range:39
    not_compliant az-keyvault-rbac azurerm_key_vault.kv[0] values:46
    not_compliant az-keyvault-purge-protection azurerm_key_vault.kv[1] values.purge_protection_enabled:49
    not_compliant az-keyvault-rbac azurerm_key_vault.kv[1] values:46
    "#
    );
    insta::assert_snapshot!(
        findings_of("gcp-foundations", "tests/fixtures/iac/terraform/gcp"),
        @r#"
    4 resources
    not_compliant gcp-firewall-no-internet-ssh google_compute_firewall.rule["ssh"] values.allow[0].ports:18
    not_compliant gcp-vm-no-public-ip google_compute_instance.vm values.network_interface[0].access_config:33
    not_compliant gcp-bucket-logging google_storage_bucket.logs values:41
    "#
    );
}

/// Terraform's JSON syntax (`.tf.json`) is judged as the same module written in HCL is, its
/// findings placed at the JSON's lines; `fix --write` leaves it as it is and says so.
#[test]
fn json_syntax_is_judged_like_hcl_and_located() {
    let dir = "tests/fixtures/iac/terraform/json";
    let (code, report) = json(&[dir, "--all"]);
    assert_eq!(code, Some(1));
    // The same module in HCL.
    let hcl = scratch("tf-json-as-hcl");
    std::fs::create_dir_all(&hcl).unwrap();
    std::fs::write(
        hcl.join("main.tf"),
        r#"variable "ssh_from" { default = "0.0.0.0/0" }
resource "aws_s3_bucket" "logs" {
  bucket = "payments-logs"
  tags   = { team = "pay" }
}
resource "aws_s3_bucket_public_access_block" "logs" {
  bucket                  = "payments-logs"
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = false
  restrict_public_buckets = true
}
resource "aws_security_group" "admin" {
  name        = "admin"
  description = "SSH for the operators"
  ingress {
    description = "SSH"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.ssh_from]
  }
}
"#,
    )
    .unwrap();
    let (_, same) = json(&[hcl.to_str().unwrap(), "--all"]);
    let verdicts = |r: &serde_json::Value| {
        let mut v: Vec<String> = r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                format!(
                    "{} {} {}",
                    f["recommendation"], f["resource"]["id"], f["state"]
                )
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(verdicts(&report), verdicts(&same));
    assert!(verdicts(&report).len() > 10);
    let at = |id: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["recommendation"] == id && f["state"] == "not_compliant")
            .map(|f| {
                (
                    f["resource"]["file"].as_str().unwrap().to_string(),
                    f["property"]["line"].as_u64().unwrap(),
                    f["property"]["column"].as_u64().unwrap(),
                )
            })
    };
    let file = format!("{dir}/main.tf.json");
    assert_eq!(at("aws-sg-no-internet-ssh"), Some((file.clone(), 30, 13)));
    assert_eq!(at("aws-s3-ignore-public-acls"), Some((file, 18, 9)));
    let copy = scratch("tf-json-fix");
    std::fs::create_dir_all(&copy).unwrap();
    let original = root().join(dir).join("main.tf.json");
    std::fs::copy(&original, copy.join("main.tf.json")).unwrap();
    let o = tenet(&[
        "fix",
        "--standard",
        "aws-foundations",
        copy.to_str().unwrap(),
        "--write",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("(`.tf.json`) is not written back"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read(copy.join("main.tf.json")).unwrap(),
        std::fs::read(&original).unwrap()
    );
}
