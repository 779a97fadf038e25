//! `tenet fmt`: check mode, atomic rewrites, standard input.

use crate::common::*;
use std::process::Command;

#[test]
fn fmt_checks_rewrites_atomically_and_reads_standard_input() {
    let messy = "standard s \"S\"{version \"1\"}\nconst l=[ 1 ,2 ]  // keep me\n";
    let tidy = "standard s \"S\" { version \"1\" }\nconst l = [1, 2] // keep me\n";
    let p = write("messy.tenet", messy.as_bytes());
    let o = tenet(&["fmt", "--check", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("messy.tenet"));
    assert_eq!(
        std::fs::read_to_string(&p).unwrap(),
        messy,
        "--check changes nothing"
    );
    let o = tenet(&["fmt", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&p).unwrap(), tidy);
    let o = tenet(&["fmt", "--check", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    // A file with a syntax error is reported with its location and left as it is.
    let bad = write("bad.tenet", b"fn f( = 1\n");
    let o = tenet(&["fmt", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bad.tenet:1:"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&bad).unwrap(), "fn f( = 1\n");
    // Standard input to standard output.
    let mut child = Command::new(env!("CARGO_BIN_EXE_tenet"))
        .env("TENET_NO_HISTORY", "1")
        .args(["fmt", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), messy.as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(stdout(&o), tidy);
    // The repository's own policies are formatted.
    let o = tenet(&["fmt", "--check", "policies", "examples/standard"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}
