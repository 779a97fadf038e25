//! `tenet standards`: the built-in standards, with their ids, titles and sizes; a standard's
//! reference page; which input shapes each recommendation covers.

use super::{builtin_dir, error, policy_files, ERROR, OK};

/// Flags of `tenet standards`.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  tenet standards
  tenet standards --doc kubernetes-pod-security > docs/standards/kubernetes-pod-security.md
  tenet standards --coverage azure-security-baseline
  tenet check --standard kubernetes-pod-security manifests/

Built-in standards are compiled from the folders of policies/ when tenet is built; set
$TENET_POLICIES to a folder of standards to use those instead (compiled at each run).")]
pub struct Args {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Print the reference page (Markdown) of one standard: a built-in name or a directory.
    #[arg(long, value_name = "STANDARD")]
    pub doc: Option<String>,
    /// Print which input shapes each recommendation of a standard covers (a built-in name or a
    /// directory), read from the resource types it applies to, with a total per shape.
    #[arg(long, value_name = "STANDARD", conflicts_with = "doc")]
    pub coverage: Option<String>,
}

/// The input shapes a resource type belongs to, by its naming family.
pub const SHAPES: &[&str] = &[
    "ARM / Azure API",
    "CloudFormation",
    "Asset Inventory",
    "Kubernetes",
    "Terraform",
];

/// The shape of a type name: `Microsoft.X/y` (ARM templates and the Azure APIs), `AWS::X::Y`
/// (CloudFormation), `x.googleapis.com/Y` (Cloud Asset Inventory), `azurerm_`/`aws_`/`google_`
/// (Terraform plans and source), a bare kind (Kubernetes). Globs are read by their prefix.
pub fn shape_of(ty: &str) -> Option<usize> {
    let l = ty.to_ascii_lowercase();
    if l.starts_with("microsoft.") {
        Some(0)
    } else if l.starts_with("aws::") {
        Some(1)
    } else if l.contains(".googleapis.com/") {
        Some(2)
    } else if ["azurerm_", "azuread_", "aws_", "google_"]
        .iter()
        .any(|p| l.starts_with(p))
    {
        Some(4)
    } else if ty.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && ty.chars().all(|c| c.is_ascii_alphanumeric())
    {
        Some(3)
    } else {
        None
    }
}

/// The coverage table of a standard: one row per recommendation, a mark per shape it covers,
/// then per shape how many recommendations cover it.
pub fn coverage(meta: &tenet::stdlib::abi::Metadata) -> String {
    use std::fmt::Write as _;
    let mut out = format!(
        "{:<36} {}\n",
        "recommendation",
        SHAPES
            .iter()
            .map(|s| format!("{s:<16}"))
            .collect::<String>()
            .trim_end()
    );
    let mut totals = [0usize; SHAPES.len()];
    for r in &meta.recommendations {
        let mut has = [false; SHAPES.len()];
        for t in r.applies.iter().flat_map(|a| a.types.iter()) {
            if let Some(k) = shape_of(t) {
                has[k] = true;
            }
        }
        for (k, h) in has.iter().enumerate() {
            totals[k] += usize::from(*h);
        }
        let marks: String = has
            .iter()
            .map(|h| format!("{:<16}", if *h { "yes" } else { "-" }))
            .collect();
        let _ = writeln!(out, "{:<36} {}", r.id, marks.trim_end());
    }
    let n = meta.recommendations.len().max(1);
    let _ = writeln!(out);
    for (k, s) in SHAPES.iter().enumerate() {
        let _ = writeln!(
            out,
            "{s}: {} of {} recommendations ({:.0}%)",
            totals[k],
            meta.recommendations.len(),
            100.0 * totals[k] as f64 / n as f64
        );
    }
    out
}

/// The reference page of a standard: its controls, then every recommendation with severity,
/// control, frameworks, MITRE ATT&CK tactics and the equivalent Checkov checks.
pub fn markdown(meta: &tenet::stdlib::abi::Metadata) -> String {
    use std::fmt::Write as _;
    let cell = |s: &str| s.replace('|', "\\|");
    let std = &meta.standard;
    let mut out = format!("# {} (`{}` {})\n\n", std.title, std.id, std.version);
    if !std.description.is_empty() {
        let _ = writeln!(out, "{}\n", std.description);
    }
    if !std.source.is_empty() {
        let _ = writeln!(out, "Source: {}.\n", std.source);
    }
    let _ = writeln!(
        out,
        "Generated from `policies/{}` by `tenet standards --doc {}`; do not edit by hand.\n",
        std.id, std.id
    );
    let _ = writeln!(
        out,
        "## Controls\n\n| control | title | points | recommendations |\n|---|---|---|---|"
    );
    for c in &meta.controls {
        let n = meta
            .recommendations
            .iter()
            .filter(|r| r.control.as_deref() == Some(c.id.as_str()))
            .count();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {n} |",
            c.id,
            cell(&c.title),
            c.points
        );
    }
    let _ = writeln!(
        out,
        "\n## Recommendations ({})\n\n| id | title | severity | control | applies to | frameworks | tactics | Checkov | fix |\n|---|---|---|---|---|---|---|---|---|",
        meta.recommendations.len()
    );
    for r in &meta.recommendations {
        let applies: Vec<String> = r
            .applies
            .iter()
            .flat_map(|a| a.types.iter().map(|t| format!("`{t}`")))
            .collect();
        let frameworks: Vec<String> = r
            .frameworks
            .iter()
            .map(|(k, v)| format!("{k} {}", v.join(", ")))
            .collect();
        let checkov = r
            .refs
            .get("checkov")
            .map(|v| v.join(", "))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.id,
            cell(&r.title),
            r.severity,
            r.control.as_deref().unwrap_or(""),
            applies.join(", "),
            cell(&frameworks.join("; ")),
            r.tactics.join(", "),
            checkov,
            if r.fix.is_empty() { "" } else { "yes" }
        );
    }
    // One section per recommendation: the page a SARIF rule's help links to
    // (`--help-uri …/{standard}.md#{id}`; the heading is the anchor).
    let _ = writeln!(out, "\n## Details\n");
    for r in &meta.recommendations {
        let _ = writeln!(
            out,
            "### {}\n\n**{}** ({}{})\n",
            r.id,
            r.title,
            r.severity,
            r.control
                .as_deref()
                .map(|c| format!(", control {c}"))
                .unwrap_or_default()
        );
        if !r.description.is_empty() {
            let _ = writeln!(out, "{}\n", r.description);
        }
        let shapes = r.shapes();
        for v in &shapes {
            if shapes.len() > 1 {
                let types: Vec<String> = v
                    .applies
                    .iter()
                    .flat_map(|a| a.types.iter().map(|t| format!("`{t}`")))
                    .collect();
                let _ = writeln!(out, "For {}:\n", types.join(", "));
            }
            if !v.remediation.is_empty() {
                let _ = writeln!(out, "Remediation: {}\n", v.remediation);
            }
            if !v.fix.is_empty() {
                let _ = writeln!(out, "Automated fix: `{}`\n", cell(&v.fix));
            }
        }
        for l in &r.links {
            let _ = writeln!(out, "- <{l}>");
        }
        if !r.links.is_empty() {
            let _ = writeln!(out);
        }
    }
    out
}

/// The metadata of a standard named by `spec`: a built-in name, or a directory of policy files.
fn metadata_of(spec: &str) -> Result<tenet::stdlib::abi::Metadata, String> {
    let path = std::path::PathBuf::from(spec);
    let dir = if path.is_dir() {
        Some(path)
    } else if let Some(b) = tenet::load::builtin(spec) {
        return tenet::runtime::engine::read_metadata(b.wasm).map_err(|e| e.to_string());
    } else {
        builtin_dir().map(|d| d.join(spec))
    };
    let files = match dir.as_deref().map(policy_files) {
        Some(Ok(f)) if !f.is_empty() => f,
        _ => {
            return Err(format!(
                "no standard `{spec}`: not a directory of .tenet files, nor a built-in standard"
            ))
        }
    };
    tenet::compiler::compile_files(&files)
        .map(|c| c.metadata)
        .map_err(|f| f.render(super::color_stderr()))
}

/// Prints what `render` makes of the standard named by `spec`.
fn page(spec: &str, render: fn(&tenet::stdlib::abi::Metadata) -> String) -> u8 {
    match metadata_of(spec) {
        Ok(meta) => {
            out!("{}", render(&meta));
            OK
        }
        Err(e) => {
            error(e);
            ERROR
        }
    }
}

/// Runs `tenet standards`.
pub fn run(a: Args) -> u8 {
    if let Some(spec) = &a.coverage {
        return page(spec, coverage);
    }
    if let Some(spec) = &a.doc {
        return page(spec, markdown);
    }
    // The standards built in, or those of $TENET_POLICIES.
    let names: Vec<String> = match builtin_dir() {
        None => tenet::load::builtins()
            .iter()
            .map(|b| b.name.to_string())
            .collect(),
        Some(dir) => match std::fs::read_dir(&dir) {
            Ok(rd) => {
                let mut n: Vec<String> = rd
                    .flatten()
                    .filter(|e| e.path().is_dir())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect();
                n.sort();
                n
            }
            Err(e) => {
                error(format!("cannot read {}: {e}", dir.display()));
                return ERROR;
            }
        },
    };
    if names.is_empty() {
        error("no built-in standards: this tenet was built without them, or $TENET_POLICIES names an empty folder");
        return ERROR;
    }
    let mut rows = Vec::new();
    for name in names {
        match metadata_of(&name) {
            Ok(m) => rows.push(serde_json::json!({
                "name": name,
                "title": m.standard.title,
                "version": m.standard.version,
                "recommendations": m.recommendations.len(),
                "controls": m.controls.len(),
            })),
            Err(e) => {
                error(e);
                return ERROR;
            }
        }
    }
    if a.json {
        outln!("{}", serde_json::Value::Array(rows));
    } else {
        for r in &rows {
            outln!(
                "{:<28} {:>4} recommendations  {} {}",
                r["name"].as_str().unwrap_or_default(),
                r["recommendations"],
                r["title"].as_str().unwrap_or_default(),
                r["version"].as_str().unwrap_or_default()
            );
        }
    }
    OK
}
