//! YAML read into JSON values in one pass over a YAML event parser, with the line each document
//! starts on and the place of every node; and JSON values written back as block YAML.
//!
//! The reader is strict where leniency would let a file choose its own verdict: a mapping that
//! repeats a key, a tag no format defines, nesting deeper than [`MAX_DEPTH`] and aliases that
//! expand past [`MAX_ALIAS_NODES`] are located errors, never a silently chosen value.

use super::locate::Index;
use crate::error::{err, InputError};
use crate::pointer::escape;
use saphyr_parser::{Event, Parser, ScalarStyle, Tag};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// The deepest nesting of mappings and sequences read (JSON's limit too).
pub const MAX_DEPTH: usize = 128;

/// The most nodes that aliases may copy into one file's values, so a few lines of anchors
/// cannot expand into gigabytes.
pub const MAX_ALIAS_NODES: usize = 1_000_000;

/// CloudFormation's short-form intrinsic and rule functions, the tags a format defines: `!Ref x`
/// is read as `{"!Ref": x}`, which [`crate::iac::cloudformation`] understands. The directives of
/// AWS's `rain` tool (`!Rain::Embed`) are read the same way and evaluate as unknown.
pub const CLOUDFORMATION_TAGS: &[&str] = &[
    "Ref",
    "Condition",
    "Base64",
    "Cidr",
    "FindInMap",
    "GetAtt",
    "GetAZs",
    "ImportValue",
    "Join",
    "Length",
    "Select",
    "Split",
    "Sub",
    "ToJsonString",
    "Transform",
    "And",
    "Equals",
    "If",
    "Not",
    "Or",
    "Contains",
    "EachMemberEquals",
    "EachMemberIn",
    "RefAll",
    "ValueOf",
    "ValueOfAll",
];

/// A YAML file read: its documents with the line each starts on, and the place of each node
/// (document `k`'s nodes are under `/k`).
#[derive(Debug)]
pub struct Documents {
    /// The documents, in order, each with its first line.
    pub docs: Vec<(Value, usize)>,
    /// Where each node is.
    pub index: Index,
}

/// Parses multi-document YAML into documents with the line each starts on.
pub fn yaml_documents(file: &str, text: &str) -> Result<Vec<(Value, usize)>, InputError> {
    read(file, text).map(|d| d.docs)
}

/// Reads one YAML document into a typed value (a configuration file); errors name the line and
/// column of the member at fault. An empty file reads as YAML `null`.
pub fn from_str<T: serde::de::DeserializeOwned>(file: &str, text: &str) -> Result<T, InputError> {
    let Documents { docs, index } = read(file, text)?;
    if docs.len() > 1 {
        let line = docs.get(1).map_or(0, |d| d.1);
        return Err(err(
            file,
            line,
            1,
            "this file holds more than one YAML document; keep one",
        ));
    }
    let value = docs.into_iter().next().map_or(Value::Null, |d| d.0);
    serde_path_to_error::deserialize(&value).map_err(|e| {
        let mut ptr = String::from("/0");
        for seg in e.path().iter() {
            use serde_path_to_error::Segment;
            match seg {
                Segment::Seq { index } => {
                    ptr.push('/');
                    ptr.push_str(&index.to_string());
                }
                Segment::Map { key } | Segment::Enum { variant: key } => {
                    ptr.push('/');
                    escape(key, &mut ptr);
                }
                Segment::Unknown => {}
            }
        }
        // The deepest node that is in the file (a missing member is reported at its parent).
        let mut at = (0, 0);
        let mut p = ptr.as_str();
        loop {
            if let Some(lc) = index.get(p) {
                at = lc;
                break;
            }
            match p.rfind('/') {
                Some(0) | None => break,
                Some(i) => p = &p[..i],
            }
        }
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        let message = if path == "." {
            inner
        } else {
            format!("{path}: {inner}")
        };
        err(file, at.0, at.1, message)
    })
}

/// A container being built.
enum Frame {
    Map {
        map: Map<String, Value>,
        /// The key read, waiting for its value.
        key: Option<String>,
        /// Values of merge keys (`<<: *base`), applied at the end.
        merged: Vec<Value>,
        anchor: usize,
        tag: Option<String>,
    },
    Seq {
        items: Vec<Value>,
        anchor: usize,
        tag: Option<String>,
    },
}

/// Reads a (multi-document) YAML text.
pub fn read(file: &str, text: &str) -> Result<Documents, InputError> {
    read_part(file, text, 1, 0)
}

/// Reads a part of a YAML stream that starts on line `first_line` of its file, after
/// `first_doc` documents: lines in values, places and errors are the file's, and document `k`
/// of the part has its nodes under `/{first_doc + k}`.
pub fn read_part(
    file: &str,
    text: &str,
    first_line: usize,
    first_doc: usize,
) -> Result<Documents, InputError> {
    let skip = first_line.saturating_sub(1);
    let mut docs = Vec::new();
    let mut places: Vec<(String, u32, u32)> = Vec::new();
    let mut stack: Vec<(Frame, usize)> = Vec::new();
    let mut anchors: HashMap<usize, (Value, usize)> = HashMap::new();
    let mut copied = 0usize;
    let mut ptr = String::new();
    let mut doc_line = 1usize;
    let mut parser = Parser::new_from_str(text);
    while let Some(ev) = parser.next_event() {
        let (ev, span) = ev.map_err(|e| {
            let m = e.marker();
            // At the end of the text the parser's mark can stand one line past it; the error is
            // then shown at the end of the last line.
            let lines = text.split('\n').count();
            let (line, col) = if m.line() > lines {
                let last = text.rsplit('\n').next().unwrap_or_default();
                (lines, last.chars().count() + 1)
            } else {
                (m.line(), m.col() + 1)
            };
            err(
                file,
                skip + line,
                col,
                format!("invalid YAML: {}", e.info()),
            )
        })?;
        let (line, col) = (skip + span.start.line(), span.start.col() + 1);
        let at = |message: String| err(file, line, col, message);
        // The value of this event, when it completes one.
        let value = match ev {
            Event::DocumentStart(explicit) => {
                ptr = format!("/{}", first_doc + docs.len());
                // An implicit document starts the file, or follows a `...` line.
                doc_line = match explicit {
                    true => line + 1,
                    false if first_line == 1 && docs.is_empty() => 1,
                    false => line,
                };
                stack.clear();
                anchors.clear();
                None
            }
            Event::MappingStart(anchor, tag) | Event::SequenceStart(anchor, tag)
                if stack.len() >= MAX_DEPTH =>
            {
                let _ = (anchor, tag);
                return Err(at(format!(
                    "YAML nested deeper than {MAX_DEPTH} levels; no infrastructure file needs that many, so it is refused"
                )));
            }
            Event::MappingStart(anchor, tag) => {
                let tag = tag.map(|t| check_tag(&t)).transpose().map_err(at)?;
                let base = place(&mut stack, &mut ptr, &mut places, line, col);
                stack.push((
                    Frame::Map {
                        map: Map::new(),
                        key: None,
                        merged: Vec::new(),
                        anchor,
                        tag,
                    },
                    base,
                ));
                None
            }
            Event::SequenceStart(anchor, tag) => {
                let tag = tag.map(|t| check_tag(&t)).transpose().map_err(at)?;
                let base = place(&mut stack, &mut ptr, &mut places, line, col);
                stack.push((
                    Frame::Seq {
                        items: Vec::new(),
                        anchor,
                        tag,
                    },
                    base,
                ));
                None
            }
            Event::MappingEnd | Event::SequenceEnd => match stack.pop() {
                Some((frame, base)) => {
                    ptr.truncate(base);
                    let (v, anchor, tag) = match frame {
                        Frame::Map {
                            mut map,
                            merged,
                            anchor,
                            tag,
                            ..
                        } => {
                            for m in merged {
                                if let Value::Object(m) = m {
                                    for (k, v) in m {
                                        map.entry(k).or_insert(v);
                                    }
                                }
                            }
                            (Value::Object(map), anchor, tag)
                        }
                        Frame::Seq {
                            items, anchor, tag, ..
                        } => (Value::Array(items), anchor, tag),
                    };
                    if anchor != 0 {
                        anchors.insert(anchor, (v.clone(), nodes(&v)));
                    }
                    Some(tagged(tag, v))
                }
                None => None,
            },
            Event::Scalar(s, style, anchor, tag) => {
                let tag = tag.map(|t| check_tag(&t)).transpose().map_err(at)?;
                let v = scalar(&s, style, tag.as_deref()).map_err(at)?;
                if anchor != 0 {
                    anchors.insert(anchor, (v.clone(), 1));
                }
                leaf(&mut stack, &mut ptr, &mut places, v, line, col, file)?
            }
            Event::Alias(id) => {
                let Some((v, n)) = anchors.get(&id) else {
                    return Err(at("an alias names an anchor that is not defined".into()));
                };
                copied += n;
                if copied > MAX_ALIAS_NODES {
                    return Err(at(format!(
                        "aliases copy more than {MAX_ALIAS_NODES} nodes; the file is refused rather than expanded"
                    )));
                }
                leaf(
                    &mut stack,
                    &mut ptr,
                    &mut places,
                    v.clone(),
                    line,
                    col,
                    file,
                )?
            }
            Event::DocumentEnd | Event::StreamStart | Event::StreamEnd | Event::Nothing => None,
        };
        let Some(v) = value else { continue };
        match stack.last_mut() {
            None => docs.push((v, doc_line)),
            Some((Frame::Seq { items, .. }, _)) => items.push(v),
            Some((
                Frame::Map {
                    map, key, merged, ..
                },
                _,
            )) => match key.take() {
                Some(k) if k == "<<" => match v {
                    Value::Array(items) => merged.extend(items),
                    v => merged.push(v),
                },
                Some(k) => {
                    map.insert(k, v);
                }
                // A mapping or sequence used as a key: read as its JSON text.
                None => {
                    let k = v.to_string();
                    set_key(
                        &mut stack,
                        &mut ptr,
                        &mut places,
                        k,
                        (line, col),
                        file,
                        false,
                    )?;
                }
            },
        }
    }
    Ok(Documents {
        docs,
        index: Index::from_unsorted(places),
    })
}

/// A scalar or an alias: a key when the mapping being built waits for one (`None`), else a value
/// placed in its container.
fn leaf(
    stack: &mut [(Frame, usize)],
    ptr: &mut String,
    places: &mut Vec<(String, u32, u32)>,
    v: Value,
    line: usize,
    col: usize,
    file: &str,
) -> Result<Option<Value>, InputError> {
    if matches!(stack.last(), Some((Frame::Map { key: None, .. }, _))) {
        let k = match v {
            Value::String(s) => s,
            other => other.to_string(),
        };
        set_key(stack, ptr, places, k, (line, col), file, true)?;
        return Ok(None);
    }
    place(stack, ptr, places, line, col);
    Ok(Some(v))
}

/// Records a node in value position: its pointer, from the enclosing frame. Returns the
/// length of the pointer before it, for the frame the node may open.
fn place(
    stack: &mut [(Frame, usize)],
    ptr: &mut String,
    places: &mut Vec<(String, u32, u32)>,
    line: usize,
    col: usize,
) -> usize {
    match stack.last_mut() {
        Some((Frame::Seq { items, .. }, base)) => {
            ptr.truncate(*base);
            ptr.push('/');
            ptr.push_str(&items.len().to_string());
            places.push((ptr.clone(), line as u32, col as u32));
        }
        Some((Frame::Map { key: None, .. }, base)) => {
            // A mapping or sequence as a key: it has no pointer of its own.
            ptr.truncate(*base);
        }
        // The value of a key: the pointer is already the key's.
        Some((Frame::Map { .. }, _)) | None => {}
    }
    ptr.len()
}

/// Sets the key of the mapping being built, refusing one it already has. A scalar key
/// (`pointed`) also gets its place, which names the first copy when a key repeats; a mapping or
/// sequence used as a key has none.
fn set_key(
    stack: &mut [(Frame, usize)],
    ptr: &mut String,
    places: &mut Vec<(String, u32, u32)>,
    k: String,
    (line, col): (usize, usize),
    file: &str,
    pointed: bool,
) -> Result<(), InputError> {
    let Some((Frame::Map { map, key, .. }, base)) = stack.last_mut() else {
        return Ok(());
    };
    if pointed {
        ptr.truncate(*base);
        ptr.push('/');
        escape(&k, ptr);
    }
    // Merge keys (`<<`) may repeat; they never enter the map.
    if map.contains_key(&k) {
        let first = places
            .iter()
            .rev()
            .find(|p| pointed && p.0 == *ptr)
            .map(|p| format!(" (first at line {}, column {})", p.1, p.2))
            .unwrap_or_default();
        return Err(err(
            file,
            line,
            col,
            format!(
                "the key `{}` appears twice in this mapping{first}; tools disagree on which one \
                 applies, so remove one",
                shown(&k)
            ),
        ));
    }
    if pointed {
        places.push((ptr.clone(), line as u32, col as u32));
    }
    *key = Some(k);
    Ok(())
}

/// A key as an error message shows it: control characters escaped, long keys cut.
fn shown(k: &str) -> String {
    let mut out: String = k.chars().take(80).flat_map(char::escape_debug).collect();
    if k.chars().count() > 80 {
        out.push('…');
    }
    out
}

/// The number of nodes in a value (to bound what aliases copy).
fn nodes(v: &Value) -> usize {
    match v {
        Value::Array(a) => 1 + a.iter().map(nodes).sum::<usize>(),
        Value::Object(m) => 1 + m.values().map(nodes).sum::<usize>(),
        _ => 1,
    }
}

/// A tag this reader understands, in the form it keeps: `None` for the core schema's tags (the
/// value's own kind says it all), `Some("str")`, ... for core scalars that change resolution, and
/// `Some("!Ref")` for CloudFormation's. Any other tag is refused.
fn check_tag(t: &Tag) -> Result<String, String> {
    if t.is_yaml_core_schema() {
        return match t.suffix.as_str() {
            "str" | "int" | "float" | "bool" | "null" | "map" | "seq" | "binary" | "timestamp" => {
                Ok(format!("!!{}", t.suffix))
            }
            other => Err(format!(
                "the YAML tag `!!{}` is not one tenet reads; remove it",
                shown(other)
            )),
        };
    }
    if t.handle == "!" && t.suffix.is_empty() {
        return Ok("!".into());
    }
    if t.handle == "!"
        && (CLOUDFORMATION_TAGS.contains(&t.suffix.as_str()) || t.suffix.starts_with("Rain::"))
    {
        return Ok(format!("!{}", t.suffix));
    }
    Err(format!(
        "the YAML tag `{}` is not one tenet reads: a tag can change what the value means, so the \
         document is not evaluated; tenet reads the YAML core tags (`!!str`, ...) and \
         CloudFormation's short functions (`!Ref`, `!Sub`, `!GetAtt`, ...)",
        shown(&t.to_string())
    ))
}

/// Wraps a value in its CloudFormation tag: `!Ref x` is `{"!Ref": x}`.
fn tagged(tag: Option<String>, v: Value) -> Value {
    match tag {
        Some(t) if !t.starts_with("!!") && t != "!" => {
            let mut m = Map::new();
            m.insert(t, v);
            Value::Object(m)
        }
        _ => v,
    }
}

/// A scalar's value: plain scalars resolve by YAML 1.2's core schema (`null`, `true`, `12`,
/// `1.5`, ...); quoted ones are strings; a core tag forces its kind; numbers JSON cannot hold
/// (`.nan`, `.inf`) become strings.
fn scalar(s: &str, style: ScalarStyle, tag: Option<&str>) -> Result<Value, String> {
    let plain = style == ScalarStyle::Plain;
    let v = match tag {
        Some("!!str" | "!!binary" | "!!timestamp" | "!") => Value::String(s.to_string()),
        Some("!!null") => Value::Null,
        Some("!!bool") => match parse_bool(s) {
            Some(b) => Value::Bool(b),
            None => return Err(format!("`{}` is not a boolean", shown(s))),
        },
        Some("!!int" | "!!float") => match number(s) {
            Some(v) => v,
            None => return Err(format!("`{}` is not a number", shown(s))),
        },
        Some("!!map" | "!!seq") => {
            return Err("a scalar cannot carry a mapping or sequence tag".into())
        }
        Some(cfn) => {
            let mut m = Map::new();
            m.insert(cfn.to_string(), resolve(s, plain));
            return Ok(Value::Object(m));
        }
        None => resolve(s, plain),
    };
    Ok(v)
}

fn resolve(s: &str, plain: bool) -> Value {
    if !plain {
        return Value::String(s.to_string());
    }
    if matches!(s, "" | "~" | "null" | "Null" | "NULL") {
        return Value::Null;
    }
    if let Some(b) = parse_bool(s) {
        return Value::Bool(b);
    }
    number(s).unwrap_or_else(|| Value::String(s.to_string()))
}

fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// A YAML 1.2 core-schema number: decimal, `0x` and `0o` integers, and floats; `.inf` and `.nan`
/// as strings (JSON has no such numbers). Digits with leading zeros (`0755`) stay strings.
fn number(s: &str) -> Option<Value> {
    let (neg, digits) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() {
        return None;
    }
    for (prefix, radix) in [("0x", 16), ("0o", 8)] {
        if let Some(rest) = digits.strip_prefix(prefix) {
            if rest.is_empty() || !rest.bytes().all(|b| (b as char).is_digit(radix)) {
                return None;
            }
            let n = u64::from_str_radix(rest, radix).ok()?;
            return if neg {
                i64::try_from(n).ok().map(|n| Value::from(-n))
            } else {
                Some(Value::from(n))
            };
        }
    }
    if matches!(digits, ".inf" | ".Inf" | ".INF") {
        return Some(Value::String(s.to_string()));
    }
    if !neg && matches!(s, ".nan" | ".NaN" | ".NAN") {
        return Some(Value::String(s.to_string()));
    }
    if digits.bytes().all(|b| b.is_ascii_digit()) {
        if digits.len() > 1 && digits.starts_with('0') {
            return None;
        }
        if neg {
            if let Ok(n) = s.parse::<i64>() {
                return Some(Value::from(n));
            }
        } else if let Ok(n) = digits.parse::<u64>() {
            return Some(Value::from(n));
        }
    }
    // A float: digits with a point and/or an exponent, nothing else.
    let b = digits.as_bytes();
    let mut i = 0;
    let int = b.iter().take_while(|c| c.is_ascii_digit()).count();
    i += int;
    let mut frac = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        frac = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        i += frac;
    }
    if int + frac == 0 {
        return None;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let e = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if e == 0 {
            return None;
        }
        i += e;
    }
    if i != b.len() {
        return None;
    }
    let f: f64 = s.parse().ok()?;
    if !f.is_finite() {
        return Some(Value::String(s.to_string()));
    }
    serde_json::Number::from_f64(f).map(Value::Number)
}

/// Writes a value as block YAML (a document without the `---` marker), ending in a newline.
/// Strings that another reader could take for something else (`yes`, `012`, `a: b`) are quoted.
pub fn to_string(v: &Value) -> String {
    let mut out = String::new();
    match v {
        Value::Object(m) if !m.is_empty() => write_map(m, 0, &mut out),
        Value::Array(a) if !a.is_empty() => write_seq(a, 0, &mut out),
        other => {
            write_scalar(other, &mut out);
            out.push('\n');
        }
    }
    out
}

fn indent(n: usize, out: &mut String) {
    out.extend(std::iter::repeat_n(' ', n));
}

fn write_map(m: &Map<String, Value>, ind: usize, out: &mut String) {
    let mut first = true;
    for (k, v) in m {
        if !first {
            indent(ind, out);
        }
        first = false;
        write_str(k, out);
        out.push(':');
        match v {
            Value::Object(m) if !m.is_empty() => {
                out.push('\n');
                indent(ind + 2, out);
                write_map(m, ind + 2, out);
            }
            Value::Array(a) if !a.is_empty() => {
                out.push('\n');
                indent(ind, out);
                write_seq(a, ind, out);
            }
            other => {
                out.push(' ');
                write_scalar(other, out);
                out.push('\n');
            }
        }
    }
}

fn write_seq(a: &[Value], ind: usize, out: &mut String) {
    let mut first = true;
    for v in a {
        if !first {
            indent(ind, out);
        }
        first = false;
        out.push_str("- ");
        match v {
            Value::Object(m) if !m.is_empty() => write_map(m, ind + 2, out),
            Value::Array(a) if !a.is_empty() => write_seq(a, ind + 2, out),
            other => {
                write_scalar(other, out);
                out.push('\n');
            }
        }
    }
}

/// A scalar (or an empty collection) as YAML writes it in block or flow context: strings plain
/// when that is safe, else double-quoted.
pub fn scalar_text(v: &Value) -> String {
    let mut out = String::new();
    write_scalar(v, &mut out);
    out
}

fn write_scalar(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => write_str(s, out),
        Value::Object(_) => out.push_str("{}"),
        Value::Array(_) => out.push_str("[]"),
        other => out.push_str(&other.to_string()),
    }
}

/// A string, plain when every YAML reader takes it for that same string, double-quoted (JSON's
/// escapes, which YAML shares) otherwise.
fn write_str(s: &str, out: &mut String) {
    if plain_safe(s) {
        out.push_str(s);
    } else {
        out.push_str(&Value::String(s.to_string()).to_string());
    }
}

fn plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) || first.is_whitespace() {
        return false;
    }
    if s.ends_with(char::is_whitespace) || s.ends_with(':') {
        return false;
    }
    if s.contains(": ") || s.contains(" #") || s.chars().any(|c| c.is_control()) {
        return false;
    }
    // Strings other readers resolve to something else: YAML 1.1's booleans and anything numeric.
    let lower = s.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null" | "~"
    ) {
        return false;
    }
    // YAML 1.1 also reads `1_000`, `1:30` and `2001-12-14` as numbers and dates.
    !(number(s).is_some()
        || s.starts_with(|c: char| c.is_ascii_digit() || c == '.')
            && s.bytes()
                .all(|b| b.is_ascii_digit() || b"._:-+eE".contains(&b)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn one(text: &str) -> Result<Value, InputError> {
        read("f.yaml", text).map(|d| d.docs.into_iter().next().map_or(Value::Null, |d| d.0))
    }

    #[test]
    fn scalars_resolve_by_the_core_schema() {
        let v = one("a: 1\nb: -2\nc: 1.5\nd: true\ne: ~\nf: '1'\ng: 0755\nh: 0x1f\ni: .inf\nj: 1e3\nk: yes\nl: !!str 3\nm:\n").unwrap();
        assert_eq!(
            v,
            json!({"a": 1, "b": -2, "c": 1.5, "d": true, "e": null, "f": "1", "g": "0755",
                   "h": 31, "i": ".inf", "j": 1000.0, "k": "yes", "l": "3", "m": null})
        );
    }

    #[test]
    fn an_error_at_the_end_is_shown_on_the_last_line() {
        // The parser's mark stands past the text here; found by the loaders' fuzz target.
        let e = one("- name: x\n  resource:\n    metadata: {na").unwrap_err();
        assert_eq!((e.line, e.col), (3, 18), "{e}");
    }

    #[test]
    fn repeated_keys_are_refused_where_they_repeat() {
        let e = one("spec:\n  privileged: true\n  privileged: false\n").unwrap_err();
        assert_eq!((e.line, e.col), (3, 3));
        assert!(e.message.contains("`privileged` appears twice"), "{e}");
        assert!(e.message.contains("line 2, column 3"), "{e}");
        // The same key in two mappings, and merge keys, are fine.
        let v = one("base: &b {x: 1, y: 2}\na: {x: 0}\nc:\n  <<: *b\n  x: 3\n").unwrap();
        assert_eq!(v["c"], json!({"x": 3, "y": 2}));
    }

    #[test]
    fn unknown_tags_are_refused_and_known_ones_kept() {
        let e = one("kind: Pod\nspec: !Anything\n  privileged: true\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("`!Anything`"), "{e}");
        let v = one("a: !Ref Bucket\nb: !GetAtt [X, Arn]\nc: !Sub\n  - x\n").unwrap();
        assert_eq!(
            v,
            json!({"a": {"!Ref": "Bucket"}, "b": {"!GetAtt": ["X", "Arn"]}, "c": {"!Sub": ["x"]}})
        );
        assert!(one("a: !!python/object x\n").is_err());
    }

    #[test]
    fn depth_and_alias_expansion_are_bounded() {
        let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        let e = one(&deep).unwrap_err();
        assert!(e.message.contains("nested deeper"), "{e}");
        assert!(one(&("[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH))).is_ok());
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let prev = (b'a' + i - 1) as char;
            let this = (b'a' + i) as char;
            bomb.push_str(&format!(
                "{this}: &{this} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        let e = one(&bomb).unwrap_err();
        assert!(e.message.contains("aliases copy more than"), "{e}");
    }

    #[test]
    fn documents_keep_their_lines_and_places() {
        let d = read("f", "a: 1\n---\nkind: Pod\nspec:\n  x: [1, {y: 2}]\n").unwrap();
        assert_eq!(d.docs.iter().map(|d| d.1).collect::<Vec<_>>(), vec![1, 3]);
        assert_eq!(d.index.get("/1/spec/x/1/y"), Some((5, 11)));
        assert_eq!(d.index.get("/0/a"), Some((1, 1)));
    }

    #[test]
    fn written_yaml_reads_back_the_same() {
        let v = json!({"a": {"b": [1, "yes", "0755", "x: y", "", {"c": null, "d": []}], "e": {}},
                       "f": [[1, 2], ["g"]], "h": "multi\nline", "i": "-x", "j": 1.5});
        let text = to_string(&v);
        assert_eq!(one(&text).unwrap(), v, "{text}");
    }

    #[test]
    fn typed_reads_name_the_place_at_fault() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct F {
            version: u32,
            items: Vec<Item>,
        }
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Item {
            name: String,
        }
        let e = from_str::<F>("f", "version: 1\nitems:\n  - name: a\n  - name: [b]\n").unwrap_err();
        assert_eq!((e.line, e.col), (4, 5), "{e}");
        assert!(e.message.starts_with("items[1].name: invalid type"), "{e}");
    }
}
