//! Evaluating a standard over an inventory: encode each resource (only the fields the standard
//! reads), run it through a per-thread instance, and keep results in input order.

use crate::engine::Standard;
use crate::inventory::Resource;
use crate::RuntimeError;
use rayon::prelude::*;
use tenet_stdlib::abi::{self, Metadata, RecResult};
use tenet_stdlib::value;

/// Resources per parallel work item.
const CHUNK: usize = 64;

/// Tests a resource type against one selector.
type Matcher = Box<dyn Fn(&str) -> bool + Send + Sync>;

fn type_matcher(types: &[String]) -> Vec<Matcher> {
    types
        .iter()
        .map(|t| -> Matcher {
            match globset::GlobBuilder::new(t)
                .case_insensitive(true)
                .literal_separator(false)
                .build()
            {
                Ok(g) if t.contains(['*', '?', '[', '{']) => {
                    let m = g.compile_matcher();
                    Box::new(move |k: &str| m.is_match(k))
                }
                _ => {
                    let t = t.clone();
                    Box::new(move |k: &str| k.eq_ignore_ascii_case(&t))
                }
            }
        })
        .collect()
}

/// The inventory index a standard's cross-resource lookups need (empty when it has none).
pub fn build_index(meta: &Metadata, resources: &[Resource]) -> Vec<u8> {
    if meta.lookups.is_empty() {
        return Vec::new();
    }
    let lookups = meta
        .lookups
        .iter()
        .map(|l| {
            let matchers = type_matcher(&l.types);
            resources
                .iter()
                .filter(|r| matchers.iter().any(|m| m(&r.kind)))
                .map(|r| (Vec::new(), value::to_bytes(&l.projection.apply(&r.doc))))
                .collect()
        })
        .collect();
    abi::encode_index(lookups)
}

/// The evaluation input of one resource. Documents read with the standard's projection
/// ([`crate::inventory::projection_for`]) are encoded as they are; complete ones are projected first.
pub fn encode(meta: &Metadata, r: &Resource, now: f64, projected: bool, out: &mut Vec<u8>) {
    out.clear();
    let doc = if projected {
        value::to_bytes(&r.doc)
    } else {
        value::to_bytes(&meta.projection.apply(&r.doc))
    };
    abi::encode_input(now, &r.provider, &r.kind, &doc, out);
}

/// Evaluates every resource; `progress` is told how many resources each finished chunk held.
///
/// `projected` says the documents were read with the standard's projection.
pub fn evaluate(
    standard: &Standard,
    resources: &[Resource],
    now: f64,
    projected: bool,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Vec<Vec<RecResult>>, RuntimeError> {
    let index = build_index(&standard.metadata, resources);
    let chunks: Vec<Result<Vec<Vec<RecResult>>, RuntimeError>> = resources
        .par_chunks(CHUNK)
        .map_init(
            || (standard.instantiate(&index), Vec::new()),
            |(inst, buf), chunk| {
                let inst = inst
                    .as_mut()
                    .map_err(|e| RuntimeError::Engine(e.to_string()))?;
                let mut out = Vec::with_capacity(chunk.len());
                for r in chunk {
                    encode(&standard.metadata, r, now, projected, buf);
                    out.push(inst.evaluate(buf)?);
                }
                progress(chunk.len());
                Ok(out)
            },
        )
        .collect();
    let mut all = Vec::with_capacity(resources.len());
    for c in chunks {
        all.extend(c?);
    }
    Ok(all)
}
