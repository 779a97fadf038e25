//! The results of one evaluated resource: an outcome and, where unhealthy, a reason per
//! recommendation, the risk factors present, and the secrets its document holds that its
//! remediations and fixes must not show.

use crate::resource::Resource;
use tenet_stdlib::abi::{Outcome, Projection, Reason};

/// The results of one resource.
#[derive(Clone, Debug)]
pub struct Evaluated {
    /// The resource (without its document).
    pub resource: Resource<()>,
    /// One outcome per recommendation, in metadata order.
    pub outcomes: Vec<Outcome>,
    /// The reasons of the `not_compliant` and `error` outcomes, by recommendation index.
    pub reasons: Vec<(usize, Reason)>,
    /// Indexes (in [`tenet_stdlib::abi::Metadata::risk_factors`]) of the risk factors present on the resource.
    pub factors: Vec<usize>,
    /// The strings its document holds under secret names, among what the standard reads, when
    /// a remediation or a fix was rendered for it ([`Evaluated::find_secrets`]): every host masks
    /// them in its remediations and fixes.
    pub secrets: Vec<String>,
}

impl Evaluated {
    /// Finds the [`Evaluated::secrets`] of the resource's document, when one of its reasons has a
    /// remediation or a fix that could repeat them. `holders` is the standard's
    /// [`crate::Standard::secret_holders`].
    pub fn find_secrets(&mut self, doc: &serde_json::Value, holders: Option<&Projection>) {
        if let Some(h) = holders.filter(|_| self.renders()) {
            tenet_stdlib::secret::named(doc, h, None, &mut self.secrets);
        }
    }

    /// [`Evaluated::find_secrets`] for a document in the value encoding.
    pub fn find_secrets_encoded(&mut self, doc: &[u8], holders: Option<&Projection>) {
        if let Some(h) = holders.filter(|_| self.renders()) {
            tenet_stdlib::secret::named_encoded(doc, h, None, &mut self.secrets);
        }
    }

    /// Whether one of its reasons has a remediation or a fix.
    fn renders(&self) -> bool {
        self.reasons
            .iter()
            .any(|(_, r)| r.remediation.is_some() || r.fix.is_some())
    }

    /// The results of a resource from a module's outputs: the first `recs` are the
    /// recommendations', the rest the risk factors' (compliant: present).
    pub fn new(
        resource: Resource<()>,
        recs: usize,
        mut outcomes: Vec<Outcome>,
        mut reasons: Vec<(usize, Reason)>,
    ) -> Evaluated {
        let factors = outcomes
            .get(recs..)
            .unwrap_or_default()
            .iter()
            .enumerate()
            .filter(|(_, o)| **o == Outcome::Compliant)
            .map(|(k, _)| k)
            .collect();
        outcomes.truncate(recs);
        reasons.retain(|(i, _)| *i < recs);
        Evaluated {
            secrets: Vec::new(),
            resource,
            outcomes,
            reasons,
            factors,
        }
    }

    /// The reason recorded for recommendation `rec`, if it failed.
    pub fn reason(&self, rec: usize) -> Option<&Reason> {
        self.reasons.iter().find(|(i, _)| *i == rec).map(|(_, r)| r)
    }
}
