//! The AWS CLI's output read as the CloudFormation resources it describes:
//! `aws ec2 describe-instances`, `describe-security-groups` and `describe-volumes`,
//! `aws rds describe-db-instances`, `aws cloudtrail describe-trails`, `aws efs
//! describe-file-systems`, `aws logs describe-log-groups`, `aws elbv2 describe-listeners` and `aws
//! iam get-account-authorization-details` (or `list-roles`).
//!
//! The API's member names are the template's for most settings (both are PascalCase:
//! `StorageEncrypted`, `MetadataOptions.HttpTokens`); where they differ the same moves as for
//! AWS Config items apply ([`super::awsconfig`]). Each element of the list becomes one resource
//! whose `Properties` are the element; a security group's `IpPermissions` stay beside them, in the
//! EC2 API's shape the security group rules read.

use super::awsconfig::{document, pascal, reshape};
use super::Adapted;
use serde_json::{json, Map, Value};

/// The lists the AWS CLI prints, the resource type of their elements, and the members that name
/// and identify an element.
pub const LISTS: &[(&str, &str, &str, &str)] = &[
    (
        "Reservations",
        "AWS::EC2::Instance",
        "InstanceId",
        "InstanceId",
    ),
    (
        "SecurityGroups",
        "AWS::EC2::SecurityGroup",
        "GroupName",
        "GroupId",
    ),
    ("Volumes", "AWS::EC2::Volume", "VolumeId", "VolumeId"),
    (
        "DBInstances",
        "AWS::RDS::DBInstance",
        "DBInstanceIdentifier",
        "DBInstanceArn",
    ),
    ("trailList", "AWS::CloudTrail::Trail", "Name", "TrailARN"),
    (
        "FileSystems",
        "AWS::EFS::FileSystem",
        "Name",
        "FileSystemArn",
    ),
    ("logGroups", "AWS::Logs::LogGroup", "LogGroupName", "Arn"),
    (
        "Listeners",
        "AWS::ElasticLoadBalancingV2::Listener",
        "ListenerArn",
        "ListenerArn",
    ),
    ("RoleDetailList", "AWS::IAM::Role", "RoleName", "Arn"),
    ("UserDetailList", "AWS::IAM::User", "UserName", "Arn"),
    ("Roles", "AWS::IAM::Role", "RoleName", "Arn"),
];

/// The resources of an AWS CLI output.
pub fn resources(doc: &Value) -> Result<Vec<Adapted>, String> {
    let Some(m) = doc.as_object() else {
        return Err(super::adapt_err("not AWS CLI output"));
    };
    let mut out = Vec::new();
    for &(list, ty, name_key, id_key) in LISTS {
        let Some(Value::Array(items)) = m.get(list) else {
            continue;
        };
        // describe-instances groups its instances in reservations.
        let elements: Vec<(String, &Value)> = if list == "Reservations" {
            let mut v = Vec::new();
            for (i, r) in items.iter().enumerate() {
                let instances = r.get("Instances").and_then(Value::as_array);
                for (j, inst) in instances.into_iter().flatten().enumerate() {
                    v.push((format!("/{list}/{i}/Instances/{j}"), inst));
                }
            }
            v
        } else {
            let pointers = (0..items.len()).map(|i| format!("/{list}/{i}"));
            pointers.zip(items).collect()
        };
        for (pointer, item) in elements {
            out.extend(resource(ty, name_key, id_key, item).map(|doc| Adapted { doc, pointer }));
        }
    }
    Ok(out)
}

fn resource(ty: &str, name_key: &str, id_key: &str, item: &Value) -> Option<Value> {
    // Some services answer in camelCase (CloudWatch Logs): the template's names are PascalCase.
    let Value::Object(mut props) = pascal(item.clone()) else {
        return None;
    };
    let text =
        |m: &Map<String, Value>, k: &str| m.get(k).and_then(Value::as_str).map(str::to_string);
    // An EC2 resource's `Name` tag is its name.
    let tagged = props
        .get("Tags")
        .and_then(Value::as_array)
        .and_then(|tags| {
            tags.iter()
                .find(|t| t.get("Key").and_then(Value::as_str) == Some("Name"))
                .and_then(|t| t.get("Value").and_then(Value::as_str))
        })
        .map(str::to_string);
    let name = tagged
        .or_else(|| text(&props, name_key))
        .or_else(|| text(&props, id_key))
        .unwrap_or_default();
    let id = text(&props, id_key);
    // The CLI has no supplementary configuration, so no resource comes with another.
    reshape(ty, &name, &mut props, &Map::new(), &mut Vec::new());
    let mut doc = document(ty, &name, props);
    if let Some(id) = id {
        doc["id"] = json!(id);
    }
    Some(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_output_becomes_template_resources() {
        let doc = json!({"Reservations": [{"Instances": [
            {"InstanceId": "i-1", "MetadataOptions": {"HttpTokens": "optional", "HttpEndpoint": "enabled"},
             "Tags": [{"Key": "Name", "Value": "web"}]}]}]});
        let r = resources(&doc).unwrap();
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].pointer, "/Reservations/0/Instances/0");
        assert_eq!(r[0].doc["Name"], "web");
        assert_eq!(r[0].doc["id"], "i-1");
        assert_eq!(
            r[0].doc["Properties"]["MetadataOptions"]["HttpTokens"],
            "optional"
        );
        let doc = json!({"trailList": [{"Name": "t", "TrailARN": "arn:t", "LogFileValidationEnabled": true, "KmsKeyId": "k"}],
                         "logGroups": [{"logGroupName": "/app", "arn": "arn:lg", "retentionInDays": 30}]});
        let r = resources(&doc).unwrap();
        assert_eq!(r[0].doc["Properties"]["EnableLogFileValidation"], true);
        assert_eq!(r[0].doc["Properties"]["KMSKeyId"], "k");
        assert_eq!(r[1].doc["Name"], "/app");
        assert_eq!(r[1].doc["Properties"]["RetentionInDays"], 30);
        let doc = json!({"SecurityGroups": [{"GroupName": "admin", "GroupId": "sg-1",
            "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}]});
        let r = resources(&doc).unwrap();
        assert_eq!(r[0].doc["IpPermissions"][0]["FromPort"], 22);
        assert!(r[0].doc["Properties"].get("IpPermissions").is_none());
    }
}
