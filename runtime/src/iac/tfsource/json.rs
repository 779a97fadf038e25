//! Terraform's JSON syntax (`.tf.json`, `.tfvars.json`) written as native HCL, each declaration,
//! attribute and nested block on the line (and at the column) it has in the JSON file, so the
//! module is read, evaluated and located as `.tf` source is.
//!
//! JSON does not say which objects are nested blocks: Terraform asks the provider's schema. tenet
//! has none, so an object (or a list of objects) under a resource is a nested block, as it is for
//! almost every setting a rule reads, except under the names providers use for maps of strings
//! ([`MAPS`]: `tags`, `labels`, …), which stay attributes. Strings are templates (`"${var.x}"`)
//! where Terraform evaluates them, and literal in a variable's `default`, as Terraform reads them.

use crate::error::{err, InputError};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Members that are maps of strings, never nested blocks.
pub const MAPS: &[&str] = &[
    "tags",
    "tags_all",
    "labels",
    "annotations",
    "metadata",
    "resource_labels",
    "user_labels",
    "parameters",
    "variables",
    "environment_variables",
    "app_settings",
    "triggers",
    "default_tags",
    "node_labels",
    "resource_tags",
];

/// The declarations the evaluator reads; the others (`provider`, `terraform`, `check`,
/// `import`, `moved`) are left out.
const LABELLED: &[(&str, usize)] = &[
    ("resource", 2),
    ("data", 2),
    ("variable", 1),
    ("output", 1),
    ("module", 1),
];

/// What the members of a body are.
#[derive(Clone, Copy, PartialEq)]
enum Body {
    /// A resource, data source or nested block: objects are nested blocks.
    Blocks,
    /// `locals`, module arguments, outputs: every member is an expression.
    Exprs,
    /// A variable: `default` is a literal value.
    Variable,
}

/// HCL written from JSON, with the JSON place of each of its lines.
#[derive(Debug)]
pub struct Converted {
    /// The native HCL.
    pub text: String,
    /// For each line of `text`, the JSON line it comes from and what to add to a column.
    pub lines: Vec<(u32, i64)>,
}

/// The native HCL of a `.tf.json` file, or a located error.
pub fn to_hcl(name: &str, text: &str) -> Result<Converted, InputError> {
    let (doc, mut w) = start(name, text)?;
    for (k, v) in &doc {
        let ptr = child("", k);
        if k == "locals" {
            for (i, body) in bodies(v, &ptr) {
                let Value::Object(body) = body else { continue };
                w.open(&i, "locals");
                w.body(body, &i, Body::Exprs);
                w.close();
            }
            continue;
        }
        let Some(&(_, labels)) = LABELLED.iter().find(|(n, _)| n == k) else {
            continue;
        };
        let Value::Object(m) = v else { continue };
        for (l1, v1) in m {
            let p1 = child(&ptr, l1);
            if labels == 1 {
                w.declaration(k, &[l1], v1, &p1);
                continue;
            }
            let Value::Object(m2) = v1 else { continue };
            for (l2, v2) in m2 {
                w.declaration(k, &[l1, l2], v2, &child(&p1, l2));
            }
        }
    }
    Ok(w.done())
}

/// The native HCL of a `.tfvars.json` file: one attribute per variable.
pub fn tfvars_to_hcl(name: &str, text: &str) -> Result<Converted, InputError> {
    let (doc, mut w) = start(name, text)?;
    w.body(&doc, "", Body::Variable);
    Ok(w.done())
}

fn start(name: &str, text: &str) -> Result<(Map<String, Value>, Writer), InputError> {
    let doc: Value =
        serde_json::from_str(text).map_err(|e| crate::error::json_error(name, 1, 1, &e))?;
    let Value::Object(doc) = doc else {
        return Err(err(
            name,
            1,
            1,
            "a Terraform JSON file holds one object (`{\"resource\": {…}}`)",
        ));
    };
    let w = Writer {
        out: String::with_capacity(text.len()),
        line: 1,
        col: 1,
        places: places(text),
        lines: vec![(1, 0)],
    };
    Ok((doc, w))
}

/// The line and column (in characters) of every member's key and every item of a JSON text, by
/// pointer, found in one walk of its layout (members come in text order, so a cursor moving
/// forward counts lines and columns once).
fn places(text: &str) -> HashMap<String, (usize, usize)> {
    struct Cursor<'t> {
        text: &'t str,
        at: usize,
        line: usize,
        col: usize,
    }
    impl Cursor<'_> {
        fn to(&mut self, at: usize) -> (usize, usize) {
            for c in self.text.get(self.at..at).unwrap_or_default().chars() {
                if c == '\n' {
                    self.line += 1;
                    self.col = 1;
                } else {
                    self.col += 1;
                }
            }
            self.at = self.at.max(at);
            (self.line, self.col)
        }
    }
    fn walk(
        n: &crate::layout::Node,
        ptr: &mut String,
        cur: &mut Cursor,
        out: &mut HashMap<String, (usize, usize)>,
    ) {
        let len = ptr.len();
        match &n.kind {
            crate::layout::Kind::Map { members, .. } => {
                for m in members {
                    ptr.push('/');
                    crate::pointer::escape(&m.key, ptr);
                    let at = cur.to(m.key_start);
                    out.entry(ptr.clone()).or_insert(at);
                    walk(&m.value, ptr, cur, out);
                    ptr.truncate(len);
                }
            }
            crate::layout::Kind::Seq { items, .. } => {
                for (i, c) in items.iter().enumerate() {
                    ptr.push_str(&format!("/{i}"));
                    let at = cur.to(c.start);
                    out.insert(ptr.clone(), at);
                    walk(c, ptr, cur, out);
                    ptr.truncate(len);
                }
            }
            crate::layout::Kind::Scalar(_) => {}
        }
    }
    let mut out = HashMap::new();
    if let Some(root) = crate::layout::json(text) {
        let mut cur = Cursor {
            text,
            at: 0,
            line: 1,
            col: 1,
        };
        walk(&root, &mut String::new(), &mut cur, &mut out);
    }
    out
}

/// The bodies of a declaration: an object, or each object of a list (with its pointer).
fn bodies<'v>(v: &'v Value, ptr: &str) -> Vec<(String, &'v Value)> {
    match v {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, b)| (format!("{ptr}/{i}"), b))
            .collect(),
        other => vec![(ptr.to_string(), other)],
    }
}

fn child(ptr: &str, key: &str) -> String {
    crate::pointer::child(ptr, key)
}

struct Writer {
    out: String,
    /// Where the text written so far ends.
    line: usize,
    col: usize,
    /// Where the JSON's nodes are.
    places: HashMap<String, (usize, usize)>,
    /// The JSON line and column shift of each line written.
    lines: Vec<(u32, i64)>,
}

impl Writer {
    /// Moves to a new line, on the line of the JSON node at `ptr` when the text is not past it
    /// (so a pretty-printed file keeps its line numbers), and records where that line comes
    /// from and how far its columns are from the JSON's (nothing is padded: a minified file's
    /// columns would make every line as long as the file).
    fn goto(&mut self, ptr: &str) {
        if self.col > 1 {
            self.newline();
        }
        let Some(&(line, col)) = self.places.get(ptr) else {
            return;
        };
        while self.line < line {
            self.newline();
        }
        if let Some(l) = self.lines.last_mut() {
            *l = (line as u32, col as i64 - self.col as i64);
        }
    }

    fn newline(&mut self) {
        self.out.push('\n');
        self.line += 1;
        self.col = 1;
        // Until a node is written on it, a line stands for the one before.
        let last = self.lines.last().map_or(1, |l| l.0);
        self.lines.push((last, 0));
    }

    fn done(self) -> Converted {
        Converted {
            text: self.out,
            lines: self.lines,
        }
    }

    /// Writes text without a line break (expressions are written on one line).
    fn push(&mut self, s: &str) {
        self.out.push_str(s);
        self.col += s.chars().count();
    }

    fn open(&mut self, ptr: &str, header: &str) {
        self.goto(ptr);
        self.push(header);
        self.push(" {");
    }

    fn close(&mut self) {
        self.newline();
        self.push("}");
    }

    fn declaration(&mut self, kind: &str, labels: &[&String], v: &Value, ptr: &str) {
        let mut header = kind.to_string();
        for l in labels {
            header.push(' ');
            header.push_str(&quoted(l));
        }
        let body = match kind {
            "resource" | "data" => Body::Blocks,
            "variable" => Body::Variable,
            _ => Body::Exprs,
        };
        for (p, b) in bodies(v, ptr) {
            let Value::Object(b) = b else { continue };
            self.open(&p, &header);
            self.body(b, &p, body);
            self.close();
        }
    }

    fn body(&mut self, m: &Map<String, Value>, ptr: &str, kind: Body) {
        for (k, v) in m {
            let p = child(ptr, k);
            if k == "//" || !is_ident(k) {
                continue;
            }
            match (kind, k.as_str(), v) {
                // Meta arguments the evaluator leaves out, and references written as text.
                (_, "lifecycle" | "connection" | "provisioner" | "depends_on" | "providers", _)
                | (_, "provider", _)
                | (Body::Variable, "type" | "validation", _) => {}
                (Body::Blocks, "dynamic", Value::Object(d)) => {
                    for (name, spec) in d {
                        let dp = child(&p, name);
                        for (sp, s) in bodies(spec, &dp) {
                            let Value::Object(s) = s else { continue };
                            self.dynamic(name, s, &sp);
                        }
                    }
                }
                (Body::Blocks, _, Value::Object(b)) if !MAPS.contains(&k.as_str()) => {
                    self.open(&p, k);
                    self.body(b, &p, Body::Blocks);
                    self.close();
                }
                (Body::Blocks, _, Value::Array(items))
                    if !items.is_empty()
                        && items.iter().all(Value::is_object)
                        && !MAPS.contains(&k.as_str()) =>
                {
                    for (i, b) in items.iter().enumerate() {
                        let ip = format!("{p}/{i}");
                        self.open(&ip, k);
                        if let Value::Object(b) = b {
                            self.body(b, &ip, Body::Blocks);
                        }
                        self.close();
                    }
                }
                _ => {
                    self.goto(&p);
                    let literal = kind == Body::Variable;
                    self.push(&format!("{k} = {}", expr(v, literal)));
                }
            }
        }
    }

    /// `"dynamic": {"NAME": {"for_each": …, "iterator": …, "content": {…}}}`.
    fn dynamic(&mut self, name: &str, s: &Map<String, Value>, ptr: &str) {
        self.open(ptr, &format!("dynamic {}", quoted(name)));
        for (k, v) in s {
            let p = child(ptr, k);
            match (k.as_str(), v) {
                ("content", Value::Object(c)) => {
                    self.open(&p, "content");
                    self.body(c, &p, Body::Blocks);
                    self.close();
                }
                ("for_each" | "labels", _) => {
                    self.goto(&p);
                    self.push(&format!("{k} = {}", expr(v, false)));
                }
                ("iterator", Value::String(i)) if is_ident(i) => {
                    self.goto(&p);
                    self.push(&format!("iterator = {i}"));
                }
                _ => {}
            }
        }
        self.close();
    }
}

/// A name HCL takes as an identifier.
fn is_ident(s: &str) -> bool {
    let mut c = s.chars();
    c.next().is_some_and(|f| f.is_alphabetic() || f == '_')
        && c.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

fn quoted(s: &str) -> String {
    // A label is not a template: `${` is written as the literal it is.
    serde_json::to_string(&s.replace("${", "$${").replace("%{", "%%{")).unwrap_or_default()
}

/// A JSON value as an HCL expression: strings are templates unless `literal`.
fn expr(v: &Value, literal: bool) -> String {
    match v {
        Value::String(s) if literal => quoted(s),
        Value::String(s) => serde_json::to_string(s).unwrap_or_default(),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(|i| expr(i, literal)).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(m) => {
            let members: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{} = {}", quoted(k), expr(v, literal)))
                .collect();
            format!("{{{}}}", members.join(", "))
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations_keep_their_lines() {
        let json = r#"{
  "//": "generated",
  "variable": {"tls": {"default": "TLS1_0", "type": "string"}},
  "locals": {"name": "${var.prefix}-logs"},
  "resource": {
    "azurerm_storage_account": {
      "sa": {
        "name": "${local.name}",
        "min_tls_version": "${var.tls}",
        "tags": {"env": "prod"},
        "network_rules": {"default_action": "Deny"},
        "blob_properties": [{"versioning_enabled": true}],
        "dynamic": {"rule": {"for_each": "${var.rules}", "content": {"x": "${rule.value}"}}}
      }
    }
  }
}"#;
        let c = to_hcl("main.tf.json", json).unwrap();
        let hcl = &c.text;
        assert!(hcl_edit::parser::parse_body(hcl).is_ok(), "{hcl}");
        // Each line written maps back to the JSON line it comes from.
        let json_line = |what: &str| {
            let i = hcl.lines().position(|l| l.trim_start().starts_with(what));
            i.map(|i| c.lines[i].0)
        };
        for (what, line) in [
            ("variable \"tls\" {", 3),
            ("default = \"TLS1_0\"", 3),
            ("name = \"${var.prefix}-logs\"", 4),
            ("resource \"azurerm_storage_account\" \"sa\" {", 7),
            ("min_tls_version = \"${var.tls}\"", 9),
            ("tags = {\"env\" = \"prod\"}", 10),
            ("network_rules {", 11),
            ("default_action = \"Deny\"", 11),
            ("blob_properties {", 12),
            ("versioning_enabled = true", 12),
            ("dynamic \"rule\" {", 13),
            ("x = \"${rule.value}\"", 13),
        ] {
            assert_eq!(json_line(what), Some(line), "{what}\n{hcl}");
        }
        // The column of an attribute is its key's.
        let i = hcl
            .lines()
            .position(|l| l.contains("min_tls_version"))
            .unwrap();
        let col = hcl.lines().nth(i).unwrap().find('m').unwrap() as i64 + 1 + c.lines[i].1;
        assert_eq!(col, 9);
    }

    /// A minified file is one line: its columns are recorded, never padded, so the HCL stays the
    /// size of the JSON (padding made it grow with the square of the file).
    #[test]
    fn a_minified_file_stays_its_size_and_keeps_its_columns() {
        let buckets: Vec<String> = (0..2000)
            .map(|i| format!("\"b{i}\":{{\"bucket\":\"x{i}\",\"acl\":\"private\"}}"))
            .collect();
        let json = format!(
            "{{\"resource\":{{\"aws_s3_bucket\":{{{}}}}}}}",
            buckets.join(",")
        );
        let c = to_hcl("min.tf.json", &json).unwrap();
        assert!(
            c.text.len() < 2 * json.len(),
            "{} bytes from {}",
            c.text.len(),
            json.len()
        );
        let i = c
            .text
            .lines()
            .position(|l| l == "acl = \"private\"")
            .unwrap();
        let want = json.find("\"acl\"").unwrap() as i64 + 1;
        assert_eq!((c.lines[i].0, 1 + c.lines[i].1), (1, want));
    }

    #[test]
    fn defaults_are_literal_and_errors_are_located() {
        let hcl = to_hcl("v.tf.json", r#"{"variable": {"x": {"default": "${not}"}}}"#)
            .unwrap()
            .text;
        assert!(hcl.contains("default = \"$${not}\""), "{hcl}");
        let e = to_hcl("bad.tf.json", "{\n  \"resource\": [\n").unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("bad.tf.json", 3));
        assert!(to_hcl("list.tf.json", "[]").is_err());
    }
}
