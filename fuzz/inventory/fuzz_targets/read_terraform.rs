//! Fuzzes the terraform inventory loader: see `tenet_runtime::fuzzing`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    tenet_runtime::fuzzing::read_inventory(tenet_runtime::fuzzing::Loader::Terraform, data);
});
