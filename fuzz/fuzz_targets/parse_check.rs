//! Fuzzes the parser, checker and code generator with arbitrary policy text.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    tenet_compiler::fuzzing::parse_check(data);
});
