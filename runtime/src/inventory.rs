//! The resource model: what identifies a resource (provider, type, name, id, namespace,
//! location, source location), how it is inferred from a document ([`classify`]), and reading
//! whole inventories into memory ([`load`]) for callers that want every document as a
//! `serde_json::Value` (explanations, embedders, tests). `tenet check` streams instead
//! ([`crate::eval::run`]).
//!
//! Accepted shapes and formats are those of [`crate::source`].

use crate::iac::Format;
use crate::locate::Places;
use crate::source::{self, Batch, Input, Piece};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Arc;
use tenet_stdlib::abi::Projection;
use tenet_stdlib::value;

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

/// One resource of an inventory, with its whole (or projected) document.
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
    /// Where its properties are in the file, when known.
    pub places: Option<Places>,
}

impl Resource {
    /// What identifies the resource.
    pub fn identity(&self) -> Identity {
        Identity {
            provider: self.provider.clone(),
            kind: self.kind.clone(),
            name: self.name.clone(),
            id: self.id.clone(),
            namespace: self.namespace.clone(),
            location: self.location.clone(),
            tags: tags_of(&self.doc),
        }
    }

    /// Where it was read.
    pub fn origin(&self) -> crate::eval::Origin {
        crate::eval::Origin {
            file: self.file.clone(),
            line: self.line,
            col: self.col,
            places: self.places.clone(),
        }
    }
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

/// Why a document without a type is skipped.
pub const NO_TYPE: &str = "no resource type (`type`, `assetType`, or `apiVersion` and `kind`)";

/// Why a document that is not an object is skipped.
pub const NOT_OBJECT: &str = "not an object";

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

/// Read access to a document, parsed ([`Value`]) or encoded ([`Encoded`]), for [`classify`].
pub trait Doc: Copy {
    /// Member `key` of an object.
    fn get(self, key: &str) -> Option<Self>;
    /// The text of a string, borrowed from the document.
    fn text(&self) -> Option<String>;
    /// Whether it is an object.
    fn is_object(self) -> bool;
    /// The value as JSON (for small parts such as tags).
    fn json(self) -> Option<Value>;
}

impl Doc for &Value {
    fn get(self, key: &str) -> Option<Self> {
        self.as_object()?.get(key)
    }
    fn text(&self) -> Option<String> {
        self.as_str().map(str::to_string)
    }
    fn is_object(self) -> bool {
        Value::is_object(self)
    }
    fn json(self) -> Option<Value> {
        Some(self.clone())
    }
}

/// A document in the tenet value encoding.
#[derive(Clone, Copy, Debug)]
pub struct Encoded<'a>(pub &'a [u8]);

impl Doc for Encoded<'_> {
    fn get(self, key: &str) -> Option<Self> {
        value::member(self.0, key).map(Encoded)
    }
    fn text(&self) -> Option<String> {
        value::as_str(self.0).map(str::to_string)
    }
    fn is_object(self) -> bool {
        self.0.first() == Some(&value::tag::OBJECT)
    }
    fn json(self) -> Option<Value> {
        value::from_bytes(self.0).ok()
    }
}

/// The tags (or labels) of a document: Azure and Terraform `tags` maps, CloudFormation `Tags`
/// lists of `Key`/`Value`, Kubernetes `metadata.labels`, GCP `resource.data.labels` and `labels`.
fn tags_of<D: Doc>(obj: D) -> Vec<(String, String)> {
    let candidates = [
        obj.get("tags"),
        obj.get("Tags"),
        obj.get("Properties").and_then(|p| p.get("Tags")),
        obj.get("values").and_then(|p| p.get("tags")),
        obj.get("metadata").and_then(|m| m.get("labels")),
        obj.get("metadata").and_then(|m| m.get("annotations")),
        obj.get("resource")
            .and_then(|r| r.get("data"))
            .and_then(|d| d.get("labels")),
        obj.get("labels"),
    ];
    let mut out = Vec::new();
    for c in candidates.into_iter().flatten() {
        match c.json() {
            Some(Value::Object(m)) => {
                for (k, v) in m {
                    if let Some(v) = v.as_str() {
                        out.push((k, v.to_string()));
                    }
                }
            }
            Some(Value::Array(items)) => {
                for t in items {
                    if let (Some(k), Some(v)) = (
                        t.get("Key").and_then(Value::as_str),
                        t.get("Value").and_then(Value::as_str),
                    ) {
                        out.push((k.to_string(), v.to_string()));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

fn s<D: Doc>(v: Option<D>) -> Option<String> {
    v.and_then(|d| d.text())
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
    /// Tags or labels (key, value).
    pub tags: Vec<(String, String)>,
}

/// What identifies a document, or why it is not a resource ([`NOT_OBJECT`], [`NO_TYPE`]).
pub fn identify<D: Doc>(doc: D) -> Result<Identity, &'static str> {
    if !doc.is_object() {
        return Err(NOT_OBJECT);
    }
    classify(doc).ok_or(NO_TYPE)
}

/// Provider, type, name, id, namespace and location of a document, or `None` without a type.
pub fn classify<D: Doc>(obj: D) -> Option<Identity> {
    if !obj.is_object() {
        return None;
    }
    let location = s(obj.get("location")).or_else(|| s(obj.get("region")));
    // Kubernetes objects have apiVersion, kind and metadata (and some, like Secrets, a `type`);
    // ARM resources also have an apiVersion and often a kind (`StorageV2`), but their apiVersion
    // is a date, and Kubernetes API versions never start with a digit.
    let api = s(obj.get("apiVersion"));
    let k8s = obj.get("metadata").is_some_and(|m| m.is_object())
        && (obj.get("type").is_none()
            || api
                .as_deref()
                .is_some_and(|a| !a.starts_with(|c: char| c.is_ascii_digit())));
    if let (true, Some(_), Some(kind)) = (k8s, api, s(obj.get("kind"))) {
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
            tags: tags_of(obj),
        });
    }
    let (ty, field) = [
        ("type", "type"),
        ("assetType", "assetType"),
        ("Type", "Type"),
    ]
    .iter()
    .find_map(|(k, f)| s(obj.get(k)).map(|t| (t, *f)))?;
    let lower = ty.to_ascii_lowercase();
    let provider = s(obj.get("provider")).unwrap_or_else(|| {
        if lower.starts_with("microsoft.")
            || lower.starts_with("azurerm_")
            || lower.starts_with("azuread_")
        {
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
            tags: tags_of(obj),
        });
    }
    let id = s(obj.get("id"))
        .or_else(|| s(obj.get("address")))
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
        tags: tags_of(obj),
    })
}

/// An input error at a place.
pub(crate) fn err(file: &str, line: usize, col: usize, message: impl Into<String>) -> InputError {
    InputError {
        file: file.to_string(),
        line,
        col,
        message: message.into(),
    }
}

/// The input error for invalid UTF-8 in `bytes`, which start at `line`.
pub fn utf8_error(file: &str, bytes: &[u8], line: usize, e: std::str::Utf8Error) -> InputError {
    let at = e.valid_up_to();
    let line = line + memchr::memchr_iter(b'\n', &bytes[..at]).count();
    err(
        file,
        line,
        0,
        "not UTF-8 text; convert the file to UTF-8 (`iconv -t UTF-8`)",
    )
}

/// The input error for a JSON syntax error in a text starting at (line, col).
pub fn json_error(file: &str, line: usize, col: usize, e: &serde_json::Error) -> InputError {
    let (l, c) = source::relative(line, col, e.line(), e.column());
    err(file, l, c, source::json_message(&e.to_string()))
}

/// Reads inventories from paths (`-` is standard input; directories are read recursively),
/// keeping every field of each document.
pub fn load(paths: &[PathBuf]) -> Result<Inventory, InputError> {
    load_projected(paths, None)
}

/// The projection to read an inventory with for a standard: what its recommendations and lookups
/// read, plus what identifies a resource.
pub fn projection_for(meta: &tenet_stdlib::abi::Metadata) -> Projection {
    let mut p = identity();
    p.merge(&meta.projection);
    for l in &meta.lookups {
        p.merge(&l.projection);
    }
    p
}

/// The fields [`classify`] reads to identify a resource.
pub fn identity() -> Projection {
    let mut p = Projection::default();
    for path in [
        &["type"][..],
        &["assetType"],
        &["Type"],
        &["apiVersion"],
        &["kind"],
        &["name"],
        &["Name"],
        &["id"],
        &["address"],
        &["arn"],
        &["Arn"],
        &["selfLink"],
        &["location"],
        &["region"],
        &["provider"],
        &["metadata", "name"],
        &["metadata", "namespace"],
        &["metadata", "labels"],
        &["metadata", "annotations"],
        &["tags"],
        &["Tags"],
        &["Properties", "Tags"],
        &["values", "tags"],
        &["labels"],
        &["resource", "data", "labels"],
        &["resource", "data", "name"],
    ] {
        let path: Vec<String> = path.iter().map(|s| s.to_string()).collect();
        p.add(&path, true);
    }
    p
}

/// Reads inventories keeping only the fields `proj` names (all fields when `None`). Results of a
/// standard are the same either way when `proj` comes from [`projection_for`].
pub fn load_projected(
    paths: &[PathBuf],
    proj: Option<&Projection>,
) -> Result<Inventory, InputError> {
    load_inputs(&source::inputs(paths)?, proj)
}

/// Reads one input held in memory; `ext` selects the syntax (sniffed when `None`), the content
/// the format.
pub fn read_bytes(
    name: &str,
    bytes: &[u8],
    ext: Option<&str>,
    inv: &mut Inventory,
) -> Result<(), InputError> {
    source::read_bytes(name, bytes, ext, Format::Auto, source::CHUNK, &mut |b| {
        add_batch(&b, inv)
    })
}

/// Reads inputs into memory (see [`load_projected`]).
pub fn load_inputs(inputs: &[Input], proj: Option<&Projection>) -> Result<Inventory, InputError> {
    load_inputs_as(inputs, Format::Auto, proj)
}

/// Reads inputs into memory, in `format` (see [`load_projected`]).
pub fn load_inputs_as(
    inputs: &[Input],
    format: Format,
    proj: Option<&Projection>,
) -> Result<Inventory, InputError> {
    let mut inv = Inventory {
        projection: proj.cloned(),
        ..Inventory::default()
    };
    source::read(inputs, format, source::CHUNK, &mut |b| {
        add_batch(&b, &mut inv)
    })?;
    Ok(inv)
}

/// A document of a piece, parsed, with where it is.
#[derive(Debug, Clone)]
pub struct Located {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub col: usize,
    /// Where its properties are, when known.
    pub places: Option<Places>,
    /// The document.
    pub value: Value,
}

/// The documents of one piece, parsed.
pub fn piece_values(b: &Batch, p: &Piece) -> Result<Vec<Located>, InputError> {
    let text = |start: usize, end: usize, line: usize| {
        let bytes = &b.text[start..end];
        std::str::from_utf8(bytes).map_err(|e| utf8_error(&b.file, bytes, line, e))
    };
    let mut out = Vec::new();
    match p {
        Piece::Json {
            start,
            end,
            line,
            col,
        } => {
            let t = text(*start, *end, *line)?;
            let v: Value =
                serde_json::from_str(t).map_err(|e| json_error(&b.file, *line, *col, &e))?;
            out.push(Located {
                line: *line,
                col: *col,
                places: None,
                value: v,
            });
        }
        Piece::Line { start, end, line } => {
            let t = text(*start, *end, *line)?;
            let v: Value =
                serde_json::from_str(t).map_err(|e| json_error(&b.file, *line, 1, &e))?;
            expand(
                Located {
                    line: *line,
                    col: 1,
                    places: None,
                    value: v,
                },
                &mut out,
            );
        }
        Piece::Value {
            value,
            line,
            col,
            places,
            resource,
        } => {
            let doc = Located {
                line: *line,
                col: *col,
                places: places.clone(),
                value: value.clone(),
            };
            if *resource {
                out.push(doc);
            } else {
                expand(doc, &mut out);
            }
        }
    }
    Ok(out)
}

fn add_batch(b: &Batch, inv: &mut Inventory) -> Result<(), InputError> {
    for p in &b.pieces {
        for d in piece_values(b, p)? {
            let v = match &inv.projection {
                Some(proj) => proj.apply(&d.value),
                None => d.value,
            };
            push(&b.file, d.line, d.col, d.places, v, inv);
        }
    }
    Ok(())
}

fn push(
    file: &Arc<str>,
    line: usize,
    col: usize,
    places: Option<Places>,
    doc: Value,
    inv: &mut Inventory,
) {
    match identify(&doc) {
        Ok(i) => inv.resources.push(Resource {
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
            places,
        }),
        Err(reason) => inv.skipped.push(Skipped {
            file: file.to_string(),
            line,
            reason: reason.into(),
        }),
    }
}

/// Whether a parsed document is a list of resources rather than one: an array, a document
/// without a type, or a Kubernetes `...List`, whose `resources`/`value`/`data`/`items` member is
/// an array; with the name of that member.
fn list_of(v: &Value) -> Option<(Option<&'static str>, &Vec<Value>)> {
    match v {
        Value::Array(items) => Some((None, items)),
        Value::Object(m)
            if classify(v).is_none()
                || m.get("kind")
                    .and_then(Value::as_str)
                    .is_some_and(|k| k.ends_with("List")) =>
        {
            source::CONTAINERS
                .iter()
                .find_map(|k| m.get(*k).and_then(Value::as_array).map(|a| (Some(*k), a)))
        }
        _ => None,
    }
}

/// A parsed document's resources: a container of resources, a list, or one resource. Items of
/// a list get their own place when the document's places are known.
pub fn expand(doc: Located, out: &mut Vec<Located>) {
    if doc.value.is_null() {
        return;
    }
    let Some((member, items)) = list_of(&doc.value) else {
        out.push(doc);
        return;
    };
    for (i, item) in items.iter().enumerate() {
        let places = doc.places.as_ref().map(|p| {
            let base = match member {
                Some(m) => format!("{}/{}", crate::iac::child(&p.base, m), i),
                None => format!("{}/{i}", p.base),
            };
            Places {
                index: p.index.clone(),
                base,
            }
        });
        let (line, col) = places
            .as_ref()
            .and_then(|p| p.index.get(&p.base))
            .unwrap_or((doc.line, doc.col));
        expand(
            Located {
                line,
                col,
                places,
                value: item.clone(),
            },
            out,
        );
    }
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
        assert_eq!(
            inv.resources[1].line, 8,
            "a list item is located at its own line"
        );
        let inv = read(
            "r.json",
            "{\"data\": [{\"type\": \"microsoft.keyvault/vaults\"}, {\"no\": 1}]}",
        )
        .unwrap();
        assert_eq!((inv.resources.len(), inv.skipped.len()), (1, 1));
        // A Kubernetes Secret has a `type`; an ARM resource has metadata-like members too.
        let inv = read("s.yaml", "apiVersion: v1\nkind: Secret\ntype: Opaque\nmetadata: {name: s}\n---\napiVersion: '2023-01-01'\ntype: Microsoft.Web/sites\nkind: app\nname: w\nmetadata: {}\n").unwrap();
        assert_eq!(inv.resources[0].provider, "kubernetes");
        assert_eq!(inv.resources[0].kind, "Secret");
        assert_eq!(inv.resources[1].provider, "azure");
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
