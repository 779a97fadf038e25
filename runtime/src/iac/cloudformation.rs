//! CloudFormation (and SAM) templates: each entry of `Resources` becomes a resource with its
//! `Type`, `Properties` and the added members `LogicalId` and `Name` (the logical id).
//!
//! Intrinsic functions are evaluated where their inputs are known: `Ref` to a parameter gives its
//! `Default`; `Fn::Sub`, `Fn::Join`, `Fn::Select`, `Fn::Split`, `Fn::FindInMap`, `Fn::If`,
//! `Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or` and `Condition` are computed; `AWS::NoValue`
//! removes the member. `Ref` to a resource or a pseudo parameter, `Fn::GetAtt`,
//! `Fn::ImportValue`, `Fn::GetAZs`, `Fn::Base64`, `Fn::Cidr` and any expression with an unknown
//! input are [`unknown`]. YAML short tags (`!Ref`, `!Sub`, `!GetAtt a.b`, ...) reach this module
//! as `{"!Ref": ...}` and are read as their long forms.

use super::{adapt_err, child, is_unknown, unknown, Adapted};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Evaluation context of one template.
struct Ctx<'a> {
    params: HashMap<&'a str, Option<&'a Value>>,
    resources: &'a Map<String, Value>,
    mappings: Option<&'a Map<String, Value>>,
    conditions: Option<&'a Map<String, Value>>,
}

/// What an expression evaluates to.
enum Out {
    Known(Value),
    /// `AWS::NoValue`: the member is removed.
    NoValue,
}

/// The resources of a template.
pub fn resources(t: &Value) -> Result<Vec<Adapted>, String> {
    let Some(res) = t.get("Resources").and_then(Value::as_object) else {
        return Err(adapt_err(
            "a CloudFormation template needs a `Resources` object",
        ));
    };
    let params = t
        .get("Parameters")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, p)| (k.as_str(), p.get("Default")))
                .collect()
        })
        .unwrap_or_default();
    let ctx = Ctx {
        params,
        resources: res,
        mappings: t.get("Mappings").and_then(Value::as_object),
        conditions: t.get("Conditions").and_then(Value::as_object),
    };
    let mut out = Vec::new();
    for (id, r) in res {
        let Some(obj) = r.as_object() else { continue };
        let mut doc = Map::new();
        for (k, v) in obj {
            let v = if k == "Properties" || k == "Metadata" {
                match ctx.eval(v, 0) {
                    Out::Known(v) => v,
                    Out::NoValue => continue,
                }
            } else {
                v.clone()
            };
            doc.insert(k.clone(), v);
        }
        // In a template, a resource without `Properties` sets none: say so, so that rules judge
        // it by the platform's defaults. Outside templates a missing `Properties` stays missing
        // (a shape the rules do not know), and rules that need it are undecided.
        doc.entry("Properties")
            .or_insert_with(|| Value::Object(Map::new()));
        doc.insert("LogicalId".into(), Value::String(id.clone()));
        doc.insert("Name".into(), Value::String(id.clone()));
        out.push(Adapted {
            doc: Value::Object(doc),
            pointer: child("/Resources", id),
        });
    }
    Ok(out)
}

/// The long name of an intrinsic written as a YAML short tag or in full.
fn intrinsic(key: &str) -> Option<&str> {
    let name = key.strip_prefix('!').map_or(key, |k| k);
    let long = match name {
        "Ref" | "Condition" => return Some(name),
        n if n.starts_with("Fn::") => return Some(n),
        "Sub" => "Fn::Sub",
        "Join" => "Fn::Join",
        "If" => "Fn::If",
        "Equals" => "Fn::Equals",
        "Not" => "Fn::Not",
        "And" => "Fn::And",
        "Or" => "Fn::Or",
        "Select" => "Fn::Select",
        "Split" => "Fn::Split",
        "FindInMap" => "Fn::FindInMap",
        "GetAtt" => "Fn::GetAtt",
        "ImportValue" => "Fn::ImportValue",
        "GetAZs" => "Fn::GetAZs",
        "Base64" => "Fn::Base64",
        "Cidr" => "Fn::Cidr",
        "Transform" => "Fn::Transform",
        "Length" => "Fn::Length",
        "ToJsonString" => "Fn::ToJsonString",
        // The functions of a template's `Rules`: not computed, so unknown.
        "Contains" => "Fn::Contains",
        "EachMemberEquals" => "Fn::EachMemberEquals",
        "EachMemberIn" => "Fn::EachMemberIn",
        "RefAll" => "Fn::RefAll",
        "ValueOf" => "Fn::ValueOf",
        "ValueOfAll" => "Fn::ValueOfAll",
        // Directives of AWS's `rain` tool (`!Rain::Embed file`), replaced before deployment: unknown.
        n if n.starts_with("Rain::") && key.starts_with('!') => return Some(key),
        _ => return None,
    };
    key.starts_with('!').then_some(long)
}

const MAX_DEPTH: usize = 64;

impl Ctx<'_> {
    fn eval(&self, v: &Value, depth: usize) -> Out {
        if depth > MAX_DEPTH {
            return Out::Known(unknown());
        }
        match v {
            Value::Object(m) if m.len() == 1 => {
                let (k, arg) = m
                    .iter()
                    .next()
                    .map(|(k, a)| (k.as_str(), a))
                    .unwrap_or(("", v));
                match intrinsic(k) {
                    Some(f) => self.call(f, arg, depth),
                    None => self.members(m, depth),
                }
            }
            Value::Object(m) => self.members(m, depth),
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for i in items {
                    if let Out::Known(x) = self.eval(i, depth + 1) {
                        out.push(x);
                    }
                }
                Out::Known(Value::Array(out))
            }
            other => Out::Known(other.clone()),
        }
    }

    fn members(&self, m: &Map<String, Value>, depth: usize) -> Out {
        let mut out = Map::new();
        for (k, x) in m {
            if let Out::Known(x) = self.eval(x, depth + 1) {
                out.insert(k.clone(), x);
            }
        }
        Out::Known(Value::Object(out))
    }

    /// A known value, or `None` when unknown (or `AWS::NoValue`).
    fn known(&self, v: &Value, depth: usize) -> Option<Value> {
        match self.eval(v, depth + 1) {
            Out::Known(x) if !is_unknown(&x) => Some(x),
            _ => None,
        }
    }

    fn call(&self, f: &str, arg: &Value, depth: usize) -> Out {
        let unknown_expr = || Out::Known(unknown());
        let result = match f {
            "Ref" => match arg.as_str() {
                Some("AWS::NoValue") => return Out::NoValue,
                Some(name) => match self.params.get(name) {
                    Some(Some(default)) => self.known(default, depth),
                    _ => None,
                },
                None => None,
            },
            "Condition" => arg
                .as_str()
                .and_then(|c| self.condition(c, depth))
                .map(Value::Bool),
            "Fn::If" => {
                let a = arg.as_array().filter(|a| a.len() == 3);
                let Some(a) = a else {
                    return unknown_expr();
                };
                let cond = a[0].as_str().and_then(|c| self.condition(c, depth));
                return match cond {
                    Some(true) => self.eval(&a[1], depth + 1),
                    Some(false) => self.eval(&a[2], depth + 1),
                    None => unknown_expr(),
                };
            }
            "Fn::Equals" => arg.as_array().filter(|a| a.len() == 2).and_then(|a| {
                let x = self.known(&a[0], depth)?;
                let y = self.known(&a[1], depth)?;
                Some(Value::Bool(loose_eq(&x, &y)))
            }),
            "Fn::Not" => arg
                .as_array()
                .and_then(|a| a.first())
                .and_then(|c| self.boolean(c, depth))
                .map(|b| Value::Bool(!b)),
            "Fn::And" | "Fn::Or" => arg.as_array().and_then(|a| {
                let all = f == "Fn::And";
                let mut unsure = false;
                for c in a {
                    match self.boolean(c, depth) {
                        Some(b) if b != all => return Some(Value::Bool(!all)),
                        Some(_) => {}
                        None => unsure = true,
                    }
                }
                (!unsure).then_some(Value::Bool(all))
            }),
            "Fn::Join" => arg.as_array().filter(|a| a.len() == 2).and_then(|a| {
                let sep = self.known(&a[0], depth)?;
                let list = self.known(&a[1], depth)?;
                let parts: Option<Vec<String>> = list.as_array()?.iter().map(scalar_text).collect();
                Some(Value::String(parts?.join(sep.as_str()?)))
            }),
            "Fn::Select" => arg.as_array().filter(|a| a.len() == 2).and_then(|a| {
                let i = self.known(&a[0], depth)?;
                let i = i
                    .as_u64()
                    .or_else(|| i.as_str().and_then(|s| s.parse().ok()))?;
                let list = self.known(&a[1], depth)?;
                list.as_array()?.get(i as usize).cloned()
            }),
            "Fn::Split" => arg.as_array().filter(|a| a.len() == 2).and_then(|a| {
                let sep = self.known(&a[0], depth)?;
                let s = self.known(&a[1], depth)?;
                Some(Value::Array(
                    s.as_str()?
                        .split(sep.as_str()?)
                        .map(|p| Value::String(p.into()))
                        .collect(),
                ))
            }),
            "Fn::FindInMap" => arg.as_array().filter(|a| a.len() >= 3).and_then(|a| {
                let m = self.known(&a[0], depth)?;
                let k1 = self.known(&a[1], depth)?;
                let k2 = self.known(&a[2], depth)?;
                let v = self
                    .mappings?
                    .get(m.as_str()?)?
                    .get(scalar_text(&k1)?)?
                    .get(scalar_text(&k2)?)?;
                self.known(v, depth)
            }),
            "Fn::Sub" => self.sub(arg, depth),
            _ => None,
        };
        match result {
            Some(v) => Out::Known(v),
            None => unknown_expr(),
        }
    }

    fn boolean(&self, v: &Value, depth: usize) -> Option<bool> {
        match self.known(v, depth)? {
            Value::Bool(b) => Some(b),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }

    fn condition(&self, name: &str, depth: usize) -> Option<bool> {
        if depth > MAX_DEPTH {
            return None;
        }
        let c = self.conditions?.get(name)?;
        self.boolean(c, depth + 1)
    }

    /// `Fn::Sub`: `${Name}` from the variable map or the parameters; `${!x}` is literal.
    fn sub(&self, arg: &Value, depth: usize) -> Option<Value> {
        let (text, vars) = match arg {
            Value::String(s) => (s.as_str(), None),
            Value::Array(a) if a.len() == 2 => (a[0].as_str()?, a[1].as_object()),
            _ => return None,
        };
        let mut out = String::new();
        let mut rest = text;
        while let Some(i) = rest.find("${") {
            out.push_str(&rest[..i]);
            let after = &rest[i + 2..];
            let end = after.find('}')?;
            let name = &after[..end];
            if let Some(lit) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(lit);
                out.push('}');
            } else {
                let v = match vars.and_then(|m| m.get(name)) {
                    Some(v) => self.known(v, depth)?,
                    None if self.resources.contains_key(name) || name.contains('.') => {
                        return None;
                    }
                    None => self.known(self.params.get(name).copied().flatten()?, depth)?,
                };
                out.push_str(&scalar_text(&v)?);
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Some(Value::String(out))
    }
}

/// A scalar as CloudFormation turns it into text.
fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Equality as `Fn::Equals` compares: parameters are strings, so `"1" == 1`.
fn loose_eq(a: &Value, b: &Value) -> bool {
    match (scalar_text(a), scalar_text(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn intrinsics_are_evaluated_where_known() {
        let t = json!({
            "Parameters": {"Env": {"Default": "prod"}, "Cidr": {"Default": "0.0.0.0/0"}, "NoDefault": {}},
            "Mappings": {"Ports": {"prod": {"ssh": 22}}},
            "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}, "Unknown": {"!Equals": [{"!Ref": "NoDefault"}, "x"]}},
            "Resources": {
                "SG": {"Type": "AWS::EC2::SecurityGroup", "Properties": {
                    "GroupName": {"Fn::Sub": "${Env}-sg-${!Literal}"},
                    "Desc": {"!Join": ["-", ["a", {"!Ref": "Env"}]]},
                    "SecurityGroupIngress": [{"CidrIp": {"Ref": "Cidr"}, "FromPort": {"Fn::FindInMap": ["Ports", {"Ref": "Env"}, "ssh"]}}],
                    "Maybe": {"Fn::If": ["IsProd", "yes", "no"]},
                    "Dropped": {"Ref": "AWS::NoValue"},
                    "Vpc": {"Ref": "Other"},
                    "Arn": {"!GetAtt": "Other.Arn"},
                    "Unsure": {"Fn::If": ["Unknown", 1, 2]},
                    "Region": {"Fn::Sub": "${AWS::Region}-x"}
                }},
                "Other": {"Type": "AWS::EC2::VPC"}
            }
        });
        let r = resources(&t).unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].pointer, "/Resources/SG");
        let p = &r[0].doc["Properties"];
        assert_eq!(p["GroupName"], "prod-sg-${Literal}");
        assert_eq!(p["Desc"], "a-prod");
        assert_eq!(p["SecurityGroupIngress"][0]["CidrIp"], "0.0.0.0/0");
        assert_eq!(p["SecurityGroupIngress"][0]["FromPort"], 22);
        assert_eq!(p["Maybe"], "yes");
        assert!(p.get("Dropped").is_none());
        for k in ["Vpc", "Arn", "Unsure", "Region"] {
            assert!(is_unknown(&p[k]), "{k}: {}", p[k]);
        }
        assert_eq!(r[0].doc["LogicalId"], "SG");
        // A resource declared without properties sets none: rules see an empty `Properties`.
        assert_eq!(r[1].doc["Properties"], json!({}));
        assert!(resources(&json!({"Parameters": {}})).is_err());
    }
}
