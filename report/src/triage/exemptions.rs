//! Exemptions: accepted findings, read from a YAML file (`docs/exemptions.md`). An exemption
//! names recommendations (ids or globs) and a scope (resource id or name globs, or a
//! subscription, account, project or namespace); the findings it covers become `exempt`, show
//! the exemption, and count as neither healthy nor unhealthy. Expired exemptions no longer
//! apply and are reported; exemptions that match nothing are reported as stale.

use super::candidates::Candidates;
use crate::model::Severity;
use serde::{Deserialize, Deserializer};
use std::sync::atomic::{AtomicUsize, Ordering};
use tenet_runtime::resource::Identity;

/// Why a finding is accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// The risk is accepted as it is.
    Waiver,
    /// Another control mitigates it.
    Mitigated,
}

impl Category {
    /// Its name, as exemption files write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Waiver => "waiver",
            Category::Mitigated => "mitigated",
        }
    }
}

/// A glob, checked when the file is read.
#[derive(Clone, Debug)]
pub struct Pattern {
    matcher: globset::GlobMatcher,
}

impl Pattern {
    fn is_match(&self, s: &str) -> bool {
        self.matcher.is_match(s)
    }
}

impl Pattern {
    fn new(text: &str) -> Result<Pattern, String> {
        let matcher = globset::GlobBuilder::new(text)
            .literal_separator(false)
            .build()
            .map_err(|e| format!("invalid glob `{text}`: {e}"))?
            .compile_matcher();
        Ok(Pattern { matcher })
    }
}

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Pattern, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Pattern;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a glob")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Pattern, E> {
                Pattern::new(s).map_err(E::custom)
            }
        }
        d.deserialize_str(V)
    }
}

/// One pattern or a list of them.
#[derive(Clone, Debug, Default)]
struct OneOrMany(Vec<Pattern>);

impl OneOrMany {
    fn into_vec(self) -> Vec<Pattern> {
        self.0
    }
}

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<OneOrMany, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a glob or a list of globs")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<OneOrMany, E> {
                Ok(OneOrMany(vec![Pattern::new(s).map_err(E::custom)?]))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<OneOrMany, A::Error> {
                let mut out = Vec::new();
                while let Some(p) = seq.next_element::<Pattern>()? {
                    out.push(p);
                }
                Ok(OneOrMany(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// A date (`YYYY-MM-DD`, the end of that day in UTC) or a date-time, as seconds since the epoch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Expiry {
    /// Seconds since the epoch after which the exemption no longer applies.
    pub at: f64,
}

impl Expiry {
    pub(crate) fn parse(text: &str) -> Option<Expiry> {
        if let Ok(date) = text.parse::<jiff::civil::Date>() {
            let start = date.to_zoned(jiff::tz::TimeZone::UTC).ok()?.timestamp();
            return Some(Expiry {
                at: (start.as_second() + 86_400) as f64,
            });
        }
        let t: jiff::Timestamp = text.parse().ok()?;
        Some(Expiry {
            at: t.as_second() as f64,
        })
    }
}

impl<'de> Deserialize<'de> for Expiry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Expiry, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Expiry;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a date (2027-01-31) or an RFC 3339 time")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Expiry, E> {
                Expiry::parse(s).ok_or_else(|| {
                    E::custom(format!(
                        "invalid expiry `{s}`: write a date (2027-01-31) or an RFC 3339 time"
                    ))
                })
            }
        }
        d.deserialize_str(V)
    }
}

/// Where an exemption applies.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScopeFile {
    resources: Option<OneOrMany>,
    subscription: Option<String>,
    account: Option<String>,
    project: Option<String>,
    namespace: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExemptionFile {
    id: Option<String>,
    recommendations: OneOrMany,
    scope: ScopeFile,
    category: Category,
    justification: String,
    requested_by: Option<String>,
    approved_by: Option<String>,
    expires: Option<Expiry>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    #[serde(default)]
    exemptions: Vec<ExemptionFile>,
}

/// One exemption.
#[derive(Debug)]
pub struct Exemption {
    /// Its id (given, or `#N` by position).
    pub id: String,
    recommendations: Vec<Pattern>,
    resources: Vec<Pattern>,
    subscription: Option<String>,
    account: Option<String>,
    project: Option<String>,
    namespace: Option<String>,
    /// Waiver or mitigated.
    pub category: Category,
    /// Why.
    pub justification: String,
    /// Who asked.
    pub requested_by: Option<String>,
    /// Who approved.
    pub approved_by: Option<String>,
    /// When it stops applying.
    pub expires: Option<Expiry>,
    /// Line of the exemption in its file.
    pub line: usize,
    /// Findings it exempted in this run.
    matched: AtomicUsize,
    /// Findings it would have exempted had it not expired.
    expired_matches: AtomicUsize,
    /// Why it is refused (with approval required: no approver, no expiry), if it is.
    refused: Option<&'static str>,
    /// Findings it would have exempted had it not been refused.
    refused_matches: AtomicUsize,
}

/// An exemption as findings and reports show it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Applied {
    /// The exemption's id.
    pub id: String,
    /// Waiver or mitigated.
    pub category: Category,
    /// Why.
    pub justification: String,
    /// Who asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_by: Option<String>,
    /// Who approved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    /// Expiry (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

/// What became of an exemption in a run.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Status {
    /// The exemption's id.
    pub id: String,
    /// Line in the exemptions file.
    pub line: usize,
    /// `active` (it exempted findings), `stale` (it matched nothing), `expired`, or `refused`
    /// (approval is required and it has no approver or no expiry).
    pub status: &'static str,
    /// Findings it exempted (or, expired or refused, would have).
    pub findings: usize,
    /// What is wrong with it beside its status: why it is refused, or that it exempts every
    /// recommendation or every resource.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
}

/// The exemptions of a file.
#[derive(Debug, Default)]
pub struct Exemptions {
    /// In file order.
    pub list: Vec<Exemption>,
    /// The file they were read from.
    pub file: String,
    /// Which exemptions can cover a resource, built on first use.
    index: std::sync::OnceLock<Candidates>,
}

impl Exemptions {
    /// Reads an exemptions file's text; errors name the line and column.
    pub fn parse(file: &str, text: &str) -> Result<Exemptions, tenet_runtime::InputError> {
        let f: File = tenet_runtime::input::yaml::from_str(file, text).map_err(|e| {
            tenet_runtime::InputError {
                message: format!(
                    "invalid exemptions file: {}; see docs/exemptions.md",
                    e.message
                ),
                ..e
            }
        })?;
        if f.version != 1 {
            return Err(tenet_runtime::InputError {
                file: file.to_string(),
                line: 1,
                col: 1,
                message: format!(
                    "exemptions file version {} is not supported; write `version: 1`",
                    f.version
                ),
            });
        }
        // Each exemption's line: the `- ` items of the top-level `exemptions` list.
        let lines = item_lines(text);
        let mut list = Vec::with_capacity(f.exemptions.len());
        for (i, x) in f.exemptions.into_iter().enumerate() {
            let line = lines.get(i).copied().unwrap_or(0);
            let s = x.scope;
            let resources = s.resources.map(OneOrMany::into_vec).unwrap_or_default();
            if resources.is_empty()
                && s.subscription.is_none()
                && s.account.is_none()
                && s.project.is_none()
                && s.namespace.is_none()
            {
                return Err(tenet_runtime::InputError {
                    file: file.to_string(),
                    line,
                    col: 0,
                    message: "an exemption needs a scope: `resources`, `subscription`, `account`, \
                              `project` or `namespace`"
                        .into(),
                });
            }
            list.push(Exemption {
                id: x.id.unwrap_or_else(|| format!("#{}", i + 1)),
                recommendations: x.recommendations.into_vec(),
                resources,
                subscription: s.subscription,
                account: s.account,
                project: s.project,
                namespace: s.namespace,
                category: x.category,
                justification: x.justification,
                requested_by: x.requested_by,
                approved_by: x.approved_by,
                expires: x.expires,
                line,
                matched: AtomicUsize::new(0),
                expired_matches: AtomicUsize::new(0),
                refused: None,
                refused_matches: AtomicUsize::new(0),
            });
        }
        Ok(Exemptions {
            list,
            file: file.to_string(),
            index: std::sync::OnceLock::new(),
        })
    }

    /// Refuses every exemption without an approver (`approved_by`) or an expiry (`expires`):
    /// they exempt nothing, and their findings count.
    pub fn require_approval(&mut self) {
        for x in &mut self.list {
            x.refused = match (x.approved_by.is_some(), x.expires.is_some()) {
                (true, true) => None,
                (false, true) => Some("it has no `approved_by`"),
                (true, false) => Some("it has no `expires`"),
                (false, false) => Some("it has no `approved_by` and no `expires`"),
            };
        }
    }

    /// The exemption that covers recommendation `rec` on a resource at time `now`, counting the
    /// match; expired and refused exemptions are counted as such and not returned.
    pub fn find(&self, rec: &str, id: &Identity, now: f64) -> Option<&Exemption> {
        let index = self.index.get_or_init(|| {
            Candidates::new(
                self.list
                    .iter()
                    .map(|x| x.resources.iter().map(|p| p.matcher.glob()).collect()),
            )
        });
        for x in index
            .of(&id.id, &id.name)
            .into_iter()
            .map(|k| &self.list[k])
        {
            if !x.covers(rec, id) {
                continue;
            }
            if x.expires.is_some_and(|e| e.at <= now) {
                x.expired_matches.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            if x.refused.is_some() {
                x.refused_matches.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            x.matched.fetch_add(1, Ordering::Relaxed);
            return Some(x);
        }
        None
    }

    /// What became of each exemption so far.
    pub fn statuses(&self, now: f64) -> Vec<Status> {
        self.list
            .iter()
            .map(|x| {
                let matched = x.matched.load(Ordering::Relaxed);
                let expired = x.expires.is_some_and(|e| e.at <= now);
                let (status, findings) = if expired {
                    ("expired", x.expired_matches.load(Ordering::Relaxed))
                } else if x.refused.is_some() {
                    ("refused", x.refused_matches.load(Ordering::Relaxed))
                } else if matched == 0 {
                    ("stale", 0)
                } else {
                    ("active", matched)
                };
                Status {
                    id: x.id.clone(),
                    line: x.line,
                    status,
                    findings,
                    warning: match (x.refused, x.broad()) {
                        (Some(r), Some(b)) => Some(format!("{r}; {b}")),
                        (Some(r), None) => Some(r.to_string()),
                        (None, b) => b,
                    },
                }
            })
            .collect()
    }
}

impl Exemption {
    /// Whether it exempts every recommendation or every resource (a glob of only `*`), said as
    /// a warning: such an entry hides every finding it reaches from the score.
    fn broad(&self) -> Option<String> {
        let everything = |p: &Pattern| p.matcher.glob().glob().chars().all(|c| c == '*');
        let all_recs = self.recommendations.iter().any(everything);
        let all_resources = self.resources.iter().any(everything)
            && self.subscription.is_none()
            && self.account.is_none()
            && self.project.is_none()
            && self.namespace.is_none();
        match (all_recs, all_resources) {
            (true, true) => Some("it exempts every recommendation on every resource".into()),
            (true, false) => Some("it exempts every recommendation (`*`) in its scope".into()),
            (false, true) => {
                Some("it exempts every resource (`*`) from its recommendations".into())
            }
            (false, false) => None,
        }
    }

    fn covers(&self, rec: &str, r: &Identity) -> bool {
        if !self.recommendations.iter().any(|p| p.is_match(rec)) {
            return false;
        }
        // Lower-cased only for the scopes that need it: this runs for every candidate finding.
        let needs_lower = self.subscription.is_some() || self.project.is_some();
        let id = if needs_lower {
            r.id.to_ascii_lowercase()
        } else {
            String::new()
        };
        let resources = self.resources.is_empty()
            || self
                .resources
                .iter()
                .any(|p| p.is_match(&r.id) || p.is_match(&r.name));
        let sub = self
            .subscription
            .as_ref()
            .is_none_or(|s| id.contains(&format!("/subscriptions/{}/", s.to_ascii_lowercase())));
        // An ARN's account is its fifth field.
        let account = self
            .account
            .as_ref()
            .is_none_or(|a| r.id.split(':').nth(4) == Some(a.as_str()));
        let project = self.project.as_ref().is_none_or(|p| {
            id.contains(&format!("projects/{}/", p.to_ascii_lowercase()))
                || id.ends_with(&format!("projects/{}", p.to_ascii_lowercase()))
        });
        let namespace = self
            .namespace
            .as_ref()
            .is_none_or(|n| r.namespace.as_deref().unwrap_or("default") == n);
        resources && sub && account && project && namespace
    }

    /// The exemption as findings show it.
    pub fn applied(&self) -> Applied {
        Applied {
            id: self.id.clone(),
            category: self.category,
            justification: self.justification.clone(),
            requested_by: self.requested_by.clone(),
            approved_by: self.approved_by.clone(),
            expires: self.expires.and_then(|e| {
                jiff::Timestamp::from_second(e.at as i64)
                    .ok()
                    .map(|t| t.to_string())
            }),
        }
    }
}

/// The prefix of a tag or annotation by which a resource exempts itself from a recommendation:
/// `tenet-exempt-<recommendation id>: <reason>`.
pub const INLINE_PREFIX: &str = "tenet-exempt-";

/// The in-resource exemption of recommendation `rec` (of `severity`) on a resource, if it carries
/// one and the standard allows it for that severity (`allowed`: the highest severity that may be
/// exempted this way; `None`: no in-resource exemption at all).
pub fn inline(
    rec: &str,
    severity: Severity,
    r: &Identity,
    allowed: Option<Severity>,
) -> Option<Applied> {
    if r.tags.is_empty() || severity > allowed? {
        return None;
    }
    let key = format!("{INLINE_PREFIX}{rec}");
    let (k, reason) = r.tags.iter().find(|(k, _)| k.eq_ignore_ascii_case(&key))?;
    Some(Applied {
        id: format!("tag:{k}"),
        category: Category::Waiver,
        justification: reason.clone(),
        requested_by: None,
        approved_by: None,
        expires: None,
    })
}

/// The lines of the items of the top-level `exemptions:` list (`- ` at its indentation).
fn item_lines(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut inside = false;
    let mut indent: Option<usize> = None;
    for (i, l) in text.lines().enumerate() {
        let trimmed = l.trim_start();
        let ind = l.len() - trimmed.len();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if ind == 0 && !trimmed.starts_with('-') {
            inside = trimmed.starts_with("exemptions:");
            continue;
        }
        if inside && trimmed.starts_with('-') {
            let at = *indent.get_or_insert(ind);
            if ind == at {
                out.push(i + 1);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_resource_exemptions_respect_the_standards_limit() {
        let mut r = ident("a", "a", None);
        r.tags = vec![("Tenet-Exempt-r1".into(), "why".into())];
        let got = inline("r1", Severity::Medium, &r, Some(Severity::Medium)).unwrap();
        assert_eq!(
            (got.id.as_str(), got.justification.as_str()),
            ("tag:Tenet-Exempt-r1", "why")
        );
        assert!(inline("r1", Severity::High, &r, Some(Severity::Medium)).is_none());
        assert!(
            inline("r1", Severity::Low, &r, None).is_none(),
            "`none` allows nothing"
        );
        assert!(inline("r2", Severity::Low, &r, Some(Severity::High)).is_none());
    }

    fn ident(id: &str, name: &str, ns: Option<&str>) -> Identity {
        Identity {
            provider: "azure".into(),
            kind: "t".into(),
            name: name.into(),
            id: id.into(),
            namespace: ns.map(str::to_string),
            location: None,
            tags: Vec::new(),
            scope: tenet_runtime::resource::Scope::Global,
        }
    }

    const FILE: &str = "version: 1
exemptions:
  - id: legacy
    recommendations: az-storage-*
    scope: {resources: ['*/stlegacy*']}
    category: waiver
    justification: retired in March
    expires: 2027-01-31
  # comment
  - recommendations: [k8s-*]
    scope: {namespace: kube-system}
    category: mitigated
    justification: managed by the platform
  - recommendations: [nothing-matches]
    scope: {account: '123456789012'}
    category: waiver
    justification: x
";

    #[test]
    fn scope_recommendations_and_expiry() {
        let x = Exemptions::parse("e.yaml", FILE).unwrap();
        assert_eq!(
            x.list.iter().map(|e| e.line).collect::<Vec<_>>(),
            vec![3, 10, 14]
        );
        let jan = 1_800_000_000.0; // 2027-01-15
        let sa = ident("/subscriptions/s/rg/x/stlegacy1", "stlegacy1", None);
        assert_eq!(x.find("az-storage-min-tls", &sa, jan).unwrap().id, "legacy");
        assert!(x.find("az-keyvault-x", &sa, jan).is_none());
        // The day of expiry still counts; the day after does not.
        let feb1 = 1_801_440_000.0; // 2027-02-01T00:00Z
        assert!(x.find("az-storage-min-tls", &sa, feb1 - 1.0).is_some());
        assert!(x.find("az-storage-min-tls", &sa, feb1).is_none());
        let pod = ident("kube-system/Pod/p", "p", Some("kube-system"));
        assert_eq!(x.find("k8s-privileged", &pod, jan).unwrap().id, "#2");
        let s = x.statuses(feb1);
        assert_eq!(
            s.iter().map(|s| (s.status, s.findings)).collect::<Vec<_>>(),
            vec![("expired", 1), ("active", 1), ("stale", 0)]
        );
    }

    #[test]
    fn errors_name_the_line() {
        let bad = "version: 1\nexemptions:\n  - recommendations: ['[']\n    scope: {resources: x}\n    category: waiver\n    justification: j\n";
        let e = Exemptions::parse("e.yaml", bad).unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        assert!(e.message.contains("invalid glob"), "{e}");
        let bad = "version: 1\nexemptions:\n  - recommendations: x\n    scope: {resources: x}\n    category: forever\n    justification: j\n";
        let e = Exemptions::parse("e.yaml", bad).unwrap_err();
        assert_eq!(e.line, 5, "{e}");
        let bad = "version: 1\nexemptions:\n  - recommendations: x\n    scope: {}\n    category: waiver\n    justification: j\n";
        assert!(Exemptions::parse("e.yaml", bad)
            .unwrap_err()
            .message
            .contains("scope"));
        let bad = "version: 1\nexemptions:\n  - recommendations: x\n    scope: {resources: x}\n    category: waiver\n    justification: j\n    expires: soon\n";
        assert_eq!(Exemptions::parse("e.yaml", bad).unwrap_err().line, 7);
    }

    #[test]
    fn approval_required_refuses_and_wildcards_are_flagged() {
        let text = "version: 1
exemptions:
  - id: approved
    recommendations: r1
    scope: {resources: a}
    category: waiver
    justification: j
    approved_by: ciso
    expires: 2027-01-31
  - id: unapproved
    recommendations: r2
    scope: {resources: a}
    category: waiver
    justification: j
    expires: 2027-01-31
  - id: everything
    recommendations: '*'
    scope: {resources: '**'}
    category: waiver
    justification: j
";
        let now = 1_800_000_000.0; // 2027-01-15
        let a = ident("a", "a", None);
        let x = Exemptions::parse("e.yaml", text).unwrap();
        assert_eq!(x.find("r2", &a, now).unwrap().id, "unapproved");
        let s = x.statuses(now);
        assert_eq!(s[0].warning, None);
        assert_eq!(s[1].warning, None);
        assert_eq!(
            s[2].warning.as_deref(),
            Some("it exempts every recommendation on every resource")
        );
        let mut x = Exemptions::parse("e.yaml", text).unwrap();
        x.require_approval();
        assert_eq!(x.find("r1", &a, now).unwrap().id, "approved");
        assert!(
            x.find("r2", &a, now).is_none(),
            "refused, and the wildcard too"
        );
        let s = x.statuses(now);
        assert_eq!((s[0].status, s[0].findings), ("active", 1));
        assert_eq!((s[1].status, s[1].findings), ("refused", 1));
        assert_eq!(s[1].warning.as_deref(), Some("it has no `approved_by`"));
        assert_eq!((s[2].status, s[2].findings), ("refused", 1));
        assert_eq!(
            s[2].warning.as_deref(),
            Some(
                "it has no `approved_by` and no `expires`; it exempts every recommendation on \
                 every resource"
            )
        );
    }
}
