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
mod frameworks;
mod history;
mod hostile;
mod html;
mod readme;
mod reports;
mod secrets;
mod standards;
mod terraform;
mod triage;
mod vulnerabilities;

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

/// The exit codes of `check` are said once and quoted word for word by `tenet --help`,
/// `tenet check --help` and the README.
#[test]
fn exit_codes_read_the_same_everywhere() {
    let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let paragraph = |text: &str| -> String {
        let flat = words(text);
        let start = flat
            .find("Exit codes of check:")
            .unwrap_or_else(|| panic!("no exit codes in {text}"));
        let end = flat[start..]
            .find("closed early.")
            .map(|i| start + i + "closed early.".len())
            .unwrap_or_else(|| panic!("unterminated exit codes in {text}"));
        flat[start..end].to_string()
    };
    let main = paragraph(&stdout(&tenet(&["--help"])));
    let check = paragraph(&stdout(&tenet(&["check", "--help"])));
    let readme = paragraph(&std::fs::read_to_string(root().join("README.md")).unwrap());
    assert_eq!(main, check);
    assert_eq!(main, readme);
    // The documented codes are the ones the tests exercise.
    for code in ["0 nothing", "1 findings", "2 usage", "141 standard output"] {
        assert!(main.contains(code), "{main}");
    }
}

#[test]
fn color_quiet_and_completions() {
    // --color always colours even into a pipe; never wins over a terminal; NO_COLOR is the default.
    let args = [
        "check",
        "--standard",
        "examples/standard",
        "examples/inventory.json",
        "--now",
        NOW,
    ];
    let coloured = tenet(&[&args[..], &["--color", "always"]].concat());
    assert!(stdout(&coloured).contains("\x1b["), "{}", stdout(&coloured));
    let plain = tenet(&[&args[..], &["--color", "never"]].concat());
    assert!(!stdout(&plain).contains("\x1b["));
    assert_eq!(coloured.status.code(), plain.status.code());
    // --quiet keeps errors and drops notes: a baseline check says nothing but its report.
    let base = scratch("quiet-baseline.json");
    let o = tenet(&[
        "baseline",
        "create",
        "--standard",
        "examples/standard",
        "examples/inventory.json",
        "--to",
        base.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
    let o = tenet(&[
        "check",
        "--standard",
        "nosuch",
        "examples/inventory.json",
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("error: no standard `nosuch`"),
        "{}",
        stderr(&o)
    );
    // Completions for each shell name every command.
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let o = tenet(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}");
        for cmd in ["check", "baseline", "standards", "completions"] {
            assert!(stdout(&o).contains(cmd), "{shell}: {cmd}");
        }
    }
}
