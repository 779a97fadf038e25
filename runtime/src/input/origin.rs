//! Resolving where a clause read ([`Origin`], from the module's metadata) against one resource's
//! places and the bindings its outcome recorded: the concrete path of the property, so a finding
//! points at its line even when the rule reads it through helpers, `let`s and quantifiers.
//!
//! The file's index stands in for the document: an alternative of `a ?? b` is taken when its
//! node is in the file, and a list's length is the number of its elements the file holds.

use super::locate::{Place, Places, Seg};
use tenet_stdlib::abi::{Binding, Origin, Step, VarMeta};

/// How many origins deep a resolution may go (variables over variables, alternatives of
/// alternatives); metadata from a module is not trusted to be shallow.
const MAX_DEPTH: usize = 64;

impl Places {
    /// The place of the property `origin` names for an outcome with these bindings (the module's
    /// `vars` give each variable's collection), or of its nearest parent in the file: the
    /// resource itself, at `own` (its line and column) with an empty `path`, when nothing of it
    /// is there, such as a template resource declared without `properties`. `None` when the
    /// origin cannot be resolved (a variable the record did not bind, a lookup).
    pub fn locate(
        &self,
        origin: &Origin,
        vars: &[VarMeta],
        bindings: &[Binding],
        own: (usize, usize),
    ) -> Option<Place> {
        let r = Resolver {
            places: self,
            vars,
            bindings,
        };
        let path = r.resolve(origin, 0)?;
        Some(self.find_segs(&path).unwrap_or(Place {
            path: String::new(),
            line: own.0,
            column: own.1,
        }))
    }

    fn pointer(&self, path: &[Seg]) -> String {
        let mut ptr = self.base.clone();
        for s in path {
            ptr.push('/');
            crate::pointer::escape(s.text(), &mut ptr);
        }
        ptr
    }

    fn has(&self, path: &[Seg]) -> bool {
        self.index.get(&self.pointer(path)).is_some()
    }

    /// How many elements of the list at `path` the file holds, counting no further than `upto`.
    fn len(&self, path: &[Seg], upto: i64) -> i64 {
        let base = self.pointer(path);
        let mut n = 0;
        while n < upto && self.index.get(&format!("{base}/{n}")).is_some() {
            n += 1;
        }
        n
    }
}

struct Resolver<'a> {
    places: &'a Places,
    vars: &'a [VarMeta],
    bindings: &'a [Binding],
}

impl Resolver<'_> {
    /// The concrete path of an origin, from the resource's root.
    fn resolve(&self, o: &Origin, depth: usize) -> Option<Vec<Seg>> {
        if depth > MAX_DEPTH {
            return None;
        }
        let mut steps = o.path.iter();
        let mut path = if let Some(v) = o.var {
            let b = self.bindings.iter().rev().find(|b| b.var == v)?;
            let list = self.vars.get(v as usize)?.origin.as_ref()?;
            self.element(list, i64::from(b.index), depth + 1)?
        } else if !o.first.is_empty() {
            // The first alternative the file has, else the first that resolves.
            let mut fallback = None;
            let mut found = None;
            for a in &o.first {
                let Some(p) = self.resolve(a, depth + 1) else {
                    continue;
                };
                if self.places.has(&p) {
                    found = Some(p);
                    break;
                }
                fallback.get_or_insert(p);
            }
            found.or(fallback)?
        } else if !o.concat.is_empty() || !o.items.is_empty() {
            match steps.next() {
                Some(Step::Index(i)) => self.element(
                    &Origin {
                        path: Vec::new(),
                        ..o.clone()
                    },
                    *i,
                    depth + 1,
                )?,
                _ => return None,
            }
        } else {
            Vec::new()
        };
        for s in steps {
            match s {
                Step::Key(k) => path.push(Seg::Key(k.clone())),
                Step::Index(i) => {
                    let i = if *i < 0 {
                        self.places.len(&path, i64::MAX) + i
                    } else {
                        *i
                    };
                    if i < 0 {
                        break;
                    }
                    path.push(Seg::Index(i.to_string()));
                }
            }
        }
        Some(path)
    }

    /// The path of element `i` of the collection `list` (the collection itself for a map entry,
    /// index -1, or a computed collection).
    fn element(&self, list: &Origin, i: i64, depth: usize) -> Option<Vec<Seg>> {
        if is_joined(list) {
            return self.joined(&list.concat, i, depth);
        }
        if is_written(list) {
            let item = usize::try_from(i).ok().and_then(|i| list.items.get(i))?;
            return self.resolve(item.as_ref()?, depth + 1);
        }
        let mut path = self.resolve(list, depth)?;
        if !list.near && i >= 0 {
            path.push(Seg::Index(i.to_string()));
        }
        Some(path)
    }

    /// The path of element `i` of lists joined in order.
    fn joined(&self, parts: &[Origin], mut i: i64, depth: usize) -> Option<Vec<Seg>> {
        if i < 0 || depth > MAX_DEPTH {
            return None;
        }
        for part in parts {
            if is_joined(part) || is_written(part) {
                let n = self.size(part, i + 1, depth + 1)?;
                if i < n {
                    return self.element(part, i, depth + 1);
                }
                i -= n;
                continue;
            }
            // A list in the file: resolved once, for its length and its element.
            let mut path = self.resolve(part, depth + 1)?;
            let n = self.places.len(&path, i + 1);
            if i < n {
                if !part.near {
                    path.push(Seg::Index(i.to_string()));
                }
                return Some(path);
            }
            i -= n;
        }
        None
    }

    /// How many elements the list `list` has in the file, counting no further than `upto`.
    fn size(&self, list: &Origin, upto: i64, depth: usize) -> Option<i64> {
        if depth > MAX_DEPTH {
            return None;
        }
        if is_written(list) {
            return Some((list.items.len() as i64).min(upto));
        }
        if is_joined(list) {
            let mut n = 0;
            for part in &list.concat {
                if n >= upto {
                    break;
                }
                n += self.size(part, upto - n, depth + 1)?;
            }
            return Some(n);
        }
        let path = self.resolve(list, depth)?;
        Some(self.places.len(&path, upto))
    }
}

/// Whether an origin is lists joined and nothing more (an element of it is an element of one).
fn is_joined(o: &Origin) -> bool {
    !o.concat.is_empty() && o.var.is_none() && o.first.is_empty() && o.path.is_empty()
}

/// Whether an origin is a list written in the rule and nothing more.
fn is_written(o: &Origin) -> bool {
    !o.items.is_empty()
        && o.concat.is_empty()
        && o.var.is_none()
        && o.first.is_empty()
        && o.path.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn places(yaml: &str) -> Places {
        Places {
            index: Arc::new(super::super::yaml::read("f", yaml).unwrap().index),
            base: "/0".into(),
        }
    }

    fn path(p: &str) -> Origin {
        Origin {
            path: p
                .split('.')
                .map(|s| match s.parse() {
                    Ok(i) => Step::Index(i),
                    Err(_) => Step::Key(s.into()),
                })
                .collect(),
            ..Origin::default()
        }
    }

    fn below(base: Origin, p: &str) -> Origin {
        Origin {
            path: path(p).path,
            ..base
        }
    }

    const DEPLOYMENT: &str = "kind: Deployment\nspec:\n  template:\n    spec:\n      initContainers:\n      - name: init\n      containers:\n      - name: a\n        image: x\n      - name: b\n        resources:\n          limits: {memory: 1Gi}\n";

    /// `all c in all_containers(pod)` (the joined container lists) with
    /// `pod = spec.template.spec ?? spec`, reading `c.resources.limits.cpu`.
    fn containers() -> (Vec<VarMeta>, Origin) {
        let pod = Origin {
            first: vec![path("spec.template.spec"), path("spec")],
            ..Origin::default()
        };
        // concat(concat(pod.containers, pod.initContainers ?? []), pod.ephemeralContainers ?? [])
        let list = Origin {
            concat: vec![
                Origin {
                    concat: vec![
                        below(pod.clone(), "containers"),
                        below(pod.clone(), "initContainers"),
                    ],
                    ..Origin::default()
                },
                below(pod, "ephemeralContainers"),
            ],
            ..Origin::default()
        };
        let vars = vec![VarMeta {
            name: "c".into(),
            source: "all_containers(pod)".into(),
            origin: Some(list),
        }];
        let read = Origin {
            var: Some(0),
            path: path("resources.limits.cpu").path,
            ..Origin::default()
        };
        (vars, read)
    }

    fn bound(index: i32) -> Vec<Binding> {
        vec![Binding {
            var: 0,
            index,
            value: None,
        }]
    }

    #[test]
    fn a_quantified_read_through_alternatives_and_joined_lists_finds_its_line() {
        let p = places(DEPLOYMENT);
        let (vars, read) = containers();
        let at = |i| {
            p.locate(&read, &vars, &bound(i), (1, 1))
                .map(|pl| (pl.path, pl.line))
        };
        // The first container has no resources: its nearest parent is the element.
        assert_eq!(at(0), Some(("spec.template.spec.containers[0]".into(), 8)));
        // The second has limits but no cpu.
        assert_eq!(
            at(1),
            Some((
                "spec.template.spec.containers[1].resources.limits".into(),
                12
            ))
        );
        // The third element of the joined list is the first init container.
        assert_eq!(
            at(2),
            Some(("spec.template.spec.initContainers[0]".into(), 6))
        );
        assert_eq!(at(3), None);
    }

    #[test]
    fn the_present_alternative_is_taken() {
        let p = places("kind: Pod\nspec:\n  containers:\n  - name: a\n");
        let (vars, read) = containers();
        let got = p.locate(&read, &vars, &bound(0), (1, 1)).unwrap();
        assert_eq!((got.path.as_str(), got.line), ("spec.containers[0]", 4));
    }

    #[test]
    fn unresolvable_origins_give_nothing() {
        let p = places(DEPLOYMENT);
        let (vars, read) = containers();
        // No binding recorded for the variable.
        assert_eq!(p.locate(&read, &vars, &[], (1, 1)), None);
        // A variable the metadata does not describe.
        assert_eq!(p.locate(&read, &[], &bound(0), (1, 1)), None);
        // A self-referential variable stops at the depth limit.
        let looped = vec![VarMeta {
            origin: Some(Origin {
                var: Some(0),
                ..Origin::default()
            }),
            ..VarMeta::default()
        }];
        assert_eq!(p.locate(&read, &looped, &bound(0), (1, 1)), None);
    }

    #[test]
    fn negative_indexes_and_computed_values() {
        let p = places(DEPLOYMENT);
        let last = path("spec.template.spec.containers.-1.name");
        assert_eq!(
            p.locate(&last, &[], &[], (1, 1)).map(|pl| pl.line),
            Some(10)
        );
        let near = Origin {
            near: true,
            ..path("spec.template")
        };
        assert_eq!(
            p.locate(&near, &[], &[], (1, 1)).map(|pl| pl.path),
            Some("spec.template".into())
        );
    }

    #[test]
    fn lists_written_in_the_rule_and_resources_without_the_property() {
        // `all rule in concat(Properties.SecurityGroupIngress ?? [], [Properties])`
        let p = places(
            "Type: AWS::EC2::SecurityGroup\nProperties:\n  SecurityGroupIngress:\n  - FromPort: 22\n    ToPort: 22\n  FromPort: 80\n",
        );
        let vars = vec![VarMeta {
            name: "rule".into(),
            source: "rules(Properties)".into(),
            origin: Some(Origin {
                concat: vec![
                    path("Properties.SecurityGroupIngress"),
                    Origin {
                        items: vec![Some(path("Properties"))],
                        ..Origin::default()
                    },
                ],
                ..Origin::default()
            }),
        }];
        let to_port = Origin {
            var: Some(0),
            path: path("ToPort").path,
            ..Origin::default()
        };
        let at = |i| {
            p.locate(&to_port, &vars, &bound(i), (1, 1))
                .map(|pl| (pl.path, pl.line))
        };
        assert_eq!(
            at(0),
            Some(("Properties.SecurityGroupIngress[0].ToPort".into(), 5))
        );
        // The second rule is the group itself, which has no ToPort.
        assert_eq!(at(1), Some(("Properties".into(), 2)));
        assert_eq!(at(2), None);
        // Nothing the clause reads is in the file: the resource itself.
        let bare = places("Type: AWS::S3::Bucket\n");
        let got = bare
            .locate(
                &path("Properties.VersioningConfiguration"),
                &[],
                &[],
                (1, 1),
            )
            .unwrap();
        assert_eq!((got.path.as_str(), got.line), ("", 1));
    }
}
