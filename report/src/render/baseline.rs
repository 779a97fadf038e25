//! Baselines: findings accepted at some point, so that a check fails only on new ones.

use crate::finding::Finding;
use crate::fingerprint::fingerprint_of;
use serde_json::{json, Value};
use tenet_stdlib::abi::{Metadata, Outcome};

/// The fingerprint of a finding ([`fingerprint_of`] its recommendation and resource key).
pub fn fingerprint(f: &Finding) -> String {
    fingerprint_of(&f.recommendation, &f.resource.key())
}

/// The baseline format this build writes and reads.
pub const VERSION: u64 = 2;

/// Findings accepted at some point (`tenet baseline create`): `check --baseline` fails only on
/// findings that are not in it. Stored as JSON: `{"version": 2, "standard", "created",
/// "findings": [{"fingerprint", "recommendation", "resource", "key"}]}`. Version 1 keyed findings
/// by resource id alone, so a finding in one file could hide one in another: it is refused.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    fingerprints: std::collections::HashSet<String>,
}

impl Baseline {
    /// Whether a finding is in the baseline.
    pub fn contains(&self, f: &Finding) -> bool {
        self.fingerprints.contains(&fingerprint(f))
    }

    /// Reads a baseline file's text.
    pub fn parse(text: &str) -> Result<Baseline, String> {
        let v: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if v["version"] == 1 {
            return Err("this baseline (version 1) names resources by id alone, so a finding in one file could hide a new one in another with the same name; make a new one with `tenet baseline create`".into());
        }
        if v["version"] != VERSION {
            return Err(format!("not a tenet baseline of version {VERSION}"));
        }
        let fingerprints = v["findings"]
            .as_array()
            .ok_or("no `findings` list")?
            .iter()
            .filter_map(|f| f["fingerprint"].as_str().map(str::to_string))
            .collect();
        Ok(Baseline { fingerprints })
    }

    /// The baseline file of the not-compliant and error findings of a run.
    pub fn render(meta: &Metadata, created: &str, findings: &[Finding]) -> String {
        let mut items: Vec<Value> = findings
            .iter()
            .filter(|f| matches!(f.state, Outcome::NotCompliant | Outcome::Error))
            .map(|f| json!({"fingerprint": fingerprint(f), "recommendation": f.recommendation, "resource": f.resource.identity.id, "key": f.resource.key()}))
            .collect();
        items.sort_by(|a, b| a["fingerprint"].as_str().cmp(&b["fingerprint"].as_str()));
        items.dedup();
        let v = json!({
            "version": VERSION,
            "standard": {"id": meta.standard.id, "version": meta.standard.version},
            "created": created,
            "findings": items,
        });
        serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
    }
}
