//! Fingerprints: a stable identity of a finding that survives unrelated edits, shared by
//! baselines, SARIF and the history.

/// The fingerprint of a finding of `recommendation` on the resource with key `resource`
/// ([`tenet_runtime::resource::Resource::key`]: its file and id, never its line; FNV-1a, 64
/// bits, hex).
pub fn fingerprint_of(recommendation: &str, resource: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in recommendation
        .bytes()
        .chain(std::iter::once(0))
        .chain(resource.bytes())
    {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}
