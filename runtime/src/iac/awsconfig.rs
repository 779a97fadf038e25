//! AWS Config configuration items read as the CloudFormation resources they describe, so the
//! rules written for templates judge what Config recorded: the output of
//! `aws configservice get-resource-config-history` and `batch-get-resource-config`, the snapshot
//! and history files Config delivers to S3 (`configurationItems`), a list of items, or one item.
//!
//! An item's `configuration` is the service's own shape. For the types Config records through
//! the CloudFormation registry it already bears the template's property names; for the older
//! types it is the Describe API's output in camelCase, which becomes PascalCase here, and most
//! template properties bear the API's names (`storageEncrypted` is `StorageEncrypted`). Where the
//! names or shapes differ, [`reshape`] says where each value goes, including the S3, IAM and
//! DynamoDB settings Config keeps in `supplementaryConfiguration`. A setting the item does not
//! hold stays absent, so a rule that needs it is undecided (not compliant), never passed.

use super::Adapted;
use serde_json::{json, Map, Value};

/// The resources of a document of configuration items.
pub fn resources(doc: &Value) -> Result<Vec<Adapted>, String> {
    let (items, base): (Vec<&Value>, &str) = match doc {
        Value::Object(m) => match ["configurationItems", "baseConfigurationItems"]
            .iter()
            .find_map(|k| m.get(*k).map(|v| (*k, v)))
        {
            Some((k, Value::Array(a))) => (a.iter().collect(), k),
            Some(_) => return Err(super::adapt_err("`configurationItems` is not a list")),
            None => (vec![doc], ""),
        },
        Value::Array(a) => (a.iter().collect(), "\u{0}"),
        _ => return Err(super::adapt_err("not AWS Config configuration items")),
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let pointer = match base {
            "" => String::new(),
            "\u{0}" => format!("/{i}"),
            k => format!("/{k}/{i}"),
        };
        let Some(item) = item.as_object() else {
            continue;
        };
        for doc in resource(item) {
            out.push(Adapted {
                doc,
                pointer: pointer.clone(),
            });
        }
    }
    Ok(out)
}

/// The resources one item stands for: the resource (none when Config recorded its deletion),
/// and for a bucket with a policy, the policy.
fn resource(item: &Map<String, Value>) -> Vec<Value> {
    let s = |k: &str| item.get(k).and_then(Value::as_str).unwrap_or_default();
    let ty = s("resourceType");
    if !ty.starts_with("AWS::") || s("configurationItemStatus").contains("Deleted") {
        return Vec::new();
    }
    // An item without its configuration (`ResourceNotRecorded`, an export that left it out) says
    // nothing of the settings: they are unknown, so its rules are undecided, never passed for
    // want of anything to read.
    let config = parsed(item.get("configuration"));
    let recorded = config.is_object();
    let supplementary: Map<String, Value> = match parsed(item.get("supplementaryConfiguration")) {
        Value::Object(m) => m.into_iter().map(|(k, v)| (k, parsed(Some(&v)))).collect(),
        _ => Map::new(),
    };
    let mut props = match pascal(config) {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let name = [s("resourceName"), s("resourceId")]
        .into_iter()
        .find(|n| !n.is_empty())
        .unwrap_or_default()
        .to_string();
    let mut out = Vec::new();
    reshape(ty, &name, &mut props, &supplementary, &mut out);
    let mut doc = document(ty, &name, props);
    if !recorded {
        doc["Properties"] = super::unknown();
    }
    if !s("arn").is_empty() {
        doc["arn"] = json!(s("arn"));
    }
    if !s("awsRegion").is_empty() {
        doc["location"] = json!(s("awsRegion"));
    }
    if let Some(Value::Object(tags)) = item.get("tags") {
        doc["tags"] = Value::Object(tags.clone());
    }
    out.insert(0, doc);
    out
}

/// The template-shaped resource: `Type`, `Properties` and `Name`; a security group's permissions
/// stand beside its properties, in the EC2 API's shape the security group rules read.
pub fn document(ty: &str, name: &str, mut props: Map<String, Value>) -> Value {
    let mut api = Map::new();
    if ty == "AWS::EC2::SecurityGroup" {
        for k in ["IpPermissions", "IpPermissionsEgress"] {
            if let Some(v) = props.remove(k) {
                api.insert(k.into(), v);
            }
        }
    }
    let mut doc = Map::new();
    doc.insert("Type".into(), json!(ty));
    doc.insert("Properties".into(), Value::Object(props));
    doc.insert("Name".into(), json!(name));
    doc.extend(api);
    Value::Object(doc)
}

/// A value Config may give as JSON text (`batch-get-resource-config` does), parsed.
fn parsed(v: Option<&Value>) -> Value {
    match v {
        Some(Value::String(s)) if s.starts_with(['{', '[']) => {
            serde_json::from_str(s).unwrap_or(Value::Null)
        }
        Some(v) => v.clone(),
        None => Value::Null,
    }
}

/// Member names with their first letter in upper case, all the way down (the API's camelCase
/// as CloudFormation's PascalCase); maps of names the user chose (tags, variables) are kept.
pub fn pascal(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| {
                    let keep = matches!(k.as_str(), "tags" | "variables" | "Tags" | "Variables")
                        && v.is_object();
                    let v = if keep { v } else { pascal(v) };
                    (upper_first(&k), v)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(pascal).collect()),
        other => other,
    }
}

fn upper_first(k: &str) -> String {
    let mut c = k.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Moves `from` to `to` in `props` when it is there.
fn rename(props: &mut Map<String, Value>, from: &str, to: &str) {
    if let Some(v) = props.remove(from) {
        props.insert(to.to_string(), v);
    }
}

/// Moves the settings of a resource of type `ty` (named `name`) whose names or shapes differ from
/// the template's to where the template has them; `supp` is an item's supplementary
/// configuration, and `extra` receives the resources an item also stands for (a bucket's policy).
pub fn reshape(
    ty: &str,
    name: &str,
    props: &mut Map<String, Value>,
    supp: &Map<String, Value>,
    extra: &mut Vec<Value>,
) {
    let supp_pascal = |k: &str| supp.get(k).cloned().map(pascal);
    match ty {
        "AWS::S3::Bucket" => {
            props.insert("BucketName".into(), json!(name));
            if let Some(v) = supp_pascal("PublicAccessBlockConfiguration").filter(Value::is_object)
            {
                props.insert("PublicAccessBlockConfiguration".into(), v);
            }
            if let Some(status) = supp_pascal("BucketVersioningConfiguration")
                .and_then(|v| v.get("Status").cloned())
                .filter(|s| s == "Enabled" || s == "Suspended")
            {
                props.insert("VersioningConfiguration".into(), json!({"Status": status}));
            }
            if let Some(Value::Array(rules)) = supp_pascal("ServerSideEncryptionConfiguration")
                .and_then(|v| v.get("Rules").cloned())
            {
                let rules: Vec<Value> = rules
                    .into_iter()
                    .map(|r| {
                        let d = &r["ApplyServerSideEncryptionByDefault"];
                        let mut by = Map::new();
                        if let Some(a) = d.get("SseAlgorithm") {
                            by.insert("SSEAlgorithm".into(), a.clone());
                        }
                        if let Some(k) = d.get("KmsMasterKeyID").filter(|k| !k.is_null()) {
                            by.insert("KMSMasterKeyID".into(), k.clone());
                        }
                        let mut rule = json!({"ServerSideEncryptionByDefault": by});
                        if let Some(b) = r.get("BucketKeyEnabled") {
                            rule["BucketKeyEnabled"] = b.clone();
                        }
                        rule
                    })
                    .collect();
                props.insert(
                    "BucketEncryption".into(),
                    json!({"ServerSideEncryptionConfiguration": rules}),
                );
            }
            if let Some(dest) = supp_pascal("BucketLoggingConfiguration")
                .and_then(|v| v.get("DestinationBucketName").cloned())
                .filter(|d| d.as_str().is_some_and(|d| !d.is_empty()))
            {
                props.insert(
                    "LoggingConfiguration".into(),
                    json!({"DestinationBucketName": dest}),
                );
            }
            // The bucket's policy is judged as the template's AWS::S3::BucketPolicy would be.
            if let Some(text) = supp
                .get("BucketPolicy")
                .and_then(|p| p.get("policyText"))
                .and_then(Value::as_str)
            {
                let policy = serde_json::from_str(text).unwrap_or(Value::Null);
                extra.push(json!({
                    "Type": "AWS::S3::BucketPolicy",
                    "Name": format!("{name}-policy"),
                    "Properties": {"Bucket": name, "PolicyDocument": policy},
                }));
            }
        }
        "AWS::EC2::SecurityGroup" => {
            // Config lists the IPv4 ranges as `ipv4Ranges` objects (`ipRanges` holds bare
            // addresses); the API's `IpRanges` are those objects.
            for k in ["IpPermissions", "IpPermissionsEgress"] {
                for p in props
                    .get_mut(k)
                    .and_then(Value::as_array_mut)
                    .into_iter()
                    .flatten()
                {
                    if let Some(m) = p.as_object_mut() {
                        if let Some(v4) = m.remove("Ipv4Ranges") {
                            m.insert("IpRanges".into(), v4);
                        }
                    }
                }
            }
        }
        "AWS::EC2::Instance" => {
            // A public address is the API's `PublicIpAddress` and each interface's
            // `Association`; the template says `AssociatePublicIpAddress` on the interfaces.
            let public = props
                .get("PublicIpAddress")
                .is_some_and(|p| p.as_str().is_some_and(|p| !p.is_empty()));
            let mut any = false;
            for n in props
                .get_mut("NetworkInterfaces")
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
            {
                let has = n
                    .pointer("/Association/PublicIp")
                    .is_some_and(|p| !p.is_null());
                if let Some(m) = n.as_object_mut() {
                    m.insert("AssociatePublicIpAddress".into(), json!(has));
                    any = true;
                }
            }
            if public && !any {
                props.insert(
                    "NetworkInterfaces".into(),
                    json!([{"AssociatePublicIpAddress": true}]),
                );
            } else if public {
                if let Some(Value::Array(ns)) = props.get_mut("NetworkInterfaces") {
                    ns.push(json!({"AssociatePublicIpAddress": true}));
                }
            }
        }
        "AWS::CloudTrail::Trail" => {
            rename(props, "LogFileValidationEnabled", "EnableLogFileValidation");
            rename(props, "KmsKeyId", "KMSKeyId");
        }
        "AWS::IAM::User" => {
            let policies = props.remove("UserPolicyList").unwrap_or(json!([]));
            let managed: Vec<Value> = props
                .remove("AttachedManagedPolicies")
                .and_then(|v| v.as_array().cloned())
                .unwrap_or_default()
                .into_iter()
                .filter_map(|p| p.get("PolicyArn").cloned())
                .collect();
            props.insert("Policies".into(), policies);
            props.insert("ManagedPolicyArns".into(), Value::Array(managed));
        }
        "AWS::IAM::Role" => {
            // The API gives the document URL-encoded; the CLI decodes it.
            if let Some(Value::String(doc)) = props.get("AssumeRolePolicyDocument") {
                let text = percent_decode(doc);
                props.insert(
                    "AssumeRolePolicyDocument".into(),
                    serde_json::from_str(&text).unwrap_or(Value::Null),
                );
            }
        }
        "AWS::DynamoDB::Table" => {
            if let Some(status) = supp_pascal("ContinuousBackupsDescription").and_then(|v| {
                v.pointer("/PointInTimeRecoveryDescription/PointInTimeRecoveryStatus")
                    .cloned()
            }) {
                props.insert(
                    "PointInTimeRecoverySpecification".into(),
                    json!({"PointInTimeRecoveryEnabled": status == "ENABLED"}),
                );
            }
        }
        "AWS::CloudFront::Distribution" => {
            if let Some(cfg) = props.get_mut("DistributionConfig") {
                unwrap_items(cfg);
            }
        }
        _ => {}
    }
}

/// CloudFront's lists are `{"Quantity": n, "Items": [...]}`; the template's are lists.
fn unwrap_items(v: &mut Value) {
    match v {
        Value::Object(m) => {
            let is_list =
                m.contains_key("Quantity") && m.keys().all(|k| k == "Quantity" || k == "Items");
            if is_list {
                *v = m.get("Items").cloned().unwrap_or(json!([]));
                unwrap_items(v);
                return;
            }
            m.values_mut().for_each(unwrap_items);
        }
        Value::Array(a) => a.iter_mut().for_each(unwrap_items),
        _ => {}
    }
}

/// `%XX` escapes decoded (IAM gives its policy documents URL-encoded); invalid ones are kept.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_become_template_resources() {
        let doc = json!({"configurationItems": [
            {"resourceType": "AWS::S3::Bucket", "resourceName": "logs", "arn": "arn:aws:s3:::logs",
             "awsRegion": "eu-west-1", "configurationItemStatus": "OK",
             "configuration": {"name": "logs"},
             "supplementaryConfiguration": {
                "PublicAccessBlockConfiguration": {"blockPublicAcls": true, "ignorePublicAcls": false, "blockPublicPolicy": true, "restrictPublicBuckets": true},
                "BucketVersioningConfiguration": {"status": "Off"},
                "ServerSideEncryptionConfiguration": {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyID": null}, "bucketKeyEnabled": true}]},
                "BucketLoggingConfiguration": {"destinationBucketName": null},
                "BucketPolicy": {"policyText": "{\"Statement\": [{\"Effect\": \"Deny\"}]}"}
             }},
            {"resourceType": "AWS::RDS::DBInstance", "resourceId": "db-1", "configurationItemStatus": "OK",
             "configuration": "{\"storageEncrypted\": false, \"multiAZ\": true, \"engine\": \"postgres\"}"},
            {"resourceType": "AWS::IAM::Role", "resourceName": "ci", "configurationItemStatus": "OK",
             "configuration": {"assumeRolePolicyDocument": "%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%22*%22%7D%5D%7D"}},
            {"resourceType": "AWS::EC2::Volume", "resourceId": "vol-1", "configurationItemStatus": "ResourceDeleted"}
        ]});
        let r = resources(&doc).unwrap();
        assert_eq!(
            r.len(),
            4,
            "bucket, its policy, database, role; the deleted volume is gone"
        );
        let b = &r[0].doc;
        assert_eq!(r[0].pointer, "/configurationItems/0");
        assert_eq!(b["Type"], "AWS::S3::Bucket");
        assert_eq!(b["arn"], "arn:aws:s3:::logs");
        let p = &b["Properties"];
        assert_eq!(
            p["PublicAccessBlockConfiguration"]["IgnorePublicAcls"],
            false
        );
        assert!(
            p.get("VersioningConfiguration").is_none(),
            "Off is not a setting"
        );
        assert!(p.get("LoggingConfiguration").is_none());
        assert_eq!(
            p["BucketEncryption"],
            json!({"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}, "BucketKeyEnabled": true}]})
        );
        assert_eq!(r[1].doc["Type"], "AWS::S3::BucketPolicy");
        assert_eq!(
            r[1].doc["Properties"]["PolicyDocument"]["Statement"][0]["Effect"],
            "Deny"
        );
        assert_eq!(
            r[2].doc["Properties"],
            json!({"StorageEncrypted": false, "MultiAZ": true, "Engine": "postgres"})
        );
        assert_eq!(
            r[3].doc["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"],
            "*"
        );
    }

    /// An item without its configuration is judged on unknown settings, so a rule that passes a
    /// template's empty `Properties` by the platform's defaults cannot pass it.
    #[test]
    fn an_item_without_configuration_has_unknown_properties() {
        let doc = json!({"resourceType": "AWS::RDS::DBInstance", "resourceId": "db-2",
                         "configurationItemStatus": "ResourceNotRecorded", "configuration": null});
        let r = resources(&doc).unwrap();
        assert!(
            crate::iac::is_unknown(&r[0].doc["Properties"]),
            "{}",
            r[0].doc
        );
    }
}
