//! Differential tests: the reference interpreter and the compiled module agree.

use tenet_tests::*;

#[test]
fn example_standard_agrees() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files: Vec<_> = std::fs::read_dir(root.join("examples/standard")).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let c = tenet_compiler::compile_files(&files).map_err(|f| f.render(false)).unwrap();
    let inv = tenet_runtime::inventory::load(&[root.join("examples/inventory.json")]).unwrap();
    assert_agree(&engine(), &c, &inv.resources);
}
