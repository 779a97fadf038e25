//! The reference interpreter: evaluates the checked IR directly over JSON values. It is the oracle
//! the WebAssembly back end is tested against, so it follows the same evaluation order and the
//! same rules for which clause explains an outcome (see `docs/abi.md`, "Explanations").

use crate::ir::*;
use crate::syntax::ast::Quant;
use serde_json::{Map, Value};
use std::rc::Rc;
use tenet_stdlib::abi::{Binding, Leaf, Outcome, Reason, RecResult};
use tenet_stdlib::value::{is_unknown, number};
use tenet_stdlib::{compare, Ctx, Fault};

/// One resource to evaluate.
pub struct Input<'a> {
    /// Provider (`azure`, `aws`, `gcp`, `kubernetes`).
    pub provider: &'a str,
    /// Resource type.
    pub kind: &'a str,
    /// The resource document.
    pub resource: &'a Value,
    /// Evaluation time, seconds since the epoch.
    pub now: f64,
    /// For each lookup of the program, the resources the host indexed, in index order.
    pub lookups: &'a [Vec<Value>],
}

#[derive(Debug)]
struct Record {
    clause: u32,
    tri: u8,
    value: Option<Value>,
    binds: Vec<(u32, i32, Option<Value>)>,
}

struct St<'a> {
    p: &'a Program,
    input: &'a Input<'a>,
    ctx: Ctx,
    reason: Option<Rc<Record>>,
    err: u8,
    err_rec: Option<Rc<Record>>,
    env: Vec<Option<(i32, Value)>>,
    scope: Vec<u32>,
    bound: Option<Rc<Record>>,
    trace: Option<Vec<Step>>,
}

/// One evaluated clause, for `--explain`.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// The clause.
    pub clause: u32,
    /// Its value: 0 false, 1 true, 2 unknown.
    pub tri: u8,
    /// The value it looked at.
    pub value: Option<Value>,
    /// Bound variables: (variable, index, value).
    pub bindings: Vec<(u32, i32, Option<Value>)>,
}

fn known(v: &Option<Value>) -> bool {
    matches!(v, Some(x) if !is_unknown(x))
}

fn ci_eq(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Evaluates every recommendation of `p` on one resource.
pub fn evaluate(p: &Program, input: &Input<'_>) -> Vec<RecResult> {
    new_state(p, input, false).run()
}

/// Evaluates one recommendation and returns every clause it evaluated, in order.
pub fn trace(p: &Program, input: &Input<'_>, rec: usize) -> Option<(RecResult, Vec<Step>)> {
    let r = p.recs.get(rec)?;
    let mut st = new_state(p, input, true);
    let res = st.rec(r);
    Some((res, st.trace.take().unwrap_or_default()))
}

fn new_state<'a>(p: &'a Program, input: &'a Input<'a>, trace: bool) -> St<'a> {
    St {
        p,
        input,
        ctx: Ctx { now: input.now },
        reason: None,
        err: 0,
        err_rec: None,
        env: vec![None; p.vars.len()],
        scope: Vec::new(),
        bound: None,
        trace: trace.then(Vec::new),
    }
}

impl St<'_> {
    fn run(&mut self) -> Vec<RecResult> {
        let p = self.p;
        p.recs.iter().map(|r| self.rec(r)).collect()
    }

    fn applies(&self, r: &Variant) -> bool {
        r.applies.iter().any(|(prov, types)| {
            (prov == "*" || ci_eq(prov, self.input.provider))
                && types.iter().any(|t| match t {
                    TypeMatch::Exact(x) => ci_eq(x, self.input.kind),
                    TypeMatch::Glob(i) => self
                        .p
                        .pattern_sources
                        .get(*i)
                        .and_then(|s| tenet_stdlib::automata::cached_regex(s))
                        .is_some_and(|re| re.is_match(self.input.kind.as_bytes())),
                })
        })
    }

    fn rec(&mut self, r: &Rec) -> RecResult {
        self.err = 0;
        self.reason = None;
        self.err_rec = None;
        let root = self.input.resource;
        let Some(r) = r.variants.iter().find(|v| self.applies(v)) else {
            return RecResult {
                outcome: Outcome::NotApplicable,
                reason: None,
            };
        };
        if let Some(w) = &r.when {
            let t = self.tri(w, root);
            if self.err != 0 {
                return self.error();
            }
            if t != 1 {
                return RecResult {
                    outcome: Outcome::NotApplicable,
                    reason: None,
                };
            }
        }
        let t = self.tri(&r.cond, root);
        if self.err != 0 {
            return self.error();
        }
        if t == 1 {
            return RecResult {
                outcome: Outcome::Compliant,
                reason: None,
            };
        }
        let rec = self.reason.clone();
        // `--explain` traces the conditions only, not the remediation and fix that follow.
        let trace = self.trace.take();
        self.bound = rec.clone();
        let remediation = self.render(&r.remediation, root);
        let fix = r.fix.as_ref().and_then(|ops| self.fix(ops, root));
        self.bound = None;
        self.trace = trace;
        RecResult {
            outcome: Outcome::NotCompliant,
            reason: Some(reason_of(rec.as_deref(), 0, Some(remediation), fix)),
        }
    }

    fn error(&mut self) -> RecResult {
        let fault = self.err;
        RecResult {
            outcome: Outcome::Error,
            reason: Some(reason_of(self.err_rec.as_deref(), fault, None, None)),
        }
    }

    fn render(&mut self, parts: &[TPart], root: &Value) -> String {
        let values: Vec<Option<Option<Value>>> = parts
            .iter()
            .map(|p| match p {
                TPart::Text(_) => None,
                TPart::Value(n) => Some(self.val(n, root)),
            })
            .collect();
        let mut out = String::new();
        for (p, v) in parts.iter().zip(values) {
            match (p, v) {
                (TPart::Text(t), _) => out.push_str(t),
                (_, Some(v)) => out.push_str(&tenet_stdlib::text::render(v.as_ref())),
                _ => {}
            }
        }
        out
    }

    /// The pointer of a fix path: the first choice whose value is present, else the fallback;
    /// `None` (no fix) without one.
    fn fix_path(&mut self, p: &FixPath, root: &Value) -> Option<String> {
        for (n, ptr) in &p.choices {
            let v = self.val(n, root);
            if known(&v) {
                return Some(ptr.clone());
            }
        }
        p.fallback.clone()
    }

    fn fix(&mut self, ops: &[Fix], root: &Value) -> Option<Value> {
        let mut out = Vec::new();
        let op = |kind: &str, path: &str, value: Option<Value>| {
            let mut m = Map::new();
            m.insert("op".into(), Value::String(kind.into()));
            m.insert("path".into(), Value::String(path.into()));
            if let Some(v) = value {
                m.insert("value".into(), v);
            }
            Value::Object(m)
        };
        for f in ops {
            match f {
                Fix::Set(p, n) => {
                    let ptr = self.fix_path(p, root)?;
                    out.push(op("set", &ptr, Some(self.val(n, root)?)))
                }
                Fix::Append(p, n) => {
                    let ptr = self.fix_path(p, root)?;
                    out.push(op("append", &ptr, Some(self.val(n, root)?)))
                }
                Fix::Remove(p) => {
                    let ptr = self.fix_path(p, root)?;
                    out.push(op("remove", &ptr, None))
                }
                Fix::RemoveWhere {
                    ptr,
                    list,
                    var,
                    cond,
                } => {
                    let ptr = self.fix_path(ptr, root)?;
                    if let Some(Value::Array(items)) = self.val(list, root) {
                        for (i, item) in items.iter().enumerate().rev() {
                            self.bind(*var, i as i32, item.clone());
                            self.scope.push(*var);
                            let t = self.tri(cond, root);
                            self.scope.pop();
                            if t == 1 {
                                out.push(op("remove", &format!("{ptr}/{i}"), None));
                            }
                        }
                    }
                }
            }
        }
        Some(Value::Array(out))
    }

    fn fault(&mut self, f: Fault) {
        if self.err == 0 {
            self.err = f.code();
        }
    }

    fn leaf(&mut self, clause: u32, tri: u8, value: Option<Value>) {
        let binds: Vec<(u32, i32, Option<Value>)> = self
            .scope
            .iter()
            .map(|v| match self.env.get(*v as usize).cloned().flatten() {
                Some((i, x)) => (*v, i, Some(x)),
                None => (*v, -1, None),
            })
            .collect();
        if let Some(t) = self.trace.as_mut() {
            t.push(Step {
                clause,
                tri,
                value: value.clone(),
                bindings: binds.clone(),
            });
        }
        let rec = Rc::new(Record {
            clause,
            tri,
            value,
            binds,
        });
        if self.err != 0 && self.err_rec.is_none() {
            self.err_rec = Some(rec.clone());
        }
        self.reason = Some(rec);
    }

    fn bind(&mut self, var: u32, index: i32, v: Value) {
        if let Some(slot) = self.env.get_mut(var as usize) {
            *slot = Some((index, v));
        }
    }

    fn val(&mut self, n: &Node, root: &Value) -> Option<Value> {
        match &n.kind {
            Kind::Lit(v) => Some(v.clone()),
            Kind::Root => Some(root.clone()),
            Kind::Var(id) => self
                .env
                .get(*id as usize)
                .cloned()
                .flatten()
                .map(|(_, v)| v),
            Kind::Bound(ids) => {
                let rec = self.bound.clone()?;
                ids.iter().find_map(|id| {
                    rec.binds
                        .iter()
                        .find(|(v, _, _)| v == id)
                        .and_then(|(_, _, x)| x.clone())
                })
            }
            Kind::Get(b, k) => get(self.val(b, root), k),
            Kind::Index(b, i) => index(self.val(b, root), *i),
            Kind::GetDyn(b, k) => {
                let base = self.val(b, root);
                let key = self.val(k, root);
                if !known(&key) {
                    return None;
                }
                match key {
                    Some(Value::String(s)) => get(base, &s),
                    Some(Value::Number(x)) => {
                        let f = x.as_f64().unwrap_or(0.5);
                        (f.fract() == 0.0 && f.abs() < 1e9)
                            .then(|| index(base, f as i64))
                            .flatten()
                    }
                    _ => None,
                }
            }
            Kind::List(items) => {
                let vals = items
                    .iter()
                    .map(|i| self.val(i, root).unwrap_or(Value::Null))
                    .collect();
                Some(Value::Array(vals))
            }
            Kind::Call { f, args, .. } => {
                let vals: Vec<Option<Value>> = args.iter().map(|a| self.val(a, root)).collect();
                if !vals.iter().all(known) {
                    return None;
                }
                let refs: Vec<&Value> = vals.iter().flatten().collect();
                match (f.imp)(&refs, &self.ctx) {
                    Ok(v) => v,
                    Err(e) => {
                        self.fault(e);
                        None
                    }
                }
            }
            Kind::Default(a, b) => match self.val(a, root) {
                None => self.val(b, root),
                v => v,
            },
            Kind::ToVal(b) => match self.tri(b, root) {
                0 => Some(Value::Bool(false)),
                1 => Some(Value::Bool(true)),
                _ => None,
            },
            Kind::Quant {
                kind: Quant::Count,
                key,
                var,
                source,
                body,
                ..
            } => {
                let src = self.source(source, root);
                if !known(&src) {
                    return None;
                }
                let Some(entries) = entries(src) else {
                    self.fault(Fault::Iterate);
                    return None;
                };
                let mut count = 0;
                for (i, k, e) in entries {
                    self.enter(*key, *var, i, k, e);
                    if self.tri(body, root) == 1 {
                        count += 1;
                    }
                    self.leave(*key);
                }
                Some(number(f64::from(count)))
            }
            _ => match self.tri(n, root) {
                0 => Some(Value::Bool(false)),
                1 => Some(Value::Bool(true)),
                _ => None,
            },
        }
    }

    fn source(&mut self, s: &Source, root: &Value) -> Option<Value> {
        match s {
            Source::Value(n) => self.val(n, root),
            Source::Lookup(i) => Some(Value::Array(
                self.input.lookups.get(*i).cloned().unwrap_or_default(),
            )),
        }
    }

    fn enter(&mut self, key: Option<u32>, var: u32, i: usize, k: Value, e: Value) {
        if let Some(kv) = key {
            self.bind(kv, i as i32, k);
            self.scope.push(kv);
        }
        self.bind(var, i as i32, e);
        self.scope.push(var);
    }

    fn leave(&mut self, key: Option<u32>) {
        self.scope.pop();
        if key.is_some() {
            self.scope.pop();
        }
    }

    /// `and` (stop = 0) and `or` (stop = 1): the first operand equal to `stop` decides; else the
    /// first undecided operand's record stands for an undecided result.
    fn junction(&mut self, items: &[Node], stop: u8, root: &Value) -> u8 {
        let mut undecided = Undecided::default();
        for i in items {
            let t = self.tri(i, root);
            if t == stop {
                return stop;
            }
            undecided.note(t, &self.reason);
        }
        if let Some(saved) = undecided.0 {
            self.reason = saved;
            return 2;
        }
        1 - stop
    }

    fn subject(a: &Node, va: &Option<Value>, vb: &Option<Value>) -> Option<Value> {
        if matches!(a.kind, Kind::Lit(_)) {
            vb.clone()
        } else {
            va.clone()
        }
    }

    fn tri(&mut self, n: &Node, root: &Value) -> u8 {
        match &n.kind {
            Kind::Lit(Value::Bool(b)) => u8::from(*b),
            Kind::Cmp(op, a, b, c) => {
                let (va, vb) = (self.val(a, root), self.val(b, root));
                let t = match (&va, &vb) {
                    (Some(x), Some(y)) if known(&va) && known(&vb) => match op {
                        CmpOp::Eq => u8::from(compare::equal(x, y)),
                        CmpOp::Ne => u8::from(!compare::equal(x, y)),
                        _ => match compare::order(x, y) {
                            Err(f) => {
                                self.fault(f);
                                2
                            }
                            Ok(o) => u8::from(match op {
                                CmpOp::Lt => o.is_lt(),
                                CmpOp::Le => o.is_le(),
                                CmpOp::Gt => o.is_gt(),
                                _ => o.is_ge(),
                            }),
                        },
                    },
                    _ => 2,
                };
                let s = Self::subject(a, &va, &vb);
                self.leaf(*c, t, s);
                t
            }
            Kind::In(a, b, neg, c) => {
                let (va, vb) = (self.val(a, root), self.val(b, root));
                let mut t = match (&va, &vb) {
                    (Some(x), Some(y)) if known(&va) && known(&vb) => match compare::contains(y, x)
                    {
                        Ok(r) => u8::from(r),
                        Err(f) => {
                            self.fault(f);
                            2
                        }
                    },
                    _ => 2,
                };
                if *neg && t != 2 {
                    t = 1 - t;
                }
                let s = Self::subject(a, &va, &vb);
                self.leaf(*c, t, s);
                t
            }
            Kind::And(items) => self.junction(items, 0, root),
            Kind::Or(items) => self.junction(items, 1, root),
            Kind::Not(x) => match self.tri(x, root) {
                2 => 2,
                t => 1 - t,
            },
            Kind::Truthy(v, c) => {
                let x = self.val(v, root);
                let t = if !known(&x) {
                    2
                } else {
                    u8::from(x == Some(Value::Bool(true)))
                };
                self.leaf(*c, t, x);
                t
            }
            Kind::Exists(v, neg, c) => {
                let x = self.val(v, root);
                let t = u8::from(x.is_some() != *neg);
                self.leaf(*c, t, x);
                t
            }
            Kind::IsUnknown(v, c) => {
                let x = self.val(v, root);
                let t = u8::from(x.as_ref().is_some_and(is_unknown));
                self.leaf(*c, t, x);
                t
            }
            Kind::Call {
                f, args, clause, ..
            } => {
                let vals: Vec<Option<Value>> = args.iter().map(|a| self.val(a, root)).collect();
                let t = if vals.iter().all(known) {
                    let refs: Vec<&Value> = vals.iter().flatten().collect();
                    match (f.imp)(&refs, &self.ctx) {
                        Ok(Some(Value::Bool(b))) => u8::from(b),
                        Ok(_) => 2,
                        Err(e) => {
                            self.fault(e);
                            2
                        }
                    }
                } else {
                    2
                };
                let first = vals.into_iter().next().flatten();
                self.leaf(clause.unwrap_or(u32::MAX), t, first);
                t
            }
            Kind::Quant {
                kind,
                key,
                var,
                source,
                body,
                clause,
            } => {
                let src = self.source(source, root);
                // A lookup is not one value of the resource: its clauses record no actual value.
                let shown = if matches!(source, Source::Lookup(_)) {
                    None
                } else {
                    src.clone()
                };
                if !known(&src) {
                    self.leaf(*clause, 2, shown);
                    return 2;
                }
                let Some(items) = entries(src) else {
                    self.fault(Fault::Iterate);
                    self.leaf(*clause, 2, shown);
                    return 2;
                };
                // any: stops at true; all: stops at false; none: stops at true (and is false).
                let stop_on = if *kind == Quant::All { 0 } else { 1 };
                let mut undecided = Undecided::default();
                for (i, k, e) in items {
                    self.enter(*key, *var, i, k, e);
                    let t = self.tri(body, root);
                    self.leave(*key);
                    if t == stop_on {
                        return match kind {
                            Quant::Any => 1,
                            _ => 0,
                        };
                    }
                    undecided.note(t, &self.reason);
                }
                if let Some(saved) = undecided.0 {
                    self.reason = saved;
                    return 2;
                }
                let t = if *kind == Quant::Any { 0 } else { 1 };
                self.leaf(*clause, t, shown);
                t
            }
            _ => {
                let v = self.val(n, root);
                if known(&v) {
                    u8::from(v == Some(Value::Bool(true)))
                } else {
                    2
                }
            }
        }
    }
}

/// The first undecided operand of `and`/`or` or element of a quantifier, whose record explains
/// an undecided result.
#[derive(Default)]
struct Undecided(Option<Option<Rc<Record>>>);

impl Undecided {
    fn note(&mut self, t: u8, reason: &Option<Rc<Record>>) {
        if t == 2 && self.0.is_none() {
            self.0 = Some(reason.clone());
        }
    }
}

/// (position, key or index value, element) of a list or map.
fn entries(v: Option<Value>) -> Option<Vec<(usize, Value, Value)>> {
    match v? {
        Value::Array(items) => Some(
            items
                .into_iter()
                .enumerate()
                .map(|(i, e)| (i, number(i as f64), e))
                .collect(),
        ),
        Value::Object(m) => Some(
            m.into_iter()
                .enumerate()
                .map(|(i, (k, e))| (i, Value::String(k), e))
                .collect(),
        ),
        _ => None,
    }
}

fn get(base: Option<Value>, k: &str) -> Option<Value> {
    match base? {
        v if is_unknown(&v) => Some(v),
        Value::Object(mut m) => m.remove(k),
        _ => None,
    }
}

fn index(base: Option<Value>, i: i64) -> Option<Value> {
    match base? {
        v if is_unknown(&v) => Some(v),
        Value::Array(mut items) => {
            let n = items.len() as i64;
            let i = if i < 0 { i + n } else { i };
            (0..n).contains(&i).then(|| items.swap_remove(i as usize))
        }
        _ => None,
    }
}

fn reason_of(
    rec: Option<&Record>,
    fault: u8,
    remediation: Option<String>,
    fix: Option<Value>,
) -> Reason {
    match rec {
        Some(r) => Reason {
            clause: (r.clause != u32::MAX).then_some(r.clause),
            leaf: match r.tri {
                0 => Leaf::False,
                1 => Leaf::True,
                _ => Leaf::Unknown,
            },
            fault: (fault != 0).then_some(fault),
            actual: r.value.clone(),
            bindings: r
                .binds
                .iter()
                .map(|(var, index, value)| Binding {
                    var: *var,
                    index: *index,
                    value: value.clone(),
                })
                .collect(),
            remediation,
            fix,
        },
        None => Reason {
            clause: None,
            leaf: Leaf::Unknown,
            fault: (fault != 0).then_some(fault),
            actual: None,
            bindings: Vec::new(),
            remediation,
            fix,
        },
    }
}
