//! The checker: resolves names, checks types and metadata, inlines helpers, lets and constants,
//! and lowers the AST into the checked IR. It reports every error and warning it finds, not just
//! the first; `docs/diagnostics.md` lists the codes.
//!
//! This file holds the entry point and the checker's state; `metadata` checks standards, controls
//! and recommendations, `expr` lowers their conditions.

mod expr;
mod metadata;
mod variant;

use crate::diagnostics::{suggest, Code, Diagnostic, Level};
use crate::ir::*;
use crate::source::{Sources, Span};
use crate::syntax::ast::{self, BinOp, ExprKind, FieldValue, Quant};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use tenet_stdlib::abi::{
    AppliesMeta, ClauseMeta, ControlMeta, LookupMeta, RecMeta, StandardMeta, VarMeta, VariantMeta,
};
use tenet_stdlib::{automata, Ty};

/// Providers a recommendation can apply to.
pub const PROVIDERS: &[&str] = &["azure", "aws", "gcp", "kubernetes", "*"];
/// Severities.
pub const SEVERITIES: &[&str] = &["high", "medium", "low"];
const REC_FIELDS: &[&str] = &[
    "description",
    "severity",
    "category",
    "control",
    "tactics",
    "techniques",
    "frameworks",
    "refs",
    "workload",
    "domain",
    "links",
    "risk_factors",
];
const STANDARD_FIELDS: &[&str] = &["version", "source", "description", "inline_exemptions"];
const CONTROL_FIELDS: &[&str] = &["points", "description"];
const SPECIAL_FUNCTIONS: &[&str] = &["exists", "missing", "resources"];
/// Largest number of IR nodes a recommendation may expand to after inlining.
const MAX_NODES: usize = 200_000;
/// The deepest IR a recommendation may build after inlining helpers and lets: the code
/// generator and the interpreter recurse over it.
pub const MAX_IR_DEPTH: usize = 512;

/// The result of checking.
pub struct Checked {
    /// The program.
    pub program: Program,
    /// Warnings (errors make [`check`] fail).
    pub warnings: Vec<Diagnostic>,
}

#[derive(Clone)]
enum Bind {
    Var(VarId),
    Node(Node, Option<usize>),
}

struct Checker<'a> {
    sources: &'a Sources,
    diags: Vec<Diagnostic>,
    fns: HashMap<&'a str, &'a ast::Function>,
    consts: HashMap<&'a str, &'a ast::Expr>,
    program: Program,
    stack: Vec<String>,
    patterns: HashMap<String, usize>,
    lookups: HashMap<Vec<String>, usize>,
    nodes: usize,
    /// How deep `lower` is recursing now.
    depth: usize,
    rec_vars: Vec<(String, VarId)>,
    lets_used: Vec<bool>,
    /// Ids of the declared risk factors.
    factor_ids: Vec<String>,
}

/// Checks parsed files (one standard, possibly spread over several files) and lowers them.
pub fn check(sources: &Sources, files: &[ast::File]) -> Result<Checked, Vec<Diagnostic>> {
    let mut c = Checker {
        sources,
        diags: Vec::new(),
        fns: HashMap::new(),
        consts: HashMap::new(),
        program: Program::default(),
        stack: Vec::new(),
        patterns: HashMap::new(),
        lookups: HashMap::new(),
        nodes: 0,
        depth: 0,
        rec_vars: Vec::new(),
        lets_used: Vec::new(),
        factor_ids: Vec::new(),
    };
    c.run(files);
    c.diags
        .sort_by_key(|d| (d.level, d.span.file, d.span.start));
    if c.diags.iter().any(|d| d.level == Level::Error) {
        return Err(c.diags);
    }
    Ok(Checked {
        program: c.program,
        warnings: c.diags,
    })
}

/// The first path an expression reads: itself, the left side of `??`, or the first argument of
/// a call.
fn first_path(e: &ast::Expr) -> Option<&ast::Expr> {
    match &e.kind {
        _ if is_path(e) => Some(e),
        ExprKind::Call(_, args) => args.first().and_then(first_path),
        ExprKind::Binary(ast::BinOp::Default, a, _) => first_path(a),
        _ => None,
    }
}

fn is_path(e: &ast::Expr) -> bool {
    match &e.kind {
        ExprKind::Name(_) | ExprKind::SelfRef => true,
        ExprKind::Field(b, _) | ExprKind::Index(b, _) => is_path(b),
        _ => false,
    }
}

fn lit_ty(v: &Value) -> Ty {
    match v {
        Value::Null => Ty::Null,
        Value::Bool(_) => Ty::Bool,
        Value::Number(_) => Ty::Num,
        Value::String(_) => Ty::Str,
        Value::Array(_) => Ty::List,
        Value::Object(_) => Ty::Map,
    }
}

fn node(kind: Kind, ty: Ty, span: Span) -> Node {
    Node { kind, ty, span }
}

/// Escapes a JSON Pointer token (RFC 6901).
fn pointer_token(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

impl<'a> Checker<'a> {
    fn err(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn text(&self, span: Span) -> String {
        self.sources.slice(span).to_string()
    }

    fn run(&mut self, files: &'a [ast::File]) {
        let mut standard: Option<&ast::Header> = None;
        let mut recs = Vec::new();
        let mut controls: Vec<&ast::Header> = Vec::new();
        let mut defined: HashMap<&str, Span> = HashMap::new();
        for f in files {
            for d in &f.decls {
                match d {
                    ast::Decl::Standard(h) => {
                        if let Some(first) = standard {
                            let l = self.sources.locate(first.span);
                            self.err(
                                Diagnostic::error(
                                    Code::E0103,
                                    h.id.span,
                                    "a standard is declared twice",
                                )
                                .label("second declaration")
                                .help(format!(
                                    "a compilation holds one standard; the first is at {}:{}:{}",
                                    l.file, l.line, l.col
                                )),
                            );
                        } else {
                            standard = Some(h);
                        }
                    }
                    ast::Decl::Control(h) => controls.push(h),
                    ast::Decl::Recommendation(r) => recs.push(r),
                    ast::Decl::Function(f) => {
                        if let Some(prev) = defined.insert(&f.name.text, f.name.span) {
                            self.duplicate(&f.name, prev);
                        } else {
                            self.fns.insert(&f.name.text, f);
                        }
                    }
                    ast::Decl::Const(n, e) => {
                        if let Some(prev) = defined.insert(&n.text, n.span) {
                            self.duplicate(n, prev);
                        } else {
                            self.consts.insert(&n.text, e);
                        }
                    }
                    ast::Decl::Import(_) => {}
                }
            }
        }
        match standard {
            Some(h) => self.standard(h),
            None => {
                let span = recs.first().map(|r| r.header.span).unwrap_or_default();
                self.err(Diagnostic::error(Code::E0102, span, "no `standard` declaration")
                    .help("start the file with `standard my-standard \"My standard\" { version \"1.0.0\" }`"));
            }
        }
        let mut seen_controls: HashMap<String, Span> = HashMap::new();
        for h in controls {
            if let Some(prev) = seen_controls.insert(h.id.text.clone(), h.id.span) {
                let l = self.sources.locate(prev);
                self.err(
                    Diagnostic::error(
                        Code::E0105,
                        h.id.span,
                        format!("control `{}` is declared twice", h.id.text),
                    )
                    .help(format!(
                        "the first declaration is at {}:{}:{}",
                        l.file, l.line, l.col
                    )),
                );
                continue;
            }
            self.control(h);
        }
        self.factor_ids = recs
            .iter()
            .filter(|r| r.factor)
            .map(|r| r.header.id.text.clone())
            .collect();
        let mut seen_recs: HashMap<String, Span> = HashMap::new();
        for r in recs {
            if let Some(prev) = seen_recs.insert(r.header.id.text.clone(), r.header.id.span) {
                let l = self.sources.locate(prev);
                self.err(
                    Diagnostic::error(
                        Code::E0104,
                        r.header.id.span,
                        format!("recommendation `{}` is declared twice", r.header.id.text),
                    )
                    .label("duplicate id")
                    .help(format!(
                        "ids must be unique and stable; the first is at {}:{}:{}",
                        l.file, l.line, l.col
                    )),
                );
                continue;
            }
            self.recommendation(r);
        }
        // Outputs list the recommendations first, then the risk factors.
        self.program.recs.sort_by_key(|r| r.factor);
    }
}
