//! `tenet check --explain`: every clause of one recommendation, its value and outcome, for each
//! resource, traced by the reference interpreter.

use super::{color, error, ERROR, OK};
use std::io::IsTerminal;
use tenet::runtime::resource::Resource;
use tenet::stdlib::abi::Outcome;

/// Prints the trace of recommendation `rec` over `resources` (those `res` matches).
pub fn run(
    loaded: &super::Loaded,
    resources: &[Resource],
    rec: &str,
    now: f64,
    res: Option<&globset::GlobMatcher>,
) -> u8 {
    // A built-in standard's IR is compiled from its embedded sources only when asked for.
    let compiled = match (&loaded.program, loaded.builtin) {
        (None, Some(b)) => match b.compile() {
            Ok(c) => Some(c.program),
            Err(f) => {
                eprint!("{}", f.render(super::color_stderr()));
                return ERROR;
            }
        },
        _ => None,
    };
    let Some(program) = loaded.program.as_ref().or(compiled.as_ref()) else {
        error(
            "--explain needs the policy source (a .tenet file or directory), not a compiled module",
        );
        return ERROR;
    };
    let Some(idx) = program.recs.iter().position(|r| r.meta.id == rec) else {
        let ids: Vec<&str> = program.recs.iter().map(|r| r.meta.id.as_str()).collect();
        let hint = tenet::compiler::diagnostics::suggest(rec, ids.iter().copied())
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        error(format!("no recommendation `{rec}` in this standard{hint}"));
        return ERROR;
    };
    let meta = &loaded.standard.metadata;
    let lookups = super::interp_lookups(meta, resources);
    let paint = color(std::io::stdout().is_terminal());
    let dim = |s: &str| {
        if paint {
            format!("\x1b[2m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    outln!(
        "{} — {}\ncompliant when {}\n",
        rec,
        program.recs[idx].meta.title,
        program.recs[idx].meta.condition
    );
    for r in resources
        .iter()
        .filter(|r| res.is_none_or(|m| m.is_match(&r.identity.id) || m.is_match(&r.identity.name)))
    {
        let input = tenet::compiler::interp::Input {
            provider: &r.identity.provider,
            kind: &r.identity.kind,
            resource: &r.doc,
            now,
            lookups: &lookups,
        };
        let Some((result, steps)) = tenet::compiler::interp::trace(program, &input, idx) else {
            continue;
        };
        if result.outcome == Outcome::NotApplicable {
            continue;
        }
        outln!(
            "{} ({}) {}: {}",
            r.identity.name,
            r.identity.kind,
            dim(&format!("{}:{}", r.origin.file, r.origin.line)),
            result.outcome.as_str()
        );
        // Secrets found in one step's bound values are masked in every later step's value too,
        // as a report masks them across its explanation.
        let mut found = Vec::new();
        for s in steps {
            let Some(c) = meta.clauses.get(s.clause as usize) else {
                continue;
            };
            for b in s.bindings.iter().filter_map(|(_, _, b)| b.as_ref()) {
                tenet::stdlib::secret::redact(b, None, &mut found);
            }
            let v = match s.tri {
                0 => "false",
                1 => "true",
                _ => "missing",
            };
            let binds: Vec<String> = s
                .bindings
                .iter()
                .filter_map(|(var, i, _)| {
                    meta.vars
                        .get(*var as usize)
                        .map(|m| format!("{}={}[{i}]", m.name, m.source))
                })
                .collect();
            let ctx = if binds.is_empty() {
                String::new()
            } else {
                format!("  {}", dim(&format!("with {}", binds.join(", "))))
            };
            // A value that looks like a secret is shown masked, as in every report.
            let value = s.value.as_ref().map(|x| {
                let holder = c.path.rsplit('.').next();
                tenet::stdlib::secret::redact(x, holder, &mut found).unwrap_or_else(|| x.clone())
            });
            outln!(
                "  {v:<7} {}  {}{ctx}",
                c.text,
                dim(&format!(
                    "← {}",
                    tenet::stdlib::text::render(value.as_ref())
                ))
            );
        }
        if let Some(e) = tenet::report::finding::explain(meta, &result) {
            outln!("  => {}", e.message);
        }
        outln!();
    }
    OK
}
