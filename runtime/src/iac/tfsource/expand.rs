//! Resources of a module: `count` and `for_each` expanded into instances, and each instance's
//! body evaluated into the values a plan shows (nested blocks as lists of objects, `dynamic`
//! blocks expanded, meta-arguments left out, `null` attributes absent), with the place of every
//! attribute and block.

use super::eval::{entries, number, Ctx, Fail, Scope, R};
use super::load::Decl;
use crate::iac::{is_unknown, unknown};
use crate::pointer::escape;
use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{Body, Structure};
use hcl_edit::Span;
use serde_json::{Map, Value};

/// Most instances one `count` or `for_each` may make.
pub const MAX_INSTANCES: usize = 10_000;

/// Which instance of a block: none (no `count` or `for_each`), a `count` index, a `for_each`
/// key, or one of an unknown number of instances.
#[derive(Clone, Debug, PartialEq)]
pub enum Key {
    /// A block without `count` or `for_each`.
    Single,
    /// `[i]`.
    Index(usize),
    /// `["key"]`.
    Name(String),
    /// `count` or `for_each` known only at deployment: judged once.
    Unknown,
}

impl Key {
    /// The address suffix: ``, `[0]`, `["a"]`.
    pub fn suffix(&self) -> String {
        match self {
            Key::Single | Key::Unknown => String::new(),
            Key::Index(i) => format!("[{i}]"),
            Key::Name(k) => format!("[{}]", serde_json::to_string(k).unwrap_or_default()),
        }
    }

    /// The plan's `index` member.
    pub fn index(&self) -> Option<Value> {
        match self {
            Key::Single => None,
            Key::Index(i) => Some(number(*i as f64)),
            Key::Name(k) => Some(Value::String(k.clone())),
            Key::Unknown => Some(unknown()),
        }
    }
}

/// Meta-arguments of resources and module calls: not values.
const META: &[&str] = &[
    "count",
    "for_each",
    "provider",
    "providers",
    "depends_on",
    "lifecycle",
    "provisioner",
    "connection",
    "source",
    "version",
];

/// The instances of a `resource` or `module` block, each with the scope its body sees.
pub fn instances(ctx: &Ctx, body: &Body) -> Result<Vec<(Key, Scope)>, Fail> {
    let too_many = |n: usize| {
        Fail::Budget(format!(
            "{n} instances from one `count` or `for_each`; at most {MAX_INSTANCES} are read"
        ))
    };
    if let Some(a) = body.get_attribute("count") {
        return Ok(match ctx.expr(&a.value, &Scope::default()) {
            Ok(Value::Number(n)) => {
                let n = n.as_f64().unwrap_or(0.0).max(0.0) as usize;
                if n > MAX_INSTANCES {
                    return Err(too_many(n));
                }
                (0..n)
                    .map(|i| {
                        let s = Scope {
                            count: Some(number(i as f64)),
                            ..Scope::default()
                        };
                        (Key::Index(i), s)
                    })
                    .collect()
            }
            Err(Fail::Budget(b)) => return Err(Fail::Budget(b)),
            // Unknown, or not a number Terraform would accept: judged once.
            _ => vec![(
                Key::Unknown,
                Scope {
                    count: Some(unknown()),
                    ..Scope::default()
                },
            )],
        });
    }
    if let Some(a) = body.get_attribute("for_each") {
        let known = match ctx.expr(&a.value, &Scope::default()) {
            Ok(v) => entries(&v).ok().flatten().map(|e| (v.is_array(), e)),
            Err(Fail::Budget(b)) => return Err(Fail::Budget(b)),
            Err(_) => None,
        };
        let Some((is_set, items)) = known else {
            return Ok(vec![(
                Key::Unknown,
                Scope {
                    each: Some((unknown(), unknown())),
                    ..Scope::default()
                },
            )]);
        };
        if items.len() > MAX_INSTANCES {
            return Err(too_many(items.len()));
        }
        let mut out = Vec::with_capacity(items.len());
        for (k, v) in items {
            // A set's elements are both key and value.
            let (k, v) = if is_set { (v.clone(), v) } else { (k, v) };
            let name = match &k {
                Value::String(s) => Key::Name(s.clone()),
                x if is_unknown(x) => Key::Unknown,
                other => Key::Name(other.to_string()),
            };
            out.push((
                name,
                Scope {
                    each: Some((k, v)),
                    ..Scope::default()
                },
            ));
        }
        return Ok(out);
    }
    Ok(vec![(Key::Single, Scope::default())])
}

/// Byte offsets of the places found while evaluating a body, by pointer below `values`.
pub type Offsets = Vec<(String, usize)>;

/// A body's values: attributes (evaluated; `null` left out; what cannot be evaluated unknown)
/// and nested blocks (lists of objects), meta-arguments left out.
pub fn body(
    ctx: &Ctx,
    b: &Body,
    s: &Scope,
    ptr: &str,
    places: &mut Offsets,
    depth: usize,
) -> Result<Map<String, Value>, Fail> {
    let mut out = Map::new();
    if depth > 64 {
        return Ok(out);
    }
    for st in b.iter() {
        match st {
            Structure::Attribute(a) => {
                let key = a.key.value().as_str();
                if depth == 0 && META.contains(&key) {
                    continue;
                }
                let v = match ctx.expr(&a.value, s) {
                    Ok(v) => v,
                    Err(Fail::Error(_)) => unknown(),
                    Err(b) => return Err(b),
                };
                if v.is_null() {
                    continue;
                }
                let p = child(ptr, key);
                if let Some(sp) = a.span() {
                    places.push((p.clone(), sp.start));
                }
                literal_places(&a.value, &p, places, 0);
                out.insert(key.to_string(), v);
            }
            Structure::Block(blk) => {
                let ident = blk.ident.value().as_str();
                if depth == 0 && META.contains(&ident) {
                    continue;
                }
                if ident == "dynamic" {
                    let Some(label) = blk.labels.first().map(|l| match l {
                        hcl_edit::structure::BlockLabel::Ident(x) => x.value().to_string(),
                        hcl_edit::structure::BlockLabel::String(x) => x.value().clone(),
                    }) else {
                        continue;
                    };
                    dynamic(ctx, blk, &label, s, ptr, &mut out, places, depth)?;
                    continue;
                }
                let at = blk.span().map(|sp| sp.start);
                append(ctx, &blk.body, ident, at, s, ptr, &mut out, places, depth)?;
            }
        }
    }
    Ok(out)
}

/// A `dynamic "NAME" { for_each = ...; iterator = x; content { ... } }` block: one `NAME` block
/// per element, or one block judged once when the collection is unknown.
#[allow(clippy::too_many_arguments)]
fn dynamic(
    ctx: &Ctx,
    blk: &hcl_edit::structure::Block,
    label: &str,
    s: &Scope,
    ptr: &str,
    out: &mut Map<String, Value>,
    places: &mut Offsets,
    depth: usize,
) -> Result<(), Fail> {
    let iter = blk
        .body
        .get_attribute("iterator")
        .and_then(|a| match &a.value {
            Expression::Variable(v) => Some(v.value().to_string()),
            _ => None,
        })
        .unwrap_or_else(|| label.to_string());
    let Some(content) = blk
        .body
        .blocks()
        .find(|c| c.ident.value().as_str() == "content")
    else {
        return Ok(());
    };
    let coll = match blk.body.get_attribute("for_each") {
        Some(a) => match ctx.expr(&a.value, s) {
            Ok(v) => v,
            Err(Fail::Error(_)) => unknown(),
            Err(b) => return Err(b),
        },
        None => return Ok(()),
    };
    let items = match entries(&coll) {
        Ok(Some(items)) => items,
        _ => vec![(unknown(), unknown())],
    };
    if items.len() > MAX_INSTANCES {
        return Err(Fail::Budget(format!(
            "a dynamic block makes {} blocks; at most {MAX_INSTANCES} are read",
            items.len()
        )));
    }
    for (k, v) in items {
        let mut it = Map::new();
        it.insert("key".into(), k);
        it.insert("value".into(), v);
        let inner = s.with(&iter, Value::Object(it));
        let at = content.span().map(|sp| sp.start);
        append(
            ctx,
            &content.body,
            label,
            at,
            &inner,
            ptr,
            out,
            places,
            depth,
        )?;
    }
    Ok(())
}

/// Appends one nested block's values to the list `name` of `out`, placed at `at`.
#[allow(clippy::too_many_arguments)]
fn append(
    ctx: &Ctx,
    b: &Body,
    name: &str,
    at: Option<usize>,
    s: &Scope,
    ptr: &str,
    out: &mut Map<String, Value>,
    places: &mut Offsets,
    depth: usize,
) -> Result<(), Fail> {
    let n = out.get(name).and_then(Value::as_array).map_or(0, Vec::len);
    let p = format!("{}/{n}", child(ptr, name));
    if let Some(at) = at {
        places.push((p.clone(), at));
        if n == 0 {
            places.push((child(ptr, name), at));
        }
    }
    let v = body(ctx, b, s, &p, places, depth + 1)?;
    match out
        .entry(name.to_string())
        .or_insert_with(|| Value::Array(Vec::new()))
    {
        Value::Array(a) => a.push(Value::Object(v)),
        // An attribute of the same name came first: the block replaces it.
        other => *other = Value::Array(vec![Value::Object(v)]),
    }
    Ok(())
}

/// Places inside a literal object or list value (`tags = { env = "prod" }`).
fn literal_places(e: &Expression, ptr: &str, places: &mut Offsets, depth: usize) {
    if depth > 32 {
        return;
    }
    match e {
        Expression::Object(o) => {
            for (k, v) in o.iter() {
                let key = match k {
                    ObjectKey::Ident(i) => i.value().to_string(),
                    ObjectKey::Expression(Expression::String(s)) => s.value().clone(),
                    ObjectKey::Expression(_) => continue,
                };
                let p = child(ptr, &key);
                if let Some(sp) = k.span() {
                    places.push((p.clone(), sp.start));
                }
                literal_places(v.expr(), &p, places, depth + 1);
            }
        }
        Expression::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                let p = format!("{ptr}/{i}");
                if let Some(sp) = x.span() {
                    places.push((p.clone(), sp.start));
                }
                literal_places(x, &p, places, depth + 1);
            }
        }
        _ => {}
    }
}

fn child(ptr: &str, key: &str) -> String {
    let mut p = String::with_capacity(ptr.len() + key.len() + 1);
    p.push_str(ptr);
    p.push('/');
    escape(key, &mut p);
    p
}

/// What a reference to resource `i` of `ctx`'s module sees.
pub fn reference(ctx: &Ctx, i: usize) -> R {
    let d = &ctx.module.resources[i];
    let inst = instances(ctx, &d.block.body)?;
    let mut list = Vec::new();
    let mut map = Map::new();
    let mut sink = Vec::new();
    let keyed = d.block.body.has_attribute("for_each");
    let single = matches!(inst.first(), Some((Key::Single, _)));
    for (k, s) in inst {
        if k == Key::Unknown {
            return Ok(unknown());
        }
        let v = Value::Object(body(ctx, &d.block.body, &s, "", &mut sink, 0)?);
        sink.clear();
        match k {
            Key::Name(n) if keyed => {
                map.insert(n, v);
            }
            _ => list.push(v),
        }
    }
    Ok(if single {
        list.pop().unwrap_or(Value::Null)
    } else if keyed {
        Value::Object(map)
    } else {
        Value::Array(list)
    })
}

/// One resource instance as rules see it, with where it and its properties are.
#[derive(Debug)]
pub struct Found {
    /// Index into the module's files.
    pub file: usize,
    /// The resource in the shape of a plan's `planned_values` resource.
    pub doc: Value,
    /// Line and column of its block.
    pub at: (u32, u32),
    /// Where its properties are: (JSON Pointer in the document, line, column).
    pub places: Vec<(String, u32, u32)>,
}

/// Every managed resource instance of `ctx`'s module, then its policy documents (`data` blocks of
/// the types in [`crate::iac::DOCUMENTS`]).
pub fn resources(ctx: &Ctx, out: &mut Vec<Found>) -> Result<(), Fail> {
    for (mode, decls) in [
        ("managed", &ctx.module.resources),
        ("data", &ctx.module.documents),
    ] {
        for d in decls {
            let (Some(t), Some(n)) = (d.label(0), d.label(1)) else {
                continue;
            };
            for (k, s) in instances(ctx, &d.block.body)? {
                out.push(found(ctx, d, mode, t, n, &k, &s)?);
            }
        }
    }
    Ok(())
}

fn found(
    ctx: &Ctx,
    d: &Decl,
    mode: &str,
    t: &str,
    n: &str,
    k: &Key,
    s: &Scope,
) -> Result<Found, Fail> {
    let mut offsets = Vec::new();
    let values = body(ctx, &d.block.body, s, "/values", &mut offsets, 0)?;
    let file = &ctx.module.files[d.file];
    let mut entries: Vec<(String, u32, u32)> = offsets
        .into_iter()
        .map(|(p, o)| {
            let (l, c) = file.position(o);
            (p, l, c)
        })
        .collect();
    let at = file.position(d.start());
    // The resource and its `values` are the block: a path is found member by member from there.
    entries.push((String::new(), at.0, at.1));
    entries.push(("/values".to_string(), at.0, at.1));
    let mut doc = Map::new();
    let data = if mode == "data" { "data." } else { "" };
    doc.insert(
        "address".into(),
        Value::String(format!("{}{data}{t}.{n}{}", ctx.prefix, k.suffix())),
    );
    doc.insert("mode".into(), Value::String(mode.into()));
    doc.insert("type".into(), Value::String(t.to_string()));
    doc.insert("name".into(), Value::String(n.to_string()));
    if let Some(i) = k.index() {
        doc.insert("index".into(), i);
    }
    if let Some((provider, _)) = t.split_once('_') {
        doc.insert(
            "provider_name".into(),
            Value::String(format!("registry.terraform.io/hashicorp/{provider}")),
        );
    }
    let mut values = Value::Object(values);
    crate::iac::decode_policies(t, &mut values);
    doc.insert("values".into(), values);
    Ok(Found {
        file: d.file,
        doc: Value::Object(doc),
        at,
        places: entries,
    })
}
