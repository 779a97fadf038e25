//! Terraform plans (`terraform show -json plan`): each managed resource of `planned_values`
//! (the root module and every child module) becomes a resource as the plan shows it:
//! `address`, `type`, `name`, `index`, `provider_name` and `values`, plus `actions` from its
//! entry in `resource_changes`. Attributes known only after apply (`after_unknown`) are
//! [`unknown`] in `values` instead of absent, so a rule can tell the two apart; attributes that
//! are `null` (not set) are left out, so they are absent as in any other inventory. Data sources
//! are left out: they are read, not deployed (except the policy documents of
//! [`super::DOCUMENTS`], written in the configuration). IAM policies written as JSON text are
//! read as JSON ([`super::decode_policies`]).

use super::{adapt_err, is_unknown, unknown, Adapted};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// The resources of a plan.
pub fn resources(plan: &Value) -> Result<Vec<Adapted>, String> {
    let Some(root) = plan.pointer("/planned_values/root_module") else {
        if plan.get("resource_changes").is_some() {
            // A plan with nothing planned (everything destroyed).
            return Ok(Vec::new());
        }
        return Err(adapt_err(
            "a Terraform plan needs `planned_values` (write it with `terraform show -json PLAN`)",
        ));
    };
    let mut changes: HashMap<&str, &Value> = HashMap::new();
    for rc in plan
        .get("resource_changes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(a) = rc.get("address").and_then(Value::as_str) {
            changes.insert(a, rc);
        }
    }
    let mut out = Vec::new();
    module(root, "/planned_values/root_module", &changes, &mut out, 0);
    Ok(out)
}

fn module(
    m: &Value,
    pointer: &str,
    changes: &HashMap<&str, &Value>,
    out: &mut Vec<Adapted>,
    depth: usize,
) {
    if depth > 64 {
        return;
    }
    for (i, r) in m
        .get("resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let Some(obj) = r.as_object() else { continue };
        let ty = obj.get("type").and_then(Value::as_str).unwrap_or_default();
        if obj.get("mode").and_then(Value::as_str) == Some("data")
            && !super::DOCUMENTS.contains(&ty)
        {
            continue;
        }
        let mut doc = obj.clone();
        if let Some(v) = doc.get_mut("values") {
            drop_nulls(v, 0);
            super::decode_policies(ty, v);
        }
        let change = obj
            .get("address")
            .and_then(Value::as_str)
            .and_then(|a| changes.get(a))
            .and_then(|rc| rc.get("change"));
        if let Some(c) = change {
            if let Some(a) = c.get("actions") {
                doc.insert("actions".into(), a.clone());
            }
            if let Some(u) = c.get("after_unknown") {
                let values = doc
                    .entry("values")
                    .or_insert_with(|| Value::Object(Map::new()));
                mark(values, u, 0);
            }
        }
        out.push(Adapted {
            doc: Value::Object(doc),
            pointer: format!("{pointer}/resources/{i}"),
        });
    }
    for (i, c) in m
        .get("child_modules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        module(
            c,
            &format!("{pointer}/child_modules/{i}"),
            changes,
            out,
            depth + 1,
        );
    }
}

/// Removes the members that are `null` (attributes not set), at every level.
fn drop_nulls(v: &mut Value, depth: usize) {
    if depth > 64 {
        return;
    }
    match v {
        Value::Object(m) => {
            m.retain(|_, x| !x.is_null());
            for x in m.values_mut() {
                drop_nulls(x, depth + 1);
            }
        }
        Value::Array(a) => {
            for x in a {
                drop_nulls(x, depth + 1);
            }
        }
        _ => {}
    }
}

/// Marks in `values` what `after_unknown` says is known only after apply.
fn mark(values: &mut Value, u: &Value, depth: usize) {
    if depth > 64 {
        return;
    }
    match (values, u) {
        (v, Value::Bool(true)) if !is_unknown(v) => *v = unknown(),
        (Value::Object(m), Value::Object(um)) => {
            for (k, x) in um {
                match m.get_mut(k) {
                    Some(v) => mark(v, x, depth + 1),
                    None if *x == Value::Bool(true) => {
                        m.insert(k.clone(), unknown());
                    }
                    None => {}
                }
            }
        }
        (Value::Array(a), Value::Array(ua)) => {
            for (v, x) in a.iter_mut().zip(ua) {
                mark(v, x, depth + 1);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn planned_values_with_unknowns_marked() {
        let plan = json!({
            "format_version": "1.2",
            "planned_values": {"root_module": {
                "resources": [
                    {"address": "aws_s3_bucket.b", "mode": "managed", "type": "aws_s3_bucket", "name": "b", "values": {"bucket": "x", "acl": null, "tags": null}},
                    {"address": "data.aws_iam_policy.p", "mode": "data", "type": "aws_iam_policy", "name": "p", "values": {}}
                ],
                "child_modules": [{"address": "module.net", "resources": [
                    {"address": "module.net.aws_security_group.sg[0]", "mode": "managed", "type": "aws_security_group", "name": "sg", "index": 0,
                     "values": {"ingress": [{"cidr_blocks": ["0.0.0.0/0"], "from_port": 22}]}}
                ]}]
            }},
            "resource_changes": [
                {"address": "aws_s3_bucket.b", "change": {"actions": ["create"], "after_unknown": {"arn": true, "tags": true}}},
                {"address": "module.net.aws_security_group.sg[0]", "change": {"actions": ["update"], "after_unknown": {"ingress": [{"id": true}]}}}
            ]
        });
        let r = resources(&plan).unwrap();
        assert_eq!(r.len(), 2);
        assert!(is_unknown(&r[0].doc["values"]["arn"]));
        assert!(is_unknown(&r[0].doc["values"]["tags"]));
        assert_eq!(r[0].doc["values"]["bucket"], "x");
        assert!(r[0].doc["values"].get("acl").is_none(), "null is not set");
        assert_eq!(r[0].doc["actions"], json!(["create"]));
        assert_eq!(
            r[1].pointer,
            "/planned_values/root_module/child_modules/0/resources/0"
        );
        assert!(is_unknown(&r[1].doc["values"]["ingress"][0]["id"]));
        assert!(resources(&json!({"format_version": "1"})).is_err());
    }

    #[test]
    fn policy_documents_are_kept_and_json_policies_read_as_json() {
        let plan = json!({
            "planned_values": {"root_module": {"resources": [
                {"address": "data.aws_iam_policy_document.d", "mode": "data", "type": "aws_iam_policy_document", "name": "d",
                 "values": {"statement": [{"actions": ["*"], "resources": ["*"]}]}},
                {"address": "data.aws_region.r", "mode": "data", "type": "aws_region", "name": "r", "values": {}},
                {"address": "aws_iam_policy.p", "mode": "managed", "type": "aws_iam_policy", "name": "p",
                 "values": {"policy": "{\"Statement\": [{\"Effect\": \"Allow\"}]}", "name": "p"}}
            ]}}
        });
        let out = resources(&plan).unwrap_or_default();
        let addresses: Vec<&str> = out
            .iter()
            .filter_map(|a| a.doc["address"].as_str())
            .collect();
        assert_eq!(
            addresses,
            ["data.aws_iam_policy_document.d", "aws_iam_policy.p"]
        );
        assert_eq!(
            out[1].doc["values"]["policy"]["Statement"][0]["Effect"],
            "Allow"
        );
    }
}
