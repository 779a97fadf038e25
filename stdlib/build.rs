//! Assembles `prelude.wat` into the WebAssembly prelude and lists its functions and globals in
//! definition order (their indices in the prelude).

use std::fmt::Write as _;

fn names(text: &str, kw: &str) -> Vec<String> {
    let needle = format!("({kw} $");
    let mut out = Vec::new();
    for line in text.lines() {
        let t = line.trim_start();
        if let Some(rest) = t.strip_prefix(&needle) {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            out.push(name);
        }
    }
    out
}

fn main() {
    println!("cargo:rerun-if-changed=prelude.wat");
    let text = std::fs::read_to_string("prelude.wat").unwrap_or_else(|e| {
        println!("cargo:warning=cannot read prelude.wat: {e}");
        std::process::exit(1)
    });
    let wasm = wat::parse_str(&text).unwrap_or_else(|e| {
        println!("cargo:warning=prelude.wat does not assemble: {e}");
        std::process::exit(1)
    });
    let out = std::env::var("OUT_DIR").unwrap_or_else(|_| std::process::exit(1));
    let mut list = String::new();
    let _ = writeln!(
        list,
        "/// Prelude functions, by index.\npub static FUNCS: &[&str] = &{:?};",
        names(&text, "func")
    );
    let _ = writeln!(
        list,
        "/// Prelude globals, by index.\npub static GLOBALS: &[&str] = &{:?};",
        names(&text, "global")
    );
    if std::fs::write(format!("{out}/prelude.wasm"), wasm).is_err()
        || std::fs::write(format!("{out}/prelude_names.rs"), list).is_err()
    {
        std::process::exit(1);
    }
}
