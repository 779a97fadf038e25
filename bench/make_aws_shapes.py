#!/usr/bin/env python3
"""Inputs for timing the AWS shapes side by side (bench/RESULTS.md, "AWS Config, AWS CLI output
and Terraform JSON"): the same N S3 buckets and N RDS instances as an AWS Config snapshot, a
CloudFormation template and a JSON inventory of template-shaped resources; N EC2 instances as
`describe-instances` output; and N buckets as Terraform in HCL and in JSON syntax.

usage: make_aws_shapes.py N OUT_DIR
"""
import json, os, sys

n, out = int(sys.argv[1]), sys.argv[2]
os.makedirs(out, exist_ok=True)
items, cfn, inv, tf_json, tf_hcl = [], {}, [], {}, []
for i in range(n):
    name = f"bucket-{i}"
    items.append({
        "configurationItemCaptureTime": "2026-11-30T08:12:44.102Z",
        "configurationItemStatus": "OK",
        "resourceType": "AWS::S3::Bucket",
        "resourceId": name, "resourceName": name, "arn": f"arn:aws:s3:::{name}",
        "awsRegion": "eu-west-1",
        "configuration": {"name": name, "creationDate": "2024-02-01T10:00:00.000Z"},
        "supplementaryConfiguration": {
            "PublicAccessBlockConfiguration": {"blockPublicAcls": i % 2 == 0, "ignorePublicAcls": True,
                                               "blockPublicPolicy": True, "restrictPublicBuckets": True},
            "BucketVersioningConfiguration": {"status": "Enabled" if i % 3 else "Off"},
            "BucketLoggingConfiguration": {"destinationBucketName": "audit" if i % 5 else None},
        },
    })
    items.append({
        "configurationItemCaptureTime": "2026-11-30T08:12:44.102Z",
        "configurationItemStatus": "OK",
        "resourceType": "AWS::RDS::DBInstance",
        "resourceId": f"db-{i}", "resourceName": f"db{i}", "arn": f"arn:aws:rds:eu-west-1:1:db:db{i}",
        "configuration": {"engine": "postgres", "storageEncrypted": i % 4 != 0, "publiclyAccessible": False,
                          "multiAZ": True, "backupRetentionPeriod": 7},
    })
    bucket = {"BucketName": name,
              "PublicAccessBlockConfiguration": {"BlockPublicAcls": i % 2 == 0, "IgnorePublicAcls": True,
                                                 "BlockPublicPolicy": True, "RestrictPublicBuckets": True}}
    if i % 3:
        bucket["VersioningConfiguration"] = {"Status": "Enabled"}
    if i % 5:
        bucket["LoggingConfiguration"] = {"DestinationBucketName": "audit"}
    db = {"Engine": "postgres", "StorageEncrypted": i % 4 != 0, "PubliclyAccessible": False,
          "MultiAZ": True, "BackupRetentionPeriod": 7}
    cfn[f"Bucket{i}"] = {"Type": "AWS::S3::Bucket", "Properties": bucket}
    cfn[f"Db{i}"] = {"Type": "AWS::RDS::DBInstance", "Properties": db}
    inv.append({"Type": "AWS::S3::Bucket", "Name": name, "Properties": bucket})
    inv.append({"Type": "AWS::RDS::DBInstance", "Name": f"db{i}", "Properties": db})
    tf_json[f"b{i}"] = {"bucket": name, "tags": {"team": "pay"}}
    tf_hcl.append(f'resource "aws_s3_bucket" "b{i}" {{\n  bucket = "{name}"\n  tags   = {{ team = "pay" }}\n}}\n')
json.dump({"fileVersion": "1.0", "configurationItems": items}, open(f"{out}/config.json", "w"), indent=2)
json.dump({"AWSTemplateFormatVersion": "2010-09-09", "Resources": cfn}, open(f"{out}/cfn.json", "w"), indent=2)
json.dump(inv, open(f"{out}/cfn-inventory.json", "w"), indent=2)
instances = [{"InstanceId": f"i-{i:08x}", "MetadataOptions": {"HttpTokens": "required" if i % 2 else "optional",
              "HttpEndpoint": "enabled"}, "Tags": [{"Key": "Name", "Value": f"web-{i}"}]} for i in range(2 * n)]
json.dump({"Reservations": [{"Instances": instances}]}, open(f"{out}/describe-instances.json", "w"), indent=2)
os.makedirs(f"{out}/tfjson", exist_ok=True)
os.makedirs(f"{out}/tfhcl", exist_ok=True)
json.dump({"resource": {"aws_s3_bucket": tf_json}}, open(f"{out}/tfjson/main.tf.json", "w"), indent=2)
open(f"{out}/tfhcl/main.tf", "w").write("".join(tf_hcl))
