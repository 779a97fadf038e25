//! The rules of an ordered list (exemptions, governance rules) that can apply to a resource,
//! found at once: one glob set holds every rule's resource patterns, so looking up a finding costs
//! the patterns that match it rather than the length of the list. The caller checks the rest of
//! each candidate's conditions, in list order (the first that matches wins).

/// Candidates by resource id or name.
#[derive(Debug, Default)]
pub struct Candidates {
    set: globset::GlobSet,
    /// The rule of each pattern in `set`.
    rule: Vec<usize>,
    /// The rules without resource patterns: candidates for every resource.
    always: Vec<usize>,
}

impl Candidates {
    /// The index of rules given, in order, as their resource patterns (none: any resource).
    pub fn new<'a>(rules: impl Iterator<Item = Vec<&'a globset::Glob>>) -> Candidates {
        let mut b = globset::GlobSetBuilder::new();
        let (mut rule, mut always) = (Vec::new(), Vec::new());
        for (k, globs) in rules.enumerate() {
            if globs.is_empty() {
                always.push(k);
            }
            for g in globs {
                b.add(g.clone());
                rule.push(k);
            }
        }
        // Every glob was built before, so the set builds; an empty set matches nothing.
        let set = b.build().unwrap_or_else(|_| globset::GlobSet::empty());
        Candidates { set, rule, always }
    }

    /// The rules that may apply to a resource with this id and name, ascending.
    pub fn of(&self, id: &str, name: &str) -> Vec<usize> {
        let mut out = self.always.clone();
        for k in self
            .set
            .matches(id)
            .into_iter()
            .chain(self.set.matches(name))
        {
            out.push(self.rule[k]);
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::Candidates;

    #[test]
    fn candidates_keep_list_order_and_include_rules_for_any_resource() {
        let g = |s: &str| globset::Glob::new(s).unwrap();
        let (a, b, c) = (g("/subs/1/*"), g("web-*"), g("db"));
        let rules = vec![vec![&a], vec![], vec![&b, &c], vec![&c]];
        let idx = Candidates::new(rules.into_iter());
        assert_eq!(idx.of("/subs/1/x", "web-1"), [0, 1, 2]);
        assert_eq!(idx.of("/subs/2/x", "db"), [1, 2, 3]);
        assert_eq!(idx.of("other", "other"), [1]);
    }

    proptest::proptest! {
        /// The candidates are exactly the rules a scan of the whole list would test positive.
        #[test]
        fn candidates_are_what_a_scan_finds(
            rules in proptest::collection::vec(proptest::collection::vec("[ab*?/]{1,4}", 0..3), 0..8),
            id in "[ab/]{0,6}",
            name in "[ab]{0,3}",
        ) {
            let globs: Vec<Vec<globset::Glob>> = rules
                .iter()
                .map(|r| r.iter().filter_map(|p| globset::Glob::new(p).ok()).collect())
                .collect();
            let idx = Candidates::new(globs.iter().map(|r| r.iter().collect()));
            let scan: Vec<usize> = globs
                .iter()
                .enumerate()
                .filter(|(_, r)| {
                    r.is_empty()
                        || r.iter().any(|g| {
                            let m = g.compile_matcher();
                            m.is_match(&id) || m.is_match(&name)
                        })
                })
                .map(|(k, _)| k)
                .collect();
            proptest::prop_assert_eq!(idx.of(&id, &name), scan);
        }
    }
}
