//! Whole inventories in memory ([`load`]), for callers that want every document as a
//! `serde_json::Value` (explanations, fixes, tests, embedders); `tenet check` streams instead
//! ([`crate::eval::run`]). Accepted shapes and formats are those of [`crate::input::stream`].

use crate::error::{json_error, utf8_error, InputError};
use crate::iac::Format;
use crate::input::locate::Places;
use crate::input::stream::{self, Batch, Piece};
use crate::input::{self, Input, CHUNK, CONTAINERS};
use crate::resource::{classify, identify, Origin, Resource, Skipped};
use serde_json::Value;
use std::path::PathBuf;
use tenet_stdlib::abi::Projection;

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

/// Reads inventories from paths (`-` is standard input; directories are read recursively),
/// keeping every field of each document.
pub fn load(paths: &[PathBuf]) -> Result<Inventory, InputError> {
    load_projected(paths, None)
}

/// The projection to read an inventory with for a standard: what its recommendations and lookups
/// read, plus what identifies a resource.
pub fn projection_for(meta: &tenet_stdlib::abi::Metadata) -> Projection {
    let mut p = crate::resource::projection();
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
    load_inputs(&input::inputs(paths)?, proj)
}

/// Reads one input held in memory; `ext` selects the syntax (sniffed when `None`), the content
/// the format.
pub fn read_bytes(
    name: &str,
    bytes: &[u8],
    ext: Option<&str>,
    inv: &mut Inventory,
) -> Result<(), InputError> {
    stream::read_bytes(name, bytes, ext, Format::Auto, CHUNK, &mut |b| {
        add_batch(&b, inv)
    })
}

/// [`read_bytes`] for the text of the file at `path` (a template finds the files beside it).
pub fn read_bytes_at(
    name: &str,
    bytes: &[u8],
    ext: Option<&str>,
    path: &std::path::Path,
    inv: &mut Inventory,
) -> Result<(), InputError> {
    stream::read_bytes_at(
        name,
        bytes,
        ext,
        Some(path),
        Format::Auto,
        CHUNK,
        &mut |b| add_batch(&b, inv),
    )
}

/// Reads inputs into memory (see [`load_projected`]).
pub fn load_inputs(inputs: &[Input], proj: Option<&Projection>) -> Result<Inventory, InputError> {
    load_inputs_as(inputs, Format::Auto, &Default::default(), proj)
}

/// Reads inputs into memory, in `format` (see [`load_projected`]).
pub fn load_inputs_as(
    inputs: &[Input],
    format: Format,
    given: &crate::iac::Given,
    proj: Option<&Projection>,
) -> Result<Inventory, InputError> {
    let mut inv = Inventory {
        projection: proj.cloned(),
        ..Inventory::default()
    };
    stream::read(inputs, format, given, CHUNK, &mut |b| {
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
        Piece::Yaml {
            start,
            end,
            line,
            doc,
        } => {
            for p in crate::input::stream::yaml_values(b, *start, *end, *line, *doc)? {
                out.extend(piece_values(b, &p)?);
            }
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

pub(crate) fn add_batch(b: &Batch, inv: &mut Inventory) -> Result<(), InputError> {
    for (k, p) in b.pieces.iter().enumerate() {
        for (item, d) in piece_values(b, p)?.into_iter().enumerate() {
            let v = match &inv.projection {
                Some(proj) => proj.apply(&d.value),
                None => d.value,
            };
            let origin = Origin {
                file: b.file.clone(),
                scope: b.scope.clone(),
                doc: b.first + k,
                item,
                line: d.line,
                col: d.col,
                places: d.places,
            };
            push(origin, v, inv);
        }
    }
    Ok(())
}

fn push(origin: Origin, doc: Value, inv: &mut Inventory) {
    match identify(&doc) {
        Ok(identity) => inv.resources.push(Resource {
            identity,
            origin,
            doc,
        }),
        Err(reason) => inv.skipped.push(Skipped {
            file: origin.file.to_string(),
            line: origin.line,
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
            CONTAINERS
                .iter()
                .find_map(|k| m.get(*k).and_then(Value::as_array).map(|a| (Some(*k), a)))
        }
        _ => None,
    }
}

/// Whether a parsed document is one resource as it stands (not empty, not a list of them): it
/// can then be read in place, without [`expand`] taking a copy.
pub fn is_single(v: &Value) -> bool {
    !v.is_null() && list_of(v).is_none()
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
                inv.resources[0].identity.provider.as_str(),
                inv.resources[0].origin.line,
                inv.resources[0].origin.col
            ),
            ("azure", 2, 3)
        );
        assert_eq!(inv.resources[1].identity.provider, "aws");
        let inv = read("k.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ns}\n---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Service, metadata: {name: s}}\n").unwrap();
        assert_eq!(inv.resources.len(), 2);
        assert_eq!(inv.resources[0].identity.id, "ns/Pod/p");
        assert_eq!(
            inv.resources[1].origin.line, 8,
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
        assert_eq!(inv.resources[0].identity.provider, "kubernetes");
        assert_eq!(inv.resources[0].identity.kind, "Secret");
        assert_eq!(inv.resources[1].identity.provider, "azure");
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
        assert_eq!(inv.resources[1].origin.line, 3);
        let e = read("l.jsonl", "{\"type\":\"x\"}\n{oops}\n").unwrap_err();
        assert_eq!(e.line, 2);
    }
}
