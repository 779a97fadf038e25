//! One fixture per diagnostic code: the code is reported, and the rendering (source excerpt,
//! underline, help) is snapshot-tested.

#[test]
fn every_code_has_a_fixture_and_is_reported() {
    insta::glob!("../fixtures/check", "*.tenet", |path: &std::path::Path| {
        let text = std::fs::read_to_string(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let code = name.split('-').next().unwrap().to_string();
        let (sources, diags) = tenet_compiler::check_str(&name, &text);
        assert!(
            diags.iter().any(|d| d.code == code),
            "{name}: expected {code}, got {:?}",
            diags.iter().map(|d| d.code).collect::<Vec<_>>()
        );
        for d in &diags {
            let f = sources.get(d.span.file).unwrap();
            assert!(
                d.span.start <= d.span.end && d.span.end as usize <= f.text.len(),
                "{name}: span out of the file"
            );
        }
        insta::assert_snapshot!(tenet_compiler::diagnostics::render(&sources, &diags, false));
    });
}

#[test]
fn all_errors_are_reported_at_once() {
    let src = "standard s \"S\"\nrecommendation r \"R\" { severity hihg applies azrue \"X\" compliant when lowr(name) == 1 and \"a\" == 2 }";
    let (_, diags) = tenet_compiler::check_str("many.tenet", src);
    let codes: Vec<&str> = diags.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["E0110", "E0115", "E0201", "E0206"]);
}
