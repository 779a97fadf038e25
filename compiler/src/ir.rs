//! The checked IR both back ends consume: names resolved, helpers and lets inlined, stdlib calls
//! bound to their table entries, every deciding clause numbered.

use crate::source::Span;
use crate::syntax::ast::Quant;
use serde_json::Value;
use tenet_stdlib::abi::{
    ClauseMeta, ControlMeta, LookupMeta, Projection, RecMeta, StandardMeta, VarMeta,
};
use tenet_stdlib::{Function, Ty};

/// Index into [`Program::clauses`].
pub type ClauseId = u32;
/// Index into [`Program::vars`].
pub type VarId = u32;

/// A checked standard.
#[derive(Clone, Debug, Default)]
pub struct Program {
    /// The standard.
    pub standard: StandardMeta,
    /// Controls.
    pub controls: Vec<ControlMeta>,
    /// Recommendations in output order.
    pub recs: Vec<Rec>,
    /// Clauses.
    pub clauses: Vec<ClauseMeta>,
    /// Quantifier variables.
    pub vars: Vec<VarMeta>,
    /// Cross-resource lookups.
    pub lookups: Vec<LookupMeta>,
    /// Compiled pattern tables (regexes and globs), by index.
    pub patterns: Vec<Vec<u8>>,
    /// Pattern sources, for the interpreter (regex syntax), by index.
    pub pattern_sources: Vec<String>,
}

/// A checked recommendation.
#[derive(Clone, Debug)]
pub struct Rec {
    /// Metadata.
    pub meta: RecMeta,
    /// What it decides for each input shape, tried in order: the first whose `applies` selects
    /// the resource judges it; a resource none selects is not applicable.
    pub variants: Vec<Variant>,
    /// A risk factor (evaluated after the recommendations; compliant means present).
    pub factor: bool,
}

/// The condition, remediation and fix of a recommendation for the resources its selectors pick.
#[derive(Clone, Debug)]
pub struct Variant {
    /// Resource selectors: provider (lower case, `*` for any) and type matchers.
    pub applies: Vec<(String, Vec<TypeMatch>)>,
    /// Applicability filter.
    pub when: Option<Node>,
    /// Compliance condition.
    pub cond: Node,
    /// Remediation template.
    pub remediation: Vec<TPart>,
    /// Fix operations, if this variant has a fix.
    pub fix: Option<Vec<Fix>>,
}

/// How a resource type is matched (ASCII case-insensitively).
#[derive(Clone, Debug, PartialEq)]
pub enum TypeMatch {
    /// Exact type.
    Exact(String),
    /// A glob, compiled to pattern index.
    Glob(usize),
}

/// Part of a remediation template.
#[derive(Clone, Debug)]
pub enum TPart {
    /// Literal text.
    Text(String),
    /// A value rendered as text.
    Value(Node),
}

/// Where a fix operation applies: a JSON Pointer (RFC 6901) into the resource, or, for a path
/// through a `let` that is a `??` chain of paths (`let pod = spec.template.spec ?? spec`), the
/// pointer of the first alternative present in the resource. A fix that writes inside such a
/// `let` (`set pod.hostPID = false`) needs one alternative present: it never invents the part of
/// the document the rule could not find. A fix that sets the `let` itself falls back to the last
/// alternative.
#[derive(Clone, Debug)]
pub struct FixPath {
    /// (the alternative's value, its pointer), tried in order; the first present one is used.
    pub choices: Vec<(Node, String)>,
    /// The pointer when no choice is present; `None`: no fix then.
    pub fallback: Option<String>,
}

impl FixPath {
    /// A path with one pointer.
    pub fn fixed(ptr: String) -> FixPath {
        FixPath {
            choices: Vec::new(),
            fallback: Some(ptr),
        }
    }
}

/// A fix operation.
#[derive(Clone, Debug)]
pub enum Fix {
    /// Set a value.
    Set(FixPath, Node),
    /// Remove a member.
    Remove(FixPath),
    /// Append to an array.
    Append(FixPath, Node),
    /// Remove the elements of the array at the pointer for which the condition holds.
    RemoveWhere {
        /// Pointer to the array.
        ptr: FixPath,
        /// The array value.
        list: Node,
        /// The element variable.
        var: VarId,
        /// The condition.
        cond: Node,
    },
}

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// Where a quantifier's elements come from.
#[derive(Clone, Debug)]
pub enum Source {
    /// A list or map value.
    Value(Box<Node>),
    /// Resources of the inventory (index into [`Program::lookups`]).
    Lookup(usize),
}

/// A node.
#[derive(Clone, Debug)]
pub struct Node {
    /// What it computes.
    pub kind: Kind,
    /// Its static type; `Bool` nodes are three-valued booleans, all others are values.
    pub ty: Ty,
    /// Source span.
    pub span: Span,
}

/// Node forms.
#[derive(Clone, Debug)]
pub enum Kind {
    /// A constant value.
    Lit(Value),
    /// The resource.
    Root,
    /// A quantifier variable.
    Var(VarId),
    /// In remediation text and fixes: the value the deciding clause saw bound to the first of
    /// these variables (all share one name).
    Bound(Vec<VarId>),
    /// A field by name.
    Get(Box<Node>, String),
    /// An array element by constant index (negative counts from the end).
    Index(Box<Node>, i64),
    /// A field or element by computed key.
    GetDyn(Box<Node>, Box<Node>),
    /// A list built from values.
    List(Vec<Node>),
    /// A stdlib call; `clause` is set for boolean calls.
    Call {
        /// The function.
        f: &'static Function,
        /// Arguments (for a pattern function, the pattern literal is the last one).
        args: Vec<Node>,
        /// Compiled pattern index, for `matches` and `glob`.
        pattern: Option<usize>,
        /// Clause, when the call is boolean.
        clause: Option<ClauseId>,
    },
    /// A comparison.
    Cmp(CmpOp, Box<Node>, Box<Node>, ClauseId),
    /// Membership `a in b` (negated for `not in`).
    In(Box<Node>, Box<Node>, bool, ClauseId),
    /// Conjunction.
    And(Vec<Node>),
    /// Disjunction.
    Or(Vec<Node>),
    /// Negation.
    Not(Box<Node>),
    /// A value used as a condition.
    Truthy(Box<Node>, ClauseId),
    /// A boolean used as a value.
    ToVal(Box<Node>),
    /// `a ?? b`.
    Default(Box<Node>, Box<Node>),
    /// `exists(v)` / `missing(v)` (negated).
    Exists(Box<Node>, bool, ClauseId),
    /// `is_unknown(v)`.
    IsUnknown(Box<Node>, ClauseId),
    /// A quantifier.
    Quant {
        /// Which.
        kind: Quant,
        /// Variable bound to the key (maps) or index (lists), if declared.
        key: Option<VarId>,
        /// Variable bound to the element.
        var: VarId,
        /// The elements.
        source: Source,
        /// The body (boolean).
        body: Box<Node>,
        /// The quantifier's own clause.
        clause: ClauseId,
    },
}

impl Node {
    /// Whether the node is a three-valued boolean.
    pub fn is_bool(&self) -> bool {
        self.ty == Ty::Bool
    }

    /// The nodes directly under this one.
    pub fn children(&self) -> Vec<&Node> {
        match &self.kind {
            Kind::Lit(_) | Kind::Root | Kind::Var(_) | Kind::Bound(_) => Vec::new(),
            Kind::Get(n, _)
            | Kind::Index(n, _)
            | Kind::Not(n)
            | Kind::Truthy(n, _)
            | Kind::ToVal(n)
            | Kind::Exists(n, ..)
            | Kind::IsUnknown(n, _) => vec![n],
            Kind::GetDyn(a, b)
            | Kind::Cmp(_, a, b, _)
            | Kind::In(a, b, ..)
            | Kind::Default(a, b) => vec![a, b],
            Kind::List(items) | Kind::And(items) | Kind::Or(items) => items.iter().collect(),
            Kind::Call { args, .. } => args.iter().collect(),
            Kind::Quant { source, body, .. } => match source {
                Source::Value(s) => vec![s, body],
                Source::Lookup(_) => vec![body],
            },
        }
    }
}

/// The depth of a node's tree, found without recursion (so any depth can be measured).
pub fn depth(n: &Node) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(n, 1usize)];
    while let Some((n, d)) = stack.pop() {
        deepest = deepest.max(d);
        stack.extend(n.children().into_iter().map(|c| (c, d + 1)));
    }
    deepest
}

/// Computes the projection of the resource (and of each lookup) that a program reads.
pub fn project(p: &Program) -> (Projection, Vec<Projection>) {
    let mut pr = Projector::new(p);
    for v in p.recs.iter().flat_map(|r| &r.variants) {
        pr.rec(v);
    }
    (pr.root, pr.lookups)
}

/// The fields of the resource that one recommendation reads: its `when`s, condition, remediation
/// and fix (tests use it to tell which recommendations depend on a part of a document).
pub fn reads(p: &Program, r: &Rec) -> Projection {
    let mut pr = Projector::new(p);
    for v in &r.variants {
        pr.rec(v);
    }
    pr.root
}

#[derive(Clone, Debug)]
enum Base {
    Root,
    Lookup(usize),
}

struct Projector {
    var_base: Vec<Option<(Base, Vec<String>)>>,
    root: Projection,
    lookups: Vec<Projection>,
}

impl Projector {
    fn new(p: &Program) -> Projector {
        Projector {
            var_base: vec![None; p.vars.len()],
            root: Projection::default(),
            lookups: vec![Projection::default(); p.lookups.len()],
        }
    }

    fn rec(&mut self, r: &Variant) {
        for n in r.when.iter().chain(std::iter::once(&r.cond)) {
            self.node(n);
        }
        for t in &r.remediation {
            if let TPart::Value(n) = t {
                self.node(n);
            }
        }
        for f in r.fix.iter().flatten() {
            let path = match f {
                Fix::Set(p, _) | Fix::Append(p, _) | Fix::Remove(p) => p,
                Fix::RemoveWhere { ptr, .. } => ptr,
            };
            for (n, _) in &path.choices {
                self.node(n);
            }
            match f {
                Fix::Set(_, n) | Fix::Append(_, n) => self.node(n),
                Fix::Remove(_) => {}
                Fix::RemoveWhere {
                    list, var, cond, ..
                } => {
                    self.bind(*var, list);
                    self.node(cond);
                    self.node(list);
                }
            }
        }
    }

    /// The static path a value node denotes, if any.
    fn path(&self, n: &Node) -> Option<(Base, Vec<String>)> {
        match &n.kind {
            Kind::Root => Some((Base::Root, Vec::new())),
            Kind::Var(v) => self.var_base.get(*v as usize).cloned().flatten(),
            Kind::Bound(ids) => ids
                .first()
                .and_then(|v| self.var_base.get(*v as usize).cloned().flatten()),
            Kind::Get(b, k) => self.path(b).map(|(base, mut p)| {
                p.push(k.clone());
                (base, p)
            }),
            Kind::Index(b, _) => self.path(b).map(|(base, mut p)| {
                p.push("*".to_string());
                (base, p)
            }),
            _ => None,
        }
    }

    fn need(&mut self, n: &Node) {
        if let Some((base, p)) = self.path(n) {
            let target = match base {
                Base::Root => &mut self.root,
                Base::Lookup(i) => match self.lookups.get_mut(i) {
                    Some(t) => t,
                    None => return,
                },
            };
            target.add(&p, true);
            return;
        }
        match &n.kind {
            Kind::Root | Kind::Var(_) | Kind::Bound(_) => {}
            Kind::Get(b, _) | Kind::Index(b, _) => self.need(b),
            _ => self.node(n),
        }
    }

    /// Binds a quantifier variable to "every element" of its source's path, when it has one.
    fn bind(&mut self, var: u32, source: &Node) {
        let base = self.path(source).map(|(b, mut p)| {
            p.push("*".to_string());
            (b, p)
        });
        if let Some(slot) = self.var_base.get_mut(var as usize) {
            *slot = base;
        }
    }

    fn node(&mut self, n: &Node) {
        match &n.kind {
            Kind::Lit(_) => {}
            Kind::Root | Kind::Var(_) | Kind::Bound(_) | Kind::Get(..) | Kind::Index(..) => {
                self.need(n)
            }
            Kind::GetDyn(b, k) => {
                self.need(b);
                self.need(k);
            }
            Kind::List(items) | Kind::And(items) | Kind::Or(items) => {
                items.iter().for_each(|i| self.need(i))
            }
            Kind::Call { args, .. } => args.iter().for_each(|a| self.need(a)),
            Kind::Cmp(_, a, b, _) | Kind::In(a, b, _, _) | Kind::Default(a, b) => {
                self.need(a);
                self.need(b);
            }
            Kind::Not(a)
            | Kind::Truthy(a, _)
            | Kind::ToVal(a)
            | Kind::Exists(a, _, _)
            | Kind::IsUnknown(a, _) => self.need(a),
            Kind::Quant {
                key,
                var,
                source,
                body,
                ..
            } => {
                match source {
                    Source::Value(s) => {
                        if key.is_some() {
                            self.need(s);
                        } else {
                            // The source must exist even if the body reads nothing of its elements.
                            if let Some((base, p)) = self.path(s) {
                                let target = match base {
                                    Base::Root => Some(&mut self.root),
                                    Base::Lookup(i) => self.lookups.get_mut(i),
                                };
                                if let Some(t) = target {
                                    // Keep every element (the count and the keys matter), even
                                    // when the body reads nothing of them.
                                    let mut each = p.clone();
                                    each.push("*".to_string());
                                    t.add(&each, false);
                                }
                            } else {
                                self.node(s);
                            }
                            self.bind(*var, s);
                        }
                    }
                    Source::Lookup(i) => {
                        if let Some(slot) = self.var_base.get_mut(*var as usize) {
                            *slot = Some((Base::Lookup(*i), Vec::new()));
                        }
                    }
                }
                self.node(body);
            }
        }
    }
}
