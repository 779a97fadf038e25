//! Fixes as data: the operations a module computes for a not-compliant resource (`set`,
//! `remove`, `append`, see docs/abi.md) turned into an RFC 6902 JSON Patch that applies to the
//! resource as it is (missing parent objects and arrays are created first; removing what is not
//! there is dropped), applied with the `json-patch` crate, and summarised as an RFC 7396 JSON
//! Merge Patch, the body of a REST PATCH. [`rewrite`] writes patched resources back to their
//! files: JSON and YAML inventories here, Terraform source in `terraform`.

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

/// The text of `file` with the documents of `edits` (a resource as read, and its patched
/// document) replaced, keeping everything else as it is:
/// - JSON: each resource's text is replaced in place, pretty-printed at its indentation when it
///   spanned several lines, compact otherwise; the rest of the file is kept byte for byte;
/// - JSON Lines: the resource's line (or its element of a list on that line) is replaced;
/// - YAML: each changed document is written anew (its comments and layout are lost); the other
///   documents of the file are kept byte for byte.
///
/// The new text is read back: it must hold the patched documents and as many resources as before.
pub fn rewrite(
    file: &str,
    text: &str,
    ext: Option<&str>,
    edits: &[(&crate::resource::Resource, &Value)],
) -> Result<String, FixError> {
    let t = text.trim_start();
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
    if is_template(file, text, ext) {
        return Err(FixError(
            "templates and plans are not rewritten: their resources are shown evaluated, so \
             writing them back would replace expressions; change the template by hand, guided \
             by the diff and the JSON Patch"
                .into(),
        ));
    }
    let lines = matches!(ext, Some("jsonl" | "ndjson"))
        || (!matches!(ext, Some("json" | "yaml" | "yml"))
            && t.starts_with('{')
            && crate::input::stream::element_ranges(text).is_none());
    let yaml = matches!(ext, Some("yaml" | "yml"))
        || (ext.is_none() && !t.starts_with('{') && !t.starts_with('['));
    let out = if yaml {
        rewrite_yaml(file, text, edits)?
    } else if lines {
        rewrite_lines(text, edits)?
    } else {
        rewrite_json(text, edits)?
    };
    let mut before = crate::inventory::Inventory::default();
    let mut after = crate::inventory::Inventory::default();
    let read = |t: &str, inv: &mut crate::inventory::Inventory| {
        crate::inventory::read_bytes(file, t.as_bytes(), ext, inv)
            .map_err(|e| FixError(format!("the rewritten file does not read back: {e}")))
    };
    read(text, &mut before)?;
    // The rewrite keeps the order of resources: the k-th before is the k-th after.
    let at: HashMap<(usize, usize), usize> = before
        .resources
        .iter()
        .enumerate()
        .map(|(k, r)| ((r.origin.line, r.origin.col), k))
        .collect();
    let mut index = Vec::with_capacity(edits.len());
    for (r, _) in edits {
        match at.get(&(r.origin.line, r.origin.col)) {
            Some(&k) if before.resources[k].doc == r.doc => index.push(k),
            _ => {
                return Err(FixError(format!(
                    "the resource at line {} changed since it was read; it was left as it is \
                     (run tenet fix again)",
                    r.origin.line
                )))
            }
        }
    }
    read(&out, &mut after)?;
    let all_there = before.resources.len() == after.resources.len()
        && index
            .iter()
            .zip(edits)
            .all(|(&k, (_, v))| after.resources[k].doc == **v);
    if !all_there {
        return Err(FixError(
            "the rewritten file does not hold the patched resources; it was left as it is".into(),
        ));
    }
    Ok(out)
}

/// Whether a file is read through an infrastructure-as-code adapter.
fn is_template(file: &str, text: &str, ext: Option<&str>) -> bool {
    let yaml = matches!(ext, Some("yaml" | "yml"))
        || (ext.is_none() && !text.trim_start().starts_with(['{', '[']));
    if yaml {
        crate::input::yaml::yaml_documents(file, text).is_ok_and(|docs| {
            docs.iter()
                .any(|(d, _)| crate::iac::detect(d).is_template())
        })
    } else {
        serde_json::from_str::<Value>(text).is_ok_and(|d| crate::iac::detect(&d).is_template())
    }
}

/// Replaces byte ranges, which must not overlap, in one pass over the text.
fn splice(text: &str, mut parts: Vec<(usize, usize, String)>) -> Result<String, FixError> {
    parts.sort_by_key(|p| p.0);
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

/// `v` as JSON laid out like `original`: pretty at `indent` when it spanned lines, else compact.
fn json_like(v: &Value, original: &str, indent: &str) -> String {
    if !original.contains('\n') {
        return serde_json::to_string(v).unwrap_or_default();
    }
    let pretty = serde_json::to_string_pretty(v).unwrap_or_default();
    pretty.replace('\n', &format!("\n{indent}"))
}

fn rewrite_json(
    text: &str,
    edits: &[(&crate::resource::Resource, &Value)],
) -> Result<String, FixError> {
    let ranges = crate::input::stream::element_ranges(text)
        .ok_or_else(|| FixError("the file is not shaped like an inventory".into()))?;
    let starts: Vec<usize> = ranges.iter().map(|r| r.0).collect();
    let pos: HashMap<(usize, usize), usize> = crate::input::split::positions(text, &starts)
        .into_iter()
        .enumerate()
        .map(|(k, p)| (p, k))
        .collect();
    let mut parts = Vec::new();
    for (r, after) in edits {
        let k = *pos
            .get(&(r.origin.line, r.origin.col))
            .ok_or_else(|| FixError(format!("no resource at line {}", r.origin.line)))?;
        let (s, e) = ranges[k];
        let original = &text[s..e];
        // The indentation matters only to a resource spread over lines.
        let indent: String = if original.contains('\n') {
            let line_start = text[..s].rfind('\n').map_or(0, |i| i + 1);
            text[line_start..s]
                .chars()
                .take_while(|c| c.is_whitespace())
                .collect()
        } else {
            String::new()
        };
        parts.push((s, e, json_like(after, original, &indent)));
    }
    splice(text, parts)
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

/// Replaces the first value equal to `old` (depth first) with `new`.
fn replace_in(v: &mut Value, old: &Value, new: &Value) -> bool {
    if v == old {
        *v = new.clone();
        return true;
    }
    match v {
        Value::Array(items) => items.iter_mut().any(|x| replace_in(x, old, new)),
        Value::Object(m) => m.values_mut().any(|x| replace_in(x, old, new)),
        _ => false,
    }
}

fn rewrite_yaml(
    file: &str,
    text: &str,
    edits: &[(&crate::resource::Resource, &Value)],
) -> Result<String, FixError> {
    let docs =
        crate::input::yaml::yaml_documents(file, text).map_err(|e| FixError(e.to_string()))?;
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let separators: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.starts_with("---"))
        .map(|(i, _)| i)
        .collect();
    let mut out_docs: Vec<Option<Value>> = vec![None; docs.len()];
    let at: HashMap<usize, usize> = docs
        .iter()
        .enumerate()
        .map(|(k, (_, line))| (*line, k))
        .collect();
    for (r, after) in edits {
        let k = *at
            .get(&r.origin.line)
            .ok_or_else(|| FixError(format!("no document at line {}", r.origin.line)))?;
        let doc = out_docs[k].get_or_insert_with(|| docs[k].0.clone());
        // A list's item is found by its place; anything else by a search of the document.
        let item = doc
            .get_mut("items")
            .and_then(|i| i.get_mut(r.origin.item))
            .filter(|v| **v == r.doc);
        if let Some(v) = item {
            *v = (*after).clone();
        } else if !replace_in(doc, &r.doc, after) {
            return Err(FixError(format!(
                "resource {} not found in its document",
                r.identity.id
            )));
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut line = 0usize;
    for (k, (_, start)) in docs.iter().enumerate() {
        // The document's lines: from its first line to the next separator (or the end).
        let first = start.saturating_sub(1);
        let end = separators
            .get(separators.partition_point(|s| *s < first))
            .copied()
            .unwrap_or(lines.len());
        while line < first.min(lines.len()) {
            out.push_str(lines[line]);
            line += 1;
        }
        match &out_docs[k] {
            Some(v) => {
                out.push_str(&crate::input::yaml::to_string(v));
                line = end;
            }
            None => {
                while line < end {
                    out.push_str(lines[line]);
                    line += 1;
                }
            }
        }
    }
    while line < lines.len() {
        out.push_str(lines[line]);
        line += 1;
    }
    Ok(out)
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
mod rewrite_tests {
    use super::*;
    use crate::inventory::{read_bytes, Inventory};

    fn edit(name: &str, text: &str, set: (&str, Value)) -> String {
        let mut inv = Inventory::default();
        let ext = name.rsplit('.').next();
        read_bytes(name, text.as_bytes(), ext, &mut inv).unwrap();
        let r = &inv.resources[1];
        let mut after = r.doc.clone();
        let ops = vec![json!({"op": "set", "path": set.0, "value": set.1})];
        apply(&mut after, &json_patch(&r.doc, &ops).unwrap()).unwrap();
        rewrite(name, text, ext, &[(r, &after)]).unwrap()
    }

    #[test]
    fn a_resource_changed_since_it_was_read_is_not_rewritten() {
        let text = "[{\"type\": \"a\", \"n\": 1}, {\"type\": \"a\", \"n\": 2}]";
        let mut inv = Inventory::default();
        read_bytes("f.json", text.as_bytes(), Some("json"), &mut inv).unwrap();
        let r = &inv.resources[1];
        let after = json!({"type": "a", "n": 3});
        // Someone set n to 5 while the fix was computed: the fix must not revert that.
        let edited = text.replace("\"n\": 2", "\"n\": 5");
        let e = rewrite("f.json", &edited, Some("json"), &[(r, &after)]).unwrap_err();
        assert!(e.0.contains("changed since it was read"), "{e}");
        assert!(rewrite("f.json", text, Some("json"), &[(r, &after)]).is_ok());
    }

    #[test]
    fn only_the_changed_resource_changes() {
        let json = "{\n  \"resources\": [\n    {\"type\": \"a\", \"name\": \"x\"},\n    {\n      \"type\": \"a\",\n      \"name\": \"y\"\n    }\n  ]\n}\n";
        assert_eq!(
            edit("f.json", json, ("/https", json!(true))),
            "{\n  \"resources\": [\n    {\"type\": \"a\", \"name\": \"x\"},\n    {\n      \"type\": \"a\",\n      \"name\": \"y\",\n      \"https\": true\n    }\n  ]\n}\n"
        );
        let lines = "{\"type\":\"a\"}\n{\"type\":\"b\", \"n\": 1}\n";
        assert_eq!(
            edit("f.jsonl", lines, ("/n", json!(2))),
            "{\"type\":\"a\"}\n{\"type\":\"b\",\"n\":2}\n"
        );
        let yaml = "# first\napiVersion: v1\nkind: Pod\nmetadata: {name: a}   # kept\n---\n# lost\napiVersion: v1\nkind: Pod\nmetadata:\n  name: b\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: c}\n";
        assert_eq!(
            edit("f.yaml", yaml, ("/spec", json!({"hostPID": false}))),
            "# first\napiVersion: v1\nkind: Pod\nmetadata: {name: a}   # kept\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: b\nspec:\n  hostPID: false\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: c}\n"
        );
    }
}
