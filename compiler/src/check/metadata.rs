//! Metadata of standards, controls and recommendations: fields, duplicates, patterns, and fix
//! operations with their paths. Conditions are lowered by [`super::expr`].

use super::*;

impl<'a> Checker<'a> {
    pub(super) fn duplicate(&mut self, n: &ast::Name, prev: Span) {
        let l = self.sources.locate(prev);
        self.err(
            Diagnostic::error(
                Code::E0101,
                n.span,
                format!("`{}` is defined twice", n.text),
            )
            .label("second definition")
            .help(format!(
                "rename one of them; the first is at {}:{}:{}",
                l.file, l.line, l.col
            )),
        );
    }

    pub(super) fn unknown_field(&mut self, key: &ast::Name, allowed: &[&str], what: &str) {
        let mut d = Diagnostic::error(
            Code::E0113,
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

    pub(super) fn string_field(&mut self, f: &ast::Field) -> String {
        match &f.value {
            FieldValue::Str(s) | FieldValue::Id(s) => s.text.clone(),
            other => {
                self.err(
                    Diagnostic::error(
                        Code::E0116,
                        other.span(),
                        format!("`{}` takes a string", f.key.text),
                    )
                    .help(format!("write `{} \"...\"`", f.key.text)),
                );
                String::new()
            }
        }
    }

    pub(super) fn list_field(&mut self, f: &ast::Field) -> Vec<String> {
        match &f.value {
            FieldValue::List(items, _) => items.iter().map(|n| n.text.clone()).collect(),
            FieldValue::Str(s) | FieldValue::Id(s) => vec![s.text.clone()],
            other => {
                self.err(
                    Diagnostic::error(
                        Code::E0116,
                        other.span(),
                        format!("`{}` takes a list of strings", f.key.text),
                    )
                    .help(format!("write `{} [\"a\", \"b\"]`", f.key.text)),
                );
                Vec::new()
            }
        }
    }

    pub(super) fn map_field(&mut self, f: &ast::Field) -> BTreeMap<String, Vec<String>> {
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
                        Code::E0116,
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

    pub(super) fn standard(&mut self, h: &ast::Header) {
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
                                Code::E0116,
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

    pub(super) fn control(&mut self, h: &ast::Header) {
        let mut c = ControlMeta {
            id: h.id.text.clone(),
            title: h.title.text.clone(),
            points: 0.0,
        };
        for f in &h.fields {
            match (f.key.text.as_str(), &f.value) {
                ("points", FieldValue::Num(n, _)) if *n >= 0.0 => c.points = *n,
                ("points", v) => self.err(
                    Diagnostic::error(
                        Code::E0116,
                        v.span(),
                        "`points` takes a number of at least 0",
                    )
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

    pub(super) fn pattern(&mut self, regex: &str, span: Span) -> Option<usize> {
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
                self.err(Diagnostic::error(Code::E0205, span, "this pattern cannot be compiled").label(e.to_string())
                    .help("patterns use Rust `regex` syntax; Unicode word boundaries (`\\b`) are not supported, use `(?-u:\\b)`"));
                None
            }
        }
    }

    pub(super) fn recommendation(&mut self, r: &ast::Recommendation) {
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
                            Code::E0110,
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
                "category" => {
                    let c = self.string_field(f);
                    match tenet_stdlib::abi::Category::parse(&c) {
                        Some(x) => meta.category = x,
                        None => {
                            let names = tenet_stdlib::abi::Category::ALL.map(|c| c.as_str());
                            let mut d = Diagnostic::error(
                                Code::E0120,
                                f.value.span(),
                                format!("unknown category `{c}`"),
                            )
                            .label("not a category");
                            d = match suggest(&c.to_lowercase(), names.iter().copied()) {
                                Some(x) => d.help(format!("did you mean `{x}`?")),
                                None => d.help(
                                    "category is one of `misconfiguration` (the default), \
                                     `exposed-secret`, `vulnerability`",
                                ),
                            };
                            self.err(d);
                        }
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
                            Code::E0114,
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
                                Code::E0118,
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
                    Code::E0110,
                    h.id.span,
                    format!("recommendation `{}` has no severity", h.id.text),
                )
                .help("add `severity high`, `severity medium` or `severity low`"),
            ),
        }
        let variants = self.variants(r, &mut meta);
        self.program.recs.push(Rec {
            meta,
            variants,
            factor: r.factor,
        });
    }

    /// The JSON Pointer of a static path of the resource (`self` is the empty pointer).
    pub(super) fn pointer(&self, e: &ast::Expr) -> Option<String> {
        let (root, rest) = self.split_root(e)?;
        Some(match root {
            Some(name) => format!("/{}{rest}", pointer_token(name)),
            None => rest,
        })
    }

    /// The root of a static path (a name, or `None` for `self`) and the pointer of the rest:
    /// `pod.a[0]` -> (`pod`, `/a/0`).
    pub(super) fn split_root<'e>(&self, e: &'e ast::Expr) -> Option<(Option<&'e str>, String)> {
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
    pub(super) fn fix_path(
        &mut self,
        e: &ast::Expr,
        scope: &mut Vec<(String, Bind)>,
        lets: &[(ast::Name, ast::Expr)],
    ) -> Option<FixPath> {
        let split = self.split_root(e);
        let rest_nonempty = split.as_ref().is_some_and(|(_, rest)| !rest.is_empty());
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
            self.err(Diagnostic::error(Code::E0220, e.span, "a fix path must be a field of the resource")
                .label("not a static path")
                .help("write a path such as `properties.minimumTlsVersion` or `spec.containers[0].image`, or go through a `let` of such paths joined by `??`"));
            return None;
        };
        // Writing inside the `let` (`pod.hostPID`) needs one of its alternatives present; setting
        // the `let` itself may create the last one.
        let inside = rest_nonempty && alts.len() > 1;
        let tried = if inside {
            alts.len()
        } else {
            alts.len().saturating_sub(1)
        };
        let mut choices = Vec::new();
        for (alt, ptr) in alts.iter().zip(&ptrs).take(tried) {
            let n = self.lower(alt, scope);
            choices.push((self.val(n), ptr.clone()));
        }
        Some(FixPath {
            choices,
            fallback: if inside { None } else { ptrs.last().cloned() },
        })
    }

    pub(super) fn fix_op(
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
}
