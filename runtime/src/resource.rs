//! One resource: what identifies it ([`Identity`], inferred from its document by [`classify`]),
//! where it was read ([`Origin`]) and its document, together as [`Resource`]. The same shape
//! carries a parsed document, an encoded one, or none (a finding's resource).

use crate::input::locate::Places;
use serde::ser::SerializeMap as _;
use serde_json::Value;
use std::sync::Arc;
use tenet_stdlib::abi::Projection;
use tenet_stdlib::value;

/// A resource: its identity, where it was read, and its document `D` (a parsed
/// [`serde_json::Value`] by default; encoded bytes while streaming; `()` in a finding).
///
/// It serialises as the report's `resource` object: `id`, `type`, `name`, `provider`,
/// `namespace`, `location`, `file`, `line`, `column` (never the document).
#[derive(Clone, Debug, PartialEq)]
pub struct Resource<D = Value> {
    /// What the resource is.
    pub identity: Identity,
    /// Where it was read.
    pub origin: Origin,
    /// Its document.
    pub doc: D,
}

impl<D> Resource<D> {
    /// What tells this resource apart from every other one, for fingerprints, baselines and
    /// the history: its id when that is unique beyond the file (an Azure resource id, an ARN, a
    /// GCP asset name, a Kubernetes `uid`); otherwise the file (relative to its repository),
    /// type and id (a CloudFormation logical id, a Terraform address, a Kubernetes
    /// namespace/kind/name), so that the same name in two files (overlays, environments) makes
    /// two resources; and for objects named by `generateName`, also the place of the document
    /// in its file.
    pub fn key(&self) -> std::borrow::Cow<'_, str> {
        let (i, o) = (&self.identity, &self.origin);
        match i.scope {
            Scope::Global => std::borrow::Cow::Borrowed(&i.id),
            Scope::File => format!("{}#{}:{}", o.scope, i.kind, i.id).into(),
            Scope::Generated => {
                format!("{}#{}:{}@{}.{}", o.scope, i.kind, i.id, o.doc, o.item).into()
            }
        }
    }

    /// The same resource without its document.
    pub fn head(&self) -> Resource<()> {
        Resource {
            identity: self.identity.clone(),
            origin: self.origin.clone(),
            doc: (),
        }
    }
}

impl<D> serde::Serialize for Resource<D> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (i, o) = (&self.identity, &self.origin);
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("id", &i.id)?;
        m.serialize_entry("type", &i.kind)?;
        m.serialize_entry("name", &i.name)?;
        m.serialize_entry("provider", &i.provider)?;
        if let Some(ns) = &i.namespace {
            m.serialize_entry("namespace", ns)?;
        }
        if let Some(l) = &i.location {
            m.serialize_entry("location", l)?;
        }
        m.serialize_entry("file", &*o.file)?;
        m.serialize_entry("line", &o.line)?;
        m.serialize_entry("column", &o.col)?;
        m.end()
    }
}

/// Where a resource was read.
#[derive(Clone, Debug, PartialEq)]
pub struct Origin {
    /// The input's name.
    pub file: Arc<str>,
    /// The input's name relative to the root of its repository (the nearest parent folder with
    /// `.git`), or as given outside one: what a resource key names ([`Resource::key`]).
    pub scope: Arc<str>,
    /// The place of the document in its input: a YAML document, an element of a JSON array, a
    /// line of JSON Lines, a resource of a template (0-based).
    pub doc: usize,
    /// The place of the resource in its document when the document is a list (0-based).
    pub item: usize,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub col: usize,
    /// Where its properties are in the file, when known.
    pub places: Option<Places>,
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
    /// How far `id` is unique ([`Resource::key`]).
    pub scope: Scope,
}

/// How far a resource's id is unique.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Everywhere: an Azure resource id, an ARN, a GCP asset name or self link, a Kubernetes uid.
    Global,
    /// Within its file: a logical id, a Terraform address, a Kubernetes namespace/kind/name.
    File,
    /// Not even there: a Kubernetes object named by `generateName`.
    Generated,
}

/// What identifies a document, or why it is not a resource ([`NOT_OBJECT`], [`NO_TYPE`]).
pub fn identify<D: Doc>(doc: D) -> Result<Identity, &'static str> {
    if !doc.is_object() {
        return Err(NOT_OBJECT);
    }
    classify(doc).map(Identity::bounded).ok_or(NO_TYPE)
}

/// The longest identity string (name, id, type, ...) kept whole. Every finding, report line and
/// fingerprint repeats these strings, so a 100 MB name would cost gigabytes downstream.
pub const MAX_IDENTITY: usize = 1024;

/// `s` when it is at most [`MAX_IDENTITY`] bytes, else its first 256 bytes, `…`, and a digest
/// of the whole (so two long names that share a start stay apart).
fn shortened(s: &mut String) {
    if s.len() <= MAX_IDENTITY {
        return;
    }
    let digest = blake3::hash(s.as_bytes()).to_hex();
    let cut = s.floor_char_boundary(256);
    s.truncate(cut);
    s.push_str("…#");
    s.push_str(&digest.as_str()[..16]);
}

impl Identity {
    /// The identity with over-long strings [`shortened`].
    fn bounded(mut self) -> Identity {
        for s in [
            &mut self.provider,
            &mut self.kind,
            &mut self.name,
            &mut self.id,
        ] {
            shortened(s);
        }
        for s in [&mut self.namespace, &mut self.location]
            .into_iter()
            .flatten()
        {
            shortened(s);
        }
        for (k, v) in &mut self.tags {
            shortened(k);
            shortened(v);
        }
        self
    }
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
        let named = s(meta.and_then(|m| m.get("name")));
        let generated = s(meta.and_then(|m| m.get("generateName")));
        // An object named by `generateName` gets its name when created: shown as `prefix-*`,
        // told apart by its place in the file.
        let (name, mut scope) = match (named, generated) {
            (Some(n), _) => (n, Scope::File),
            (None, Some(g)) => (format!("{g}*"), Scope::Generated),
            (None, None) => (String::new(), Scope::Generated),
        };
        if s(meta.and_then(|m| m.get("uid"))).is_some() && scope == Scope::File {
            // Read from a cluster: namespace/kind/name is unique there.
            scope = Scope::Global;
        }
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
            scope,
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
    let mut name = s(obj.get("name"))
        .or_else(|| s(obj.get("Name")))
        .unwrap_or_default();
    // A Terraform resource is named by its address without the type, so the instances of a
    // `count` or `for_each` and the same block in two module calls stay apart: `web[1]`,
    // `module.net.this`.
    if let Some(address) = s(obj.get("address")) {
        let typed = format!("{ty}.");
        if let Some(at) = address.find(&typed) {
            if at == 0 || address[..at].ends_with('.') {
                name = format!("{}{}", &address[..at], &address[at + typed.len()..]);
            }
        }
    }
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
            scope: Scope::Global,
        });
    }
    // Cloud ids are unique everywhere; a Terraform address or a name only within its file.
    let (id, scope) = if let Some(id) = s(obj.get("id")) {
        (id, Scope::Global)
    } else if let Some(address) = s(obj.get("address")) {
        (address, Scope::File)
    } else if let Some(arn) = s(obj.get("arn"))
        .or_else(|| s(obj.get("Arn")))
        .or_else(|| s(obj.get("selfLink")))
    {
        (arn, Scope::Global)
    } else if name.is_empty() {
        (ty.clone(), Scope::File)
    } else {
        (name.clone(), Scope::File)
    };
    Some(Identity {
        provider,
        kind: ty,
        name,
        id,
        namespace: None,
        location,
        tags: tags_of(obj),
        scope,
    })
}

/// The fields [`classify`] reads to identify a resource.
pub fn projection() -> Projection {
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
        &["metadata", "generateName"],
        &["metadata", "uid"],
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
