//! The checker: resolves names, checks types and metadata, inlines helpers, lets and constants,
//! and lowers the AST into the checked IR. It reports every error and warning it finds, not just
//! the first; `docs/diagnostics.md` lists the codes.

use crate::diagnostics::{suggest, Diagnostic, Level};
use crate::ir::*;
use crate::source::{Sources, Span};
use crate::syntax::ast::{self, BinOp, ExprKind, FieldValue, Quant};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use tenet_stdlib::abi::{
    AppliesMeta, ClauseMeta, ControlMeta, LookupMeta, RecMeta, StandardMeta, VarMeta,
};
use tenet_stdlib::{automata, Ty};

/// Providers a recommendation can apply to.
pub const PROVIDERS: &[&str] = &["azure", "aws", "gcp", "kubernetes", "*"];
/// Severities.
pub const SEVERITIES: &[&str] = &["high", "medium", "low"];
const REC_FIELDS: &[&str] = &[
    "description",
    "severity",
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
                                    "E0103",
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
                self.err(Diagnostic::error("E0102", span, "no `standard` declaration")
                    .help("start the file with `standard my-standard \"My standard\" { version \"1.0.0\" }`"));
            }
        }
        let mut seen_controls: HashMap<String, Span> = HashMap::new();
        for h in controls {
            if let Some(prev) = seen_controls.insert(h.id.text.clone(), h.id.span) {
                let l = self.sources.locate(prev);
                self.err(
                    Diagnostic::error(
                        "E0105",
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
                        "E0104",
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

    fn duplicate(&mut self, n: &ast::Name, prev: Span) {
        let l = self.sources.locate(prev);
        self.err(
            Diagnostic::error("E0101", n.span, format!("`{}` is defined twice", n.text))
                .label("second definition")
                .help(format!(
                    "rename one of them; the first is at {}:{}:{}",
                    l.file, l.line, l.col
                )),
        );
    }

    fn unknown_field(&mut self, key: &ast::Name, allowed: &[&str], what: &str) {
        let mut d = Diagnostic::error(
            "E0113",
            key.span,
            format!("unknown {what} field `{}`", key.text),
        )
        .label("not a field");
        d = match suggest(&key.text, allowed.iter().copied()) {
            Some(s) => d.help(format!("did you mean `{s}`?")),
            None => d.help(format!(
                "the fields of a {what} are: {}",
                allowed.join(", ")
            )),
        };
        self.err(d);
    }

    fn string_field(&mut self, f: &ast::Field) -> String {
        match &f.value {
            FieldValue::Str(s) | FieldValue::Id(s) => s.text.clone(),
            other => {
                self.err(
                    Diagnostic::error(
                        "E0116",
                        other.span(),
                        format!("`{}` takes a string", f.key.text),
                    )
                    .help(format!("write `{} \"...\"`", f.key.text)),
                );
                String::new()
            }
        }
    }

    fn list_field(&mut self, f: &ast::Field) -> Vec<String> {
        match &f.value {
            FieldValue::List(items, _) => items.iter().map(|n| n.text.clone()).collect(),
            FieldValue::Str(s) | FieldValue::Id(s) => vec![s.text.clone()],
            other => {
                self.err(
                    Diagnostic::error(
                        "E0116",
                        other.span(),
                        format!("`{}` takes a list of strings", f.key.text),
                    )
                    .help(format!("write `{} [\"a\", \"b\"]`", f.key.text)),
                );
                Vec::new()
            }
        }
    }

    fn map_field(&mut self, f: &ast::Field) -> BTreeMap<String, Vec<String>> {
        match &f.value {
            FieldValue::Map(entries, _) => {
                let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
                for (k, vs) in entries {
                    m.entry(k.text.clone())
                        .or_default()
                        .extend(vs.iter().map(|v| v.text.clone()));
                }
                m
            }
            other => {
                self.err(
                    Diagnostic::error(
                        "E0116",
                        other.span(),
                        format!("`{}` takes a block of references", f.key.text),
                    )
                    .help(format!(
                        "write `{} {{ checkov \"CKV_AZURE_3\" cis-azure [\"3.1\", \"3.2\"] }}`",
                        f.key.text
                    )),
                );
                BTreeMap::new()
            }
        }
    }

    fn standard(&mut self, h: &ast::Header) {
        let mut s = StandardMeta {
            id: h.id.text.clone(),
            title: h.title.text.clone(),
            ..StandardMeta::default()
        };
        for f in &h.fields {
            match f.key.text.as_str() {
                "version" => s.version = self.string_field(f),
                "source" => s.source = self.string_field(f),
                "description" => s.description = self.string_field(f),
                "inline_exemptions" => {
                    let v = self.string_field(f);
                    if !["none", "low", "medium", "high"].contains(&v.as_str()) {
                        self.err(
                            Diagnostic::error(
                                "E0116",
                                f.value.span(),
                                format!("`inline_exemptions {v}` is not a level"),
                            )
                            .help("write none, low, medium or high: the highest severity a resource tag may exempt"),
                        );
                    }
                    s.inline_exemptions = Some(v);
                }
                _ => self.unknown_field(&f.key, STANDARD_FIELDS, "standard"),
            }
        }
        self.program.standard = s;
    }

    fn control(&mut self, h: &ast::Header) {
        let mut c = ControlMeta {
            id: h.id.text.clone(),
            title: h.title.text.clone(),
            points: 0.0,
        };
        for f in &h.fields {
            match (f.key.text.as_str(), &f.value) {
                ("points", FieldValue::Num(n, _)) if *n >= 0.0 => c.points = *n,
                ("points", v) => self.err(
                    Diagnostic::error("E0116", v.span(), "`points` takes a number of at least 0")
                        .help("write `points 8`"),
                ),
                ("description", _) => {
                    self.string_field(f);
                }
                _ => self.unknown_field(&f.key, CONTROL_FIELDS, "control"),
            }
        }
        self.program.controls.push(c);
    }

    fn pattern(&mut self, regex: &str, span: Span) -> Option<usize> {
        if let Some(&i) = self.patterns.get(regex) {
            return Some(i);
        }
        match automata::regex_table(regex) {
            Ok(t) => {
                let i = self.program.patterns.len();
                self.program.patterns.push(t);
                self.program.pattern_sources.push(regex.to_string());
                self.patterns.insert(regex.to_string(), i);
                Some(i)
            }
            Err(e) => {
                self.err(Diagnostic::error("E0205", span, "this pattern cannot be compiled").label(e.to_string())
                    .help("patterns use Rust `regex` syntax; Unicode word boundaries (`\\b`) are not supported, use `(?-u:\\b)`"));
                None
            }
        }
    }

    fn recommendation(&mut self, r: &ast::Recommendation) {
        let h = &r.header;
        let mut meta = RecMeta {
            id: h.id.text.clone(),
            title: h.title.text.clone(),
            span: self.sources.locate(h.id.span),
            ..RecMeta::default()
        };
        let mut severity = None;
        for f in &h.fields {
            match f.key.text.as_str() {
                "description" => meta.description = self.string_field(f),
                "severity" => {
                    let s = self.string_field(f);
                    if SEVERITIES.contains(&s.as_str()) {
                        severity = Some(s);
                    } else {
                        let mut d = Diagnostic::error(
                            "E0110",
                            f.value.span(),
                            format!("unknown severity `{s}`"),
                        )
                        .label("not a severity");
                        d = match suggest(&s.to_lowercase(), SEVERITIES.iter().copied()) {
                            Some(x) => d.help(format!("did you mean `{x}`?")),
                            None => d.help("severity is one of `high`, `medium`, `low`"),
                        };
                        self.err(d);
                        severity = Some(String::new());
                    }
                }
                "control" => {
                    let c = self.string_field(f);
                    if !self.program.controls.iter().any(|x| x.id == c) {
                        let ids: Vec<&str> = self
                            .program
                            .controls
                            .iter()
                            .map(|x| x.id.as_str())
                            .collect();
                        let mut d = Diagnostic::error(
                            "E0114",
                            f.value.span(),
                            format!("unknown control `{c}`"),
                        )
                        .label("no such control");
                        d = match suggest(&c, ids.iter().copied()) {
                            Some(x) => d.help(format!("did you mean `{x}`?")),
                            None => d.help(format!(
                                "declare it: `control {c} \"Title\" {{ points 1 }}`"
                            )),
                        };
                        self.err(d);
                    }
                    meta.control = Some(c);
                }
                "tactics" => meta.tactics = self.list_field(f),
                "techniques" => meta.techniques = self.list_field(f),
                "links" => meta.links = self.list_field(f),
                "risk_factors" => {
                    meta.risk_factors = self.list_field(f);
                    for x in &meta.risk_factors {
                        if !self.factor_ids.contains(x) {
                            let mut d = Diagnostic::error(
                                "E0118",
                                f.value.span(),
                                format!("unknown risk factor `{x}`"),
                            )
                            .label("no such risk factor");
                            d = match suggest(x, self.factor_ids.iter().map(String::as_str)) {
                                Some(s) => d.help(format!("did you mean `{s}`?")),
                                None => d.help(format!(
                                    "declare it: `risk_factor {x} \"Title\" {{ applies * \"*\" present when ... }}`"
                                )),
                            };
                            self.err(d);
                        }
                    }
                }
                "frameworks" => meta.frameworks = self.map_field(f),
                "refs" => meta.refs = self.map_field(f),
                "workload" => meta.workload = Some(self.string_field(f)),
                "domain" => meta.domain = Some(self.string_field(f)),
                _ => self.unknown_field(&f.key, REC_FIELDS, "recommendation"),
            }
        }
        match severity {
            Some(s) => meta.severity = s,
            // Risk factors have no severity: they qualify the findings of recommendations.
            None if r.factor => {}
            None => self.err(
                Diagnostic::error(
                    "E0110",
                    h.id.span,
                    format!("recommendation `{}` has no severity", h.id.text),
                )
                .help("add `severity high`, `severity medium` or `severity low`"),
            ),
        }
        // applies
        let mut applies = Vec::new();
        for (provider, types) in &r.applies {
            let p = provider.text.to_ascii_lowercase();
            if !PROVIDERS.contains(&p.as_str()) {
                let mut d = Diagnostic::error(
                    "E0115",
                    provider.span,
                    format!("unknown provider `{}`", provider.text),
                )
                .label("not a provider");
                d = match suggest(&p, PROVIDERS.iter().copied()) {
                    Some(x) => d.help(format!("did you mean `{x}`?")),
                    None => {
                        d.help("providers are `azure`, `aws`, `gcp`, `kubernetes`, or `*` for any")
                    }
                };
                self.err(d);
            }
            let mut matchers = Vec::new();
            for t in types {
                if t.text.contains(['*', '?', '[', '{']) {
                    match automata::glob_regex(&t.text, true) {
                        Some(re) => {
                            if let Some(i) = self.pattern(&re, t.span) {
                                matchers.push(TypeMatch::Glob(i));
                            }
                        }
                        None => self.err(
                            Diagnostic::error("E0205", t.span, "invalid type glob")
                                .help("globs use `*`, `?`, `[a-z]` and `{a,b}`"),
                        ),
                    }
                } else {
                    matchers.push(TypeMatch::Exact(t.text.to_ascii_lowercase()));
                }
            }
            meta.applies.push(AppliesMeta {
                provider: p.clone(),
                types: types.iter().map(|t| t.text.clone()).collect(),
            });
            applies.push((p, matchers));
        }
        if r.applies.is_empty() {
            self.err(Diagnostic::error("E0111", h.id.span, format!("recommendation `{}` applies to no resource type", h.id.text))
                .help("add `applies azure \"Microsoft.Storage/storageAccounts\"` (or aws, gcp, kubernetes)"));
        }
        // lets, in order, each seeing the previous ones
        self.rec_vars.clear();
        self.nodes = 0;
        let mut scope: Vec<(String, Bind)> = Vec::new();
        self.lets_used = vec![false; r.lets.len()];
        for (i, (name, e)) in r.lets.iter().enumerate() {
            let n = self.lower(e, &mut scope);
            scope.push((name.text.clone(), Bind::Node(n, Some(i))));
        }
        let when = if r.when.is_empty() {
            None
        } else {
            let parts: Vec<Node> = r
                .when
                .iter()
                .map(|w| {
                    let n = self.lower(w, &mut scope);
                    self.cond(n)
                })
                .collect();
            Some(if parts.len() == 1 {
                parts
                    .into_iter()
                    .next()
                    .unwrap_or_else(|| node(Kind::Lit(Value::Bool(true)), Ty::Bool, h.span))
            } else {
                let span = h.span;
                node(Kind::And(parts), Ty::Bool, span)
            })
        };
        let cond = match r.compliant.as_slice() {
            [] => {
                self.err(Diagnostic::error("E0112", h.id.span, format!("recommendation `{}` has no `compliant when` condition", h.id.text))
                    .help("add `compliant when <condition>`, e.g. `compliant when properties.supportsHttpsTrafficOnly == true`"));
                node(Kind::Lit(Value::Bool(true)), Ty::Bool, h.span)
            }
            [c, rest @ ..] => {
                for extra in rest {
                    self.err(
                        Diagnostic::error(
                            "E0112",
                            extra.span,
                            "a recommendation has one `compliant when` condition",
                        )
                        .help("combine the conditions with `and`"),
                    );
                }
                let n = self.lower(c, &mut scope);
                if let Kind::Lit(Value::Bool(b)) = n.kind {
                    self.err(Diagnostic::warning("W0301", c.span, format!("the condition is always {b}"))
                        .help("a constant condition makes every resource compliant or every resource not compliant"));
                }
                self.cond(n)
            }
        };
        meta.condition = r
            .compliant
            .first()
            .map(|c| self.text(c.span))
            .unwrap_or_default();
        // Template placeholders and fix values may name the quantifier variables of the condition.
        let vars = self.rec_vars.clone();
        let mut names: Vec<String> = Vec::new();
        for (n, _) in &vars {
            if !names.contains(n) {
                names.push(n.clone());
            }
        }
        for n in names {
            let ids: Vec<VarId> = vars
                .iter()
                .filter(|(m, _)| *m == n)
                .map(|(_, id)| *id)
                .collect();
            scope.push((n, Bind::Node(node(Kind::Bound(ids), Ty::Any, h.span), None)));
        }
        let mut remediation = Vec::new();
        if let Some(t) = r.remediation.first() {
            meta.remediation = self.text(t.span);
            meta.remediation = meta.remediation.trim_matches('"').to_string();
            for part in &t.parts {
                match part {
                    ast::TemplatePart::Text(s) => remediation.push(TPart::Text(s.clone())),
                    ast::TemplatePart::Expr(e) => {
                        let n = self.lower(e, &mut scope);
                        remediation.push(TPart::Value(self.val(n)));
                    }
                }
            }
        }
        for extra in r.remediation.iter().skip(1) {
            self.err(
                Diagnostic::error(
                    "E0116",
                    extra.span,
                    "a recommendation has one `remediation` text",
                )
                .help("join the texts into one string"),
            );
        }
        let fix = r.fix.as_ref().map(|(ops, span)| {
            meta.fix = self.text(*span);
            ops.iter()
                .filter_map(|op| self.fix_op(op, &mut scope, &r.lets))
                .collect()
        });
        for (i, (name, _)) in r.lets.iter().enumerate() {
            if !self.lets_used.get(i).copied().unwrap_or(true) {
                self.err(
                    Diagnostic::warning(
                        "W0302",
                        name.span,
                        format!("`{}` is never used", name.text),
                    )
                    .label("unused binding")
                    .help("remove the `let`, or use it in the condition"),
                );
            }
        }
        self.program.recs.push(Rec {
            meta,
            applies,
            when,
            cond,
            remediation,
            fix,
            factor: r.factor,
        });
    }

    /// The JSON Pointer of a static path of the resource (`self` is the empty pointer).
    fn pointer(&self, e: &ast::Expr) -> Option<String> {
        let (root, rest) = self.split_root(e)?;
        Some(match root {
            Some(name) => format!("/{}{rest}", pointer_token(name)),
            None => rest,
        })
    }

    /// The root of a static path (a name, or `None` for `self`) and the pointer of the rest:
    /// `pod.a[0]` -> (`pod`, `/a/0`).
    fn split_root<'e>(&self, e: &'e ast::Expr) -> Option<(Option<&'e str>, String)> {
        match &e.kind {
            ExprKind::SelfRef => Some((None, String::new())),
            ExprKind::Name(n) => Some((Some(n.as_str()), String::new())),
            ExprKind::Field(b, n) => {
                let (root, rest) = self.split_root(b)?;
                Some((root, format!("{rest}/{}", pointer_token(&n.text))))
            }
            ExprKind::Index(b, i) => {
                let (root, rest) = self.split_root(b)?;
                match &i.kind {
                    ExprKind::Str(s) => Some((root, format!("{rest}/{}", pointer_token(s)))),
                    ExprKind::Num(n) if n.fract() == 0.0 && *n >= 0.0 => {
                        Some((root, format!("{rest}/{}", *n as u64)))
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// A fix path: a static path of the resource, or a path through a `let` bound to a `??`
    /// chain of static paths.
    fn fix_path(
        &mut self,
        e: &ast::Expr,
        scope: &mut Vec<(String, Bind)>,
        lets: &[(ast::Name, ast::Expr)],
    ) -> Option<FixPath> {
        let split = self.split_root(e);
        let through_let = split
            .as_ref()
            .and_then(|(root, _)| *root)
            .and_then(|root| lets.iter().rposition(|(n, _)| n.text == root));
        let chain = match (split, through_let) {
            (Some(_), None) => self.pointer(e).map(|p| (vec![e], vec![p])),
            (Some((_, rest)), Some(at)) => {
                if let Some(u) = self.lets_used.get_mut(at) {
                    *u = true;
                }
                let value = &lets[at].1;
                let mut alts = Vec::new();
                let mut cur = value;
                while let ExprKind::Binary(ast::BinOp::Default, a, b) = &cur.kind {
                    alts.push(a.as_ref());
                    cur = b;
                }
                alts.push(cur);
                let ptrs: Option<Vec<String>> = alts
                    .iter()
                    .map(|a| self.pointer(a).map(|p| format!("{p}{rest}")))
                    .collect();
                ptrs.map(|p| (alts, p))
            }
            (None, _) => None,
        };
        let Some((alts, ptrs)) = chain else {
            self.err(Diagnostic::error("E0220", e.span, "a fix path must be a field of the resource")
                .label("not a static path")
                .help("write a path such as `properties.minimumTlsVersion` or `spec.containers[0].image`, or go through a `let` of such paths joined by `??`"));
            return None;
        };
        let mut choices = Vec::new();
        for (alt, ptr) in alts.iter().zip(&ptrs).take(alts.len().saturating_sub(1)) {
            let n = self.lower(alt, scope);
            choices.push((self.val(n), ptr.clone()));
        }
        Some(FixPath {
            choices,
            fallback: ptrs.last().cloned().unwrap_or_default(),
        })
    }

    fn fix_op(
        &mut self,
        op: &ast::FixOp,
        scope: &mut Vec<(String, Bind)>,
        lets: &[(ast::Name, ast::Expr)],
    ) -> Option<Fix> {
        Some(match op {
            ast::FixOp::Set(p, v) => {
                let ptr = self.fix_path(p, scope, lets)?;
                let n = self.lower(v, scope);
                Fix::Set(ptr, self.val(n))
            }
            ast::FixOp::Remove(p) => Fix::Remove(self.fix_path(p, scope, lets)?),
            ast::FixOp::Append(p, v) => {
                let ptr = self.fix_path(p, scope, lets)?;
                let n = self.lower(v, scope);
                Fix::Append(ptr, self.val(n))
            }
            ast::FixOp::RemoveWhere(var, p, c) => {
                let ptr = self.fix_path(p, scope, lets)?;
                let list_node = self.lower(p, scope);
                let list = self.val(list_node);
                let id = self.new_var(&var.text, &self.text(p.span));
                scope.push((var.text.clone(), Bind::Var(id)));
                let body = self.lower(c, scope);
                let cond = self.cond(body);
                scope.pop();
                Fix::RemoveWhere {
                    ptr,
                    list,
                    var: id,
                    cond,
                }
            }
        })
    }

    fn new_var(&mut self, name: &str, source: &str) -> VarId {
        self.program.vars.push(VarMeta {
            name: name.to_string(),
            source: source.to_string(),
        });
        self.program.vars.len() as VarId - 1
    }

    fn clause(&mut self, span: Span, subject: Option<&ast::Expr>) -> ClauseId {
        let path = subject
            .filter(|s| is_path(s))
            .map(|s| self.text(s.span))
            .unwrap_or_default();
        let reads = subject
            .and_then(first_path)
            .map(|s| self.text(s.span))
            .unwrap_or_default();
        self.program.clauses.push(ClauseMeta {
            text: self.text(span),
            path,
            reads,
            span: self.sources.locate(span),
        });
        self.program.clauses.len() as ClauseId - 1
    }

    /// A boolean node as a value.
    fn val(&mut self, n: Node) -> Node {
        if n.is_bool() {
            if let Kind::Lit(v) = n.kind {
                return node(Kind::Lit(v), Ty::Bool, n.span).into_value();
            }
            let span = n.span;
            node(Kind::ToVal(Box::new(n)), Ty::Any, span)
        } else {
            n
        }
    }

    /// A value node as a condition.
    fn cond(&mut self, n: Node) -> Node {
        if n.is_bool() {
            n
        } else {
            let span = n.span;
            let c = self.clause_for_node(span);
            node(Kind::Truthy(Box::new(n), c), Ty::Bool, span)
        }
    }

    fn clause_for_node(&mut self, span: Span) -> ClauseId {
        let text = self.text(span);
        let is_path = !text.is_empty()
            && text
                .chars()
                .all(|c| c.is_alphanumeric() || "._[]\"'-/$@".contains(c));
        let path = if is_path { text.clone() } else { String::new() };
        self.program.clauses.push(ClauseMeta {
            text,
            reads: path.clone(),
            path,
            span: self.sources.locate(span),
        });
        self.program.clauses.len() as ClauseId - 1
    }

    fn budget(&mut self, span: Span) -> bool {
        self.nodes += 1;
        if self.nodes == MAX_NODES {
            self.err(Diagnostic::error("E0213", span, "this recommendation expands to too large an expression")
                .help("helpers are inlined at each call; call fewer helpers from helpers, or simplify the condition"));
        }
        self.nodes < MAX_NODES
    }

    fn lower(&mut self, e: &ast::Expr, scope: &mut Vec<(String, Bind)>) -> Node {
        let span = e.span;
        if !self.budget(span) {
            return node(Kind::Lit(Value::Null), Ty::Null, span);
        }
        match &e.kind {
            ExprKind::Str(s) => node(Kind::Lit(Value::String(s.clone())), Ty::Str, span),
            ExprKind::Num(n) => node(Kind::Lit(tenet_stdlib::value::number(*n)), Ty::Num, span),
            ExprKind::Bool(b) => node(Kind::Lit(Value::Bool(*b)), Ty::Bool, span),
            ExprKind::Null => node(Kind::Lit(Value::Null), Ty::Null, span),
            ExprKind::SelfRef => node(Kind::Root, Ty::Map, span),
            ExprKind::List(items) => {
                let items: Vec<Node> = items
                    .iter()
                    .map(|i| {
                        let n = self.lower(i, scope);
                        self.val(n)
                    })
                    .collect();
                if items.iter().all(|i| matches!(i.kind, Kind::Lit(_))) {
                    let vals = items.into_iter().filter_map(|i| match i.kind {
                        Kind::Lit(v) => Some(v),
                        _ => None,
                    });
                    node(Kind::Lit(Value::Array(vals.collect())), Ty::List, span)
                } else {
                    node(Kind::List(items), Ty::List, span)
                }
            }
            ExprKind::Map(entries) => {
                let mut m = serde_json::Map::new();
                for (k, v) in entries {
                    let n = self.lower(v, scope);
                    let n = self.val(n);
                    match n.kind {
                        Kind::Lit(x) => {
                            m.insert(k.text.clone(), x);
                        }
                        _ => self.err(
                            Diagnostic::error(
                                "E0215",
                                v.span,
                                "the values of a map literal must be constants",
                            )
                            .help("write literal values, e.g. `{\"enabled\": true, \"days\": 30}`"),
                        ),
                    }
                }
                node(Kind::Lit(Value::Object(m)), Ty::Map, span)
            }
            ExprKind::Name(n) => self.name(n, span, scope),
            ExprKind::Field(b, f) => {
                let base = self.lower(b, scope);
                let base = self.val(base);
                node(Kind::Get(Box::new(base), f.text.clone()), Ty::Any, span)
            }
            ExprKind::Index(b, i) => {
                let base = self.lower(b, scope);
                let base = self.val(base);
                let idx = self.lower(i, scope);
                match &idx.kind {
                    Kind::Lit(Value::String(s)) => {
                        node(Kind::Get(Box::new(base), s.clone()), Ty::Any, span)
                    }
                    Kind::Lit(Value::Number(n))
                        if n.as_f64()
                            .is_some_and(|f| f.fract() == 0.0 && f.abs() < 1e9) =>
                    {
                        node(
                            Kind::Index(Box::new(base), n.as_f64().unwrap_or(0.0) as i64),
                            Ty::Any,
                            span,
                        )
                    }
                    Kind::Lit(v) => {
                        self.err(
                            Diagnostic::error(
                                "E0203",
                                i.span,
                                format!(
                                    "an index must be a string or a whole number, not {}",
                                    lit_ty(v).name()
                                ),
                            )
                            .help("write `x[0]` for an element or `x[\"key\"]` for a field"),
                        );
                        node(Kind::Lit(Value::Null), Ty::Null, span)
                    }
                    _ => {
                        let idx = self.val(idx);
                        node(Kind::GetDyn(Box::new(base), Box::new(idx)), Ty::Any, span)
                    }
                }
            }
            ExprKind::Call(name, args) => self.call(name, args, span, scope),
            ExprKind::Not(x) => {
                let inner = self.lower(x, scope);
                let inner = self.cond(inner);
                if let Kind::Lit(Value::Bool(b)) = inner.kind {
                    return node(Kind::Lit(Value::Bool(!b)), Ty::Bool, span);
                }
                node(Kind::Not(Box::new(inner)), Ty::Bool, span)
            }
            ExprKind::Binary(op, a, b) => self.binary(*op, a, b, span, scope),
            ExprKind::Quant {
                kind,
                vars,
                source,
                body,
            } => self.quant(*kind, vars, source, body, span, scope),
        }
    }

    fn name(&mut self, n: &str, span: Span, scope: &[(String, Bind)]) -> Node {
        if let Some((_, b)) = scope.iter().rev().find(|(k, _)| k == n) {
            return match b.clone() {
                Bind::Var(id) => node(Kind::Var(id), Ty::Any, span),
                Bind::Node(mut x, let_index) => {
                    if let Some(i) = let_index {
                        if let Some(u) = self.lets_used.get_mut(i) {
                            *u = true;
                        }
                    }
                    // Clauses of inlined code point at their definition; keep its span.
                    if !x.is_bool() {
                        x.span = span;
                    }
                    x
                }
            };
        }
        if let Some(e) = self.consts.get(n).copied() {
            let key = format!("const {n}");
            if self.stack.contains(&key) {
                self.err(
                    Diagnostic::error(
                        "E0209",
                        span,
                        format!("`{n}` is defined in terms of itself"),
                    )
                    .help("break the cycle"),
                );
                return node(Kind::Lit(Value::Null), Ty::Null, span);
            }
            self.stack.push(key);
            let mut empty = Vec::new();
            let x = self.lower(e, &mut empty);
            self.stack.pop();
            return x;
        }
        if let Some(f) = self.fns.get(n).copied() {
            if f.is_condition {
                return self.inline(f, &[], span);
            }
            self.err(
                Diagnostic::error("E0214", span, format!("`{n}` is a function"))
                    .help(format!("call it: `{n}(...)`")),
            );
            return node(Kind::Lit(Value::Null), Ty::Null, span);
        }
        node(
            Kind::Get(Box::new(node(Kind::Root, Ty::Map, span)), n.to_string()),
            Ty::Any,
            span,
        )
    }

    fn inline(&mut self, f: &'a ast::Function, args: &[Node], span: Span) -> Node {
        let key = format!("fn {}", f.name.text);
        if self.stack.contains(&key) {
            self.err(
                Diagnostic::error("E0209", span, format!("`{}` calls itself", f.name.text))
                    .help("helpers are inlined, so they cannot be recursive"),
            );
            return node(Kind::Lit(Value::Null), Ty::Null, span);
        }
        self.stack.push(key);
        let mut scope: Vec<(String, Bind)> = f
            .params
            .iter()
            .zip(args)
            .map(|(p, a)| (p.text.clone(), Bind::Node(a.clone(), None)))
            .collect();
        let out = self.lower(&f.body, &mut scope);
        self.stack.pop();
        out
    }

    fn call(
        &mut self,
        name: &ast::Name,
        args: &[ast::Expr],
        span: Span,
        scope: &mut Vec<(String, Bind)>,
    ) -> Node {
        let n = name.text.as_str();
        let null = node(Kind::Lit(Value::Null), Ty::Null, span);
        if let Some(f) = self.fns.get(n).copied() {
            if f.is_condition {
                self.err(
                    Diagnostic::error(
                        "E0214",
                        name.span,
                        format!("`{n}` is a condition and takes no arguments"),
                    )
                    .help(format!("write `{n}` without parentheses")),
                );
                return null;
            }
            if f.params.len() != args.len() {
                let params: Vec<&str> = f.params.iter().map(|p| p.text.as_str()).collect();
                let help = format!("its parameters are ({})", params.join(", "));
                self.arity_error(n, f.params.len(), args.len(), span, help);
                return null;
            }
            let lowered: Vec<Node> = args.iter().map(|a| self.lower(a, scope)).collect();
            return self.inline(f, &lowered, span);
        }
        match n {
            "exists" | "missing" | "is_unknown" => {
                if args.len() != 1 {
                    self.err(
                        Diagnostic::error(
                            "E0202",
                            span,
                            format!("`{n}` takes 1 argument, {} given", args.len()),
                        )
                        .help(format!("write `{n}(properties.field)`")),
                    );
                    return null;
                }
                let v = self.lower(&args[0], scope);
                let v = self.val(v);
                let c = self.clause(span, args.first());
                if n == "is_unknown" {
                    return node(Kind::IsUnknown(Box::new(v), c), Ty::Bool, span);
                }
                return node(Kind::Exists(Box::new(v), n == "missing", c), Ty::Bool, span);
            }
            "resources" => {
                self.err(Diagnostic::error("E0211", span, "`resources(...)` can only be the collection of a quantifier")
                    .help("write `any r in resources(\"Microsoft.Network/publicIPAddresses\") { ... }`"));
                return null;
            }
            _ => {}
        }
        let Some(f) = tenet_stdlib::lookup(n) else {
            let mut names: Vec<&str> = tenet_stdlib::FUNCTIONS.iter().map(|f| f.name).collect();
            names.extend(self.fns.keys().copied());
            names.extend(SPECIAL_FUNCTIONS.iter().copied());
            let mut d = Diagnostic::error("E0201", name.span, format!("unknown function `{n}`"))
                .label("not a function");
            d = match suggest(n, names.iter().copied()) {
                Some(s) => d.help(format!("did you mean `{s}`?")),
                None => d.help("docs/language.md lists the standard functions; define your own with `fn name(x) = ...`"),
            };
            self.err(d);
            return null;
        };
        if f.params.len() != args.len() {
            let sig: Vec<&str> = f.params.iter().map(|t| t.name()).collect();
            let help = format!("its signature is `{n}({})`: {}", sig.join(", "), f.doc);
            self.arity_error(n, f.params.len(), args.len(), span, help);
            return null;
        }
        let mut lowered = Vec::new();
        for (i, (a, want)) in args.iter().zip(f.params).enumerate() {
            let x = self.lower(a, scope);
            let x = self.val(x);
            let got = if matches!(x.kind, Kind::ToVal(_)) {
                Ty::Bool
            } else {
                x.ty
            };
            if !got.fits(*want) {
                self.err(
                    Diagnostic::error(
                        "E0203",
                        a.span,
                        format!(
                            "argument {} of `{n}` must be a {}, not a {}",
                            i + 1,
                            want.name(),
                            got.name()
                        ),
                    )
                    .label(format!("this is a {}", got.name()))
                    .help(format!("`{n}`: {}", f.doc)),
                );
            }
            lowered.push(x);
        }
        let mut pattern = None;
        if let Some(li) = f.literal {
            match lowered.get(li).map(|x| &x.kind) {
                Some(Kind::Lit(Value::String(p))) => {
                    let p = p.clone();
                    let regex = if n == "glob" {
                        automata::glob_regex(&p, false)
                    } else {
                        Some(p.clone())
                    };
                    let at = args.get(li).map_or(span, |a| a.span);
                    match regex {
                        Some(re) => pattern = self.pattern(&re, at),
                        None => self.err(
                            Diagnostic::error("E0205", at, "invalid glob")
                                .help("globs use `*`, `?`, `[a-z]` and `{a,b}`"),
                        ),
                    }
                }
                _ => {
                    let at = args.get(li).map_or(span, |a| a.span);
                    self.err(Diagnostic::error("E0204", at, format!("the pattern of `{n}` must be a string literal"))
                        .help("patterns are compiled ahead of time into the module; write the pattern in quotes"));
                }
            }
        }
        let clause = (f.ret == Ty::Bool).then(|| self.clause(span, args.first()));
        node(
            Kind::Call {
                f,
                args: lowered,
                pattern,
                clause,
            },
            f.ret,
            span,
        )
    }

    fn binary(
        &mut self,
        op: BinOp,
        a: &ast::Expr,
        b: &ast::Expr,
        span: Span,
        scope: &mut Vec<(String, Bind)>,
    ) -> Node {
        match op {
            BinOp::And | BinOp::Or => {
                let mut parts = Vec::new();
                for side in [a, b] {
                    let n = self.lower(side, scope);
                    let n = self.cond(n);
                    match (op, n.kind) {
                        (BinOp::And, Kind::And(inner)) | (BinOp::Or, Kind::Or(inner)) => {
                            parts.extend(inner)
                        }
                        (_, kind) => parts.push(Node { kind, ..n }),
                    }
                }
                let kind = if op == BinOp::And {
                    Kind::And(parts)
                } else {
                    Kind::Or(parts)
                };
                node(kind, Ty::Bool, span)
            }
            BinOp::Default => {
                let x = self.lower(a, scope);
                let x = self.val(x);
                let y = self.lower(b, scope);
                let y = self.val(y);
                let ty = if x.ty == y.ty { x.ty } else { Ty::Any };
                let ty = if ty == Ty::Bool { Ty::Any } else { ty };
                node(Kind::Default(Box::new(x), Box::new(y)), ty, span)
            }
            _ => {
                let errors_before = self.error_count();
                let x = self.lower(a, scope);
                let x = self.val(x);
                let y = self.lower(b, scope);
                let y = self.val(y);
                // After an error in an operand, its placeholder value must not cause more reports.
                let poisoned = self.error_count() > errors_before;
                let subject = if matches!(x.kind, Kind::Lit(_)) { b } else { a };
                let c = self.clause(span, Some(subject));
                let (tx, ty) = (self.static_ty(&x), self.static_ty(&y));
                match op {
                    BinOp::In | BinOp::NotIn => {
                        if !matches!(ty, Ty::Any | Ty::List | Ty::Map | Ty::Str) {
                            self.err(
                                Diagnostic::error(
                                    "E0208",
                                    b.span,
                                    format!(
                                        "`{}` needs a list, map or string on the right, not a {}",
                                        op.symbol(),
                                        ty.name()
                                    ),
                                )
                                .label(format!("this is a {}", ty.name()))
                                .help("write `x in [\"a\", \"b\"]`"),
                            );
                        }
                        if !poisoned {
                            self.fold_warning(&x, &y, span);
                        }
                        node(
                            Kind::In(Box::new(x), Box::new(y), op == BinOp::NotIn, c),
                            Ty::Bool,
                            span,
                        )
                    }
                    _ => {
                        let cmp = match op {
                            BinOp::Eq => CmpOp::Eq,
                            BinOp::Ne => CmpOp::Ne,
                            BinOp::Lt => CmpOp::Lt,
                            BinOp::Le => CmpOp::Le,
                            BinOp::Gt => CmpOp::Gt,
                            _ => CmpOp::Ge,
                        };
                        let ordering = !matches!(cmp, CmpOp::Eq | CmpOp::Ne);
                        if poisoned {
                        } else if tx != Ty::Any
                            && ty != Ty::Any
                            && tx != ty
                            && tx != Ty::Null
                            && ty != Ty::Null
                        {
                            self.err(Diagnostic::error("E0206", span, format!("a {} is compared with a {}", tx.name(), ty.name()))
                                .label(if ordering { "these cannot be ordered".to_string() } else { "this is never equal".to_string() })
                                .help("values of different types are never equal and cannot be ordered; compare like with like, e.g. `version_compare(a, b) < 0` for versions"));
                        } else if ordering {
                            for (t, side) in [(tx, a), (ty, b)] {
                                if !matches!(t, Ty::Any | Ty::Num | Ty::Str) {
                                    self.err(
                                        Diagnostic::error(
                                            "E0207",
                                            side.span,
                                            format!(
                                                "a {} cannot be ordered with `{}`",
                                                t.name(),
                                                op.symbol()
                                            ),
                                        )
                                        .help("only numbers and strings are ordered"),
                                    );
                                }
                            }
                        }
                        if self.error_count() == errors_before {
                            self.fold_warning(&x, &y, span);
                        }
                        node(Kind::Cmp(cmp, Box::new(x), Box::new(y), c), Ty::Bool, span)
                    }
                }
            }
        }
    }

    fn arity_error(&mut self, name: &str, want: usize, got: usize, span: Span, help: String) {
        self.err(
            Diagnostic::error(
                "E0202",
                span,
                format!("`{name}` takes {want} argument(s), {got} given"),
            )
            .help(help),
        );
    }

    fn error_count(&self) -> usize {
        self.diags
            .iter()
            .filter(|d| d.level == Level::Error)
            .count()
    }

    fn static_ty(&self, n: &Node) -> Ty {
        match &n.kind {
            Kind::Lit(v) => lit_ty(v),
            Kind::ToVal(_) => Ty::Bool,
            _ => n.ty,
        }
    }

    fn fold_warning(&mut self, x: &Node, y: &Node, span: Span) {
        if matches!(x.kind, Kind::Lit(_)) && matches!(y.kind, Kind::Lit(_)) {
            self.err(
                Diagnostic::warning("W0301", span, "this comparison is between two constants")
                    .label("always gives the same result")
                    .help("compare a field of the resource, e.g. `properties.x == \"value\"`"),
            );
        }
    }

    fn quant(
        &mut self,
        kind: Quant,
        vars: &[ast::Name],
        source: &ast::Expr,
        body: &ast::Expr,
        span: Span,
        scope: &mut Vec<(String, Bind)>,
    ) -> Node {
        let null = node(Kind::Lit(Value::Null), Ty::Null, span);
        if vars.is_empty() || vars.len() > 2 {
            self.err(
                Diagnostic::error("E0212", span, "a quantifier binds one or two variables")
                    .help("write `any x in list { ... }` or `any k, v in map { ... }`"),
            );
            return null;
        }
        let src = match &source.kind {
            ExprKind::Call(name, args) if name.text == "resources" => {
                let mut types = Vec::new();
                for a in args {
                    match &a.kind {
                        ExprKind::Str(s) => types.push(s.clone()),
                        _ => self.err(
                            Diagnostic::error(
                                "E0203",
                                a.span,
                                "`resources` takes resource type strings",
                            )
                            .help("write `resources(\"Microsoft.Network/publicIPAddresses\")`"),
                        ),
                    }
                }
                if types.is_empty() {
                    self.err(
                        Diagnostic::error(
                            "E0202",
                            source.span,
                            "`resources` needs at least one resource type",
                        )
                        .help("write `resources(\"Microsoft.Network/publicIPAddresses\")`"),
                    );
                }
                if vars.len() != 1 {
                    self.err(
                        Diagnostic::error(
                            "E0212",
                            span,
                            "a quantifier over `resources(...)` binds one variable",
                        )
                        .help("write `any r in resources(...) { ... }`"),
                    );
                }
                let i = match self.lookups.get(&types) {
                    Some(i) => *i,
                    None => {
                        let i = self.program.lookups.len();
                        self.program.lookups.push(LookupMeta {
                            types: types.clone(),
                            ..LookupMeta::default()
                        });
                        self.lookups.insert(types, i);
                        i
                    }
                };
                Source::Lookup(i)
            }
            _ => {
                let s = self.lower(source, scope);
                let s = self.val(s);
                let t = self.static_ty(&s);
                if !matches!(t, Ty::Any | Ty::List | Ty::Map) {
                    self.err(
                        Diagnostic::error(
                            "E0210",
                            source.span,
                            format!("a quantifier needs a list or a map, not a {}", t.name()),
                        )
                        .label(format!("this is a {}", t.name()))
                        .help("quantify over a list such as `properties.securityRules`"),
                    );
                }
                Source::Value(Box::new(s))
            }
        };
        // Name the collection by its path, without a `?? default`.
        let mut shown = source;
        while let ExprKind::Binary(BinOp::Default, l, _) = &shown.kind {
            shown = l;
        }
        let source_text = self.text(shown.span);
        let (key, var) = match vars {
            [v] => (None, self.new_var(&v.text, &source_text)),
            [k, v, ..] => (
                Some(self.new_var(&k.text, &source_text)),
                self.new_var(&v.text, &source_text),
            ),
            [] => return null,
        };
        let depth = scope.len();
        if let (Some(k), [kn, ..]) = (key, vars) {
            scope.push((kn.text.clone(), Bind::Var(k)));
            self.rec_vars.push((kn.text.clone(), k));
        }
        if let Some(v) = vars.last() {
            scope.push((v.text.clone(), Bind::Var(var)));
            self.rec_vars.push((v.text.clone(), var));
        }
        let b = self.lower(body, scope);
        let b = self.cond(b);
        scope.truncate(depth);
        let clause = self.clause(span, Some(source));
        let ty = if kind == Quant::Count {
            Ty::Num
        } else {
            Ty::Bool
        };
        node(
            Kind::Quant {
                kind,
                key,
                var,
                source: src,
                body: Box::new(b),
                clause,
            },
            ty,
            span,
        )
    }
}

impl Node {
    /// A boolean literal as a value literal (not three-valued).
    fn into_value(self) -> Node {
        Node {
            ty: Ty::Any,
            ..self
        }
    }
}
