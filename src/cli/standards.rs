//! `tenet standards`: the built-in standards, with their ids, titles and sizes.

use super::{builtin_dir, error, policy_files, ERROR, OK};

/// Flags of `tenet standards`.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  tenet standards
  tenet check --standard kubernetes-pod-security manifests/

Built-in standards are the folders of policies/ (or of $TENET_POLICIES).")]
pub struct Args {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Runs `tenet standards`.
pub fn run(a: Args) -> u8 {
    let dir = builtin_dir();
    let mut names: Vec<String> = match std::fs::read_dir(&dir) {
        Ok(rd) => rd
            .flatten()
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect(),
        Err(e) => {
            error(format!("cannot read {}: {e}", dir.display()));
            return ERROR;
        }
    };
    names.sort();
    let mut rows = Vec::new();
    for name in names {
        let path = dir.join(&name);
        let files = match policy_files(&path) {
            Ok(f) if !f.is_empty() => f,
            _ => continue,
        };
        match tenet_compiler::compile_files(&files) {
            Ok(c) => rows.push(serde_json::json!({
                "name": name,
                "title": c.metadata.standard.title,
                "version": c.metadata.standard.version,
                "recommendations": c.metadata.recommendations.len(),
                "controls": c.metadata.controls.len(),
            })),
            Err(f) => {
                eprint!("{}", f.render(super::color_stderr()));
                return ERROR;
            }
        }
    }
    if a.json {
        println!("{}", serde_json::Value::Array(rows));
    } else {
        for r in &rows {
            println!(
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
