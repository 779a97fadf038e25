//! The body of the `parse_check` fuzz target, shared with a smoke test so it also runs under
//! `cargo test`: any input must parse or fail with diagnostics inside the file, never panic, and
//! a successful compilation must produce a valid module.

/// Runs one fuzz input.
pub fn parse_check(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match crate::compile_str("fuzz.tenet", text) {
        Ok(c) => {
            if let Err(e) = wasmparser::validate(&c.wasm) {
                internal(&format!("invalid module: {e}"));
            }
        }
        Err(f) => {
            for d in &f.diagnostics {
                if d.code == crate::Code::E0900
                    || d.span.end as usize > text.len()
                    || d.span.start > d.span.end
                {
                    internal(&format!("bad diagnostic {d:?}"));
                }
            }
        }
    }
}

#[expect(clippy::panic, reason = "a fuzz target reports a finding by panicking")]
fn internal(msg: &str) {
    panic!("{msg}");
}

#[cfg(test)]
mod tests {
    /// Every prefix and a set of mutations of the example standard go through the target.
    #[test]
    fn smoke() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/standard");
        let mut seeds: Vec<String> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .collect();
        seeds.push("standard s \"S\"\nrecommendation r \"R\" { severity high applies * \"*\" compliant when any x in l { x == 1 } }".into());
        for s in &seeds {
            let b = s.as_bytes();
            for cut in (0..b.len()).step_by(7) {
                super::parse_check(&b[..cut]);
                let mut m = b.to_vec();
                m[cut] = b"{}()[]\"?:,.!=<>"[cut % 15];
                super::parse_check(&m);
            }
        }
    }
}
