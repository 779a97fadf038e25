//! `tenet inspect`: what a compiled module holds, once it is known to load as `tenet check`
//! would load it.

use super::{error, ERROR, OK};
use std::path::PathBuf;

/// Flags of `tenet inspect`.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  tenet inspect standard.wasm
  tenet inspect --json standard.wasm | jq '.recommendations[].id'")]
pub struct Args {
    /// The module.
    pub module: PathBuf,
    /// Print the whole metadata section as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `tenet inspect`.
pub fn run(a: Args) -> u8 {
    let bytes = match std::fs::read(&a.module) {
        Ok(b) => b,
        Err(e) => {
            error(format!("cannot read {}: {e}", a.module.display()));
            return ERROR;
        }
    };
    // The module is loaded and instantiated as `tenet check` would, so that a module check
    // refuses is refused here too, instead of being described as if it worked.
    let Some(engine) = super::engine(false, tenet::runtime::Limits::default()) else {
        return ERROR;
    };
    let loaded = engine.load(&bytes).and_then(|s| {
        let index = tenet::runtime::eval::build_index(&s.metadata, &[]);
        s.instantiate(&index).map(|_| s)
    });
    let meta = match loaded {
        Ok(s) => s.metadata,
        Err(e) => {
            error(format!("{}: {e}", a.module.display()));
            return ERROR;
        }
    };
    if a.json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&*meta).unwrap_or_default()
        );
        return OK;
    }
    let n = meta.recommendations.len().max(1);
    outln!(
        "module:      {} ({} bytes, {} bytes per recommendation)",
        a.module.display(),
        bytes.len(),
        bytes.len() / n
    );
    outln!("abi version: {}", meta.abi);
    outln!("compiler:    {}", meta.compiler);
    outln!(
        "standard:    {} \"{}\" {}",
        meta.standard.id,
        meta.standard.title,
        meta.standard.version
    );
    outln!("controls:    {}", meta.controls.len());
    outln!("lookups:     {}", meta.lookups.len());
    outln!("recommendations ({}):", meta.recommendations.len());
    for r in &meta.recommendations {
        let fix = if r.fix.is_empty() { "" } else { " [fix]" };
        outln!("  {:<7} {}  {}{fix}", r.severity, r.id, r.title);
    }
    OK
}
