//! Fixes as data: the operations a module computes for a not-compliant resource (`set`,
//! `remove`, `append`, see docs/abi.md) turned into an RFC 6902 JSON Patch that applies to the
//! resource as it is (missing parent objects and arrays are created first; removing what is not
//! there is dropped), applied with the `json-patch` crate, and summarised as an RFC 7396 JSON
//! Merge Patch, the body of a REST PATCH. [`rewrite`] writes patched resources back to their
//! files: JSON and YAML at the spans that change (`crate::layout`, `edit`), templates through their
//! declarations (`template`), Terraform source in `terraform`.

mod edit;
mod template;
mod terraform;

use crate::pointer::{self, tokens};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};

/// An error applying a fix: the operations do not fit the document.
#[derive(Debug, thiserror::Error)]
#[error("the fix does not apply to the resource: {0}")]
pub struct FixError(pub String);

/// The JSON Patch (RFC 6902) equivalent of fix operations on `doc`.
pub fn json_patch(doc: &Value, ops: &[Value]) -> Result<Vec<Value>, FixError> {
    let mut out = Vec::new();
    // Track the document as the patch builds up, so later operations see earlier ones.
    let mut cur = doc.clone();
    for op in ops {
        let kind = op.get("op").and_then(Value::as_str).unwrap_or_default();
        let path = op.get("path").and_then(Value::as_str).unwrap_or_default();
        let value = op.get("value").cloned().unwrap_or(Value::Null);
        let mut step = Vec::new();
        match kind {
            "set" | "append" => {
                let toks = tokens(path);
                // Create missing parents: objects, or an array for the target of an append.
                let mut prefix = String::new();
                let upto = if kind == "set" {
                    toks.len().saturating_sub(1)
                } else {
                    toks.len()
                };
                for (i, t) in toks.iter().take(upto).enumerate() {
                    prefix.push('/');
                    pointer::escape(t, &mut prefix);
                    if cur.pointer(&prefix).is_none() {
                        let empty = if kind == "append" && i + 1 == toks.len() {
                            json!([])
                        } else {
                            json!({})
                        };
                        step.push(json!({"op": "add", "path": prefix, "value": empty}));
                    }
                }
                let target = if kind == "append" {
                    format!("{path}/-")
                } else {
                    path.to_string()
                };
                step.push(json!({"op": "add", "path": target, "value": value}));
            }
            "remove" => {
                if cur.pointer(path).is_some() {
                    step.push(json!({"op": "remove", "path": path}));
                }
            }
            other => return Err(FixError(format!("unknown operation `{other}`"))),
        }
        apply(&mut cur, &step)?;
        out.extend(step);
    }
    Ok(out)
}

/// Applies a JSON Patch to a document.
pub fn apply(doc: &mut Value, patch: &[Value]) -> Result<(), FixError> {
    let p: json_patch::Patch = serde_json::from_value(Value::Array(patch.to_vec()))
        .map_err(|e| FixError(e.to_string()))?;
    json_patch::patch(doc, &p).map_err(|e| FixError(e.to_string()))
}

/// The JSON Merge Patch (RFC 7396) that turns `before` into `after`: changed members with their
/// new values, removed members as `null`; arrays are replaced whole.
pub fn merge_patch(before: &Value, after: &Value) -> Value {
    match (before, after) {
        (Value::Object(a), Value::Object(b)) => {
            let mut out = Map::new();
            for (k, bv) in b {
                match a.get(k) {
                    Some(av) if av == bv => {}
                    Some(av) if av.is_object() && bv.is_object() => {
                        out.insert(k.clone(), merge_patch(av, bv));
                    }
                    _ => {
                        out.insert(k.clone(), bv.clone());
                    }
                }
            }
            for k in a.keys() {
                if !b.contains_key(k) {
                    out.insert(k.clone(), Value::Null);
                }
            }
            Value::Object(out)
        }
        _ => after.clone(),
    }
}

/// The text of `file` (read from `path`, when it is a file) with the resources of `edits` (a
/// resource as read, and its patched document) changed in place, keeping every other byte:
/// - JSON and YAML: the values that change are written at their spans (module `edit`): a scalar where
///   it stands, with its quoting; a new member or item after its last sibling, at its
///   indentation; a removed one with its lines. Comments, key order and layout outside them are
///   kept. A YAML node with a tag, an anchor or an alias is rewritten whole at its parent.
/// - JSON Lines: the resource's line (or its element of a list on that line) is replaced;
/// - CloudFormation and ARM templates: the change is carried to the resource's declaration where
///   the values it touches are written as literals (module `template`), else refused;
/// - Terraform `.tf`: the attributes a fix sets, with `hcl-edit` (module `terraform`).
///
/// The new text is read back as the file is read: every edited resource must come back as
/// patched, and every other resource as it was.
pub fn rewrite(
    file: &str,
    text: &str,
    ext: Option<&str>,
    path: Option<&std::path::Path>,
    edits: &[(&crate::resource::Resource, &Value)],
) -> Result<String, FixError> {
    let t = text.trim_start();
    if file.to_ascii_lowercase().ends_with(".tf.json") {
        return Err(FixError(
            "Terraform's JSON syntax (`.tf.json`) is not written back; the patches show what to \
             change (a `.tf.json` file is usually generated: change its generator)"
                .into(),
        ));
    }
    if ext == Some("tf") {
        let out = terraform::rewrite(text, edits)?;
        // Setting what is set changes nothing: the result holds every edit.
        if terraform::rewrite(&out, edits)? != out {
            return Err(FixError(
                "the rewritten file does not hold the patched values; it was left as it is".into(),
            ));
        }
        return Ok(out);
    }
    let lines = matches!(ext, Some("jsonl" | "ndjson"))
        || (!matches!(ext, Some("json" | "yaml" | "yml"))
            && t.starts_with('{')
            && crate::input::stream::element_ranges(text).is_none());
    let yaml = matches!(ext, Some("yaml" | "yml"))
        || (ext.is_none() && !t.starts_with('{') && !t.starts_with('['));
    let read = |t: &str| {
        let mut inv = crate::inventory::Inventory::default();
        match path {
            Some(p) => crate::inventory::read_bytes_at(file, t.as_bytes(), ext, p, &mut inv),
            None => crate::inventory::read_bytes(file, t.as_bytes(), ext, &mut inv),
        }
        .map(|()| inv.resources)
        .map_err(|e| FixError(format!("the rewritten file does not read back: {e}")))
    };
    let before = read(text)?;
    // The rewrite keeps the order of resources: the k-th before is the k-th after.
    let at: HashMap<(usize, usize, usize), usize> = before
        .iter()
        .enumerate()
        .map(|(k, r)| ((r.origin.line, r.origin.col, r.origin.item), k))
        .collect();
    let mut patched: Vec<Option<&Value>> = vec![None; before.len()];
    for (r, v) in edits {
        match at.get(&(r.origin.line, r.origin.col, r.origin.item)) {
            Some(&k) if before[k].doc == r.doc => patched[k] = Some(v),
            _ => {
                return Err(FixError(format!(
                    "the resource at line {} changed since it was read; it was left as it is \
                     (run tenet fix again)",
                    r.origin.line
                )))
            }
        }
    }
    let out = if lines {
        rewrite_lines(text, edits)?
    } else {
        rewrite_tree(file, text, yaml, edits)?
    };
    let after = read(&out)?;
    let all_there = before.len() == after.len()
        && before
            .iter()
            .zip(&after)
            .zip(&patched)
            .all(|((b, a), p)| a.doc == *p.unwrap_or(&b.doc));
    if !all_there {
        return Err(FixError(
            "the rewritten file does not hold the patched resources, or changes others; it was \
             left as it is"
                .into(),
        ));
    }
    Ok(out)
}

/// A JSON or YAML file with each edited resource's changes written at their spans.
fn rewrite_tree(
    file: &str,
    text: &str,
    yaml: bool,
    edits: &[(&crate::resource::Resource, &Value)],
) -> Result<String, FixError> {
    let unread = || FixError("the file does not parse as it did when it was read".into());
    let (roots, values) = if yaml {
        let values = crate::input::yaml::yaml_documents(file, text)
            .map_err(|e| FixError(e.to_string()))?
            .into_iter()
            .map(|d| d.0)
            .collect();
        (crate::layout::yaml(text).ok_or_else(unread)?, values)
    } else {
        let v: Value = serde_json::from_str(text).map_err(|_| unread())?;
        match crate::iac::detect(&v) {
            crate::iac::Format::TerraformPlan => {
                return Err(FixError(
                    "a Terraform plan is what `terraform plan` made of the source: fix the \
                     `.tf` files and plan again"
                        .into(),
                ))
            }
            crate::iac::Format::ScanReport => {
                return Err(FixError(
                    "a vulnerability report records what a scanner found in an image: rebuild \
                     the image with the fixed packages"
                        .into(),
                ))
            }
            crate::iac::Format::AwsConfig | crate::iac::Format::AwsApi => {
                return Err(FixError(
                    "AWS Config items and AWS CLI output record what is deployed: apply the \
                     merge patch through the API, or fix the template that deploys the resource"
                        .into(),
                ))
            }
            _ => {}
        }
        (vec![crate::layout::json(text).ok_or_else(unread)?], vec![v])
    };
    // In YAML, pointers start with the document's number; JSON has one document.
    let whole = Value::Array(values);
    let root = crate::layout::Node {
        start: 0,
        end: text.len(),
        kind: crate::layout::Kind::Seq {
            flow: false,
            items: roots,
        },
        opaque: false,
    };
    let mut w = edit::Writer::new(text, !yaml);
    let lines: Vec<usize> = std::iter::once(0)
        .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
        .collect();
    for (r, after) in edits {
        let (pointer, node) = resource_node(&root, text, &lines, yaml, r).ok_or_else(|| {
            FixError(format!(
                "resource {} was not found in the file as it was read",
                r.identity.id
            ))
        })?;
        let raw = whole.pointer(&pointer).ok_or_else(unread)?;
        let raw_after = template::carry(raw, &r.doc, after)?;
        let place = place_of(&root, yaml, &pointer);
        w.change(node, raw, &raw_after, place)?;
    }
    splice(text, w.finish())
}

/// The pointer (with the document's number first) and node of a resource in the file's tree.
fn resource_node<'t>(
    root: &'t crate::layout::Node,
    text: &str,
    lines: &[usize],
    yaml: bool,
    r: &crate::resource::Resource,
) -> Option<(String, &'t crate::layout::Node)> {
    let base = r.origin.places.as_ref().map(|p| p.base.as_str());
    match base {
        Some(b) if yaml => Some((b.to_string(), root.find(b)?)),
        Some(b) if !b.is_empty() => Some((format!("/0{b}"), root.find(&format!("/0{b}"))?)),
        // A JSON inventory's resources are known by where they start.
        _ => {
            let at = offset(text, lines, r.origin.line, r.origin.col)?;
            let doc = root.find("/0")?;
            let mut pointer = String::from("/0");
            let node = descend_to(doc, at, &mut pointer)?;
            Some((pointer, node))
        }
    }
}

/// The node starting at `at`, and its pointer appended to `pointer`. Children are in text order,
/// so the one holding `at` is found by bisection (a file of many resources is searched once per
/// edit, not scanned).
fn descend_to<'t>(
    n: &'t crate::layout::Node,
    at: usize,
    pointer: &mut String,
) -> Option<&'t crate::layout::Node> {
    if n.start == at {
        return Some(n);
    }
    pointer.push('/');
    let c = match &n.kind {
        crate::layout::Kind::Map { members, .. } => {
            let m = members.get(members.partition_point(|m| m.value.end <= at))?;
            pointer::escape(&m.key, pointer);
            &m.value
        }
        crate::layout::Kind::Seq { items, .. } => {
            let i = items.partition_point(|c| c.end <= at);
            pointer.push_str(&i.to_string());
            items.get(i)?
        }
        crate::layout::Kind::Scalar(_) => return None,
    };
    (c.start <= at).then_some(())?;
    descend_to(c, at, pointer)
}

/// The byte offset of a 1-based line and column (in characters); `lines` holds where each line
/// starts.
fn offset(text: &str, lines: &[usize], line: usize, col: usize) -> Option<usize> {
    let ls = *lines.get(line.checked_sub(1)?)?;
    let rest = &text[ls..];
    Some(
        ls + rest
            .char_indices()
            .nth(col.checked_sub(1)?)
            .map_or(rest.len(), |c| c.0),
    )
}

/// How the node at `pointer` stands in its parent.
fn place_of(root: &crate::layout::Node, yaml: bool, pointer: &str) -> edit::Place {
    if !yaml {
        return edit::Place::Flow;
    }
    let Some(cut) = pointer.rfind('/') else {
        return edit::Place::Root;
    };
    let key = pointer::tokens(&pointer[cut..]).pop().unwrap_or_default();
    match root.find(&pointer[..cut]) {
        // A document of the file.
        Some(p) if std::ptr::eq(p, root) => edit::Place::Root,
        Some(p) if p.is_flow() => edit::Place::Flow,
        Some(crate::layout::Node {
            kind: crate::layout::Kind::Map { members, .. },
            ..
        }) => members
            .iter()
            .find(|m| m.key == key)
            .map_or(edit::Place::Root, |m| edit::Place::Member(m.key_start)),
        Some(_) => edit::Place::Item,
        None => edit::Place::Root,
    }
}

/// Replaces byte ranges, which must not overlap, in one pass over the text (an insertion at the
/// start of a removed range goes before it).
fn splice(text: &str, mut parts: Vec<(usize, usize, String)>) -> Result<String, FixError> {
    parts.sort_by_key(|p| (p.0, p.1));
    let extra: usize = parts.iter().map(|p| p.2.len()).sum();
    let mut out = String::with_capacity(text.len() + extra);
    let mut at = 0;
    for (s, e, with) in parts {
        let kept = text
            .get(at..s)
            .ok_or_else(|| FixError("two fixes change the same text".into()))?;
        out.push_str(kept);
        out.push_str(&with);
        at = e;
    }
    out.push_str(&text[at..]);
    Ok(out)
}

fn rewrite_lines(
    text: &str,
    edits: &[(&crate::resource::Resource, &Value)],
) -> Result<String, FixError> {
    let mut offsets = vec![0];
    offsets.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
    // The edits of each line, so that a line is split into its resources once.
    let mut by_line: BTreeMap<usize, Vec<(usize, &Value)>> = BTreeMap::new();
    for (r, after) in edits {
        by_line
            .entry(r.origin.line)
            .or_default()
            .push((r.origin.col, after));
    }
    let mut parts = Vec::new();
    for (n, cols) in by_line {
        let start = *offsets
            .get(n.saturating_sub(1))
            .ok_or_else(|| FixError(format!("no line {n}")))?;
        let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line = &text[start..end];
        let ranges = crate::input::stream::element_ranges(line)
            .ok_or_else(|| FixError(format!("line {n} is not JSON")))?;
        let starts: Vec<usize> = ranges.iter().map(|r| r.0).collect();
        let at: HashMap<usize, usize> = crate::input::split::positions(line, &starts)
            .into_iter()
            .enumerate()
            .map(|(k, (_, col))| (col, k))
            .collect();
        for (col, after) in cols {
            let (s, e) = at
                .get(&col)
                .map(|&k| ranges[k])
                .ok_or_else(|| FixError(format!("no resource at line {n}")))?;
            parts.push((
                start + s,
                start + e,
                serde_json::to_string(after).unwrap_or_default(),
            ));
        }
    }
    splice(text, parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_become_a_patch_that_applies() {
        let doc = json!({"properties": {"rules": [{"a": 1}, {"a": 2}], "x": 1}});
        let ops = vec![
            json!({"op": "set", "path": "/properties/networkAcls/defaultAction", "value": "Deny"}),
            json!({"op": "append", "path": "/properties/origins", "value": "https://a"}),
            json!({"op": "remove", "path": "/properties/rules/1"}),
            json!({"op": "remove", "path": "/properties/absent"}),
            json!({"op": "set", "path": "/properties/x", "value": 2}),
        ];
        let patch = json_patch(&doc, &ops).unwrap();
        assert_eq!(
            patch,
            vec![
                json!({"op": "add", "path": "/properties/networkAcls", "value": {}}),
                json!({"op": "add", "path": "/properties/networkAcls/defaultAction", "value": "Deny"}),
                json!({"op": "add", "path": "/properties/origins", "value": []}),
                json!({"op": "add", "path": "/properties/origins/-", "value": "https://a"}),
                json!({"op": "remove", "path": "/properties/rules/1"}),
                json!({"op": "add", "path": "/properties/x", "value": 2}),
            ]
        );
        let mut after = doc.clone();
        apply(&mut after, &patch).unwrap();
        assert_eq!(
            after,
            json!({"properties": {"rules": [{"a": 1}], "x": 2, "networkAcls": {"defaultAction": "Deny"}, "origins": ["https://a"]}})
        );
        assert_eq!(
            merge_patch(&doc, &after),
            json!({"properties": {"rules": [{"a": 1}], "x": 2, "networkAcls": {"defaultAction": "Deny"}, "origins": ["https://a"]}})
        );
        // The merge patch reproduces the result (RFC 7396), here and for a removal.
        let gone = json!({"properties": {"rules": [{"a": 1}, {"a": 2}]}});
        let mut b = doc.clone();
        json_patch::merge(&mut b, &merge_patch(&doc, &gone));
        assert_eq!(b, gone);
    }
}

#[cfg(test)]
mod rewrite_tests;
