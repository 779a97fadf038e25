//! Infrastructure-as-code adapters: a CloudFormation template, an ARM template or a Terraform
//! plan becomes the resources it declares, with what can be known before deployment evaluated
//! (parameter defaults, variables, conditions, template functions) and everything else marked
//! unknown, so one standard judges templates, plans and live inventories alike.
//!
//! - [`cloudformation`]: `Resources` with `Ref`, `Fn::Sub`, `Fn::Join`, `Fn::If`, ... evaluated;
//! - [`arm`]: `resources` (and their child resources) with template expressions evaluated;
//! - [`terraform`]: `planned_values` of `terraform show -json`, unknown-after-apply values marked;
//! - [`tfsource`]: Terraform source folders (`.tf`, `.tf.json`), evaluated into the resources a
//!   plan would show;
//! - [`awsconfig`]: AWS Config configuration items, as the CloudFormation resources they record;
//! - [`awsapi`]: the AWS CLI's `describe-*` output, likewise;
//! - [`scan`]: Trivy and Grype vulnerability reports, as the images they scanned.
//!
//! A value that cannot be known before deployment is the unknown value of the value model
//! (`{"$tenet.unknown": true}`, [`unknown`]): rules treat it like a missing value, and
//! `is_unknown(x)` tells the two apart (`docs/language.md`, "Missing values").

pub mod arm;
pub mod awsapi;
pub mod awsconfig;
pub mod cloudformation;
pub mod scan;
pub mod terraform;
pub mod tfsource;

use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

pub use tenet_stdlib::value::{is_unknown, unknown};

/// Values given from outside the files read: Terraform variables for root modules and ARM
/// template parameters.
#[derive(Clone, Debug, Default)]
pub struct Given {
    /// `NAME=VALUE` pairs (`--var`), applied last; a value that parses as HCL is that value,
    /// anything else the string itself.
    pub vars: Vec<(String, String)>,
    /// Terraform variable files (`--var-file`), applied after a folder's own `*.tfvars`.
    pub var_files: Vec<PathBuf>,
    /// ARM parameter files (`--parameters`), applied after a template's own
    /// `NAME.parameters.json`.
    pub arm_parameters: Vec<PathBuf>,
}

/// Largest ARM parameter file read.
const MAX_PARAMETERS: u64 = 16 << 20;

impl Given {
    /// The parameter values for the ARM template at `template` (`None` for standard input):
    /// `NAME.parameters.json` beside `NAME.json`, then each `--parameters` file, later values
    /// overriding earlier ones. A `--parameters` file that cannot be read is an error; the file
    /// beside the template is read when it parses (a directory walk reports it otherwise).
    pub fn arm_values(&self, template: Option<&Path>) -> Result<Map<String, Value>, String> {
        let mut out = Map::new();
        if let Some(sibling) = template.and_then(arm_sibling) {
            if let Ok(values) = arm_parameter_file(&sibling) {
                out.extend(values);
            }
        }
        for f in &self.arm_parameters {
            out.extend(arm_parameter_file(f)?);
        }
        Ok(out)
    }
}

/// `NAME.parameters.json` beside `NAME.json`, when it exists.
fn arm_sibling(template: &Path) -> Option<PathBuf> {
    let name = template.file_name()?.to_str()?;
    let stem = name.strip_suffix(".json")?;
    let p = template.with_file_name(format!("{stem}.parameters.json"));
    p.is_file().then_some(p)
}

/// The `value` of each parameter of an ARM parameter file (a Key Vault `reference` is unknown).
fn arm_parameter_file(path: &Path) -> Result<Map<String, Value>, String> {
    use std::io::Read as _;
    let shown = path.display();
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_PARAMETERS + 1).read_to_string(&mut text))
        .map_err(|e| format!("cannot read the parameter file {shown}: {e}"))?;
    if text.len() as u64 > MAX_PARAMETERS {
        return Err(format!("the parameter file {shown} is larger than 16 MiB"));
    }
    let doc: Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| format!("the parameter file {shown} is not JSON: {e}"))?;
    let Some(params) = doc.get("parameters").and_then(Value::as_object) else {
        return Err(format!(
            "the parameter file {shown} has no `parameters` object"
        ));
    };
    Ok(params
        .iter()
        .map(|(k, p)| {
            let v = match p.get("value") {
                Some(v) => v.clone(),
                None => unknown(),
            };
            (k.clone(), v)
        })
        .collect())
}

/// What an input holds, detected from its content or forced with `--input-format`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Format {
    /// Detect from the content.
    #[default]
    Auto,
    /// Resources as they are: inventories, API output, Kubernetes manifests.
    Inventory,
    /// A CloudFormation (or SAM) template.
    CloudFormation,
    /// An Azure Resource Manager template.
    Arm,
    /// A Terraform plan (`terraform show -json`).
    TerraformPlan,
    /// Terraform source (`.tf`): each folder one module ([`tfsource`]).
    Terraform,
    /// AWS Config configuration items ([`awsconfig`]).
    AwsConfig,
    /// The AWS CLI's output ([`awsapi`]).
    AwsApi,
    /// A Trivy or Grype vulnerability report ([`scan`]).
    ScanReport,
}

impl Format {
    /// The names accepted by `--input-format`.
    pub const NAMES: &'static [&'static str] = &[
        "auto",
        "inventory",
        "kubernetes",
        "cloudformation",
        "arm",
        "terraform-plan",
        "terraform",
        "aws-config",
        "aws-api",
        "scan-report",
    ];

    /// The format of a name of [`Format::NAMES`].
    pub fn parse(name: &str) -> Option<Format> {
        Some(match name {
            "auto" => Format::Auto,
            "inventory" | "kubernetes" => Format::Inventory,
            "cloudformation" | "cfn" => Format::CloudFormation,
            "arm" => Format::Arm,
            "terraform-plan" | "tfplan" => Format::TerraformPlan,
            "terraform" | "tf" | "hcl" => Format::Terraform,
            "aws-config" => Format::AwsConfig,
            "aws-api" => Format::AwsApi,
            "scan-report" | "trivy" | "grype" => Format::ScanReport,
            _ => return None,
        })
    }

    /// Whether documents in this format go through an adapter.
    pub fn is_template(self) -> bool {
        matches!(
            self,
            Format::CloudFormation
                | Format::Arm
                | Format::TerraformPlan
                | Format::AwsConfig
                | Format::AwsApi
                | Format::ScanReport
        )
    }
}

/// The template format of a document with these top-level members, if it is one.
pub fn detect_keys<'a>(keys: impl Iterator<Item = (&'a str, Option<&'a str>)>) -> Format {
    let mut cfn = false;
    let mut arm = false;
    let (mut tf_version, mut tf_plan) = (false, false);
    let (mut config_items, mut resource_type, mut recorded) = (false, false, false);
    let mut api = false;
    let mut seen: Vec<&str> = Vec::new();
    for (k, string) in keys {
        if matches!(
            k,
            "SchemaVersion" | "ArtifactName" | "Results" | "matches" | "descriptor" | "source"
        ) {
            seen.push(k);
        }
        match k {
            "configurationItems" | "baseConfigurationItems" => config_items = true,
            // The text may come quoted (members found in raw JSON) or parsed.
            "resourceType" => {
                resource_type =
                    string.is_some_and(|t| t.trim_start_matches('"').starts_with("AWS::"))
            }
            "configuration" | "configurationItemCaptureTime" => recorded = true,
            k if awsapi::LISTS.iter().any(|l| l.0 == k) => api = true,
            "AWSTemplateFormatVersion" => cfn = true,
            "Resources" => cfn = true,
            "$schema" => {
                arm |= string.is_some_and(|s| {
                    s.contains("eploymentTemplate.json") || s.contains("eploymentParameters.json")
                })
            }
            "format_version" => tf_version = true,
            "planned_values" | "resource_changes" => tf_plan = true,
            _ => {}
        }
    }
    if arm {
        Format::Arm
    } else if scan::is_report(seen.into_iter()) {
        Format::ScanReport
    } else if config_items || (resource_type && recorded) {
        Format::AwsConfig
    } else if tf_version && tf_plan {
        Format::TerraformPlan
    } else if cfn {
        Format::CloudFormation
    } else if api {
        Format::AwsApi
    } else {
        Format::Inventory
    }
}

/// The format of a parsed document ([`Format::Inventory`] when it is no template).
pub fn detect(doc: &Value) -> Format {
    match doc.as_object() {
        Some(m) => {
            let f = detect_keys(m.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            // `Resources` alone is not enough: it must map names to typed resources.
            if f == Format::CloudFormation
                && !m.contains_key("AWSTemplateFormatVersion")
                && !m
                    .get("Resources")
                    .and_then(Value::as_object)
                    .is_some_and(|r| {
                        r.values()
                            .any(|x| x.get("Type").and_then(Value::as_str).is_some())
                    })
            {
                return Format::Inventory;
            }
            f
        }
        None => Format::Inventory,
    }
}

/// Terraform data sources read as resources: policy documents written in the configuration,
/// judged like the policies that use them (every other data source is read from the deployment,
/// so it is unknown).
pub const DOCUMENTS: &[&str] = &["aws_iam_policy_document"];

/// In a Terraform AWS resource's `values`, the IAM policies written as JSON text (`policy`,
/// `assume_role_policy`, and the `policy` of `inline_policy` blocks) are read as the JSON they
/// hold, so rules see the same statements as in CloudFormation. Text that is not a JSON object
/// stays text.
pub fn decode_policies(ty: &str, values: &mut Value) {
    if !ty.starts_with("aws_") {
        return;
    }
    let Some(m) = values.as_object_mut() else {
        return;
    };
    fn decode(v: &mut Value) {
        if let Some(Ok(parsed @ Value::Object(_))) = v.as_str().map(serde_json::from_str::<Value>) {
            *v = parsed;
        }
    }
    for key in ["policy", "assume_role_policy"] {
        if let Some(v) = m.get_mut(key) {
            decode(v);
        }
    }
    for block in m
        .get_mut("inline_policy")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        if let Some(v) = block.get_mut("policy") {
            decode(v);
        }
    }
}

/// One resource of a template: its document, and the JSON Pointer of the object it comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct Adapted {
    /// The resource as rules see it.
    pub doc: Value,
    /// Where its object is in the template.
    pub pointer: String,
}

/// The resources of a template in `format`, or why it is not one; `arm` holds the parameter
/// values given to an ARM template, `path` the template's file (its linked templates are read
/// from its folder).
pub fn adapt(
    format: Format,
    doc: &Value,
    arm: &Map<String, Value>,
    path: Option<&std::path::Path>,
) -> Result<Vec<Adapted>, String> {
    match format {
        Format::CloudFormation => cloudformation::resources(doc),
        Format::Arm => arm::resources(doc, arm, path.and_then(std::path::Path::parent)),
        Format::TerraformPlan => terraform::resources(doc),
        Format::AwsConfig => awsconfig::resources(doc),
        Format::AwsApi => awsapi::resources(doc),
        Format::ScanReport => scan::resources(doc),
        Format::Auto | Format::Inventory | Format::Terraform => Err("not a template".into()),
    }
}

pub(crate) use crate::pointer::child;

/// Why a document is not the template it was taken for.
pub(crate) fn adapt_err(what: &str) -> String {
    format!("{what}; pass --input-format inventory to read the file as plain resources")
}
