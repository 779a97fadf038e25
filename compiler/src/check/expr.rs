//! Expressions: names, calls, operators and quantifiers lowered into IR nodes, with their types,
//! clauses and budget checks.

use super::*;

/// The members that hold a resource's whole configuration: CloudFormation `Properties`, Azure
/// `properties`, Terraform plan `values`, Kubernetes `spec` (W0303).
const CONFIGURATION: &[&str] = &["Properties", "properties", "values", "spec"];

impl<'a> Checker<'a> {
    pub(super) fn new_var(&mut self, name: &str, source: &str) -> VarId {
        self.program.vars.push(VarMeta {
            name: name.to_string(),
            source: source.to_string(),
            origin: None,
        });
        self.program.vars.len() as VarId - 1
    }

    pub(super) fn clause(&mut self, span: Span, subject: Option<&ast::Expr>) -> ClauseId {
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
            origin: None,
            span: self.sources.locate(span),
        });
        self.program.clauses.len() as ClauseId - 1
    }

    /// A boolean node as a value.
    pub(super) fn val(&mut self, n: Node) -> Node {
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
    pub(super) fn cond(&mut self, n: Node) -> Node {
        if n.is_bool() {
            n
        } else {
            let span = n.span;
            let c = self.clause_for_node(span);
            node(Kind::Truthy(Box::new(n), c), Ty::Bool, span)
        }
    }

    pub(super) fn clause_for_node(&mut self, span: Span) -> ClauseId {
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
            origin: None,
            span: self.sources.locate(span),
        });
        self.program.clauses.len() as ClauseId - 1
    }

    pub(super) fn budget(&mut self, span: Span) -> bool {
        self.nodes += 1;
        if self.nodes == MAX_NODES {
            self.err(Diagnostic::error(Code::E0213, span, "this recommendation expands to too large an expression")
                .help("helpers are inlined at each call; call fewer helpers from helpers, or simplify the condition"));
        }
        self.nodes < MAX_NODES
    }

    /// Lowers an expression, inlining helpers; refuses to build IR deeper than
    /// [`super::MAX_IR_DEPTH`], which helpers calling helpers (or lets built on lets) could.
    pub(super) fn lower(&mut self, e: &ast::Expr, scope: &mut Vec<(String, Bind)>) -> Node {
        let span = e.span;
        if !self.budget(span) {
            return node(Kind::Lit(Value::Null), Ty::Null, span);
        }
        if self.depth >= super::MAX_IR_DEPTH {
            // Stop lowering this recommendation: one error says it all.
            self.nodes = MAX_NODES;
            self.err(
                Diagnostic::error(
                    Code::E0004,
                    span,
                    format!(
                        "this expression nests more than {} levels deep once helpers are inlined",
                        super::MAX_IR_DEPTH
                    ),
                )
                .help("helpers are inlined at each call; call fewer helpers from helpers"),
            );
            return node(Kind::Lit(Value::Null), Ty::Null, span);
        }
        self.depth += 1;
        let out = self.lower_expr(e, scope);
        self.depth -= 1;
        out
    }

    fn lower_expr(&mut self, e: &ast::Expr, scope: &mut Vec<(String, Bind)>) -> Node {
        let span = e.span;
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
                                Code::E0215,
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
                                Code::E0203,
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

    pub(super) fn name(&mut self, n: &str, span: Span, scope: &[(String, Bind)]) -> Node {
        if let Some((_, b)) = scope.iter().rev().find(|(k, _)| k == n) {
            return match b.clone() {
                Bind::Var(id) => node(Kind::Var(id), Ty::Any, span),
                Bind::Node(mut x, let_index) => {
                    // A let's node is reused without recursing, so lets built on lets could
                    // grow the tree past what `lower` bounds.
                    if crate::ir::depth(&x) > super::MAX_IR_DEPTH {
                        self.err(Diagnostic::error(Code::E0004, span, format!("`{n}` nests more than {} levels deep once the lets it is built on are inlined", super::MAX_IR_DEPTH))
                            .help("lets are inlined where they are used; build fewer of them on one another"));
                        self.nodes = MAX_NODES;
                        return node(Kind::Lit(Value::Null), Ty::Null, span);
                    }
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
                        Code::E0209,
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
                Diagnostic::error(Code::E0214, span, format!("`{n}` is a function"))
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

    pub(super) fn inline(&mut self, f: &'a ast::Function, args: &[Node], span: Span) -> Node {
        let key = format!("fn {}", f.name.text);
        if self.stack.contains(&key) {
            self.err(
                Diagnostic::error(Code::E0209, span, format!("`{}` calls itself", f.name.text))
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

    pub(super) fn call(
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
                        Code::E0214,
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
                            Code::E0202,
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
                self.err(Diagnostic::error(Code::E0211, span, "`resources(...)` can only be the collection of a quantifier")
                    .help("write `any r in resources(\"Microsoft.Network/publicIPAddresses\") { ... }`"));
                return null;
            }
            _ => {}
        }
        let Some(f) = tenet_stdlib::lookup(n) else {
            let mut names: Vec<&str> = tenet_stdlib::FUNCTIONS.iter().map(|f| f.name).collect();
            names.extend(self.fns.keys().copied());
            names.extend(SPECIAL_FUNCTIONS.iter().copied());
            let mut d =
                Diagnostic::error(Code::E0201, name.span, format!("unknown function `{n}`"))
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
                        Code::E0203,
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
                            Diagnostic::error(Code::E0205, at, "invalid glob")
                                .help("globs use `*`, `?`, `[a-z]` and `{a,b}`"),
                        ),
                    }
                }
                _ => {
                    let at = args.get(li).map_or(span, |a| a.span);
                    self.err(Diagnostic::error(Code::E0204, at, format!("the pattern of `{n}` must be a string literal"))
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

    pub(super) fn binary(
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
                self.whole_part_default(a, &x, &y, span);
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
                                    Code::E0208,
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
                            self.err(Diagnostic::error(Code::E0206, span, format!("a {} is compared with a {}", tx.name(), ty.name()))
                                .label(if ordering { "these cannot be ordered".to_string() } else { "this is never equal".to_string() })
                                .help("values of different types are never equal and cannot be ordered; compare like with like, e.g. `version_compare(a, b) < 0` for versions"));
                        } else if ordering {
                            for (t, side) in [(tx, a), (ty, b)] {
                                if !matches!(t, Ty::Any | Ty::Num | Ty::Str) {
                                    self.err(
                                        Diagnostic::error(
                                            Code::E0207,
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

    pub(super) fn arity_error(
        &mut self,
        name: &str,
        want: usize,
        got: usize,
        span: Span,
        help: String,
    ) {
        self.err(
            Diagnostic::error(
                Code::E0202,
                span,
                format!("`{name}` takes {want} argument(s), {got} given"),
            )
            .help(help),
        );
    }

    pub(super) fn error_count(&self) -> usize {
        self.diags
            .iter()
            .filter(|d| d.level == Level::Error)
            .count()
    }

    pub(super) fn static_ty(&self, n: &Node) -> Ty {
        match &n.kind {
            Kind::Lit(v) => lit_ty(v),
            Kind::ToVal(_) => Ty::Bool,
            _ => n.ty,
        }
    }

    pub(super) fn fold_warning(&mut self, x: &Node, y: &Node, span: Span) {
        if matches!(x.kind, Kind::Lit(_)) && matches!(y.kind, Kind::Lit(_)) {
            self.err(
                Diagnostic::warning(
                    Code::W0301,
                    span,
                    "this comparison is between two constants",
                )
                .label("always gives the same result")
                .help("compare a field of the resource, e.g. `properties.x == \"value\"`"),
            );
        }
    }

    /// W0303: `Properties ?? {}` (the member that holds a resource's whole configuration,
    /// defaulted to an empty map or list) lets a resource without its configuration be judged as
    /// if every setting had its default, which usually makes it compliant by absence.
    fn whole_part_default(&mut self, a: &ast::Expr, x: &Node, y: &Node, span: Span) {
        let ExprKind::Name(name) = &a.kind else {
            return;
        };
        let top_level =
            matches!(&x.kind, Kind::Get(b, k) if matches!(b.kind, Kind::Root) && k == name);
        if !CONFIGURATION.contains(&name.as_str()) {
            return;
        }
        let empty = match &y.kind {
            Kind::Lit(Value::Object(m)) => m.is_empty(),
            Kind::Lit(Value::Array(v)) => v.is_empty(),
            _ => false,
        };
        if top_level && empty {
            self.err(
                Diagnostic::warning(
                    Code::W0303,
                    span,
                    format!("`{name}` as a whole is given a default"),
                )
                .label("a resource without it would be judged as if every setting had its default")
                .help(format!(
                    "default the settings inside it instead (`{name}.x ?? …`), and write `required({name}) and …` where the rule needs it: a missing `{name}` then makes the outcome undecided (not compliant), never compliant"
                )),
            );
        }
    }

    pub(super) fn quant(
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
                Diagnostic::error(Code::E0212, span, "a quantifier binds one or two variables")
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
                                Code::E0203,
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
                            Code::E0202,
                            source.span,
                            "`resources` needs at least one resource type",
                        )
                        .help("write `resources(\"Microsoft.Network/publicIPAddresses\")`"),
                    );
                }
                if vars.len() != 1 {
                    self.err(
                        Diagnostic::error(
                            Code::E0212,
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
                            Code::E0210,
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
