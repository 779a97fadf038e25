//! What earlier runs say about open findings (kept by the host's history store), and the
//! history each finding shows in reports.

use crate::fingerprint::fingerprint_of;
use crate::model::rfc3339;
use serde::Serialize;
use std::collections::HashMap;
use tenet_stdlib::abi::Outcome;

/// What earlier runs say about a finding still open.
#[derive(Clone, Debug, PartialEq)]
pub struct Seen {
    /// State after the previous run.
    pub state: String,
    /// First time it was seen, seconds since the epoch.
    pub first_seen: f64,
    /// Last time its state changed.
    pub last_change: f64,
}

/// Open findings after the previous run, by fingerprint.
pub type Known = HashMap<String, Seen>;

/// A finding's history, as reports show it.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct FindingHistory {
    /// First seen (RFC 3339): this run for a new finding.
    pub first_seen: String,
    /// When its state last changed (RFC 3339).
    pub last_state_change: String,
    /// Whole days since it was first seen.
    pub age_days: i64,
    /// Whether it was not open after the previous run.
    pub new: bool,
}

/// The history of a finding of recommendation `rec` on the resource with key `resource`
/// ([`tenet_runtime::resource::Resource::key`]) in state `state`, at `now`.
pub fn history_of(
    known: &Known,
    rec: &str,
    resource: &str,
    state: Outcome,
    now: f64,
) -> FindingHistory {
    let seen = known.get(&fingerprint_of(rec, resource));
    let (first, change) = match seen {
        Some(s) if s.state == state.as_str() => (s.first_seen, s.last_change),
        Some(s) => (s.first_seen, now),
        None => (now, now),
    };
    FindingHistory {
        first_seen: rfc3339(first),
        last_state_change: rfc3339(change),
        age_days: ((now - first) / 86_400.0).floor() as i64,
        new: seen.is_none(),
    }
}

/// Whether a finding of `rec` on `resource` was open after the previous run.
pub fn known(known: &Known, rec: &str, resource: &str) -> bool {
    known.contains_key(&fingerprint_of(rec, resource))
}
