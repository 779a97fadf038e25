//! The bodies of the inventory fuzz targets (`fuzz/`), shared with a smoke test so they also run
//! under `cargo test`. Any bytes, read as each syntax and each forced format, must be read or
//! refused with an error located inside the input, never panic; and reading in 16-byte batches
//! must give what reading at once gives (the streamed reader splits inputs at arbitrary places).

use crate::iac::Format;
use crate::inventory::Inventory;

/// Which loader a target drives.
#[derive(Clone, Copy, Debug)]
pub enum Loader {
    /// `.json` and `.jsonl`, detected shapes (inventories, lists, templates, plans).
    Json,
    /// `.yaml`, including CloudFormation tags and multi-document streams.
    Yaml,
    /// JSON or YAML read as a forced template format: ARM, CloudFormation, Terraform plan.
    Template,
    /// `.tf` text: Terraform source, parsed and evaluated.
    Terraform,
}

/// Runs one fuzz input through `loader`. The first byte chooses among the variants of the
/// loader (extension, forced format); the rest is the input.
pub fn read_inventory(loader: Loader, data: &[u8]) {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let (ext, format) = match loader {
        Loader::Json => (
            [Some("json"), Some("jsonl"), None][pick as usize % 3],
            Format::Auto,
        ),
        Loader::Yaml => (Some("yaml"), Format::Auto),
        Loader::Template => (
            [Some("json"), Some("yaml")][pick as usize % 2],
            [
                Format::Arm,
                Format::CloudFormation,
                Format::TerraformPlan,
                Format::AwsConfig,
                Format::AwsApi,
                Format::ScanReport,
            ][pick as usize / 2 % 6],
        ),
        Loader::Terraform => (Some("tf"), Format::Auto),
    };
    let whole = read(bytes, ext, format, crate::input::CHUNK);
    let streamed = read(bytes, ext, format, 16);
    match (&whole, &streamed) {
        (Ok(a), Ok(b)) => {
            let key = |inv: &Inventory| {
                inv.resources
                    .iter()
                    .map(|r| (r.doc.clone(), r.origin.line, r.origin.col))
                    .collect::<Vec<_>>()
            };
            if key(a) != key(b) {
                internal("reading in small batches gave other resources");
            }
        }
        (Err(e), _) | (_, Err(e)) => {
            let lines = bytes.iter().filter(|&&c| c == b'\n').count() + 1;
            if e.line > lines {
                internal(&format!(
                    "error outside the input: {e} in {:?}",
                    String::from_utf8_lossy(bytes)
                ));
            }
        }
    }
    if whole.is_ok() != streamed.is_ok() {
        internal(&format!(
            "reading in small batches changed the verdict: {:?} / {:?}",
            whole.err(),
            streamed.err()
        ));
    }
}

fn read(
    bytes: &[u8],
    ext: Option<&str>,
    format: Format,
    chunk: usize,
) -> Result<Inventory, crate::InputError> {
    let mut inv = Inventory::default();
    crate::input::stream::read_bytes("fuzz", bytes, ext, format, chunk, &mut |b| {
        crate::inventory::add_batch(&b, &mut inv)
    })?;
    Ok(inv)
}

#[expect(clippy::panic, reason = "a fuzz target reports a finding by panicking")]
fn internal(msg: &str) {
    panic!("{msg}");
}

#[cfg(test)]
mod tests {
    use super::{read_inventory, Loader};

    /// Prefixes and mutations of the example inventories go through every target.
    #[test]
    fn smoke() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let seeds = [
            (Loader::Json, "examples/inventory.json"),
            (
                Loader::Yaml,
                "policies/kubernetes-pod-security/tests/workloads.yaml",
            ),
            (Loader::Template, "tests/fixtures/iac/logs.yaml"),
            (Loader::Template, "tests/fixtures/iac/storage.json"),
            (Loader::Terraform, "examples/terraform/app/main.tf"),
            (
                Loader::Terraform,
                "examples/terraform/modules/bucket/main.tf",
            ),
        ];
        for (loader, path) in seeds {
            let Ok(text) = std::fs::read(root.join(path)) else {
                continue;
            };
            let picks = match loader {
                Loader::Json => 3u8,
                Loader::Yaml => 1,
                Loader::Template => 6,
                Loader::Terraform => 1,
            };
            // A few cuts per seed and variant keep the smoke test short in a debug build; the
            // fuzz targets explore the rest.
            let step = (text.len() / 8).max(1);
            for pick in 0..picks {
                for cut in (0..text.len()).step_by(step) {
                    let mut data = vec![pick];
                    data.extend_from_slice(&text[..cut]);
                    read_inventory(loader, &data);
                    if cut > 0 {
                        let mut m = data.clone();
                        let marks = b"{}[]\":,-\n !&*$%=(";
                        m[1 + cut / 2] = marks[cut % marks.len()];
                        read_inventory(loader, &m);
                    }
                }
            }
        }
    }
}
