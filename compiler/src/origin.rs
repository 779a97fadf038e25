//! Where the values clauses read come from in the resource's document: each clause's subject and
//! each quantifier's collection, traced through the helpers and `let`s the checker inlined, so a
//! host can point a finding at the property's line (`docs/abi.md`, "Metadata").
//!
//! A clause written in a helper (`fn truthy(x) = exists(x) and …`) reads `x`; inlined at
//! `truthy(c.resources.limits.cpu)` inside `all c in all_containers(pod)`, its origin is the path
//! `resources.limits.cpu` below the element `c` is bound to, and `c`'s collection is the lists
//! `concat` joins, each below the first present of `pod`'s alternatives.

use crate::ir::*;
use tenet_stdlib::abi::{Origin, Step};

/// The origins of every clause and quantifier variable of a program, by index.
pub fn origins(p: &Program) -> (Vec<Option<Origin>>, Vec<Option<Origin>>) {
    let mut t = Tracer {
        clauses: vec![None; p.clauses.len()],
        vars: vec![None; p.vars.len()],
    };
    for r in p.recs.iter().flat_map(|r| &r.variants) {
        for n in r.when.iter().chain(std::iter::once(&r.cond)) {
            t.walk(n);
        }
        for f in r.fix.iter().flatten() {
            if let Fix::RemoveWhere { cond, .. } = f {
                t.walk(cond);
            }
        }
    }
    // Deeper origins than any rule needs are left out: the metadata is JSON that hosts read with
    // a nesting limit (serde_json's is 128), and an origin only places a finding.
    let shallow = |o: Option<Origin>| o.filter(|o| depth(o) <= MAX_DEPTH);
    (
        t.clauses.into_iter().map(shallow).collect(),
        t.vars.into_iter().map(shallow).collect(),
    )
}

/// The deepest origin kept in the metadata (in origins within origins).
pub const MAX_DEPTH: usize = 16;

/// How many origins deep an origin is, without recursion.
fn depth(o: &Origin) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(o, 1)];
    while let Some((o, d)) = stack.pop() {
        deepest = deepest.max(d);
        for c in o
            .first
            .iter()
            .chain(&o.concat)
            .chain(o.items.iter().flatten())
        {
            stack.push((c, d + 1));
        }
    }
    deepest
}

struct Tracer {
    clauses: Vec<Option<Origin>>,
    vars: Vec<Option<Origin>>,
}

impl Tracer {
    /// Records the origins of the clauses and variables in a node's tree (without recursion, so
    /// any depth the checker allows is fine).
    fn walk(&mut self, root: &Node) {
        // Quantifiers over lists written in the rule, with their bodies: when no element
        // decides, the quantifier's record stands, and what it is about is what its body reads.
        let mut written = Vec::new();
        let mut stack = vec![root];
        while let Some(n) = stack.pop() {
            let (clause, subject) = match &n.kind {
                Kind::Cmp(_, a, b, c) | Kind::In(a, b, _, c) => {
                    (Some(*c), self.subject([&**a, &**b]))
                }
                Kind::Call {
                    args,
                    clause: Some(c),
                    ..
                } => (Some(*c), self.subject(args)),
                Kind::Truthy(a, c) | Kind::Exists(a, _, c) | Kind::IsUnknown(a, c) => {
                    (Some(*c), of(a))
                }
                Kind::Quant {
                    var,
                    source,
                    clause,
                    body,
                    ..
                } => {
                    let o = match source {
                        Source::Value(s) => of(s),
                        Source::Lookup(_) => None,
                    };
                    if let (Source::Value(s), None) = (source, &o) {
                        if matches!(s.kind, Kind::Lit(_)) {
                            written.push((*clause, &**body));
                        }
                    }
                    if let Some(slot) = self.vars.get_mut(*var as usize) {
                        if slot.is_none() {
                            slot.clone_from(&o);
                        }
                    }
                    (Some(*clause), o)
                }
                _ => (None, None),
            };
            if let Some(slot) = clause.and_then(|c| self.clauses.get_mut(c as usize)) {
                if slot.is_none() {
                    *slot = subject;
                }
            }
            stack.extend(n.children());
        }
        for (clause, body) in written.into_iter().rev() {
            let about = self.first_rooted(body);
            if let Some(slot) = self.clauses.get_mut(clause as usize) {
                if slot.is_none() {
                    *slot = about;
                }
            }
        }
    }

    /// The origin of the first clause under `n`, in evaluation order, that reads the resource.
    fn first_rooted(&self, n: &Node) -> Option<Origin> {
        let mut stack = vec![n];
        while let Some(n) = stack.pop() {
            let clause = match &n.kind {
                Kind::Cmp(.., c)
                | Kind::In(.., c)
                | Kind::Truthy(_, c)
                | Kind::Exists(.., c)
                | Kind::IsUnknown(_, c) => Some(*c),
                Kind::Call { clause, .. } => *clause,
                Kind::Quant { clause, .. } => Some(*clause),
                _ => None,
            };
            if let Some(Some(o)) = clause.and_then(|c| self.clauses.get(c as usize)) {
                if self.rooted(o, 0) {
                    return Some(o.clone());
                }
            }
            stack.extend(n.children().into_iter().rev());
        }
        None
    }

    /// The operand a clause reads: the first that comes from the resource (in `port <=
    /// number(rule.ToPort)` with `port` ranging over a literal list, `rule.ToPort`), else the
    /// first with an origin at all.
    fn subject<'n>(&self, operands: impl IntoIterator<Item = &'n Node>) -> Option<Origin> {
        let found: Vec<Origin> = operands
            .into_iter()
            .filter(|n| !matches!(n.kind, Kind::Lit(_)))
            .filter_map(of)
            .collect();
        let rooted = found.iter().position(|o| self.rooted(o, 0));
        found.into_iter().nth(rooted.unwrap_or(0))
    }

    /// Whether an origin leads to the resource through variables whose collections do.
    fn rooted(&self, o: &Origin, depth: usize) -> bool {
        if depth > 64 {
            return false;
        }
        match o.var {
            Some(v) => self
                .vars
                .get(v as usize)
                .and_then(Option::as_ref)
                .is_some_and(|l| self.rooted(l, depth + 1)),
            None => o
                .first
                .iter()
                .chain(&o.concat)
                .chain(o.items.iter().flatten())
                .all(|b| self.rooted(b, depth + 1)),
        }
    }
}

/// Where a value node comes from, when it comes from the resource.
pub fn of(n: &Node) -> Option<Origin> {
    // A chain of members and indexes is walked down to its base first, without recursion.
    let mut steps = Vec::new();
    let mut near = false;
    let mut at = n;
    loop {
        match &at.kind {
            Kind::Get(b, k) => {
                steps.push(Step::Key(k.clone()));
                at = b;
            }
            Kind::Index(b, i) => {
                steps.push(Step::Index(*i));
                at = b;
            }
            Kind::GetDyn(b, _) => {
                // A computed key: the place is the container's.
                steps.clear();
                near = true;
                at = b;
            }
            _ => break,
        }
    }
    steps.reverse();
    let mut o = match &at.kind {
        Kind::Root => Origin::default(),
        Kind::Var(v) => Origin {
            var: Some(*v),
            ..Origin::default()
        },
        Kind::Default(..) => {
            let mut alts = Vec::new();
            let mut d = at;
            while let Kind::Default(a, b) = &d.kind {
                alts.extend(of(a));
                d = b;
            }
            alts.extend(of(d));
            match alts.len() {
                0 => return None,
                1 => alts.pop()?,
                _ => Origin {
                    first: alts,
                    ..Origin::default()
                },
            }
        }
        Kind::Call { f, args, .. } if f.name == "concat" => {
            let mut concat = Vec::new();
            for a in args {
                match &a.kind {
                    // A literal list has a known length and nothing from the resource.
                    Kind::Lit(serde_json::Value::Array(v)) if v.is_empty() => {}
                    Kind::Lit(serde_json::Value::Array(v)) => concat.push(Origin {
                        items: vec![None; v.len()],
                        ..Origin::default()
                    }),
                    _ => concat.push(of(a)?),
                }
            }
            Origin {
                concat,
                ..Origin::default()
            }
        }
        Kind::List(items) if !items.is_empty() => Origin {
            items: items.iter().map(of).collect(),
            ..Origin::default()
        },
        Kind::Call { args, .. } => Origin {
            near: true,
            ..args.iter().find_map(of)?
        },
        _ => return None,
    };
    // Steps below a computed value are not the place of anything; the steps below a computed
    // key (`m[k]`) lead to its container, which is where the value is.
    if !o.near {
        o.path.extend(steps);
    }
    o.near |= near;
    Some(o)
}

#[cfg(test)]
mod tests {
    use crate::compile_str;

    /// Every kind of origin: a helper's parameter, a `let` of alternatives, lists joined by
    /// `concat` (one of them written in the rule), a computed value, a quantifier over a list
    /// written in the rule, and a quantifier variable compared with a literal-list variable.
    const STANDARD: &str = r#"
standard origins "Origins" { version "1.0.0" }
fn truthy(x) = exists(x) and x != false
fn all_containers(p) = concat(p.containers, p.initContainers ?? [])
fn rules(props) = concat(props.SecurityGroupIngress ?? [], [props])
recommendation limits "Limits" {
  severity low
  applies kubernetes "Pod"
  let pod = spec.template.spec ?? spec
  compliant when all c in all_containers(pod) { truthy(c.resources.limits.cpu) }
}
recommendation ssh "SSH" {
  severity high
  applies aws "AWS::EC2::SecurityGroup"
  compliant when none rule in rules(Properties) { any port in [22, 3389] { port <= number(rule.ToPort ?? 65535) } }
}
recommendation tls "TLS" {
  severity medium
  applies aws "AWS::ElasticLoadBalancingV2::Listener"
  compliant when any p in ["TLS-1-2", "TLS13"] { starts_with(Properties.SslPolicy ?? "", p) }
}
recommendation lower "Lower" {
  severity low
  applies azure "Microsoft.Web/sites"
  compliant when lower(properties.siteConfig.minTlsVersion ?? "") == "1.2"
}
"#;

    #[test]
    fn origins_too_deep_for_the_metadata_are_left_out() {
        // 64 nested joins, through helpers that double: the metadata must still load
        // (serde_json refuses 128 levels of nesting).
        let mut src = String::from(
            "standard deep \"Deep\" { version \"1\" }\nfn c0(x) = concat(x, spec.b)\n",
        );
        for k in 1..=6 {
            src.push_str(&format!("fn c{k}(x) = c{j}(c{j}(x))\n", j = k - 1));
        }
        src.push_str("recommendation r \"R\" {\n  severity low\n  applies kubernetes \"Pod\"\n  compliant when all x in c6(spec.a) { x == 1 }\n}\n");
        let c = compile_str("deep.tenet", &src).map_err(|f| f.render(false));
        let m = c.unwrap_or_else(|e| panic!("{e}")).metadata;
        let json = serde_json::to_string(&m).unwrap_or_default();
        let back: Result<tenet_stdlib::abi::Metadata, _> = serde_json::from_str(&json);
        assert!(back.is_ok(), "{back:?}");
        assert!(m.vars[0].origin.is_none());
    }

    #[test]
    fn origins_follow_helpers_lets_and_quantifiers() {
        let c = compile_str("origins.tenet", STANDARD).map_err(|f| f.render(false));
        let m = c.unwrap_or_else(|e| panic!("{e}")).metadata;
        let mut out = String::new();
        for (i, v) in m.vars.iter().enumerate() {
            let o = serde_json::to_string(&v.origin).unwrap_or_default();
            out.push_str(&format!("var {i} {} in {}: {o}\n", v.name, v.source));
        }
        for c in &m.clauses {
            let o = serde_json::to_string(&c.origin).unwrap_or_default();
            out.push_str(&format!("clause `{}`: {o}\n", c.text));
        }
        insta::assert_snapshot!(out);
    }
}
