//! Embedding tenet in a Rust program: compile a standard, evaluate your own resources, act on
//! the findings. Run it with `cargo run --example embed`.

use serde_json::json;

fn main() -> Result<(), tenet::Error> {
    // A standard from source (or `tenet::Standard::load(&std::fs::read("std.wasm")?)`).
    let standard = tenet::Standard::from_source(
        "inline.tenet",
        r#"
        standard inline "Inline rules" { version "1" }
        recommendation no-public-bucket "Buckets should block public access" {
          severity high
          applies aws "AWS::S3::Bucket"
          compliant when (Properties.PublicAccessBlockConfiguration.BlockPublicAcls ?? false) == true
          remediation "Block public ACLs on {Name}."
          fix { set Properties.PublicAccessBlockConfiguration.BlockPublicAcls = true }
        }
        "#,
    )?
    .at(1_767_225_600.0);
    let resources = vec![
        json!({"Type": "AWS::S3::Bucket", "Name": "reports", "Properties": {}}),
        json!({"Type": "AWS::S3::Bucket", "Name": "private",
               "Properties": {"PublicAccessBlockConfiguration": {"BlockPublicAcls": true}}}),
    ];
    for f in standard.evaluate(&resources)? {
        println!(
            "{} {}: {}{}",
            f.recommendation,
            f.resource.identity.name,
            f.state.as_str(),
            f.remediation.map(|r| format!(" — {r}")).unwrap_or_default()
        );
    }
    // The module runs in any WebAssembly engine.
    println!("module: {} bytes", standard.module().len());
    Ok(())
}
