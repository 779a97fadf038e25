//! End-to-end tests of the `tenet` binary, one file per command, over one shared fixture
//! ([`common`]): outputs, exit codes, bad inputs, hostile modules.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail the test on unexpected errors"
)]

mod common;

mod check;
mod compile;
mod embedding;
mod failsafe;
mod fix;
mod fmt;
mod history;
mod reports;
mod standards;
mod triage;

use common::*;
use std::path::Path;

#[test]
fn help_has_examples() {
    for cmd in ["check", "compile", "check-policy", "inspect"] {
        let o = tenet(&[cmd, "--help"]);
        assert!(stdout(&o).contains("Examples:"), "{cmd} --help");
    }
    assert!(Path::new(env!("CARGO_BIN_EXE_tenet")).exists());
}
