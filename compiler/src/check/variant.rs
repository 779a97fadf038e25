//! The variants of a recommendation: its own `applies` lines with the condition, remediation and
//! fix written beside them, and each `applies … { … }` block, lowered one by one.

use super::*;

impl Checker<'_> {
    /// Lowers every variant of `r`, filling the metadata's types, texts and variant list.
    pub(super) fn variants(&mut self, r: &ast::Recommendation, meta: &mut RecMeta) -> Vec<Variant> {
        let h = &r.header;
        let mut bodies: Vec<&ast::Body> = Vec::new();
        if !r.body.applies.is_empty() || r.shapes.is_empty() {
            bodies.push(&r.body);
        } else if r.body.has_items() {
            let b = &r.body;
            let at = (b.compliant.first().map(|e| e.span))
                .or(b.when.first().map(|e| e.span))
                .or(b.lets.first().map(|(n, _)| n.span))
                .or(b.remediation.first().map(|t| t.span))
                .or(b.fix.as_ref().map(|f| f.1))
                .unwrap_or(h.id.span);
            self.err(
                Diagnostic::error(
                    Code::E0119,
                    at,
                    format!(
                        "`{}` has a condition, `let`, remediation or fix outside its `applies` blocks",
                        h.id.text
                    ),
                )
                .label("judges no type")
                .help("move it into the `applies … { … }` block it belongs to, or add an `applies` line for the types it judges"),
            );
        }
        bodies.extend(&r.shapes);
        let mut out = Vec::new();
        let mut metas = Vec::new();
        for b in bodies {
            let mut m = VariantMeta {
                span: self.sources.locate(b.span),
                ..VariantMeta::default()
            };
            out.push(self.variant(h, b, &mut m));
            metas.push(m);
        }
        for m in &metas {
            meta.applies.extend(m.applies.iter().cloned());
        }
        if let Some(first) = metas.first() {
            meta.condition = first.condition.clone();
            meta.remediation = first.remediation.clone();
        }
        meta.fix = metas
            .iter()
            .map(|m| m.fix.clone())
            .find(|f| !f.is_empty())
            .unwrap_or_default();
        if !r.shapes.is_empty() {
            meta.variants = metas;
        }
        out
    }

    /// Lowers one variant.
    fn variant(&mut self, h: &ast::Header, b: &ast::Body, meta: &mut VariantMeta) -> Variant {
        // applies
        let mut applies = Vec::new();
        for (provider, types) in &b.applies {
            let p = provider.text.to_ascii_lowercase();
            if !PROVIDERS.contains(&p.as_str()) {
                let mut d = Diagnostic::error(
                    Code::E0115,
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
                            Diagnostic::error(Code::E0205, t.span, "invalid type glob")
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
        if b.applies.is_empty() {
            self.err(Diagnostic::error(Code::E0111, h.id.span, format!("recommendation `{}` applies to no resource type", h.id.text))
                .help("add `applies azure \"Microsoft.Storage/storageAccounts\"` (or aws, gcp, kubernetes)"));
        }
        // lets, in order, each seeing the previous ones
        self.rec_vars.clear();
        self.nodes = 0;
        let mut scope: Vec<(String, Bind)> = Vec::new();
        self.lets_used = vec![false; b.lets.len()];
        for (i, (name, e)) in b.lets.iter().enumerate() {
            let n = self.lower(e, &mut scope);
            scope.push((name.text.clone(), Bind::Node(n, Some(i))));
        }
        let when = if b.when.is_empty() {
            None
        } else {
            let parts: Vec<Node> = b
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
        let cond = match b.compliant.as_slice() {
            [] => {
                self.err(Diagnostic::error(Code::E0112, h.id.span, format!("recommendation `{}` has no `compliant when` condition", h.id.text))
                    .help("add `compliant when <condition>`, e.g. `compliant when properties.supportsHttpsTrafficOnly == true`"));
                node(Kind::Lit(Value::Bool(true)), Ty::Bool, h.span)
            }
            [c, rest @ ..] => {
                for extra in rest {
                    self.err(
                        Diagnostic::error(
                            Code::E0112,
                            extra.span,
                            "a recommendation has one `compliant when` condition",
                        )
                        .help("combine the conditions with `and`"),
                    );
                }
                let n = self.lower(c, &mut scope);
                if let Kind::Lit(Value::Bool(b)) = n.kind {
                    self.err(Diagnostic::warning(Code::W0301, c.span, format!("the condition is always {b}"))
                        .help("a constant condition makes every resource compliant or every resource not compliant"));
                }
                self.cond(n)
            }
        };
        meta.condition = b
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
        if let Some(t) = b.remediation.first() {
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
        for extra in b.remediation.iter().skip(1) {
            self.err(
                Diagnostic::error(
                    Code::E0116,
                    extra.span,
                    "a recommendation has one `remediation` text",
                )
                .help("join the texts into one string"),
            );
        }
        let fix = b.fix.as_ref().map(|(ops, span)| {
            meta.fix = self.text(*span);
            ops.iter()
                .filter_map(|op| self.fix_op(op, &mut scope, &b.lets))
                .collect()
        });
        for (i, (name, _)) in b.lets.iter().enumerate() {
            if !self.lets_used.get(i).copied().unwrap_or(true) {
                self.err(
                    Diagnostic::warning(
                        Code::W0302,
                        name.span,
                        format!("`{}` is never used", name.text),
                    )
                    .label("unused binding")
                    .help("remove the `let`, or use it in the condition"),
                );
            }
        }
        Variant {
            applies,
            when,
            cond,
            remediation,
            fix,
        }
    }
}
