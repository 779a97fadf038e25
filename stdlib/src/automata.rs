//! Regular expressions and globs compiled ahead of time into DFA tables that a module embeds.
//!
//! Table layout (little-endian), read by `$dfa_match` in the prelude:
//!
//! ```text
//! u8  classes[256]           byte -> equivalence class
//! u32 nclasses, u32 nstates, u32 start
//! u8  flags[nstates]         1 = match (stop, true), 2 = dead (stop, false), 4 = matches at end of input
//! u16 next[nstates][nclasses]
//! ```
//!
//! The search is unanchored, like `regex::Regex::is_match`. The reference implementation uses
//! `regex::bytes::Regex` directly; differential tests check that the two agree.

use regex_automata::dfa::{dense, Automaton, StartKind};
use regex_automata::util::start;
use regex_automata::Anchored;
use std::cell::RefCell;
use std::collections::HashMap;

/// Largest table a module may embed for one pattern.
pub const MAX_TABLE_BYTES: usize = 256 * 1024;

/// Why a pattern cannot be compiled.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PatternError {
    /// The pattern is not valid.
    #[error("invalid pattern: {0}")]
    Invalid(String),
    /// The automaton would be too large to embed.
    #[error("the pattern compiles to a {0}-byte table, over the {MAX_TABLE_BYTES}-byte limit; use ASCII classes such as `(?-u:\\w)` or a simpler pattern")]
    TooLarge(usize),
}

/// Compiles a regex (Rust `regex` syntax) into a DFA table.
pub fn regex_table(pattern: &str) -> Result<Vec<u8>, PatternError> {
    // The regex crate explains syntax errors precisely; keep its last line ("error: ...").
    if let Err(e) = regex::bytes::Regex::new(pattern) {
        let msg = e.to_string();
        let last = msg
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or(&msg)
            .trim()
            .trim_start_matches("error: ");
        return Err(PatternError::Invalid(last.to_string()));
    }
    let dfa = dense::Builder::new()
        .syntax(regex_automata::util::syntax::Config::new().utf8(false))
        .configure(
            dense::Config::new()
                .start_kind(StartKind::Unanchored)
                .minimize(true)
                .dfa_size_limit(Some(16 * MAX_TABLE_BYTES)),
        )
        .build(pattern)
        .map_err(|e| PatternError::Invalid(e.to_string()))?;
    let start = dfa
        .start_state(&start::Config::new().anchored(Anchored::No))
        .map_err(|e| PatternError::Invalid(e.to_string()))?;
    let classes = dfa.byte_classes();
    let nclasses = classes.alphabet_len().saturating_sub(1).max(1); // drop the EOI class
    let mut reps = vec![0u8; nclasses];
    for b in (0..=255u8).rev() {
        if let Some(slot) = reps.get_mut(classes.get(b) as usize) {
            *slot = b;
        }
    }
    let mut ids = HashMap::new();
    let mut order = vec![start];
    ids.insert(start, 0usize);
    let mut next = Vec::new();
    let mut i = 0;
    while let Some(&s) = order.get(i) {
        for &b in &reps {
            let t = dfa.next_state(s, b);
            let id = *ids.entry(t).or_insert_with(|| {
                order.push(t);
                order.len() - 1
            });
            next.push(id);
        }
        i += 1;
    }
    let n = order.len();
    let size = 256 + 12 + n + 2 * n * nclasses;
    if size > MAX_TABLE_BYTES || n > usize::from(u16::MAX) {
        return Err(PatternError::TooLarge(size));
    }
    let mut out = Vec::with_capacity(size);
    for b in 0..=255u8 {
        out.push(classes.get(b));
    }
    for v in [nclasses, n, 0] {
        out.extend_from_slice(&(v as u32).to_le_bytes());
    }
    for &s in &order {
        let mut f = 0u8;
        if dfa.is_match_state(s) {
            f |= 1;
        }
        if dfa.is_dead_state(s) {
            f |= 2;
        }
        if dfa.is_match_state(dfa.next_eoi_state(s)) {
            f |= 4;
        }
        out.push(f);
    }
    for id in next {
        out.extend_from_slice(&(id as u16).to_le_bytes());
    }
    Ok(out)
}

/// Runs a table over `text` (the same algorithm as the prelude; used in tests).
pub fn table_match(table: &[u8], text: &[u8]) -> bool {
    let rd = |at: usize| -> usize {
        table
            .get(at..at + 4)
            .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    };
    let (nclasses, n, mut s) = (rd(256), rd(260), rd(264));
    let flags = 268;
    let trans = flags + n;
    let flag = |s: usize| table.get(flags + s).copied().unwrap_or(2);
    for &b in text {
        let class = table.get(b as usize).copied().unwrap_or(0) as usize;
        let at = trans + 2 * (s * nclasses + class);
        s = table
            .get(at..at + 2)
            .map_or(0, |x| u16::from_le_bytes([x[0], x[1]]) as usize);
        let f = flag(s);
        if f & 1 != 0 {
            return true;
        }
        if f & 2 != 0 {
            return false;
        }
    }
    flag(s) & 4 != 0
}

/// The regex equivalent of a whole-string glob.
pub fn glob_regex(pattern: &str, case_insensitive: bool) -> Option<String> {
    globset::GlobBuilder::new(pattern)
        .case_insensitive(case_insensitive)
        .literal_separator(false)
        .backslash_escape(true)
        .build()
        .ok()
        .map(|g| g.regex().to_string())
}

thread_local! {
    static CACHE: RefCell<HashMap<String, Option<regex::bytes::Regex>>> = RefCell::new(HashMap::new());
}

/// A compiled `regex::bytes::Regex`, cached per thread (used by the reference interpreter).
pub fn cached_regex(pattern: &str) -> Option<regex::bytes::Regex> {
    CACHE.with(|c| {
        c.borrow_mut()
            .entry(pattern.to_string())
            .or_insert_with(|| regex::bytes::Regex::new(pattern).ok())
            .clone()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_agrees_with_regex() {
        let cases = [
            (
                "^[a-z][a-z0-9-]{1,38}[a-z0-9]$",
                vec!["abc", "a", "Abc", "ab-", "a-b-c", ""],
            ),
            ("TLS1_[23]", vec!["xTLS1_2y", "TLS1_1", "TLS1_"]),
            ("(?i)^prod", vec!["PROD-1", "xprod"]),
            ("a$", vec!["ba", "ab", "a\n"]),
            ("", vec!["", "x"]),
            ("\\bword\\b", vec!["a word here", "swordfish"]),
        ];
        for (p, inputs) in cases {
            let table = match regex_table(p) {
                Ok(t) => t,
                Err(e) => {
                    // Unicode word boundaries are not supported by DFAs: that must be an error, not a wrong answer.
                    assert!(p.contains("\\b"), "{p}: {e}");
                    continue;
                }
            };
            let re = regex::bytes::Regex::new(p).unwrap();
            for i in inputs {
                assert_eq!(
                    table_match(&table, i.as_bytes()),
                    re.is_match(i.as_bytes()),
                    "{p} on {i:?}"
                );
            }
        }
    }

    #[test]
    fn globs() {
        let re = glob_regex("Microsoft.Storage/*", true).unwrap();
        let table = regex_table(&re).unwrap();
        assert!(table_match(&table, b"microsoft.storage/storageAccounts"));
        assert!(!table_match(&table, b"Microsoft.Network/x"));
    }
}
