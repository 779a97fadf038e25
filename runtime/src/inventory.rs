//! Inventories: files, directories and standard input in JSON, JSON Lines and YAML, read into
//! [`Resource`]s that keep their source location.
//!
//! Accepted shapes: an array of resources; an object whose `resources`, `value`, `data` or `items`
//! member is that array (ARM templates, Azure REST lists, Resource Graph output, Kubernetes
//! `List`s); a single resource; JSON Lines (one resource per line); multi-document YAML.
//! Each resource's provider, type, name and id are inferred from its shape (see [`classify`]).

use rayon::prelude::*;
use serde::Deserialize;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tenet_stdlib::abi::Projection;

/// Largest input file read (bigger inventories should be split or streamed as JSON Lines).
pub const MAX_FILE_BYTES: u64 = 4 << 30;

/// A bad input: where and what.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("{file}{}: {message}", loc(*line, *col))]
pub struct InputError {
    /// The file (or `<stdin>`).
    pub file: String,
    /// 1-based line, 0 when unknown.
    pub line: usize,
    /// 1-based column, 0 when unknown.
    pub col: usize,
    /// What is wrong and how to fix it.
    pub message: String,
}

fn loc(line: usize, col: usize) -> String {
    match (line, col) {
        (0, _) => String::new(),
        (l, 0) => format!(":{l}"),
        (l, c) => format!(":{l}:{c}"),
    }
}

/// One resource of an inventory.
#[derive(Clone, Debug, PartialEq)]
pub struct Resource {
    /// Stable identity (Azure id, ARN, `namespace/kind/name`, ...).
    pub id: String,
    /// Provider: azure, aws, gcp or kubernetes.
    pub provider: String,
    /// Type (the Kubernetes kind for manifests).
    pub kind: String,
    /// Name.
    pub name: String,
    /// Kubernetes namespace.
    pub namespace: Option<String>,
    /// Region / location.
    pub location: Option<String>,
    /// The document as read.
    pub doc: Value,
    /// Source file.
    pub file: Arc<str>,
    /// 1-based line of the resource in its file.
    pub line: usize,
    /// 1-based column.
    pub col: usize,
}

/// A resource that was skipped, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Skipped {
    /// Where.
    pub file: String,
    /// Line.
    pub line: usize,
    /// Why.
    pub reason: String,
}

/// What reading produced.
#[derive(Default, Debug)]
pub struct Inventory {
    /// Resources in input order.
    pub resources: Vec<Resource>,
    /// Documents skipped with a warning.
    pub skipped: Vec<Skipped>,
    /// The projection documents were read with (`None`: complete documents).
    pub projection: Option<Projection>,
}

fn s(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).map(str::to_string)
}

/// What [`classify`] infers about a document.
#[derive(Clone, Debug, PartialEq)]
pub struct Identity {
    /// azure, aws, gcp, kubernetes (or the document's own `provider`).
    pub provider: String,
    /// Type, or the Kubernetes kind.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Stable id.
    pub id: String,
    /// Kubernetes namespace.
    pub namespace: Option<String>,
    /// Region or location.
    pub location: Option<String>,
}

/// Provider, type, name, id, namespace and location of a document, or `None` without a type.
pub fn classify(doc: &Value) -> Option<Identity> {
    let obj = doc.as_object()?;
    let location = s(obj.get("location")).or_else(|| s(obj.get("region")));
    // Kubernetes objects have apiVersion, kind and metadata; ARM resources also have apiVersion
    // and often kind (`StorageV2`), but always a `type`.
    let k8s = obj.get("metadata").is_some_and(Value::is_object) && !obj.contains_key("type");
    if let (true, Some(_), Some(kind)) = (k8s, s(obj.get("apiVersion")), s(obj.get("kind"))) {
        let meta = obj.get("metadata");
        let name = s(meta.and_then(|m| m.get("name"))).unwrap_or_default();
        let ns = s(meta.and_then(|m| m.get("namespace")));
        let id = format!("{}/{kind}/{name}", ns.as_deref().unwrap_or("default"));
        return Some(Identity {
            provider: "kubernetes".into(),
            kind,
            name,
            id,
            namespace: ns,
            location,
        });
    }
    let (ty, field) = [
        ("type", "type"),
        ("assetType", "assetType"),
        ("Type", "Type"),
    ]
    .iter()
    .find_map(|(k, f)| s(obj.get(*k)).map(|t| (t, *f)))?;
    let lower = ty.to_ascii_lowercase();
    let provider = s(obj.get("provider")).unwrap_or_else(|| {
        if lower.starts_with("microsoft.") {
            "azure".into()
        } else if lower.starts_with("aws::") || lower.starts_with("aws_") {
            "aws".into()
        } else if lower.contains(".googleapis.com/")
            || lower.starts_with("google_")
            || field == "assetType"
        {
            "gcp".into()
        } else {
            "unknown".into()
        }
    });
    let name = s(obj.get("name"))
        .or_else(|| s(obj.get("Name")))
        .unwrap_or_default();
    if field == "assetType" {
        // Cloud Asset Inventory: `name` is the full asset name; the short name is the resource's.
        let short = s(obj
            .get("resource")
            .and_then(|r| r.get("data"))
            .and_then(|d| d.get("name")));
        let short = short.unwrap_or_else(|| name.rsplit('/').next().unwrap_or(&name).to_string());
        return Some(Identity {
            provider,
            kind: ty,
            name: short,
            id: name,
            namespace: None,
            location,
        });
    }
    let id = s(obj.get("id"))
        .or_else(|| s(obj.get("arn")))
        .or_else(|| s(obj.get("Arn")))
        .or_else(|| s(obj.get("selfLink")))
        .unwrap_or_else(|| {
            if name.is_empty() {
                ty.clone()
            } else {
                name.clone()
            }
        });
    Some(Identity {
        provider,
        kind: ty,
        name,
        id,
        namespace: None,
        location,
    })
}

fn err(file: &str, line: usize, col: usize, message: impl Into<String>) -> InputError {
    InputError {
        file: file.to_string(),
        line,
        col,
        message: message.into(),
    }
}

fn json_message(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
    let hint = if msg.contains("recursion limit") {
        "; documents may nest at most 128 levels"
    } else {
        "; fix the JSON syntax (a validator such as `jq . FILE` shows the same place)"
    };
    format!("invalid JSON: {msg}{hint}")
}

fn json_error(file: &str, e: &serde_json::Error) -> InputError {
    err(file, e.line(), e.column(), json_message(e))
}

/// Reads inventories from paths (`-` is standard input; directories are read recursively),
/// keeping every field of each document.
pub fn load(paths: &[PathBuf]) -> Result<Inventory, InputError> {
    load_projected(paths, None)
}

/// The projection to read an inventory with for a standard: what its recommendations and lookups
/// read, plus what identifies a resource.
pub fn projection_for(meta: &tenet_stdlib::abi::Metadata) -> Projection {
    let mut p = crate::project::identity();
    p.merge(&meta.projection);
    for l in &meta.lookups {
        p.merge(&l.projection);
    }
    p
}

/// Reads inventories keeping only the fields `proj` names (all fields when `None`). Results of a
/// standard are the same either way when `proj` comes from [`projection_for`].
pub fn load_projected(
    paths: &[PathBuf],
    proj: Option<&Projection>,
) -> Result<Inventory, InputError> {
    let mut inv = Inventory {
        projection: proj.cloned(),
        ..Inventory::default()
    };
    for p in paths {
        if p.as_os_str() == "-" {
            let mut buf = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf)
                .map_err(|e| err("<stdin>", 0, 0, format!("cannot read standard input: {e}")))?;
            read_bytes("<stdin>", &buf, None, &mut inv)?;
        } else if p.is_dir() {
            let mut files = Vec::new();
            walk(p, &mut files).map_err(|e| {
                err(
                    &p.display().to_string(),
                    0,
                    0,
                    format!("cannot read directory: {e}"),
                )
            })?;
            files.sort();
            for f in files {
                read_file(&f, &mut inv)?;
            }
        } else {
            read_file(p, &mut inv)?;
        }
    }
    Ok(inv)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("json" | "jsonl" | "ndjson" | "yaml" | "yml")
        ) {
            out.push(path);
        }
    }
    Ok(())
}

fn read_file(path: &Path, inv: &mut Inventory) -> Result<(), InputError> {
    let name = path.display().to_string();
    let meta =
        std::fs::metadata(path).map_err(|e| err(&name, 0, 0, format!("cannot read: {e}")))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(err(
            &name,
            0,
            0,
            format!(
                "file is larger than {} GiB; split it or use JSON Lines",
                MAX_FILE_BYTES >> 30
            ),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| err(&name, 0, 0, format!("cannot read: {e}")))?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    read_bytes(&name, &bytes, ext.as_deref(), inv)
}

/// Reads one input held in memory; `ext` selects the format (sniffed when `None`).
pub fn read_bytes(
    name: &str,
    bytes: &[u8],
    ext: Option<&str>,
    inv: &mut Inventory,
) -> Result<(), InputError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let line = bytes
            .get(..at)
            .map_or(0, |b| b.iter().filter(|c| **c == b'\n').count() + 1);
        err(
            name,
            line,
            0,
            format!("not UTF-8 text (invalid byte at offset {at}); convert the file to UTF-8"),
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let file: Arc<str> = Arc::from(name);
    match ext {
        Some("jsonl" | "ndjson") => read_json_lines(&file, text, inv),
        Some("yaml" | "yml") => read_yaml(&file, text, inv),
        Some("json") => read_json(&file, text, inv),
        _ => {
            let t = text.trim_start();
            if t.starts_with('{') || t.starts_with('[') {
                match read_json(&file, text, inv) {
                    Err(e) if e.message.contains("trailing characters") => {
                        read_json_lines(&file, text, inv)
                    }
                    r => r,
                }
            } else {
                read_yaml(&file, text, inv)
            }
        }
    }
}

const CONTAINERS: &[&str] = &["resources", "value", "data", "items"];

fn push(file: &Arc<str>, line: usize, col: usize, doc: Value, inv: &mut Inventory) {
    let doc = match &inv.projection {
        Some(p) => p.apply(&doc),
        None => doc,
    };
    push_projected(file, line, col, doc, inv);
}

/// Adds a document already reduced to the inventory's projection.
fn push_projected(file: &Arc<str>, line: usize, col: usize, doc: Value, inv: &mut Inventory) {
    match classify(&doc) {
        Some(i) => inv.resources.push(Resource {
            id: i.id,
            provider: i.provider,
            kind: i.kind,
            name: i.name,
            namespace: i.namespace,
            location: i.location,
            doc,
            file: file.clone(),
            line,
            col,
        }),
        None => inv.skipped.push(Skipped {
            file: file.to_string(),
            line,
            reason: "no resource type (`type`, `assetType`, or `apiVersion` and `kind`)".into(),
        }),
    }
}

/// The element ranges of the resource list of a JSON document, found without parsing it; `None`
/// when the document is malformed (the parser then reports where).
fn element_ranges(text: &str) -> Option<Vec<(usize, usize)>> {
    use crate::split;
    let start = text.len() - text.trim_start().len();
    match text.as_bytes().get(start)? {
        b'[' => {
            let (els, end) = split::array_with_end(text, start)?;
            split::only_space_after(text, end).then_some(els)
        }
        b'{' => {
            let (members, end) = split::object_members(text, start, CONTAINERS)?;
            if !split::only_space_after(text, end) {
                return None;
            }
            let raw = |r: (usize, usize)| text.get(r.0..r.1).unwrap_or("");
            let get = |k: &str| members.iter().find(|(key, _, _)| *key == k);
            let is_resource = get("type").is_some()
                || (get("kind").is_some()
                    && get("apiVersion").is_some()
                    && !get("kind").is_some_and(|k| raw(k.1).ends_with("List\"")));
            let list = CONTAINERS
                .iter()
                .find_map(|k| get(k).and_then(|m| m.2.clone()));
            match list {
                Some(els) if !is_resource => Some(els),
                _ => Some(vec![(start, end)]),
            }
        }
        _ => None,
    }
}

fn read_json(file: &Arc<str>, text: &str, inv: &mut Inventory) -> Result<(), InputError> {
    let Some(ranges) = element_ranges(text) else {
        // Malformed (or not an array or object): let the parser say where.
        return match serde_json::from_str::<serde::de::IgnoredAny>(text) {
            Err(e) => Err(json_error(file, &e)),
            Ok(_) => Err(err(
                file,
                1,
                1,
                "expected a resource object or an array of resources",
            )),
        };
    };
    let proj = inv.projection.clone();
    let proj = proj.as_ref();
    let starts: Vec<usize> = ranges.iter().map(|r| r.0).collect();
    let pos = crate::split::positions(text, &starts);
    let parsed: Result<Vec<(usize, usize, Value)>, InputError> = ranges
        .par_iter()
        .zip(pos.par_iter())
        .map(|(&(s, e), &(line, col))| {
            let slice = text.get(s..e).unwrap_or("");
            let v: Value = match proj {
                Some(p) => crate::project::parse(slice, p),
                None => serde_json::from_str(slice),
            }
            .map_err(|er| {
                // Positions inside the element are relative to it; make them absolute.
                let (l, c) = (
                    line + er.line().saturating_sub(1),
                    if er.line() <= 1 {
                        col + er.column().saturating_sub(1)
                    } else {
                        er.column()
                    },
                );
                err(file, l, c, json_message(&er))
            })?;
            Ok((line, col, v))
        })
        .collect();
    for (line, col, v) in parsed? {
        if v.is_object() {
            push_projected(file, line, col, v, inv);
        } else {
            inv.skipped.push(Skipped {
                file: file.to_string(),
                line,
                reason: "not an object".into(),
            });
        }
    }
    Ok(())
}

fn read_json_lines(file: &Arc<str>, text: &str, inv: &mut Inventory) -> Result<(), InputError> {
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(line)
            .map_err(|e| err(file, i + 1, e.column(), json_message(&e)))?;
        expand(file, i + 1, 1, v, inv);
    }
    Ok(())
}

/// Adds a parsed document: a container of resources, a list, or one resource.
fn expand(file: &Arc<str>, line: usize, col: usize, v: Value, inv: &mut Inventory) {
    match v {
        Value::Null => {}
        Value::Array(items) => items
            .into_iter()
            .for_each(|i| expand(file, line, col, i, inv)),
        Value::Object(ref m)
            if classify(&v).is_none()
                || m.get("kind")
                    .and_then(Value::as_str)
                    .is_some_and(|k| k.ends_with("List")) =>
        {
            let list = CONTAINERS
                .iter()
                .find_map(|k| m.get(*k).filter(|x| x.is_array()).cloned());
            match list {
                Some(Value::Array(items)) => items
                    .into_iter()
                    .for_each(|i| expand(file, line, col, i, inv)),
                _ => push(file, line, col, v, inv),
            }
        }
        other => push(file, line, col, other, inv),
    }
}

fn read_yaml(file: &Arc<str>, text: &str, inv: &mut Inventory) -> Result<(), InputError> {
    // Line where each document starts (after a `---` separator, or at the top).
    let mut starts = vec![1];
    for (i, l) in text.lines().enumerate() {
        if l.starts_with("---") && i > 0 {
            starts.push(i + 2);
        } else if l.starts_with("---") {
            starts[0] = 2;
        }
    }
    for (k, doc) in serde_yaml::Deserializer::from_str(text).enumerate() {
        let v = Value::deserialize(doc).map_err(|e| {
            let (line, col) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
            err(file, line, col, format!("invalid YAML: {e}"))
        })?;
        expand(file, starts.get(k).copied().unwrap_or(0), 1, v, inv);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(name: &str, text: &str) -> Result<Inventory, InputError> {
        let mut inv = Inventory::default();
        let ext = name.rsplit('.').next();
        read_bytes(name, text.as_bytes(), ext, &mut inv).map(|_| inv)
    }

    #[test]
    fn shapes_and_locations() {
        let inv = read("a.json", "{\"resources\": [\n  {\"type\": \"Microsoft.Storage/storageAccounts\", \"name\": \"s\"},\n  {\"type\": \"AWS::S3::Bucket\", \"name\": \"b\"}]}").unwrap();
        assert_eq!(inv.resources.len(), 2);
        assert_eq!(
            (
                inv.resources[0].provider.as_str(),
                inv.resources[0].line,
                inv.resources[0].col
            ),
            ("azure", 2, 3)
        );
        assert_eq!(inv.resources[1].provider, "aws");
        let inv = read("k.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ns}\n---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Service, metadata: {name: s}}\n").unwrap();
        assert_eq!(inv.resources.len(), 2);
        assert_eq!(inv.resources[0].id, "ns/Pod/p");
        assert_eq!(inv.resources[1].line, 5);
        let inv = read(
            "r.json",
            "{\"data\": [{\"type\": \"microsoft.keyvault/vaults\"}, {\"no\": 1}]}",
        )
        .unwrap();
        assert_eq!((inv.resources.len(), inv.skipped.len()), (1, 1));
    }

    #[test]
    fn bad_input_is_an_error_with_a_location() {
        let e = read("a.json", "[\n  {\"type\": \"x\",}\n]").unwrap_err();
        assert_eq!((e.line, e.file.as_str()), (2, "a.json"));
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(read("d.json", &deep).unwrap_err().message.contains("128"));
        let mut inv = Inventory::default();
        let e = read_bytes("b.json", b"[\"\xff\"]", Some("json"), &mut inv).unwrap_err();
        assert!(e.message.contains("UTF-8"));
        let e = read("y.yaml", "a: [1, 2\nb: 3\n").unwrap_err();
        assert!(e.line > 0, "{e}");
        let bomb = "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n";
        assert!(read("bomb.yaml", bomb).is_err());
        let inv = read(
            "l.jsonl",
            "{\"type\":\"AWS::S3::Bucket\"}\n\n{\"type\":\"AWS::S3::Bucket\"}\n",
        )
        .unwrap();
        assert_eq!(inv.resources[1].line, 3);
        let e = read("l.jsonl", "{\"type\":\"x\"}\n{oops}\n").unwrap_err();
        assert_eq!(e.line, 2);
    }
}
