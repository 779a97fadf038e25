//! The report's vocabulary: severities and risk levels as ordered enums (more severe is
//! greater), and times as RFC 3339 text.

use serde::Serialize;
use tenet_stdlib::abi::Outcome;

/// How severe a recommendation is. Ordered: `Low < Medium < High`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
}

impl Severity {
    /// Every severity, most severe first.
    pub const ALL: [Severity; 3] = [Severity::High, Severity::Medium, Severity::Low];

    /// The severity named `name` (`high`, `medium`, `low`).
    pub fn parse(name: &str) -> Option<Severity> {
        Some(match name {
            "high" => Severity::High,
            "medium" => Severity::Medium,
            "low" => Severity::Low,
            _ => return None,
        })
    }

    /// The severity of a recommendation's metadata. The compiler and the module loader accept
    /// only the three names, so anything else is read as the lowest.
    pub fn of(name: &str) -> Severity {
        Severity::parse(name).unwrap_or(Severity::Low)
    }

    /// Its name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The risk level of a finding. Ordered: `Low < Medium < High < Critical`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RiskLevel {
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl RiskLevel {
    /// Every level, most severe first.
    pub const ALL: [RiskLevel; 4] = [
        RiskLevel::Critical,
        RiskLevel::High,
        RiskLevel::Medium,
        RiskLevel::Low,
    ];

    /// The level named `name`.
    pub fn parse(name: &str) -> Option<RiskLevel> {
        RiskLevel::ALL.into_iter().find(|l| l.as_str() == name)
    }

    /// The level of a score from 0 (low) to 3 (critical); higher scores are critical.
    pub fn from_score(score: usize) -> RiskLevel {
        match score {
            0 => RiskLevel::Low,
            1 => RiskLevel::Medium,
            2 => RiskLevel::High,
            _ => RiskLevel::Critical,
        }
    }

    /// Its name.
    pub fn as_str(self) -> &'static str {
        match self {
            RiskLevel::Critical => "critical",
            RiskLevel::High => "high",
            RiskLevel::Medium => "medium",
            RiskLevel::Low => "low",
        }
    }
}

impl std::fmt::Display for RiskLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// RFC 3339 of seconds since the epoch, to the second (`2026-11-26T00:00:00Z`).
pub fn rfc3339(secs: f64) -> String {
    jiff::Timestamp::from_second(secs.floor() as i64)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// A percentage for people: `83.33%`, or `no score` when nothing was judged (never 100%).
pub struct Percent(pub Option<f64>);

impl std::fmt::Display for Percent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(p) => write!(f, "{p}%"),
            None => f.write_str("no score"),
        }
    }
}

/// Rounds to two decimals, for stable reports.
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Whether an outcome is unhealthy (not compliant, error) or exempt: the findings reports list.
pub fn unhealthy_or_exempt(o: Outcome) -> bool {
    matches!(o, Outcome::NotCompliant | Outcome::Error | Outcome::Exempt)
}

/// Whether an outcome is unhealthy: not compliant, or an error.
pub fn unhealthy(o: Outcome) -> bool {
    matches!(o, Outcome::NotCompliant | Outcome::Error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_and_names() {
        assert!(Severity::High > Severity::Medium && Severity::Medium > Severity::Low);
        assert!(RiskLevel::Critical > RiskLevel::High);
        for s in Severity::ALL {
            assert_eq!(Severity::parse(s.as_str()), Some(s));
        }
        for l in RiskLevel::ALL {
            assert_eq!(RiskLevel::parse(l.as_str()), Some(l));
        }
        assert_eq!(RiskLevel::from_score(7), RiskLevel::Critical);
    }

    #[test]
    fn formats_times() {
        assert_eq!(rfc3339(0.0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_709_164_800.0), "2024-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_709_168_461.0), "2024-02-29T01:01:01Z");
    }
}
