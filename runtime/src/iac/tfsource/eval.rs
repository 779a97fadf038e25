//! Evaluating Terraform expressions to values, as a plan would know them: literals, operators,
//! conditionals, templates, `for` expressions, splats, the functions of [`super::functions`], and
//! references to variables, locals, `count`, `each`, resources and local modules. What depends on
//! the deployment (data sources, attributes a provider computes, variables nobody set) is the
//! unknown value.
//!
//! Evaluation never fails a scan: an expression Terraform would reject is a [`Fail::Error`]
//! (which `try` and `can` catch, and which an attribute turns into the unknown value), and only
//! going over the [`Budget`] (work, size, depth) stops the module with a located error.

use super::functions;
use super::load::Module;
pub use super::value::{error, number, Fail, R};
use crate::iac::{is_unknown, unknown};
use hcl_edit::expr::{BinaryOperator, Expression, ObjectKey, TraversalOperator, UnaryOperator};
use hcl_edit::template::{Directive, Element, Template};
use serde_json::{Map, Value};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

/// Evaluation steps one root module (with its local modules) may take.
const STEPS: u64 = 20_000_000;
/// Value nodes and string bytes one root module may produce.
const SIZE: u64 = 16 << 20;
/// Nested evaluations (expressions, references through locals, modules).
const DEPTH: usize = 160;

/// The work, size and depth left to one root module.
#[derive(Debug, Default)]
pub struct Budget {
    steps: Cell<u64>,
    size: Cell<u64>,
    depth: Cell<usize>,
}

impl Budget {
    /// One more step, one level deeper; [`Budget::leave`] undoes the depth.
    fn enter(&self) -> Result<(), Fail> {
        let s = self.steps.get() + 1;
        self.steps.set(s);
        if s > STEPS {
            return Err(Fail::Budget(format!(
                "evaluating this module takes more than {STEPS} steps"
            )));
        }
        let d = self.depth.get() + 1;
        if d > DEPTH {
            return Err(Fail::Budget(format!(
                "expressions and references nest more than {DEPTH} deep"
            )));
        }
        self.depth.set(d);
        Ok(())
    }

    fn leave(&self) {
        self.depth.set(self.depth.get().saturating_sub(1));
    }

    /// Counts what `v` costs to build (nodes and string bytes).
    pub fn charge(&self, v: &Value) -> Result<(), Fail> {
        let left = SIZE.saturating_sub(self.size.get());
        let used = size(v, left + 1);
        if used > left {
            return Err(Fail::Budget(format!(
                "values in this module grow past {} MiB",
                SIZE >> 20
            )));
        }
        self.size.set(self.size.get() + used);
        Ok(())
    }
}

/// Nodes plus string bytes of `v`, counting no further than `limit`.
fn size(v: &Value, limit: u64) -> u64 {
    let mut total = 0u64;
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        total += 1;
        match v {
            Value::String(s) => total += s.len() as u64,
            Value::Array(a) => stack.extend(a.iter()),
            Value::Object(m) => {
                for (k, x) in m {
                    total += k.len() as u64;
                    stack.push(x);
                }
            }
            _ => {}
        }
        if total > limit {
            break;
        }
    }
    total
}

/// Names bound while evaluating: `count.index`, `each`, `for` variables, dynamic iterators.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    /// `count.index`.
    pub count: Option<Value>,
    /// `each.key` and `each.value`.
    pub each: Option<(Value, Value)>,
    pub(crate) names: Vec<(String, Value)>,
}

impl Scope {
    /// This scope with `name` bound to `v`.
    pub fn with(&self, name: &str, v: Value) -> Scope {
        let mut s = self.clone();
        s.names.push((name.to_string(), v));
        s
    }

    fn get(&self, name: &str) -> Option<&Value> {
        self.names
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }
}

/// A memoised value: being computed (a reference back to it is a cycle) or computed.
#[derive(Clone, Debug)]
enum Slot {
    Busy,
    Done(R),
}

/// How a module instance is evaluated: its source, its input values and where it is.
pub struct Ctx {
    /// The module.
    pub module: Rc<Module>,
    /// Values given to its variables (by the caller, or by tfvars for a root).
    pub inputs: HashMap<String, Value>,
    /// `path.module`: the folder relative to the root module.
    pub path: String,
    /// Address prefix of its resources (`module.net.`; empty for the root).
    pub prefix: String,
    /// Depth in the module tree (0 for the root).
    pub level: usize,
    /// Shared by the whole tree.
    pub budget: Rc<Budget>,
    /// Shared by the whole tree: loads local modules.
    pub loader: Rc<super::Loader>,
    locals: RefCell<HashMap<String, Slot>>,
    vars: RefCell<HashMap<String, Slot>>,
    refs: RefCell<HashMap<usize, Slot>>,
    children: RefCell<HashMap<usize, Rc<Vec<super::Child>>>>,
}

impl Ctx {
    /// A context for `module` with these inputs.
    pub fn new(
        module: Rc<Module>,
        inputs: HashMap<String, Value>,
        path: String,
        prefix: String,
        level: usize,
        budget: Rc<Budget>,
        loader: Rc<super::Loader>,
    ) -> Ctx {
        Ctx {
            module,
            inputs,
            path,
            prefix,
            level,
            budget,
            loader,
            locals: RefCell::default(),
            vars: RefCell::default(),
            refs: RefCell::default(),
            children: RefCell::default(),
        }
    }

    /// Evaluates an expression.
    pub fn expr(&self, e: &Expression, s: &Scope) -> R {
        self.budget.enter()?;
        let r = self.expr_inner(e, s);
        self.budget.leave();
        r
    }

    fn expr_inner(&self, e: &Expression, s: &Scope) -> R {
        Ok(match e {
            Expression::Null(_) => Value::Null,
            Expression::Bool(b) => Value::Bool(*b.value()),
            Expression::Number(n) => number(n.value().as_f64().unwrap_or(0.0)),
            Expression::String(x) => Value::String(x.value().clone()),
            Expression::Array(a) => {
                let mut out = Vec::with_capacity(a.len());
                for x in a.iter() {
                    out.push(self.expr(x, s)?);
                }
                Value::Array(out)
            }
            Expression::Object(o) => {
                let mut out = Map::new();
                for (k, v) in o.iter() {
                    let key = match k {
                        ObjectKey::Ident(i) => i.value().as_str().to_string(),
                        ObjectKey::Expression(x) => match self.expr(x, s)? {
                            Value::String(k) => k,
                            Value::Number(n) => n.to_string(),
                            Value::Bool(b) => b.to_string(),
                            k if is_unknown(&k) => return Ok(unknown()),
                            _ => return Err(error("an object key must be a string")),
                        },
                    };
                    let v = self.expr(v.expr(), s)?;
                    out.insert(key, v);
                }
                Value::Object(out)
            }
            Expression::StringTemplate(t) => self.template(t, s)?,
            Expression::HeredocTemplate(h) => {
                if h.indent().is_some() {
                    let mut h = (**h).clone();
                    h.dedent();
                    self.template(&h.template, s)?
                } else {
                    self.template(&h.template, s)?
                }
            }
            Expression::Parenthesis(p) => self.expr(p.inner(), s)?,
            Expression::Variable(v) => match s.get(v.value().as_str()) {
                Some(x) => x.clone(),
                None => return Err(error(format!("`{}` is not defined here", v.value()))),
            },
            Expression::Conditional(c) => match self.expr(&c.cond_expr, s)? {
                Value::Bool(true) => self.expr(&c.true_expr, s)?,
                Value::Bool(false) => self.expr(&c.false_expr, s)?,
                v if is_unknown(&v) => unknown(),
                _ => return Err(error("a condition must be true or false")),
            },
            Expression::FuncCall(f) => {
                let name = f.name.name.value().as_str();
                if !f.name.namespace.is_empty() {
                    // Provider-defined functions: not known here.
                    return Ok(unknown());
                }
                match name {
                    "try" => {
                        for a in f.args.iter() {
                            match self.expr(a, s) {
                                Ok(v) => return Ok(v),
                                Err(Fail::Error(_)) => {}
                                Err(b) => return Err(b),
                            }
                        }
                        return Err(error("no argument of try() has a value"));
                    }
                    "can" => {
                        let Some(a) = f.args.iter().next() else {
                            return Err(error("can() takes one argument"));
                        };
                        return match self.expr(a, s) {
                            Ok(v) if is_unknown(&v) => Ok(unknown()),
                            Ok(_) => Ok(Value::Bool(true)),
                            Err(Fail::Error(_)) => Ok(Value::Bool(false)),
                            Err(b) => Err(b),
                        };
                    }
                    _ => {}
                }
                let mut args = Vec::with_capacity(f.args.len());
                for a in f.args.iter() {
                    args.push(self.expr(a, s)?);
                }
                if f.args.expand_final() {
                    match args.pop() {
                        Some(Value::Array(rest)) => args.extend(rest),
                        Some(v) if is_unknown(&v) => return Ok(unknown()),
                        _ => return Err(error("`...` needs a list")),
                    }
                }
                let v = functions::call(name, args)?;
                self.budget.charge(&v)?;
                v
            }
            Expression::Traversal(t) => self.traversal(&t.expr, &t.operators, s)?,
            Expression::UnaryOp(u) => {
                let v = self.expr(&u.expr, s)?;
                if is_unknown(&v) {
                    return Ok(v);
                }
                match (u.operator.value(), v) {
                    (UnaryOperator::Not, Value::Bool(b)) => Value::Bool(!b),
                    (UnaryOperator::Neg, v) => number(-functions::to_number(&v)?),
                    _ => return Err(error("`!` needs true or false")),
                }
            }
            Expression::BinaryOp(b) => self.binary(b, s)?,
            Expression::ForExpr(f) => {
                let coll = self.expr(&f.intro.collection_expr, s)?;
                let Some(items) = entries(&coll)? else {
                    return Ok(unknown());
                };
                let kv = f.intro.key_var.as_ref().map(|k| k.value().as_str());
                let vv = f.intro.value_var.value().as_str();
                let mut list = Vec::new();
                let mut obj = Map::new();
                for (k, v) in items {
                    let mut inner = s.with(vv, v);
                    if let Some(kv) = kv {
                        inner = inner.with(kv, k);
                    }
                    if let Some(c) = &f.cond {
                        match self.expr(&c.expr, &inner)? {
                            Value::Bool(true) => {}
                            Value::Bool(false) => continue,
                            x if is_unknown(&x) => return Ok(unknown()),
                            _ => return Err(error("a `for` condition must be true or false")),
                        }
                    }
                    let value = self.expr(&f.value_expr, &inner)?;
                    match &f.key_expr {
                        None => list.push(value),
                        Some(ke) => {
                            let key = match self.expr(ke, &inner)? {
                                Value::String(k) => k,
                                Value::Number(n) => n.to_string(),
                                Value::Bool(b) => b.to_string(),
                                k if is_unknown(&k) => return Ok(unknown()),
                                _ => return Err(error("a `for` key must be a string")),
                            };
                            if f.grouping {
                                let slot = obj.entry(key).or_insert_with(|| Value::Array(vec![]));
                                if let Value::Array(a) = slot {
                                    a.push(value);
                                }
                            } else if obj.insert(key.clone(), value).is_some() {
                                return Err(error(format!("duplicate key `{key}` in a `for`")));
                            }
                        }
                    }
                }
                let v = match f.key_expr {
                    None => Value::Array(list),
                    Some(_) => Value::Object(obj),
                };
                self.budget.charge(&v)?;
                v
            }
        })
    }

    fn template(&self, t: &Template, s: &Scope) -> R {
        // `"${x}"` alone is x's value itself, not its text (as in HCL, and how Terraform's JSON
        // syntax writes every expression).
        let mut els = t.iter();
        if let (Some(Element::Interpolation(i)), None) = (els.next(), els.next()) {
            return self.expr(&i.expr, s);
        }
        let mut out = String::new();
        if !self.template_into(t, s, &mut out)? {
            return Ok(unknown());
        }
        let v = Value::String(out);
        self.budget.charge(&v)?;
        Ok(v)
    }

    /// Appends a template's text to `out`; false when part of it is unknown.
    fn template_into(&self, t: &Template, s: &Scope, out: &mut String) -> Result<bool, Fail> {
        for el in t.iter() {
            match el {
                Element::Literal(l) => out.push_str(l.value()),
                Element::Interpolation(i) => match self.expr(&i.expr, s)? {
                    v if is_unknown(&v) => return Ok(false),
                    Value::String(x) => out.push_str(&x),
                    Value::Number(n) => out.push_str(&n.to_string()),
                    Value::Bool(b) => out.push_str(if b { "true" } else { "false" }),
                    Value::Null => return Err(error("a template cannot show null")),
                    _ => return Err(error("a template can show only strings, numbers and bools")),
                },
                Element::Directive(d) => match d.as_ref() {
                    Directive::If(i) => match self.expr(&i.if_expr.cond_expr, s)? {
                        Value::Bool(true) => {
                            if !self.template_into(&i.if_expr.template, s, out)? {
                                return Ok(false);
                            }
                        }
                        Value::Bool(false) => {
                            if let Some(e) = &i.else_expr {
                                if !self.template_into(&e.template, s, out)? {
                                    return Ok(false);
                                }
                            }
                        }
                        v if is_unknown(&v) => return Ok(false),
                        _ => return Err(error("an `if` directive needs true or false")),
                    },
                    Directive::For(f) => {
                        let coll = self.expr(&f.for_expr.collection_expr, s)?;
                        let Some(items) = entries(&coll)? else {
                            return Ok(false);
                        };
                        let vv = f.for_expr.value_var.value().as_str();
                        let kv = f.for_expr.key_var.as_ref().map(|k| k.value().as_str());
                        for (k, v) in items {
                            let mut inner = s.with(vv, v);
                            if let Some(kv) = kv {
                                inner = inner.with(kv, k);
                            }
                            if !self.template_into(&f.for_expr.template, &inner, out)? {
                                return Ok(false);
                            }
                            if out.len() as u64 > SIZE {
                                return Err(Fail::Budget("a template grows too long".into()));
                            }
                        }
                    }
                },
            }
        }
        Ok(true)
    }

    fn binary(&self, b: &hcl_edit::expr::BinaryOp, s: &Scope) -> R {
        use BinaryOperator as Op;
        let op = *b.operator.value();
        let l = self.expr(&b.lhs_expr, s)?;
        // `false && x` and `true || x` are decided by their left side.
        match (op, &l) {
            (Op::And, Value::Bool(false)) => return Ok(Value::Bool(false)),
            (Op::Or, Value::Bool(true)) => return Ok(Value::Bool(true)),
            _ => {}
        }
        let r = self.expr(&b.rhs_expr, s)?;
        if let (Op::And | Op::Or, Value::Bool(x)) = (op, &r) {
            match (op, x) {
                (Op::And, false) => return Ok(Value::Bool(false)),
                (Op::Or, true) => return Ok(Value::Bool(true)),
                _ => {}
            }
        }
        if is_unknown(&l) || is_unknown(&r) {
            return Ok(unknown());
        }
        Ok(match op {
            Op::Eq => Value::Bool(functions::equal(&l, &r)),
            Op::NotEq => Value::Bool(!functions::equal(&l, &r)),
            Op::And | Op::Or => match (l, r) {
                (Value::Bool(x), Value::Bool(y)) => {
                    Value::Bool(if op == Op::And { x && y } else { x || y })
                }
                _ => return Err(error("`&&` and `||` need true or false")),
            },
            _ => {
                let (x, y) = (functions::to_number(&l)?, functions::to_number(&r)?);
                match op {
                    Op::Less => Value::Bool(x < y),
                    Op::LessEq => Value::Bool(x <= y),
                    Op::Greater => Value::Bool(x > y),
                    Op::GreaterEq => Value::Bool(x >= y),
                    Op::Plus => number(x + y),
                    Op::Minus => number(x - y),
                    Op::Mul => number(x * y),
                    Op::Div if y == 0.0 => return Err(error("division by zero")),
                    Op::Div => number(x / y),
                    Op::Mod if y == 0.0 => return Err(error("division by zero")),
                    Op::Mod => number(x % y),
                    _ => return Err(error("unsupported operator")),
                }
            }
        })
    }

    /// A reference or access chain: `var.x`, `local.y[0]`, `aws_s3_bucket.b.id`, `x[*].id`.
    fn traversal(
        &self,
        root: &Expression,
        ops: &[hcl_edit::Decorated<TraversalOperator>],
        s: &Scope,
    ) -> R {
        let attr = |i: usize| match ops.get(i).map(|o| o.value()) {
            Some(TraversalOperator::GetAttr(a)) => Some(a.value().as_str()),
            _ => None,
        };
        let (base, rest, lenient) = match root {
            Expression::Variable(v) if s.get(v.value().as_str()).is_none() => {
                let name = v.value().as_str();
                match (name, attr(0)) {
                    ("var", Some(n)) => (self.var(n)?, 1, false),
                    ("local", Some(n)) => (self.local(n)?, 1, false),
                    ("count", Some("index")) => match &s.count {
                        Some(i) => (i.clone(), 1, false),
                        None => return Err(error("`count.index` outside a counted block")),
                    },
                    ("each", Some(k @ ("key" | "value"))) => match &s.each {
                        Some((key, value)) => {
                            (if k == "key" { key } else { value }.clone(), 1, false)
                        }
                        None => return Err(error("`each` outside a `for_each` block")),
                    },
                    ("path", Some("module")) => (Value::String(self.path.clone()), 1, false),
                    ("path", Some("root")) => (Value::String(".".into()), 1, false),
                    ("terraform", Some("workspace")) => (Value::String("default".into()), 1, false),
                    ("module", Some(n)) => (self.module_value(n)?, 1, true),
                    ("data" | "self" | "path" | "terraform", _) => return Ok(unknown()),
                    (t, Some(n)) => {
                        match self.module.by_name.get(&(t.to_string(), n.to_string())) {
                            Some(&i) => (self.resource_value(i)?, 1, true),
                            None => {
                                return Err(error(format!("no resource `{t}.{n}` in this module")))
                            }
                        }
                    }
                    _ => return Err(error(format!("`{name}` is not defined here"))),
                }
            }
            e => (self.expr(e, s)?, 0, false),
        };
        self.access(base, &ops[rest..], s, lenient)
    }

    /// Applies access operators; `lenient` (a resource or module): a missing attribute is one
    /// only the deployment knows.
    fn access(
        &self,
        mut v: Value,
        ops: &[hcl_edit::Decorated<TraversalOperator>],
        s: &Scope,
        lenient: bool,
    ) -> R {
        for (i, op) in ops.iter().enumerate() {
            if is_unknown(&v) {
                return Ok(v);
            }
            v = match op.value() {
                TraversalOperator::GetAttr(a) => match v {
                    Value::Object(mut m) => match m.remove(a.value().as_str()) {
                        Some(x) => x,
                        None if lenient => unknown(),
                        None => return Err(error(format!("no attribute `{}`", a.value()))),
                    },
                    _ => return Err(error(format!("`.{}` needs an object", a.value()))),
                },
                TraversalOperator::Index(e) => {
                    let k = self.expr(e, s)?;
                    index(v, &k, lenient)?
                }
                TraversalOperator::LegacyIndex(n) => index(v, &number(*n.value() as f64), lenient)?,
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    let items = match v {
                        Value::Null => vec![],
                        Value::Array(a) => a,
                        other => vec![other],
                    };
                    let mut out = Vec::with_capacity(items.len());
                    for x in items {
                        out.push(self.access(x, &ops[i + 1..], s, lenient)?);
                    }
                    let v = Value::Array(out);
                    self.budget.charge(&v)?;
                    return Ok(v);
                }
            };
        }
        Ok(v)
    }

    /// A variable's value: given, from tfvars (root), its default, or unknown.
    pub fn var(&self, name: &str) -> R {
        self.memo(&self.vars, name, || {
            if let Some(v) = self.inputs.get(name) {
                return Ok(v.clone());
            }
            let Some(d) = self.module.variables.get(name) else {
                return Err(error(format!("no variable `{name}` is declared")));
            };
            match d.block.body.get_attribute("default") {
                Some(a) => match self.expr(&a.value, &Scope::default()) {
                    Ok(v) => Ok(v),
                    Err(Fail::Error(_)) => Ok(unknown()),
                    Err(b) => Err(b),
                },
                None => Ok(unknown()),
            }
        })
    }

    fn local(&self, name: &str) -> R {
        self.memo(&self.locals, name, || match self.module.locals.get(name) {
            Some((_, e)) => self.expr(e, &Scope::default()),
            None => Err(error(format!("no local value `{name}`"))),
        })
    }

    fn memo(&self, table: &RefCell<HashMap<String, Slot>>, name: &str, f: impl FnOnce() -> R) -> R {
        match table.borrow().get(name) {
            Some(Slot::Done(r)) => {
                if let Ok(v) = r {
                    self.budget.charge(v)?;
                }
                return r.clone();
            }
            Some(Slot::Busy) => return Err(error(format!("`{name}` refers to itself"))),
            None => {}
        }
        table.borrow_mut().insert(name.to_string(), Slot::Busy);
        let r = f();
        table
            .borrow_mut()
            .insert(name.to_string(), Slot::Done(r.clone()));
        r
    }

    /// What a reference to resource `i` sees: its values (a list for `count`, a map for
    /// `for_each`), attributes it does not set being known only after apply.
    fn resource_value(&self, i: usize) -> R {
        if let Some(slot) = self.refs.borrow().get(&i) {
            return match slot {
                Slot::Busy => Err(error("a resource refers to itself")),
                Slot::Done(r) => {
                    if let Ok(v) = r {
                        self.budget.charge(v)?;
                    }
                    r.clone()
                }
            };
        }
        self.refs.borrow_mut().insert(i, Slot::Busy);
        let r = super::reference(self, i);
        self.refs.borrow_mut().insert(i, Slot::Done(r.clone()));
        r
    }

    /// What `module.NAME` sees: the outputs of its instances.
    fn module_value(&self, name: &str) -> R {
        let Some(i) = self
            .module
            .calls
            .iter()
            .position(|c| c.label(0) == Some(name))
        else {
            return Err(error(format!("no module `{name}` is called here")));
        };
        let children = self.children(i)?;
        super::outputs(&children)
    }

    /// The instances of local module call `i`, each with its context (empty for a module that
    /// is not a local folder, or cannot be read).
    pub fn children(&self, i: usize) -> Result<Rc<Vec<super::Child>>, Fail> {
        if let Some(c) = self.children.borrow().get(&i) {
            return Ok(c.clone());
        }
        let c = Rc::new(super::instantiate(self, i)?);
        self.children.borrow_mut().insert(i, c.clone());
        Ok(c)
    }
}

/// The (key, value) pairs a `for` or `for_each` goes through; `None` when unknown.
pub fn entries(coll: &Value) -> Result<Option<Vec<(Value, Value)>>, Fail> {
    Ok(Some(match coll {
        v if is_unknown(v) => return Ok(None),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .map(|(i, v)| (number(i as f64), v.clone()))
            .collect(),
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| (Value::String(k.clone()), v.clone()))
            .collect(),
        Value::Null => return Err(error("cannot iterate over null")),
        _ => return Err(error("can iterate only over a list, set, map or object")),
    }))
}

fn index(v: Value, k: &Value, lenient: bool) -> R {
    if is_unknown(k) {
        return Ok(unknown());
    }
    match (v, k) {
        (Value::Array(mut a), k) => {
            let i = functions::to_number(k)?;
            if i < 0.0 || i.fract() != 0.0 || i as usize >= a.len() {
                return Err(error(format!("index {i} is out of range")));
            }
            Ok(a.swap_remove(i as usize))
        }
        (Value::Object(mut m), k) => {
            let key = functions::to_text(k)?;
            match m.remove(&key) {
                Some(x) => Ok(x),
                None if lenient => Ok(unknown()),
                None => Err(error(format!("no key `{key}`"))),
            }
        }
        _ => Err(error("only lists and maps can be indexed")),
    }
}
