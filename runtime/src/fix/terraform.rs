//! Fixes written back to Terraform source: the attributes a fix sets or removes are changed in
//! the resource's block with `hcl-edit`, and every other byte of the file (formatting, comments,
//! other blocks) is kept.
//!
//! A resource of Terraform source is the block evaluated (variables, `count`, modules), so an
//! edit is made only where it means the same for every instance: the attribute is absent or
//! written as a literal, and every instance of the block asks for the same change. An attribute
//! whose value comes from an expression (`var.tls`, `local.x`, a conditional) is refused with the
//! expression to change, as is a change inside a `dynamic` block or a block the resource lacks.

use super::FixError;
use hcl_edit::expr::{Array, Expression};
use hcl_edit::structure::{Attribute, Block, BlockLabel, Body, Structure};
use hcl_edit::{Decorate, Decorated, Ident};
use serde_json::Value;
use std::collections::BTreeMap;

/// One change to make: the path of nested blocks (name, index among the blocks of that name),
/// the attribute, and its new value (`None` removes it).
type Change = (Vec<(String, usize)>, String, Option<Value>);

/// Rewrites `text`, a `.tf` file, so that each edited resource's block holds its patched values.
pub fn rewrite(
    text: &str,
    edits: &[(&crate::resource::Resource, &Value)],
) -> Result<String, FixError> {
    let mut body: Body = hcl_edit::parser::parse_body(text)
        .map_err(|e| FixError(format!("the file does not parse: {e}")))?;
    // Changes per block (type, name), the same for every instance of it.
    let mut by_block: BTreeMap<(String, String), Vec<Change>> = BTreeMap::new();
    for (r, after) in edits {
        let ty = r.doc["type"].as_str().unwrap_or_default().to_string();
        let name = r.doc["name"].as_str().unwrap_or_default().to_string();
        let mut changes = Vec::new();
        diff(
            &r.doc["values"],
            &after["values"],
            &mut Vec::new(),
            &mut changes,
        )?;
        match by_block.get(&(ty.clone(), name.clone())) {
            Some(prev) if *prev != changes => {
                return Err(FixError(format!(
                    "the instances of {ty}.{name} need different changes; they share one block, \
                     so change it by hand"
                )))
            }
            _ => {
                by_block.insert((ty, name), changes);
            }
        }
    }
    for ((ty, name), changes) in &by_block {
        let block = find_resource(&mut body, ty, name).ok_or_else(|| {
            FixError(format!(
                "no `resource \"{ty}\" \"{name}\"` block in the file"
            ))
        })?;
        for (path, attr, value) in changes {
            let target = descend(&mut block.body, path, ty, name)?;
            set(target, attr, value.as_ref(), ty, name)?;
        }
    }
    Ok(body.to_string())
}

/// The changes from `before` to `after` (objects member by member, blocks element by element).
fn diff(
    before: &Value,
    after: &Value,
    path: &mut Vec<(String, usize)>,
    out: &mut Vec<Change>,
) -> Result<(), FixError> {
    let (Value::Object(b), Value::Object(a)) = (before, after) else {
        return Err(FixError("the resource has no values to change".into()));
    };
    let keys: std::collections::BTreeSet<&String> = b.keys().chain(a.keys()).collect();
    for k in keys {
        let (x, y) = (b.get(k), a.get(k));
        if x == y {
            continue;
        }
        match (x, y) {
            // A nested block: a list of objects of the same length, changed inside.
            (Some(Value::Array(xs)), Some(Value::Array(ys)))
                if xs.len() == ys.len()
                    && xs.iter().chain(ys).all(Value::is_object)
                    && !xs.is_empty() =>
            {
                for (i, (xi, yi)) in xs.iter().zip(ys).enumerate() {
                    if xi != yi {
                        path.push((k.clone(), i));
                        diff(xi, yi, path, out)?;
                        path.pop();
                    }
                }
            }
            (_, Some(v)) if is_literal(v) => out.push((path.clone(), k.clone(), Some(v.clone()))),
            (Some(_), None) => out.push((path.clone(), k.clone(), None)),
            _ => {
                return Err(FixError(format!(
                    "the fix changes `{k}` into a value tenet does not write as Terraform; change \
                     it by hand"
                )))
            }
        }
    }
    Ok(())
}

/// Values written as HCL literals: scalars and lists of scalars.
fn is_literal(v: &Value) -> bool {
    match v {
        Value::Array(a) => a.iter().all(|x| !x.is_array() && !x.is_object()),
        Value::Object(_) => false,
        _ => true,
    }
}

fn find_resource<'b>(body: &'b mut Body, ty: &str, name: &str) -> Option<&'b mut Block> {
    let label = |l: &BlockLabel| match l {
        BlockLabel::Ident(x) => x.value().as_str().to_string(),
        BlockLabel::String(s) => s.value().as_str().to_string(),
    };
    body.get_blocks_mut("resource")
        .find(|b| b.labels.len() == 2 && label(&b.labels[0]) == ty && label(&b.labels[1]) == name)
}

/// The body of the nested block at `path`, which must be written (not `dynamic`).
fn descend<'b>(
    mut body: &'b mut Body,
    path: &'b [(String, usize)],
    ty: &str,
    name: &str,
) -> Result<&'b mut Body, FixError> {
    for (block, i) in path {
        if body.has_blocks("dynamic") {
            return Err(FixError(format!(
                "{ty}.{name} writes blocks with `dynamic`; change `{block}` by hand"
            )));
        }
        let found = body.get_blocks_mut(block).nth(*i);
        body = match found {
            Some(b) => &mut b.body,
            None => {
                return Err(FixError(format!(
                    "{ty}.{name} has no `{block}` block number {} to change; add it by hand",
                    i + 1
                )))
            }
        };
    }
    Ok(body)
}

/// Sets (or removes) attribute `key` of `body` to the literal `value`, keeping the decoration
/// of what is replaced.
fn set(
    body: &mut Body,
    key: &str,
    value: Option<&Value>,
    ty: &str,
    name: &str,
) -> Result<(), FixError> {
    if let Some(a) = body.get_attribute(key) {
        if !is_literal_expr(&a.value) {
            return Err(FixError(format!(
                "`{key}` of {ty}.{name} is set by the expression `{}`; change it where its value \
                 comes from",
                a.value.to_string().trim()
            )));
        }
    }
    let Some(value) = value else {
        body.remove_attribute(key);
        return Ok(());
    };
    let mut expr = expression(value);
    if let Some(mut a) = body.get_attribute_mut(key) {
        let old = a.value_mut();
        *expr.decor_mut() = old.decor().clone();
        *old = expr;
        return Ok(());
    }
    // A new attribute goes after the last one, indented like its siblings.
    let indent = body
        .iter()
        .find_map(|s| {
            let prefix = match s {
                Structure::Attribute(a) => a.decor().prefix(),
                Structure::Block(b) => b.decor().prefix(),
            }?;
            let p: &str = prefix;
            Some(p[p.rfind('\n').map_or(0, |i| i + 1)..].to_string())
        })
        .unwrap_or_else(|| "  ".into());
    let mut attr = Attribute::new(Decorated::new(Ident::new(key)), expr);
    attr.decor_mut().set_prefix(indent);
    let at = body
        .iter()
        .enumerate()
        .filter(|(_, s)| matches!(s, Structure::Attribute(_)))
        .map(|(i, _)| i + 1)
        .last()
        .unwrap_or(0);
    body.insert(at, attr);
    Ok(())
}

/// Whether an expression is a literal a fix may replace (no reference, call or template).
fn is_literal_expr(e: &Expression) -> bool {
    match e {
        Expression::Null(_) | Expression::Bool(_) | Expression::Number(_) => true,
        Expression::String(_) => true,
        Expression::Array(a) => a.iter().all(is_literal_expr),
        _ => false,
    }
}

fn expression(v: &Value) -> Expression {
    match v {
        Value::Bool(b) => Expression::from(*b),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Expression::from(i),
            (None, Some(f)) => Expression::from(f),
            _ => Expression::from(n.to_string()),
        },
        Value::String(s) => Expression::from(s.as_str()),
        Value::Array(a) => {
            let mut arr = Array::new();
            for x in a {
                arr.push(expression(x));
            }
            Expression::from(arr)
        }
        Value::Null | Value::Object(_) => Expression::null(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{read_bytes, Inventory};
    use serde_json::json;

    /// The resource at `address` of `text` read as `main.tf`, and its document with `values`
    /// merged with `set` (a `null` removes).
    fn edit(text: &str, address: &str, set: Value) -> (crate::resource::Resource, Value) {
        let mut inv = Inventory::default();
        read_bytes("main.tf", text.as_bytes(), Some("tf"), &mut inv)
            .unwrap_or_else(|e| panic!("{e}"));
        let r = inv
            .resources
            .into_iter()
            .find(|r| r.doc["address"] == address)
            .unwrap_or_else(|| panic!("no {address}"));
        let mut after = r.doc.clone();
        json_patch::merge(&mut after["values"], &set);
        (r, after)
    }

    const TF: &str = r#"# Storage for the app.
resource "azurerm_storage_account" "data" {
  name                     = "stdata" # the account
  min_tls_version          = "TLS1_0"
  account_replication_type = var.replication

  network_rules {
    default_action = "Allow"
  }
}

resource "aws_s3_bucket" "b" {
  count  = 2
  bucket = "b-${count.index}"
}
"#;

    #[test]
    fn attributes_change_in_place_and_everything_else_is_kept() {
        let (r, after) = edit(
            TF,
            "azurerm_storage_account.data",
            json!({"min_tls_version": "TLS1_2", "public_network_access_enabled": false, "network_rules": [{"default_action": "Deny"}]}),
        );
        let out = rewrite(TF, &[(&r, &after)]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            out,
            TF.replace(
                "  min_tls_version          = \"TLS1_0\"\n  account_replication_type = var.replication\n",
                "  min_tls_version          = \"TLS1_2\"\n  account_replication_type = var.replication\n  public_network_access_enabled = false\n"
            )
            .replace("default_action = \"Allow\"", "default_action = \"Deny\"")
        );
    }

    #[test]
    fn expressions_dynamic_blocks_and_different_instances_are_refused() {
        let (r, after) = edit(
            TF,
            "azurerm_storage_account.data",
            json!({"account_replication_type": "GRS"}),
        );
        let e = rewrite(TF, &[(&r, &after)]).unwrap_err();
        assert!(e.0.contains("expression `var.replication`"), "{e}");
        let dynamic = "resource \"azurerm_network_security_group\" \"n\" {\n  dynamic \"security_rule\" {\n    for_each = [1]\n    content {\n      access = \"Allow\"\n    }\n  }\n}\n";
        let (r, after) = edit(
            dynamic,
            "azurerm_network_security_group.n",
            json!({"security_rule": [{"access": "Deny"}]}),
        );
        let e = rewrite(dynamic, &[(&r, &after)]).unwrap_err();
        assert!(e.0.contains("dynamic"), "{e}");
        // Two instances of one block that need different values.
        let (a, x) = edit(TF, "aws_s3_bucket.b[0]", json!({"acl": "private"}));
        let (b, y) = edit(
            TF,
            "aws_s3_bucket.b[1]",
            json!({"acl": "log-delivery-write"}),
        );
        let e = rewrite(TF, &[(&a, &x), (&b, &y)]).unwrap_err();
        assert!(e.0.contains("different changes"), "{e}");
        // The same change for both is written once.
        let (b, y) = edit(TF, "aws_s3_bucket.b[1]", json!({"acl": "private"}));
        let out = rewrite(TF, &[(&a, &x), (&b, &y)]).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            out.contains("  bucket = \"b-${count.index}\"\n  acl = \"private\"\n"),
            "{out}"
        );
    }
}
