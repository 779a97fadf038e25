//! A fix of an evaluated resource carried back to what its file holds. A resource of a
//! CloudFormation or ARM template is the template's declaration evaluated (parameters,
//! conditions, `Fn::*` and `[…]` expressions, loops), so a change is carried to the declaration
//! only where it means the same there: the value changed or removed is written as a literal, and
//! every container on the way to it is a literal object or list. Anything else is refused with
//! the path to change by hand; the file's read-back (in [`super::rewrite`]) proves the rest.

use super::FixError;
use serde_json::Value;

/// The declaration `raw` with the changes that turn the resource `before` into `after`.
pub fn carry(raw: &Value, before: &Value, after: &Value) -> Result<Value, FixError> {
    if raw == before {
        return Ok(after.clone());
    }
    if raw.get("copy").is_some() {
        return Err(FixError(
            "the resource is declared by a copy loop, which makes several resources of one \
             declaration; change the template by hand"
                .into(),
        ));
    }
    let declared = raw.get("type").or_else(|| raw.get("Type"));
    let evaluated = before.get("type").or_else(|| before.get("Type"));
    if let (Some(Value::String(d)), Some(Value::String(e))) = (declared, evaluated) {
        if !e.to_ascii_lowercase().ends_with(&d.to_ascii_lowercase()) {
            return Err(FixError(format!(
                "the resource is declared in a linked template, not at `{d}`; change that \
                 template by hand"
            )));
        }
    }
    let mut changes = Vec::new();
    diff(before, after, &mut Vec::new(), &mut changes);
    let mut out = raw.clone();
    for (path, new) in changes {
        check(raw, before, &path)?;
        set(&mut out, &path, new)?;
    }
    Ok(out)
}

/// The smallest changes from `b` to `a`: a path and its new value (`None` to remove it).
fn diff(b: &Value, a: &Value, path: &mut Vec<String>, out: &mut Vec<(Vec<String>, Option<Value>)>) {
    match (b, a) {
        (Value::Object(bm), Value::Object(am)) => {
            for (k, bv) in bm {
                path.push(k.clone());
                match am.get(k) {
                    None => out.push((path.clone(), None)),
                    Some(av) if av != bv => diff(bv, av, path, out),
                    Some(_) => {}
                }
                path.pop();
            }
            for (k, av) in am {
                if !bm.contains_key(k) {
                    path.push(k.clone());
                    out.push((path.clone(), Some(av.clone())));
                    path.pop();
                }
            }
        }
        (Value::Array(ba), Value::Array(aa)) if ba.len() == aa.len() => {
            for (i, (bv, av)) in ba.iter().zip(aa).enumerate() {
                if av != bv {
                    path.push(i.to_string());
                    diff(bv, av, path, out);
                    path.pop();
                }
            }
        }
        _ => out.push((path.clone(), Some(a.clone()))),
    }
}

/// Whether the change at `path` can be made to the declaration: the containers on the way are
/// literal (the same kind as evaluated, lists as long, no intrinsic function) and the value there
/// is the literal the resource holds, or is absent in both.
fn check(raw: &Value, before: &Value, path: &[String]) -> Result<(), FixError> {
    let shown = path.join(".");
    let (mut r, mut b) = (raw, before);
    for (i, t) in path.iter().enumerate() {
        let literal = match (r, b) {
            (Value::Object(m), Value::Object(_)) => !is_intrinsic(m),
            (Value::Array(x), Value::Array(y)) => x.len() == y.len(),
            _ => false,
        };
        let through = path[..i].join(".");
        if !literal {
            return Err(FixError(format!(
                "`{through}` is written in the template as an expression, not as the value \
                 rules see; change it by hand to make `{shown}` compliant"
            )));
        }
        match (child(r, t), child(b, t)) {
            (Some(rc), Some(bc)) => {
                r = rc;
                b = bc;
            }
            (None, None) => return Ok(()),
            _ => {
                return Err(FixError(format!(
                    "`{shown}` comes from the template's evaluation (a default, a loop or a \
                     function), not from a value written there; change it by hand"
                )))
            }
        }
    }
    if r != b {
        return Err(FixError(format!(
            "`{shown}` is written in the template as `{}`, an expression; change it by hand",
            short(&r.to_string())
        )));
    }
    Ok(())
}

/// A value's text, cut to 80 characters.
fn short(s: &str) -> String {
    match s.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// A CloudFormation function (`{"Ref": …}`, `{"Fn::If": …}`, `!Sub …`) or condition.
fn is_intrinsic(m: &serde_json::Map<String, Value>) -> bool {
    m.len() == 1
        && m.keys()
            .all(|k| k == "Ref" || k == "Condition" || k.starts_with("Fn::") || k.starts_with('!'))
}

fn child<'v>(v: &'v Value, t: &str) -> Option<&'v Value> {
    match v {
        Value::Object(m) => m.get(t),
        Value::Array(a) => a.get(t.parse::<usize>().ok()?),
        _ => None,
    }
}

fn set(v: &mut Value, path: &[String], new: Option<Value>) -> Result<(), FixError> {
    let Some((last, parents)) = path.split_last() else {
        if let Some(n) = new {
            *v = n;
        }
        return Ok(());
    };
    let mut cur = v;
    for t in parents {
        cur = match cur {
            Value::Object(m) => m.get_mut(t),
            Value::Array(a) => t.parse::<usize>().ok().and_then(|i| a.get_mut(i)),
            _ => None,
        }
        .ok_or_else(|| FixError(format!("no `{}` in the template", path.join("."))))?;
    }
    match (cur, new) {
        (Value::Object(m), Some(n)) => {
            m.insert(last.clone(), n);
        }
        (Value::Object(m), None) => {
            m.remove(last);
        }
        (Value::Array(a), Some(n)) => {
            let slot = last.parse::<usize>().ok().and_then(|i| a.get_mut(i));
            *slot.ok_or_else(|| FixError(format!("no `{}` in the template", path.join("."))))? = n;
        }
        _ => return Err(FixError(format!("no `{}` in the template", path.join(".")))),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn literal_values_are_carried_and_expressions_refused() {
        let raw = json!({"Type": "AWS::S3::Bucket", "Properties": {"BucketName": {"Fn::Sub": "${A}-b"}, "Tags": []}});
        let before = json!({"Type": "AWS::S3::Bucket", "LogicalId": "B", "Properties": {"BucketName": "x-b", "Tags": []}});
        let mut after = before.clone();
        after["Properties"]["VersioningConfiguration"] = json!({"Status": "Enabled"});
        let out = carry(&raw, &before, &after).unwrap();
        assert_eq!(
            out["Properties"],
            json!({"BucketName": {"Fn::Sub": "${A}-b"}, "Tags": [], "VersioningConfiguration": {"Status": "Enabled"}})
        );
        assert!(out.get("LogicalId").is_none());
        let mut renamed = before.clone();
        renamed["Properties"]["BucketName"] = json!("y");
        let e = carry(&raw, &before, &renamed).unwrap_err();
        assert!(e.0.contains("`Properties.BucketName` is written"), "{e}");
        // An ARM value from a parameter is an expression too; a copy loop is refused.
        let raw = json!({"type": "Microsoft.Storage/storageAccounts", "properties": {"minimumTlsVersion": "[parameters('tls')]"}});
        let before = json!({"type": "Microsoft.Storage/storageAccounts", "properties": {"minimumTlsVersion": "TLS1_0"}});
        let after = json!({"type": "Microsoft.Storage/storageAccounts", "properties": {"minimumTlsVersion": "TLS1_2"}});
        assert!(carry(&raw, &before, &after).is_err());
        let mut looped = raw.clone();
        looped["copy"] = json!({"name": "l", "count": 2});
        assert!(carry(&looped, &before, &after)
            .unwrap_err()
            .0
            .contains("copy loop"));
    }
}
