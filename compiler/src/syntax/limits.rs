//! The limits that keep a hostile or runaway policy from overflowing the compiler's stack:
//! bracket nesting (checked on the text, before the parser recurses), operator and access
//! chains, and expression depth (checked as the tree is built).

use super::ast::{Expr, ExprKind};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, Span};

/// The deepest nesting of brackets (`(`, `[`, `{`) a policy may use. The parser, the checker and
/// the code generator recurse over nesting, so this bound keeps a hostile policy from
/// overflowing the stack; real policies nest less than ten deep.
pub const MAX_NESTING: usize = 64;

/// The most operators (`and`, `??`, `not`, ...) one expression may chain, and the most member
/// and index accesses one path may chain (`a.b[0].c`).
pub const MAX_CHAIN: usize = 128;

/// The deepest expression tree a policy may build (operators and nesting together).
pub const MAX_DEPTH: usize = 256;

/// Refuses brackets nested deeper than [`MAX_NESTING`], outside strings and comments, before
/// the parser recurses into them.
pub(super) fn check_nesting(file: FileId, text: &str, base: usize) -> Result<(), Diagnostic> {
    let b = text.as_bytes();
    let (mut i, mut depth) = (0, 0usize);
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(Diagnostic::error(
                        Code::E0004,
                        Span::new(file, base + i, base + i + 1),
                        format!("brackets nested more than {MAX_NESTING} deep"),
                    )
                    .help(
                        "name a part with `let`, `fn` or `condition` to flatten the expression",
                    ));
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

/// The depth of an expression tree (bounded: its parts were checked as they were built).
pub(super) fn depth(e: &Expr) -> usize {
    1 + match &e.kind {
        ExprKind::List(items) | ExprKind::Call(_, items) => {
            items.iter().map(depth).max().unwrap_or(0)
        }
        ExprKind::Map(entries) => entries.iter().map(|(_, v)| depth(v)).max().unwrap_or(0),
        ExprKind::Field(x, _) | ExprKind::Not(x) => depth(x),
        ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) => depth(a).max(depth(b)),
        ExprKind::Quant { source, body, .. } => depth(source).max(depth(body)),
        ExprKind::Str(_)
        | ExprKind::Num(_)
        | ExprKind::Bool(_)
        | ExprKind::Null
        | ExprKind::Name(_)
        | ExprKind::SelfRef => 0,
    }
}
