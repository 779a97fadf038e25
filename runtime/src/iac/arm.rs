//! Azure Resource Manager templates: each entry of `resources` (an array, or an object of
//! symbolic names) becomes a resource, and so does each child resource, with the type and name
//! of its parent prefixed (`Microsoft.Sql/servers/databases`, `server/db`).
//!
//! Template expressions (`"[concat(parameters('prefix'), 'sa')]"`) are evaluated where their
//! inputs are known: `parameters` (the `defaultValue`), `variables`, `concat`, `format`,
//! `toLower`, `toUpper`, `if`, `equals`, `not`, `and`, `or`, `replace`, `string`, `int`, `bool`,
//! `length`, `empty`, `contains`, `coalesce`, `createArray`, `substring`, `trim`, `startsWith`,
//! `endsWith`, `split`, `first`, `last`, and member and index access. A resource with a `copy`
//! loop whose count is known becomes one resource per iteration, with `copyIndex()` bound;
//! property loops build the arrays they name.
//! Nested deployments are expanded: inline templates, and templates linked by a relative path in
//! the linking template's folder.
//! `resourceId`, `uniqueString`, `resourceGroup`, `subscription`, `reference`, `list*`, and the
//! rest depend on the deployment, so they (and every expression using them) are
//! [`unknown`]. A resource's `name` keeps its expression text when it is unknown, so it still
//! identifies the resource.

use super::{adapt_err, child, is_unknown, unknown, Adapted};
use serde_json::{Map, Number, Value};
use std::path::{Component, Path, PathBuf};

struct Ctx<'a> {
    params: Option<&'a Map<String, Value>>,
    vars: Option<&'a Map<String, Value>>,
    /// Nesting of inline deployments.
    level: usize,
    /// The iteration of the resource `copy` loop being expanded (`copyIndex()`).
    copy: Option<i64>,
    /// The folder of the template, where its linked templates (`templateLink.relativePath`) are.
    base: Option<&'a Path>,
    /// The property `copy` loop being expanded: its name and iteration (`copyIndex('name')`).
    prop: Option<(&'a str, i64)>,
}

/// The property loops of an object: `"copy": [{"name": …, "count": …, "input": …}, …]`, each
/// element with the three members (anything else named `copy` is an ordinary property).
fn property_loops(m: &Map<String, Value>) -> Option<Vec<(&str, &Value, &Value)>> {
    let loops = m.get("copy")?.as_array()?;
    loops
        .iter()
        .map(|l| Some((l.get("name")?.as_str()?, l.get("count")?, l.get("input")?)))
        .collect::<Option<Vec<_>>>()
        .filter(|v| !v.is_empty())
}

/// The largest linked template read.
const MAX_LINKED: u64 = 16 << 20;

/// The most iterations of a `copy` loop Azure accepts.
const MAX_COPIES: i64 = 800;

const MAX_DEPTH: usize = 32;

/// The resources of a template, with `given` parameter values (from a parameter file) in place
/// of the defaults. A parameter file itself declares no resources.
pub fn resources(
    t: &Value,
    given: &Map<String, Value>,
    base: Option<&Path>,
) -> Result<Vec<Adapted>, String> {
    if t.get("$schema")
        .and_then(Value::as_str)
        .is_some_and(|s| s.contains("eploymentParameters.json"))
    {
        return Ok(Vec::new());
    }
    let mut params = t
        .get("parameters")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for (name, value) in given {
        let declared = params
            .iter_mut()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, p)| p.as_object_mut());
        if let Some(p) = declared {
            p.insert("defaultValue".into(), value.clone());
        }
    }
    let ctx = Ctx {
        params: Some(&params),
        vars: t.get("variables").and_then(Value::as_object),
        level: 0,
        copy: None,
        base,
        prop: None,
    };
    let mut out = Vec::new();
    if !matches!(t.get("resources"), Some(Value::Array(_) | Value::Object(_))) {
        return Err(adapt_err("an ARM template needs a `resources` array"));
    }
    ctx.template(t, "", &mut out);
    Ok(out)
}

impl Ctx<'_> {
    /// The resources of the template at `pointer`.
    fn template(&self, t: &Value, pointer: &str, out: &mut Vec<Adapted>) {
        match t.get("resources") {
            Some(Value::Array(items)) => {
                for (i, r) in items.iter().enumerate() {
                    self.resource(r, &format!("{pointer}/resources/{i}"), None, out);
                }
            }
            Some(Value::Object(m)) => {
                for (k, r) in m {
                    self.resource(r, &child(&format!("{pointer}/resources"), k), None, out);
                }
            }
            _ => {}
        }
    }

    /// The resources of an inline nested deployment (`Microsoft.Resources/deployments` with a
    /// `properties.template`): with the outer scope (the default) its expressions are the
    /// parent's; with the inner scope it has its own parameters, given the values passed in.
    fn nested(&self, r: &Map<String, Value>, pointer: &str, out: &mut Vec<Adapted>) {
        let Some(props) = r.get("properties") else {
            return;
        };
        if self.level >= 8 {
            return;
        }
        // A linked template in the repository is read and expanded like an inline one of inner
        // scope; its resources are located at this deployment.
        let linked = self.linked(props);
        let (t, at) = match (props.get("template").filter(|t| t.is_object()), &linked) {
            (Some(t), _) => (t, format!("{pointer}/properties/template")),
            (None, Some((t, _))) => (t, pointer.to_string()),
            (None, None) => return,
        };
        let base = linked.as_ref().and_then(|(_, p)| p.parent());
        let inner = linked.is_some()
            || props
                .pointer("/expressionEvaluationOptions/scope")
                .and_then(Value::as_str)
                .is_some_and(|s| s.eq_ignore_ascii_case("inner"));
        if !inner {
            let ctx = Ctx {
                level: self.level + 1,
                copy: None,
                ..*self
            };
            return ctx.template(t, &at, out);
        }
        // Inner scope: the passed values become the nested parameters' defaults.
        let mut params = t
            .get("parameters")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        if let Some(passed) = props.get("parameters").and_then(Value::as_object) {
            for (name, p) in &mut params {
                let Some(v) = named(passed, name).and_then(|x| x.get("value")) else {
                    continue;
                };
                if let Some(o) = p.as_object_mut() {
                    o.insert("defaultValue".into(), self.value(v, 0));
                }
            }
        }
        let ctx = Ctx {
            params: Some(&params),
            vars: t.get("variables").and_then(Value::as_object),
            level: self.level + 1,
            copy: None,
            base: base.or(self.base),
            prop: None,
        };
        let first = out.len();
        ctx.template(t, &at, out);
        if linked.is_some() {
            // Their text is in another file: they are placed at the deployment that links it.
            for a in &mut out[first..] {
                a.pointer = pointer.to_string();
            }
        }
    }

    /// The template a deployment links to with `templateLink.relativePath` (or a relative
    /// `uri`), read from the folder of the template that links it: a path that leaves that
    /// folder (`..`, absolute), a file over 16 MiB or one that is not a JSON template is not read,
    /// and the deployment's resources stay unseen, as they are for links to the web.
    fn linked(&self, props: &Value) -> Option<(Value, PathBuf)> {
        let link = props.get("templateLink")?;
        let rel = self
            .known(link.get("relativePath").or_else(|| link.get("uri"))?, 0)?
            .as_str()?
            .to_string();
        let rel = Path::new(&rel);
        if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
            return None;
        }
        let path = self.base?.join(rel);
        let meta = std::fs::symlink_metadata(&path).ok()?;
        if !meta.is_file() || meta.len() > MAX_LINKED {
            return None;
        }
        let t: Value = serde_json::from_str(&std::fs::read_to_string(&path).ok()?).ok()?;
        matches!(t.get("resources"), Some(Value::Array(_) | Value::Object(_))).then_some((t, path))
    }

    /// A resource, or one per iteration of its `copy` loop when the count is known (each with
    /// `copyIndex()` bound); a loop whose count is unknown gives one resource, judged once.
    fn resource(
        &self,
        r: &Value,
        pointer: &str,
        parent: Option<(&str, &str)>,
        out: &mut Vec<Adapted>,
    ) {
        let count = r
            .get("copy")
            .and_then(|c| c.get("count"))
            .and_then(|c| self.known(c, 0))
            .and_then(|c| c.as_i64().or_else(|| c.as_str()?.parse().ok()));
        match count {
            Some(n) if self.copy.is_none() && (0..=MAX_COPIES).contains(&n) => {
                for i in 0..n {
                    let ctx = Ctx {
                        copy: Some(i),
                        ..*self
                    };
                    ctx.one(r, pointer, parent, out);
                }
            }
            _ => self.one(r, pointer, parent, out),
        }
    }

    fn one(&self, r: &Value, pointer: &str, parent: Option<(&str, &str)>, out: &mut Vec<Adapted>) {
        let Some(obj) = r.as_object() else { return };
        let mut doc = Map::new();
        for (k, v) in obj {
            if k == "resources" {
                continue;
            }
            let mut x = self.value(v, 0);
            if k == "name" && !x.is_string() {
                x = v.clone();
            }
            doc.insert(k.clone(), x);
        }
        // In a template, a resource without `properties` sets none (see the CloudFormation adapter).
        doc.entry("properties")
            .or_insert_with(|| Value::Object(Map::new()));
        let text = |k: &str| doc.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let (mut ty, mut name) = (text("type"), text("name"));
        if let Some((pty, pname)) = parent {
            if !ty.contains('/') {
                ty = format!("{pty}/{ty}");
                doc.insert("type".into(), Value::String(ty.clone()));
            }
            if !name.contains('/') {
                name = format!("{pname}/{name}");
                doc.insert("name".into(), Value::String(name.clone()));
            }
        }
        // Children are resources of their own; their parent still shows them, evaluated.
        let children = obj.get("resources").and_then(Value::as_array);
        if let Some(children) = children {
            doc.insert(
                "resources".into(),
                Value::Array(children.iter().map(|c| self.value(c, 0)).collect()),
            );
        }
        out.push(Adapted {
            doc: Value::Object(doc),
            pointer: pointer.to_string(),
        });
        for (i, c) in children.into_iter().flatten().enumerate() {
            self.resource(
                c,
                &format!("{pointer}/resources/{i}"),
                Some((&ty, &name)),
                out,
            );
        }
        if ty.eq_ignore_ascii_case("Microsoft.Resources/deployments") {
            self.nested(obj, pointer, out);
        }
    }

    /// A JSON value with its expressions evaluated.
    fn value(&self, v: &Value, depth: usize) -> Value {
        if depth > MAX_DEPTH {
            return unknown();
        }
        match v {
            Value::String(s) => match expression(s) {
                Some(e) => match parse(e) {
                    Some(ast) => self.eval(&ast, depth).unwrap_or_else(unknown),
                    None => unknown(),
                },
                None if s.starts_with("[[") => Value::String(s[1..].to_string()),
                None => v.clone(),
            },
            Value::Array(a) => Value::Array(a.iter().map(|x| self.value(x, depth + 1)).collect()),
            Value::Object(m) => {
                let loops = property_loops(m);
                let mut out: Map<String, Value> = m
                    .iter()
                    .filter(|(k, _)| loops.is_none() || k.as_str() != "copy")
                    .map(|(k, x)| (k.clone(), self.value(x, depth + 1)))
                    .collect();
                // Property loops (`"copy": [{"name", "count", "input"}]`) build the arrays they
                // name, one element per iteration; an unknown count builds an unknown array.
                for (name, count, input) in loops.into_iter().flatten() {
                    let n = self
                        .known(count, depth)
                        .and_then(|c| c.as_i64().or_else(|| c.as_str()?.parse().ok()))
                        .filter(|n| (0..=MAX_COPIES).contains(n));
                    let built = match n {
                        Some(n) => Value::Array(
                            (0..n)
                                .map(|i| {
                                    let ctx = Ctx {
                                        prop: Some((name, i)),
                                        ..*self
                                    };
                                    ctx.value(input, depth + 1)
                                })
                                .collect(),
                        ),
                        None => unknown(),
                    };
                    out.insert(name.to_string(), built);
                }
                Value::Object(out)
            }
            other => other.clone(),
        }
    }

    fn known(&self, v: &Value, depth: usize) -> Option<Value> {
        let x = self.value(v, depth + 1);
        (!contains_unknown(&x)).then_some(x)
    }

    fn eval(&self, e: &Expr, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        match e {
            Expr::Str(s) => Some(Value::String(s.clone())),
            Expr::Num(n) => Some(Value::Number((*n).into())),
            Expr::Member(x, m) => {
                let v = self.eval(x, depth + 1)?;
                let o = v.as_object()?;
                o.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(m))
                    .map(|(_, v)| v.clone())
            }
            Expr::Index(x, i) => {
                let v = self.eval(x, depth + 1)?;
                let i = self.eval(i, depth + 1)?;
                match (&v, &i) {
                    (Value::Array(a), Value::Number(n)) => a.get(n.as_u64()? as usize).cloned(),
                    (Value::Object(o), Value::String(k)) => o.get(k).cloned(),
                    _ => None,
                }
            }
            Expr::Call(f, args) => self.call(&f.to_ascii_lowercase(), args, depth),
        }
    }

    fn call(&self, f: &str, args: &[Expr], depth: usize) -> Option<Value> {
        let arg = |i: usize| -> Option<Value> { self.eval(args.get(i)?, depth + 1) };
        let all =
            || -> Option<Vec<Value>> { args.iter().map(|a| self.eval(a, depth + 1)).collect() };
        let text = |i: usize| -> Option<String> { arg(i)?.as_str().map(str::to_string) };
        Some(match f {
            "parameters" => {
                let p = named(self.params?, &text(0)?)?;
                self.known(p.get("defaultValue")?, depth)?
            }
            "variables" => self.known(named(self.vars?, &text(0)?)?, depth)?,
            "concat" => {
                let vals = all()?;
                if vals.iter().all(Value::is_array) {
                    Value::Array(
                        vals.into_iter()
                            .flat_map(|v| match v {
                                Value::Array(a) => a,
                                _ => Vec::new(),
                            })
                            .collect(),
                    )
                } else {
                    let parts: Option<Vec<String>> = vals.iter().map(scalar_text).collect();
                    Value::String(parts?.concat())
                }
            }
            "format" => {
                let vals = all()?;
                let (fmt, rest) = vals.split_first()?;
                Value::String(format_text(fmt.as_str()?, rest)?)
            }
            "tolower" => Value::String(text(0)?.to_lowercase()),
            "toupper" => Value::String(text(0)?.to_uppercase()),
            "trim" => Value::String(text(0)?.trim().to_string()),
            "replace" => Value::String(text(0)?.replace(&text(1)?, &text(2)?)),
            "substring" => {
                let s = text(0)?;
                let start = arg(1)?.as_u64()? as usize;
                let chars: Vec<char> = s.chars().collect();
                let len = match args.len() {
                    3 => arg(2)?.as_u64()? as usize,
                    _ => chars.len().checked_sub(start)?,
                };
                Value::String(chars.get(start..start.checked_add(len)?)?.iter().collect())
            }
            "startswith" => Value::Bool(
                text(0)?
                    .to_lowercase()
                    .starts_with(&text(1)?.to_lowercase()),
            ),
            "endswith" => Value::Bool(text(0)?.to_lowercase().ends_with(&text(1)?.to_lowercase())),
            "split" => Value::Array(
                text(0)?
                    .split(text(1)?.as_str())
                    .map(|p| Value::String(p.into()))
                    .collect(),
            ),
            "string" => match arg(0)? {
                Value::String(s) => Value::String(s),
                v => Value::String(v.to_string()),
            },
            "int" => match arg(0)? {
                Value::Number(n) => Value::Number(n),
                Value::String(s) => Value::Number(s.trim().parse::<i64>().ok()?.into()),
                _ => return None,
            },
            "bool" => match arg(0)? {
                Value::Bool(b) => Value::Bool(b),
                Value::String(s) => Value::Bool(s.eq_ignore_ascii_case("true")),
                Value::Number(n) => Value::Bool(n.as_f64() != Some(0.0)),
                _ => return None,
            },
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "null" => Value::Null,
            "if" => {
                let c = arg(0)?.as_bool()?;
                arg(if c { 1 } else { 2 })?
            }
            "equals" => Value::Bool(arg(0)? == arg(1)?),
            "not" => Value::Bool(!arg(0)?.as_bool()?),
            "and" | "or" => {
                let and = f == "and";
                let mut unsure = false;
                for i in 0..args.len() {
                    match arg(i).and_then(|v| v.as_bool()) {
                        Some(b) if b != and => return Some(Value::Bool(!and)),
                        Some(_) => {}
                        None => unsure = true,
                    }
                }
                if unsure {
                    return None;
                }
                Value::Bool(and)
            }
            "length" => Value::Number(Number::from(match arg(0)? {
                Value::String(s) => s.chars().count(),
                Value::Array(a) => a.len(),
                Value::Object(o) => o.len(),
                _ => return None,
            })),
            "empty" => Value::Bool(match arg(0)? {
                Value::Null => true,
                Value::String(s) => s.is_empty(),
                Value::Array(a) => a.is_empty(),
                Value::Object(o) => o.is_empty(),
                _ => false,
            }),
            "contains" => Value::Bool(match (arg(0)?, arg(1)?) {
                (Value::String(s), x) => {
                    s.to_lowercase().contains(&scalar_text(&x)?.to_lowercase())
                }
                (Value::Array(a), x) => a.contains(&x),
                (Value::Object(o), Value::String(k)) => {
                    o.keys().any(|x| x.eq_ignore_ascii_case(&k))
                }
                _ => return None,
            }),
            "coalesce" => {
                for i in 0..args.len() {
                    match arg(i)? {
                        Value::Null => continue,
                        v => return Some(v),
                    }
                }
                Value::Null
            }
            "createarray" => Value::Array(all()?),
            "first" => match arg(0)? {
                Value::Array(a) => a.first()?.clone(),
                Value::String(s) => Value::String(s.chars().next()?.to_string()),
                _ => return None,
            },
            "last" => match arg(0)? {
                Value::Array(a) => a.last()?.clone(),
                Value::String(s) => Value::String(s.chars().last()?.to_string()),
                _ => return None,
            },
            "json" => self.known(&serde_json::from_str(&text(0)?).ok()?, depth)?,
            // The iteration of the resource loop being expanded, plus an offset; a loop name
            // may come first.
            "copyindex" => {
                let first = arg(0);
                let (index, offset) = match &first {
                    Some(Value::String(name)) => match self.prop {
                        Some((p, i)) if p.eq_ignore_ascii_case(name) => (i, arg(1)),
                        _ => (self.copy?, arg(1)),
                    },
                    _ => (self.copy?, first),
                };
                let offset = match offset {
                    Some(Value::Number(n)) => n.as_i64()?,
                    None => 0,
                    Some(_) => return None,
                };
                Value::Number(Number::from(index + offset))
            }
            // resourceId, uniqueString, resourceGroup, subscription, reference, list*, copyIndex,
            // deployment, guid, utcNow, ...: known only at deployment.
            _ => return None,
        })
    }
}

/// A parameter or variable by name: Azure resolves `parameters('HttpsOnly')` to a parameter
/// declared `httpsOnly` (names are case-insensitive; an exact match wins).
fn named<'m>(m: &'m Map<String, Value>, name: &str) -> Option<&'m Value> {
    m.get(name).or_else(|| {
        m.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

fn contains_unknown(v: &Value) -> bool {
    match v {
        Value::Object(m) => is_unknown(v) || m.values().any(contains_unknown),
        Value::Array(a) => a.iter().any(contains_unknown),
        _ => false,
    }
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(if *b { "True" } else { "False" }.into()),
        _ => None,
    }
}

/// `format('{0}-{1}', a, b)`; `{{` and `}}` are literal braces.
fn format_text(fmt: &str, args: &[Value]) -> Option<String> {
    let mut out = String::new();
    let mut it = fmt.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '{' if it.peek() == Some(&'{') => {
                it.next();
                out.push('{');
            }
            '}' if it.peek() == Some(&'}') => {
                it.next();
                out.push('}');
            }
            '{' => {
                let mut spec = String::new();
                for d in it.by_ref() {
                    if d == '}' {
                        break;
                    }
                    spec.push(d);
                }
                let i: usize = spec.split([':', ',']).next()?.trim().parse().ok()?;
                out.push_str(&scalar_text(args.get(i)?)?);
            }
            c => out.push(c),
        }
    }
    Some(out)
}

/// The expression inside `[...]`, when the string is one (`[[` escapes a literal `[`).
fn expression(s: &str) -> Option<&str> {
    let t = s.trim();
    (t.starts_with('[') && !t.starts_with("[[") && t.ends_with(']')).then(|| &t[1..t.len() - 1])
}

/// A template expression.
#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Str(String),
    Num(i64),
    Call(String, Vec<Expr>),
    Member(Box<Expr>, String),
    Index(Box<Expr>, Box<Expr>),
}

/// Parses an expression; `None` when it is not well formed.
fn parse(s: &str) -> Option<Expr> {
    let mut p = Parser {
        b: s.as_bytes(),
        s,
        i: 0,
        depth: 0,
    };
    let e = p.expr()?;
    p.ws();
    (p.i == p.b.len()).then_some(e)
}

struct Parser<'a> {
    b: &'a [u8],
    s: &'a str,
    i: usize,
    depth: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.b.len() && self.b[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn expr(&mut self) -> Option<Expr> {
        self.depth += 1;
        if self.depth > 64 {
            return None;
        }
        self.ws();
        let mut e = match *self.b.get(self.i)? {
            b'\'' => {
                let mut out = String::new();
                self.i += 1;
                loop {
                    let c = *self.b.get(self.i)?;
                    if c == b'\'' {
                        if self.b.get(self.i + 1) == Some(&b'\'') {
                            out.push('\'');
                            self.i += 2;
                            continue;
                        }
                        self.i += 1;
                        break;
                    }
                    let ch = self.s[self.i..].chars().next()?;
                    out.push(ch);
                    self.i += ch.len_utf8();
                }
                Expr::Str(out)
            }
            c if c.is_ascii_digit() || c == b'-' => {
                let start = self.i;
                self.i += 1;
                while self.b.get(self.i).is_some_and(u8::is_ascii_digit) {
                    self.i += 1;
                }
                Expr::Num(self.s[start..self.i].parse().ok()?)
            }
            c if c.is_ascii_alphabetic() => {
                let start = self.i;
                while self
                    .b
                    .get(self.i)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
                {
                    self.i += 1;
                }
                let name = self.s[start..self.i].to_string();
                if !self.eat(b'(') {
                    return None;
                }
                let mut args = Vec::new();
                if !self.eat(b')') {
                    loop {
                        args.push(self.expr()?);
                        if self.eat(b')') {
                            break;
                        }
                        if !self.eat(b',') {
                            return None;
                        }
                    }
                }
                Expr::Call(name, args)
            }
            _ => return None,
        };
        // Accessors chain without recursing, but a deep chain would be dropped recursively:
        // bound it like nesting.
        for _ in 0..=64 {
            if self.eat(b'.') {
                self.ws();
                let start = self.i;
                while self
                    .b
                    .get(self.i)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'$')
                {
                    self.i += 1;
                }
                if start == self.i {
                    return None;
                }
                e = Expr::Member(Box::new(e), self.s[start..self.i].to_string());
            } else if self.eat(b'[') {
                let i = self.expr()?;
                if !self.eat(b']') {
                    return None;
                }
                e = Expr::Index(Box::new(e), Box::new(i));
            } else {
                self.depth -= 1;
                return Some(e);
            }
        }
        None
    }
}

#[cfg(test)]
#[path = "arm_tests.rs"]
mod tests;
