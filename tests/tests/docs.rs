//! Every `tenet` code block in docs/ and the README compiles (fragments inside a minimal wrapper).

const PRELUDE: &str = "standard docs \"Docs\"\ncontrol NS-2 \"N\" { points 1 }\ncontrol DP-3 \"D\" { points 1 }\nfn opens_admin_to_internet(r) = r.properties.access == \"Allow\"\nfn port_spec() = \"22\"\nrisk_factor internet-exposure \"I\" { applies * \"*\" present when exists(properties.publicIp) }\n";

fn blocks(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    for line in text.lines() {
        match (&mut cur, line.trim_start()) {
            (None, l) if l.starts_with("```tenet") => cur = Some(String::new()),
            (Some(b), l) if l.starts_with("```") => {
                out.push(std::mem::take(b));
                cur = None;
            }
            (Some(b), _) => {
                b.push_str(line);
                b.push('\n');
            }
            _ => {}
        }
    }
    out
}

fn wrap(block: &str) -> Vec<String> {
    let first = block.trim_start();
    if first.starts_with("standard ") {
        vec![block.to_string()]
    } else if first.starts_with("recommendation ") || first.starts_with("risk_factor ") {
        vec![format!("{PRELUDE}{block}")]
    } else if first.starts_with("fix ") {
        vec![format!("{PRELUDE}recommendation r \"R\" {{ severity low applies * \"*\" compliant when true\n{block}}}")]
    } else if ["fn ", "const ", "condition "]
        .iter()
        .any(|k| first.starts_with(k))
    {
        vec![format!("{PRELUDE}{block}")]
    } else {
        // One expression per line.
        block
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| format!("{PRELUDE}fn spec_of(x) = x\nrecommendation r \"R\" {{ severity low applies * \"*\" let spec = port_spec() compliant when {l} }}"))
            .collect()
    }
}

#[test]
fn documented_examples_compile() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut count = 0;
    for file in ["README.md", "docs/language.md", "docs/authoring.md"] {
        let Ok(text) = std::fs::read_to_string(root.join(file)) else {
            continue;
        };
        for block in blocks(&text) {
            for src in wrap(&block) {
                if let Err(f) = tenet_compiler::compile_str(file, &src) {
                    panic!(
                        "an example in {file} does not compile:\n{src}\n{}",
                        f.render(false)
                    );
                }
                count += 1;
            }
        }
    }
    assert!(count >= 10, "found only {count} examples");
}
