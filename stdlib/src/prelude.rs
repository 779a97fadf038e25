//! The WebAssembly prelude: support code and stdlib functions that compiled modules embed.
//!
//! `prelude.wat` (next to this crate's manifest) is assembled at build time. The compiler copies
//! the functions a module reaches from its generated code, and all the prelude's globals, whose
//! indices are the constants below.

/// The assembled prelude module.
pub static WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/prelude.wasm"));

mod names {
    include!(concat!(env!("OUT_DIR"), "/prelude_names.rs"));
}
pub use names::{FUNCS, GLOBALS};

/// Global: bump-allocation pointer.
pub const G_HEAP: u32 = 0;
/// Global: first fault code of the current recommendation.
pub const G_ERR: u32 = 1;
/// Global: evaluation time.
pub const G_NOW: u32 = 2;
/// Global: record of the clause that decided the last boolean.
pub const G_REASON: u32 = 3;
/// Global: start of the per-evaluation region.
pub const G_BASE: u32 = 4;
/// Global: address of the inventory index.
pub const G_INDEX: u32 = 5;
/// Global: record of the clause where the fault happened.
pub const G_ERR_REC: u32 = 6;
/// Global: the input's provider string (length-prefixed).
pub const G_PROV: u32 = 7;
/// Global: the input's type string (length-prefixed).
pub const G_TYPE: u32 = 8;
/// Global: end of static data.
pub const G_DATA_END: u32 = 9;

/// Static addresses of the constants false, true and null.
pub const ADDR_FALSE: i32 = 8;
/// Address of `true`.
pub const ADDR_TRUE: i32 = 9;
/// Address of `null`.
pub const ADDR_NULL: i32 = 10;
/// First address free for a module's static data.
pub const DATA_START: u32 = 16;

/// Index of a prelude function by name.
pub fn func_index(name: &str) -> Option<u32> {
    FUNCS.iter().position(|f| *f == name).map(|i| i as u32)
}

/// Whether the prelude defines a function.
pub fn has_function(name: &str) -> bool {
    func_index(name).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_constants_match_the_prelude() {
        let want = [
            "heap", "err", "now", "reason", "base", "index", "err_rec", "prov", "type", "data_end",
        ];
        for (i, name) in want.iter().enumerate() {
            assert_eq!(GLOBALS.get(i), Some(name), "global {i}");
        }
        assert!(WASM.starts_with(b"\0asm"));
        assert!(has_function("alloc") && has_function("dfa_match"));
    }
}
