//! Terraform source end to end: variables, locals, functions, count and for_each, dynamic
//! blocks, references, local modules, places, broken files and the evaluation budget.

use super::*;
use serde_json::json;

/// Writes `files` into a fresh folder and evaluates `root` (a sub-folder) as a root module.
fn folder(name: &str, files: &[(&str, &str)], root: &str) -> Evaluated {
    let dir = std::env::temp_dir().join(format!("tenet-tf-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in files {
        let p = dir.join(path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).ok();
        }
        std::fs::write(p, text).ok();
    }
    let ev = super::dir(&dir.join(root), Path::new(root), &Options::default());
    let _ = std::fs::remove_dir_all(&dir);
    ev
}

fn one(text: &str) -> Evaluated {
    super::text("main.tf", text.to_string())
}

fn values(ev: &Evaluated, address: &str) -> Value {
    ev.resources
        .iter()
        .find(|r| r.found.doc["address"] == address)
        .map(|r| r.found.doc["values"].clone())
        .unwrap_or(Value::Null)
}

fn addresses(ev: &Evaluated) -> Vec<String> {
    ev.resources
        .iter()
        .map(|r| r.found.doc["address"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn variables_take_tfvars_over_defaults_and_unset_ones_are_unknown() {
    let ev = folder(
        "vars",
        &[
            (
                "main.tf",
                r#"
variable "env" { default = "prod" }
variable "tls" { default = "TLS1_0" }
variable "unset" {}
resource "azurerm_storage_account" "sa" {
  name            = "sa-${var.env}"
  min_tls_version = var.tls
  access_tier     = var.unset
}"#,
            ),
            ("terraform.tfvars", "env = \"dev\""),
            ("z.auto.tfvars", "tls = \"TLS1_2\""),
        ],
        ".",
    );
    assert!(ev.errors.is_empty(), "{:?}", ev.errors);
    let v = values(&ev, "azurerm_storage_account.sa");
    assert_eq!(v["name"], "sa-dev");
    assert_eq!(v["min_tls_version"], "TLS1_2");
    assert!(
        is_unknown(&v["access_tier"]),
        "no value, no default: unknown"
    );
}

#[test]
fn locals_and_functions_evaluate() {
    let ev = one(r#"
locals {
  base = { env = "prod" }
  tags = merge(local.base, { owner = lower("OPS") })
  ports = concat([22], [for p in [80, 443] : p if p != 80])
}
resource "aws_s3_bucket" "b" {
  tags  = local.tags
  ports = local.ports
  name  = format("%s-%d", lookup(local.tags, "env", "x"), length(local.ports))
  acl   = null
}"#);
    let v = values(&ev, "aws_s3_bucket.b");
    assert_eq!(v["tags"], json!({"env": "prod", "owner": "ops"}));
    assert_eq!(v["ports"], json!([22, 443]));
    assert_eq!(v["name"], "prod-2");
    assert!(v.get("acl").is_none(), "null is not set");
}

#[test]
fn count_and_for_each_expand_into_instances() {
    let ev = one(r#"
resource "aws_instance" "web" {
  count = 2
  name  = "web-${count.index}"
}
resource "aws_s3_bucket" "b" {
  for_each = { logs = "private", site = "public-read" }
  acl      = each.value
  bucket   = each.key
}
resource "aws_s3_bucket" "none" {
  count = 0
}"#);
    assert_eq!(
        addresses(&ev),
        [
            "aws_instance.web[0]",
            "aws_instance.web[1]",
            "aws_s3_bucket.b[\"logs\"]",
            "aws_s3_bucket.b[\"site\"]"
        ]
    );
    assert_eq!(values(&ev, "aws_instance.web[1]")["name"], "web-1");
    assert_eq!(
        values(&ev, "aws_s3_bucket.b[\"site\"]")["acl"],
        "public-read"
    );
    assert_eq!(ev.resources[2].found.doc["index"], "logs");
}

#[test]
fn unknown_count_is_judged_once_with_an_unknown_index() {
    let ev = one(r#"
variable "n" {}
resource "aws_instance" "web" {
  count = var.n
  name  = "web-${count.index}"
}"#);
    assert_eq!(addresses(&ev), ["aws_instance.web"]);
    assert!(is_unknown(&values(&ev, "aws_instance.web")["name"]));
}

#[test]
fn dynamic_blocks_and_nested_blocks_are_lists() {
    let ev = one(r#"
resource "aws_security_group" "sg" {
  dynamic "ingress" {
    for_each = [22, 443]
    iterator = port
    content {
      from_port   = port.value
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
  egress {
    from_port = 0
  }
  lifecycle {
    create_before_destroy = true
  }
}"#);
    let v = values(&ev, "aws_security_group.sg");
    assert_eq!(
        v["ingress"],
        json!([{"from_port": 22, "cidr_blocks": ["0.0.0.0/0"]}, {"from_port": 443, "cidr_blocks": ["0.0.0.0/0"]}])
    );
    assert_eq!(v["egress"], json!([{"from_port": 0}]));
    assert!(
        v.get("lifecycle").is_none(),
        "meta-arguments are not values"
    );
}

#[test]
fn references_see_configured_values_and_computed_ones_are_unknown() {
    let ev = one(r#"
data "aws_kms_key" "k" { key_id = "alias/x" }
resource "aws_kms_key" "key" { enable_key_rotation = true }
resource "aws_s3_bucket" "b" {
  rotation = aws_kms_key.key.enable_key_rotation
  key      = aws_kms_key.key.arn
  data_key = data.aws_kms_key.k.arn
  missing  = aws_nothing.x.id
}"#);
    let v = values(&ev, "aws_s3_bucket.b");
    assert_eq!(v["rotation"], true);
    assert!(is_unknown(&v["key"]), "computed by the provider");
    assert!(
        is_unknown(&v["data_key"]),
        "data sources are read at deployment"
    );
    assert!(
        is_unknown(&v["missing"]),
        "an invalid reference is undecided, not absent"
    );
}

#[test]
fn local_modules_get_their_callers_inputs() {
    let ev = folder(
        "modules",
        &[
            (
                "root/main.tf",
                r#"
module "web" {
  source = "../modules/web"
  https  = false
}
module "many" {
  source = "../modules/web"
  count  = 2
}
resource "aws_s3_bucket" "b" { bucket = module.web.name }"#,
            ),
            (
                "modules/web/main.tf",
                r#"
variable "https" { default = true }
resource "azurerm_linux_web_app" "app" {
  https_only = var.https
  name       = path.module
}
output "name" { value = "app-${var.https}" }"#,
            ),
        ],
        "root",
    );
    assert!(ev.errors.is_empty(), "{:?}", ev.errors);
    assert_eq!(
        addresses(&ev),
        [
            "aws_s3_bucket.b",
            "module.web.azurerm_linux_web_app.app",
            "module.many[0].azurerm_linux_web_app.app",
            "module.many[1].azurerm_linux_web_app.app"
        ]
    );
    assert_eq!(
        values(&ev, "module.web.azurerm_linux_web_app.app")["https_only"],
        false
    );
    assert_eq!(
        values(&ev, "module.many[1].azurerm_linux_web_app.app")["https_only"],
        true
    );
    assert_eq!(
        values(&ev, "module.web.azurerm_linux_web_app.app")["name"],
        "../modules/web"
    );
    assert_eq!(values(&ev, "aws_s3_bucket.b")["bucket"], "app-false");
    let child = &ev.resources[1];
    assert_eq!(child.file, "modules/web/main.tf");
    assert_eq!(child.origin, "root/main.tf", "reached from the root's file");
}

#[test]
fn attributes_and_blocks_are_located() {
    let ev = one("resource \"aws_s3_bucket\" \"b\" {\n  acl = \"private\"\n  tags = {\n    env = \"x\"\n  }\n  versioning {\n    enabled = true\n  }\n}\n");
    let f = &ev.resources[0].found;
    let at = |ptr: &str| f.places.iter().find(|p| p.0 == ptr).map(|p| (p.1, p.2));
    assert_eq!(f.at, (1, 1));
    assert_eq!(at("/values/acl"), Some((2, 3)));
    assert_eq!(at("/values/tags/env"), Some((4, 5)));
    assert_eq!(at("/values/versioning/0"), Some((6, 3)));
    assert_eq!(at("/values/versioning/0/enabled"), Some((7, 5)));
}

#[test]
fn a_file_that_does_not_parse_is_a_located_error_and_the_others_are_read() {
    let ev = folder(
        "broken",
        &[
            ("a.tf", "resource \"aws_s3_bucket\" \"a\" {}\n"),
            (
                "b.tf",
                "resource \"aws_s3_bucket\" \"b\" {\n  acl = = 1\n}\n",
            ),
        ],
        ".",
    );
    assert_eq!(addresses(&ev), ["aws_s3_bucket.a"]);
    assert_eq!(ev.errors.len(), 1);
    assert_eq!((ev.errors[0].file.as_str(), ev.errors[0].line), ("b.tf", 2));
}

#[test]
fn cycles_are_unknown_and_runaway_growth_is_a_located_error() {
    let ev =
        one("locals {\n a = local.b\n b = local.a\n}\nresource \"x_y\" \"z\" { v = local.a }\n");
    assert!(is_unknown(&values(&ev, "x_y.z")["v"]));

    // Each local doubles the one before: 2^60 values.
    let mut text = String::from("locals {\n  l0 = [\"x\"]\n");
    for i in 1..=60 {
        text.push_str(&format!(
            "  l{i} = concat(local.l{}, local.l{})\n",
            i - 1,
            i - 1
        ));
    }
    text.push_str("}\nresource \"x_y\" \"z\" { v = local.l60 }\n");
    let ev = one(&text);
    assert_eq!(ev.errors.len(), 1, "{:?}", ev.errors);
    assert!(ev.errors[0].message.contains("MiB"), "{}", ev.errors[0]);

    // A chain of 5,000 locals does not overflow the stack.
    let mut text = String::from("locals {\n  l0 = 1\n");
    for i in 1..5000 {
        text.push_str(&format!("  l{i} = local.l{}\n", i - 1));
    }
    text.push_str("}\nresource \"x_y\" \"z\" { v = local.l4999 }\n");
    // On a thread with a small stack: evaluation brings its own.
    let ev = std::thread::Builder::new()
        .stack_size(256 << 10)
        .spawn(move || one(&text))
        .map(|h| h.join().ok())
        .ok()
        .flatten()
        .unwrap_or_default();
    assert_eq!(ev.errors.len(), 1, "{:?}", ev.errors);
    assert!(ev.errors[0].message.contains("nest"), "{}", ev.errors[0]);

    let ev = one("resource \"x_y\" \"z\" { count = 100000000 }\n");
    assert!(
        ev.errors[0].message.contains("instances"),
        "{}",
        ev.errors[0]
    );
}

#[test]
fn a_module_that_calls_itself_stops_with_a_located_error() {
    let ev = folder(
        "self-call",
        &[(
            "main.tf",
            "module \"me\" {\n  source = \"./\"\n}\nresource \"aws_s3_bucket\" \"b\" {}\n",
        )],
        ".",
    );
    assert_eq!(ev.errors.len(), 1, "{:?}", ev.errors);
    assert!(ev.errors[0].message.contains("16 deep"), "{}", ev.errors[0]);
    assert_eq!(ev.errors[0].file, "main.tf");
    // What was found before the limit is reported.
    assert!(addresses(&ev).contains(&"aws_s3_bucket.b".to_string()));
}

#[test]
fn policy_documents_are_resources_and_json_policies_are_read_as_json() {
    let ev = one(r#"
data "aws_iam_policy_document" "admin" {
  count = 1
  statement {
    actions   = ["*"]
    resources = ["*"]
  }
}
data "aws_caller_identity" "me" {}
resource "aws_iam_policy" "p" {
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }] })
}
resource "aws_iam_role" "r" {
  assume_role_policy = data.aws_iam_policy_document.admin[0].json
  inline_policy {
    name   = "inline"
    policy = "{\"Statement\": []}"
  }
}
resource "azurerm_policy_definition" "d" {
  policy_rule = jsonencode({ if = {} })
  policy      = "{\"a\": 1}"
}"#);
    assert_eq!(
        addresses(&ev),
        [
            "aws_iam_policy.p",
            "aws_iam_role.r",
            "azurerm_policy_definition.d",
            "data.aws_iam_policy_document.admin[0]"
        ]
    );
    let doc = ev
        .resources
        .iter()
        .find(|r| r.found.doc["address"] == "data.aws_iam_policy_document.admin[0]")
        .map(|r| r.found.doc.clone())
        .unwrap_or_default();
    assert_eq!(doc["mode"], "data");
    assert_eq!(
        doc["values"]["statement"],
        json!([{"actions": ["*"], "resources": ["*"]}])
    );
    assert_eq!(
        values(&ev, "aws_iam_policy.p")["policy"]["Statement"][0]["Action"],
        "s3:GetObject"
    );
    let role = values(&ev, "aws_iam_role.r");
    assert!(
        crate::iac::is_unknown(&role["assume_role_policy"]),
        "{role}"
    );
    assert_eq!(role["inline_policy"][0]["policy"], json!({"Statement": []}));
    // Only AWS resources hold IAM policies; other JSON text stays text.
    assert_eq!(
        values(&ev, "azurerm_policy_definition.d")["policy"],
        "{\"a\": 1}"
    );
}

/// Terraform's JSON syntax: a module of `.tf.json` files (with a `.tf` file and JSON variables
/// files beside them) evaluates as the same module written in HCL would, and every attribute is
/// placed at its line and column in the JSON.
#[test]
fn json_syntax_modules_evaluate_and_are_located() {
    let main = r#"{
  "resource": {
    "aws_s3_bucket": {
      "logs": {
        "count": "${var.copies}",
        "bucket": "${local.prefix}-${count.index}",
        "acl": "${var.acl}",
        "tags": {"env": "prod"},
        "versioning": {"enabled": true},
        "server_side_encryption_configuration": [
          {"rule": {"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms"}}}
        ]
      }
    }
  },
  "module": {"web": {"source": "./web", "https": false}}
}"#;
    let ev = folder(
        "json",
        &[
            ("root/main.tf.json", main),
            (
                "root/variables.tf.json",
                r#"{"variable": {"acl": {"default": "private"}, "copies": {"default": 1}}}"#,
            ),
            ("root/locals.tf", "locals { prefix = \"app\" }\n"),
            ("root/terraform.tfvars.json", r#"{"copies": 2}"#),
            ("root/z.auto.tfvars.json", r#"{"acl": "public-read"}"#),
            ("root/main_override.tf.json", r#"{"resource": {}}"#),
            (
                "root/web/main.tf.json",
                r#"{"variable": {"https": {}}, "resource": {"azurerm_linux_web_app": {"app": {"https_only": "${var.https}"}}}}"#,
            ),
        ],
        "root",
    );
    assert!(ev.errors.is_empty(), "{:?}", ev.errors);
    assert_eq!(
        addresses(&ev),
        [
            "aws_s3_bucket.logs[0]",
            "aws_s3_bucket.logs[1]",
            "module.web.azurerm_linux_web_app.app"
        ]
    );
    let v = values(&ev, "aws_s3_bucket.logs[1]");
    assert_eq!(v["bucket"], "app-1");
    assert_eq!(v["acl"], "public-read", "the auto.tfvars.json wins");
    assert_eq!(v["tags"], json!({"env": "prod"}), "a map stays a map");
    assert_eq!(
        v["versioning"],
        json!([{"enabled": true}]),
        "an object is a block"
    );
    assert_eq!(
        v["server_side_encryption_configuration"][0]["rule"][0]
            ["apply_server_side_encryption_by_default"][0]["sse_algorithm"],
        "aws:kms"
    );
    assert_eq!(
        values(&ev, "module.web.azurerm_linux_web_app.app")["https_only"],
        false
    );
    let f = &ev.resources[0].found;
    let at = |ptr: &str| f.places.iter().find(|p| p.0 == ptr).map(|p| (p.1, p.2));
    assert_eq!(ev.resources[0].file, "root/main.tf.json");
    assert_eq!(f.at, (4, 7), "the resource is where its name is");
    assert_eq!(at("/values/acl"), Some((7, 9)));
    assert_eq!(at("/values/versioning/0/enabled"), Some((9, 24)));
    assert_eq!(
        at("/values/server_side_encryption_configuration/0/rule/0/apply_server_side_encryption_by_default/0/sse_algorithm"),
        Some((11, 65))
    );
}

#[test]
fn a_broken_json_file_is_a_located_error() {
    let ev = folder(
        "json-broken",
        &[
            (
                "m/a.tf.json",
                "{\n  \"resource\": {\n    \"aws_s3_bucket\": {\"b\": {}}\n  },\n}\n",
            ),
            ("m/b.tf", "resource \"aws_s3_bucket\" \"c\" {}\n"),
        ],
        "m",
    );
    assert_eq!(addresses(&ev), ["aws_s3_bucket.c"]);
    assert_eq!(ev.errors.len(), 1, "{:?}", ev.errors);
    assert_eq!(
        (ev.errors[0].file.as_str(), ev.errors[0].line),
        ("m/a.tf.json", 5)
    );
}
