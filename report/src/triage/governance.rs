//! Governance: who fixes what, by when. Rules read from a YAML file (`docs/governance.md`) match
//! findings by recommendation, severity, resource glob or resource tag, and give them an owner and
//! a remediation timeframe; the first matching rule applies. A finding is due its first-seen time
//! plus the timeframe, and is `on_time` before that and `overdue` after; without a rule it is
//! `unassigned`. With a grace period, findings that are not yet overdue do not lower the secure
//! score.

use crate::model::{rfc3339, Severity};
use serde::Deserialize;
use std::collections::BTreeMap;
use tenet_runtime::resource::Identity;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct MatchFile {
    #[serde(default)]
    recommendations: Vec<String>,
    #[serde(default)]
    severity: Vec<String>,
    #[serde(default)]
    resources: Vec<String>,
    #[serde(default)]
    tags: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    name: Option<String>,
    #[serde(default, rename = "match")]
    matches: MatchFile,
    owner: String,
    timeframe_days: u32,
    #[serde(default)]
    grace_period: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OverrideFile {
    recommendation: String,
    resource: String,
    owner: Option<String>,
    due: Option<String>,
    justification: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    #[serde(default)]
    rules: Vec<RuleFile>,
    #[serde(default)]
    overrides: Vec<OverrideFile>,
}

/// A decision about one finding (or the findings of one recommendation on resources a glob
/// names): another owner, another due date, and why. It wins over the rules.
#[derive(Debug)]
pub struct Override {
    recommendation: globset::GlobMatcher,
    resource: globset::GlobMatcher,
    /// The owner it gives (else the rule's).
    pub owner: Option<String>,
    /// The due date it sets, seconds since the epoch (else the rule's).
    pub due: Option<f64>,
    /// Why.
    pub justification: String,
}

/// One governance rule.
#[derive(Debug)]
pub struct Rule {
    /// Its name (given, or `#N`).
    pub name: String,
    recommendations: Vec<globset::GlobMatcher>,
    severity: Vec<Severity>,
    resources: Vec<globset::GlobMatcher>,
    tags: BTreeMap<String, String>,
    /// Who fixes.
    pub owner: String,
    /// Days to fix, from first seen.
    pub timeframe_days: u32,
    /// Whether findings within the timeframe are left out of the secure score.
    pub grace_period: bool,
}

/// The governance of a finding, as reports show it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Assignment {
    /// `unassigned`, `on_time` or `overdue`.
    pub status: &'static str,
    /// The owner.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// When it is due (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
    /// The rule that assigned it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Whether it is within a grace period (so it does not lower the score).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub grace: bool,
    /// Why its owner or due date differ from the rule's, when an override set them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
}

/// The rules of a governance file.
#[derive(Debug, Default)]
pub struct Governance {
    /// In file order.
    pub rules: Vec<Rule>,
    /// Per-finding decisions, in file order (the first that matches applies).
    pub overrides: Vec<Override>,
    /// Which rules can match a resource, built on first use.
    index: std::sync::OnceLock<super::candidates::Candidates>,
}

fn glob(text: &str) -> Result<globset::GlobMatcher, String> {
    globset::Glob::new(text)
        .map(|g| g.compile_matcher())
        .map_err(|e| format!("invalid glob `{text}`: {e}"))
}

impl Governance {
    /// Reads a governance file's text; errors name the line and column.
    pub fn parse(file: &str, text: &str) -> Result<Governance, tenet_runtime::InputError> {
        let err = |line: usize, col: usize, message: String| tenet_runtime::InputError {
            file: file.to_string(),
            line,
            col,
            message: format!("invalid governance file: {message}; see docs/governance.md"),
        };
        let f: File = tenet_runtime::input::yaml::from_str(file, text)
            .map_err(|e| err(e.line, e.col, e.message))?;
        if f.version != 1 {
            return Err(err(
                1,
                1,
                format!("version {} is not supported; write `version: 1`", f.version),
            ));
        }
        let mut rules = Vec::new();
        for (i, r) in f.rules.into_iter().enumerate() {
            let name = r.name.unwrap_or_else(|| format!("#{}", i + 1));
            let at = |m: String| err(0, 0, format!("rule {name}: {m}"));
            let globs = |v: &[String]| -> Result<Vec<globset::GlobMatcher>, String> {
                v.iter().map(|g| glob(g)).collect()
            };
            let mut severity = Vec::new();
            for s in &r.matches.severity {
                match Severity::parse(s) {
                    Some(s) => severity.push(s),
                    None => return Err(at(format!("unknown severity `{s}` (high, medium, low)"))),
                }
            }
            rules.push(Rule {
                recommendations: globs(&r.matches.recommendations).map_err(at)?,
                resources: globs(&r.matches.resources).map_err(at)?,
                severity,
                tags: r.matches.tags,
                owner: r.owner,
                timeframe_days: r.timeframe_days,
                grace_period: r.grace_period,
                name,
            });
        }
        let mut overrides = Vec::new();
        for (i, o) in f.overrides.into_iter().enumerate() {
            let at = |m: String| err(0, 0, format!("override #{}: {m}", i + 1));
            if o.owner.is_none() && o.due.is_none() {
                return Err(at("it sets neither `owner` nor `due`".into()));
            }
            if o.justification.trim().is_empty() {
                return Err(at("it needs a `justification`".into()));
            }
            let due = match &o.due {
                None => None,
                Some(d) => Some(super::exemptions::Expiry::parse(d).map(|e| e.at).ok_or_else(
                    || at(format!("invalid due date `{d}`: write a date (2027-01-31) or an RFC 3339 time")),
                )?),
            };
            overrides.push(Override {
                recommendation: glob(&o.recommendation).map_err(at)?,
                resource: glob(&o.resource).map_err(at)?,
                owner: o.owner,
                due,
                justification: o.justification,
            });
        }
        Ok(Governance {
            rules,
            overrides,
            index: std::sync::OnceLock::new(),
        })
    }

    /// The rule for a finding of recommendation `rec` (of `severity`) on a resource.
    pub fn rule(&self, rec: &str, severity: Severity, r: &Identity) -> Option<&Rule> {
        let index = self.index.get_or_init(|| {
            super::candidates::Candidates::new(
                self.rules
                    .iter()
                    .map(|x| x.resources.iter().map(|m| m.glob()).collect()),
            )
        });
        let candidates = index.of(&r.id, &r.name);
        candidates.into_iter().map(|k| &self.rules[k]).find(|x| {
            (x.recommendations.is_empty() || x.recommendations.iter().any(|g| g.is_match(rec)))
                && (x.severity.is_empty() || x.severity.contains(&severity))
                && (x.resources.is_empty()
                    || x.resources
                        .iter()
                        .any(|g| g.is_match(&r.id) || g.is_match(&r.name)))
                && x.tags.iter().all(|(k, v)| {
                    r.tags
                        .iter()
                        .any(|(tk, tv)| tk.eq_ignore_ascii_case(k) && tv == v)
                })
        })
    }

    /// The assignment of a finding first seen at `first_seen`, evaluated at `now`: the first
    /// matching rule's owner and due date (first seen + its timeframe), each replaced by an
    /// override's when one matches the finding.
    pub fn assign(
        &self,
        rec: &str,
        severity: Severity,
        r: &Identity,
        first_seen: f64,
        now: f64,
    ) -> Assignment {
        let rule = self.rule(rec, severity, r);
        let o = self.overrides.iter().find(|o| {
            o.recommendation.is_match(rec)
                && (o.resource.is_match(&r.id) || o.resource.is_match(&r.name))
        });
        let owner = o
            .and_then(|o| o.owner.clone())
            .or_else(|| rule.map(|x| x.owner.clone()));
        let due = o
            .and_then(|o| o.due)
            .or_else(|| rule.map(|x| first_seen + f64::from(x.timeframe_days) * 86_400.0));
        let Some(due) = due else {
            return Assignment {
                status: "unassigned",
                owner,
                due: None,
                rule: None,
                grace: false,
                justification: o.map(|o| o.justification.clone()),
            };
        };
        let on_time = now < due;
        Assignment {
            status: if on_time { "on_time" } else { "overdue" },
            owner,
            due: Some(rfc3339(due)),
            rule: rule.map(|x| x.name.clone()),
            grace: on_time && rule.is_some_and(|x| x.grace_period),
            justification: o.map(|o| o.justification.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ident(id: &str, tags: &[(&str, &str)]) -> Identity {
        Identity {
            provider: "azure".into(),
            kind: "t".into(),
            name: id.into(),
            id: id.into(),
            namespace: None,
            location: None,
            tags: tags
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            scope: tenet_runtime::resource::Scope::Global,
        }
    }

    #[test]
    fn rules_assign_owners_due_dates_and_grace() {
        let g = Governance::parse(
            "g.yaml",
            "version: 1
rules:
  - name: payments
    match: {tags: {team: payments}}
    owner: payments@example.com
    timeframe_days: 7
    grace_period: true
  - match: {severity: [high], recommendations: ['storage-*']}
    owner: platform@example.com
    timeframe_days: 30
",
        )
        .unwrap();
        let day = 86_400.0;
        let pay = ident("kv", &[("Team", "payments")]);
        let a = g.assign("keyvault-x", Severity::Low, &pay, 0.0, 6.0 * day);
        assert_eq!(
            (a.status, a.grace, a.owner.as_deref()),
            ("on_time", true, Some("payments@example.com"))
        );
        assert_eq!(a.due.as_deref(), Some("1970-01-08T00:00:00Z"));
        // Due is first seen + 7 days: overdue from that instant on, and no grace then.
        let a = g.assign("keyvault-x", Severity::Low, &pay, 0.0, 7.0 * day);
        assert_eq!((a.status, a.grace), ("overdue", false));
        let other = ident("st", &[]);
        assert_eq!(
            g.assign("storage-tls", Severity::High, &other, 0.0, day)
                .rule
                .as_deref(),
            Some("#2")
        );
        assert_eq!(
            g.assign("storage-tls", Severity::Medium, &other, 0.0, day)
                .status,
            "unassigned"
        );
        let e = Governance::parse(
            "g.yaml",
            "version: 1\nrules:\n  - owner: x\n    timeframe_days: soon\n",
        )
        .unwrap_err();
        assert_eq!(e.line, 4, "{e}");
    }

    #[test]
    fn overrides_replace_the_owner_or_the_due_date_with_a_reason() {
        let g = Governance::parse(
            "g.yaml",
            "version: 1
rules:
  - match: {severity: [high]}
    owner: secops@example.com
    timeframe_days: 7
    grace_period: true
overrides:
  - recommendation: storage-min-tls
    resource: '*/stlegacy'
    due: 2027-03-31
    justification: Vendor fix due in March; agreed with the CISO.
  - recommendation: 'storage-*'
    resource: '*/rg-data/*'
    owner: data@example.com
    justification: The data team owns its accounts.
",
        )
        .unwrap();
        let day = 86_400.0;
        let now = 1_800_000_000.0; // 2027-01-15
        let legacy = ident("/subs/s/rg-x/stlegacy", &[]);
        // The rule would make it overdue (first seen 30 days ago, 7 days to fix): the override
        // moves the due date, and the rule's owner and grace stay.
        let a = g.assign(
            "storage-min-tls",
            Severity::High,
            &legacy,
            now - 30.0 * day,
            now,
        );
        assert_eq!(a.status, "on_time");
        assert_eq!(a.owner.as_deref(), Some("secops@example.com"));
        assert_eq!(a.due.as_deref(), Some("2027-04-01T00:00:00Z"));
        assert!(a.grace);
        assert_eq!(
            a.justification.as_deref(),
            Some("Vendor fix due in March; agreed with the CISO.")
        );
        // Another owner, the rule's due date.
        let data = ident("/subs/s/rg-data/st1", &[]);
        let a = g.assign(
            "storage-https",
            Severity::High,
            &data,
            now - 30.0 * day,
            now,
        );
        assert_eq!(a.status, "overdue");
        assert_eq!(a.owner.as_deref(), Some("data@example.com"));
        // An owner without a due date and without a rule: owned, but unassigned in time.
        let a = g.assign("storage-https", Severity::Low, &data, now, now);
        assert_eq!(
            (a.status, a.owner.as_deref()),
            ("unassigned", Some("data@example.com"))
        );
        // No override: the rule alone, no justification.
        let a = g.assign("other", Severity::High, &legacy, now - 30.0 * day, now);
        assert_eq!((a.status, a.justification), ("overdue", None));
        // An override must say why, and change something.
        for bad in [
            "version: 1\noverrides: [{recommendation: r, resource: x, owner: o, justification: ' '}]\n",
            "version: 1\noverrides: [{recommendation: r, resource: x, justification: why}]\n",
            "version: 1\noverrides: [{recommendation: r, resource: x, due: soon, justification: why}]\n",
        ] {
            assert!(Governance::parse("g.yaml", bad).is_err(), "{bad}");
        }
    }
}
