//! The README's tour runs as written: every line of it, in a copy of the repository's
//! `examples/` and `policies/`, exits 0 or 1 (2 would be a command that does not work).

use crate::common::*;

#[test]
fn the_readme_tour_runs_as_written() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme
        .find("a test runs every line of it:")
        .expect("the README introduces its tour");
    let block = &readme[start..];
    let block = &block[block.find("```sh\n").unwrap() + 6..];
    let block = &block[..block.find("```").unwrap()];
    let work = scratch("readme-tour");
    let _ = std::fs::remove_dir_all(&work);
    copy_dir(&root().join("examples"), &work.join("examples"));
    copy_dir(&root().join("policies"), &work.join("policies"));
    let mut dir = work.clone();
    let mut ran = 0;
    for line in block.lines() {
        // A comment starts at ` # ` (no argument of the tour contains one).
        let line = line.split(" # ").next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        if words[0] == "cd" {
            dir = dir.join(words[1]);
            continue;
        }
        assert_eq!(words[0], "tenet", "{line}");
        let (args, into) = match words.iter().position(|w| *w == ">") {
            Some(i) => (&words[1..i], Some(words[i + 1])),
            None => (&words[1..], None),
        };
        let mut c = tenet_command(args);
        // The tour records runs (for --new-only and history) in examples/.tenet/history.db.
        c.current_dir(&dir).env_remove("TENET_NO_HISTORY");
        let o = c.output().unwrap();
        assert!(
            matches!(o.status.code(), Some(0 | 1)),
            "`{line}` exited {:?}:\n{}{}",
            o.status.code(),
            stdout(&o),
            stderr(&o)
        );
        if let Some(file) = into {
            std::fs::write(dir.join(file), &o.stdout).unwrap();
        }
        ran += 1;
    }
    assert!(ran >= 15, "only {ran} commands in the tour");
    // What the tour wrote is there.
    for f in [
        "std.wasm",
        "report.json",
        "tenet.sarif",
        ".tenet/baseline.json",
        ".tenet/history.db",
    ] {
        assert!(work.join("examples").join(f).exists(), "{f}");
    }
}
