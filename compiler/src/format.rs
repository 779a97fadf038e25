//! The canonical layout of policy files (`tenet fmt`).
//!
//! The formatter keeps the author's line breaks and comments and decides everything else:
//! - indentation: two spaces per open `{`, `[` or `(`, plus two for a line that continues an
//!   expression (it starts with `and`, `or`, `??` or a comparison, or the line before ends with
//!   `=` or one of those);
//! - spacing inside a line: one space between tokens, none inside brackets or before `,` `.`
//!   `:`, none before the `[` of an index or the `(` of a call, one inside `{ … }` on one line,
//!   one before a trailing comment;
//! - blank lines: at most one in a row, none after an opening `{` or before a closing `}`, none at
//!   the start; the file ends with one line break.
//!
//! The result has exactly the tokens of the input in the same order (checked before returning),
//! so formatting never changes what a policy means, and formatting twice changes nothing.

use crate::diagnostics::Diagnostic;
use crate::source::FileId;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Word,
    Str,
    Num,
    Punct,
    Comment,
}

#[derive(Clone, Copy, Debug)]
struct Token<'t> {
    text: &'t str,
    kind: Kind,
    at: usize,
    /// Blank lines before this token (0 when on the same line as the previous one, 1 for a
    /// line break, 2 or more for blank lines).
    breaks: usize,
}

const OPERATORS: &[&str] = &["==", "!=", "<=", ">=", "??", "<", ">", "="];

fn lex(text: &str) -> Vec<Token<'_>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut breaks = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'\n' {
            breaks += 1;
            i += 1;
            continue;
        }
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let kind = if c == b'#' || (c == b'/' && b.get(i + 1) == Some(&b'/')) {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            Kind::Comment
        } else if c == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i = (i + 1).min(b.len());
            Kind::Str
        } else if c.is_ascii_digit() || (c == b'-' && b.get(i + 1).is_some_and(u8::is_ascii_digit))
        {
            i += 1;
            while i < b.len()
                && (b[i].is_ascii_alphanumeric()
                    || b[i] == b'.'
                    || ((b[i] == b'+' || b[i] == b'-') && matches!(b[i - 1], b'e' | b'E')))
            {
                i += 1;
            }
            Kind::Num
        } else if c.is_ascii_alphanumeric() || matches!(c, b'_' | b'$' | b'@') {
            // Words: identifiers, keywords and ids such as `CKV_K8S_17` or `NS-2`.
            while i < b.len()
                && (b[i].is_ascii_alphanumeric()
                    || matches!(b[i], b'_' | b'$' | b'@' | b'-' | b'/' | b':'))
            {
                // `a:` in a map literal is a name and a colon, not an id.
                if b[i] == b':' && !b.get(i + 1).is_some_and(|n| n.is_ascii_alphanumeric()) {
                    break;
                }
                i += 1;
            }
            Kind::Word
        } else {
            let two = text.get(i..i + 2).unwrap_or("");
            i += if OPERATORS.contains(&two) { 2 } else { 1 };
            Kind::Punct
        };
        // The slice ends on a char boundary: every branch stops at ASCII or at the end.
        let end = i.min(b.len());
        let tok = text.get(start..end).unwrap_or("");
        let tok = if kind == Kind::Comment {
            tok.trim_end()
        } else {
            tok
        };
        out.push(Token {
            text: tok,
            kind,
            at: start,
            breaks,
        });
        breaks = 0;
    }
    out
}

fn is_open(t: &str) -> bool {
    matches!(t, "{" | "[" | "(")
}

fn is_close(t: &str) -> bool {
    matches!(t, "}" | "]" | ")")
}

/// Whether a token continues an expression when it starts a line, or asks for one when it ends
/// a line.
fn is_infix(t: &Token<'_>) -> bool {
    (t.kind == Kind::Word && matches!(t.text, "and" | "or"))
        || (t.kind == Kind::Punct && OPERATORS.contains(&t.text))
}

/// How a line relates to the one before it in the same block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Line {
    /// The first line of a block.
    First,
    /// A new item (declaration, field, statement).
    Statement,
    /// It continues an expression.
    Continuation,
}

/// An open bracket (or the file): the indentation of its opening line, of its content, and of
/// its latest line.
struct Frame {
    opener: usize,
    block: usize,
    last: Option<(usize, Line)>,
}

fn internal(file: FileId) -> Diagnostic {
    Diagnostic::internal(
        crate::source::Span::new(file, 0, 0),
        "internal error: formatting would change the tokens of this file; it was left as it is",
    )
}

/// Formats one policy file; fails like the parser on a syntax error.
pub fn format(file: FileId, text: &str) -> Result<String, Diagnostic> {
    let layout = crate::syntax::bracket_layout(file, text)?;
    let tokens = lex(text);
    let mut out = String::with_capacity(text.len());
    // The open brackets, innermost last; the file itself is the outermost block.
    let mut frames = vec![Frame {
        opener: 0,
        block: 0,
        last: None,
    }];
    let mut line_indent = 0;
    let mut prev: Option<Token<'_>> = None;
    let mut prev_code: Option<Token<'_>> = None;
    for (k, t) in tokens.iter().enumerate() {
        let closes = t.kind == Kind::Punct && is_close(t.text);
        if prev.is_none() || t.breaks > 0 {
            if prev.is_some() {
                let after_open = prev.is_some_and(|p| p.kind == Kind::Punct && p.text == "{");
                out.push('\n');
                if t.breaks > 1 && !after_open && !closes {
                    out.push('\n');
                }
            }
            let nested = frames.len() > 1;
            let frame = frames.last_mut().ok_or_else(|| internal(file))?;
            if closes && nested {
                // A closing bracket lines up with the line that opened it.
                line_indent = frame.opener;
            } else if t.kind == Kind::Comment {
                // A comment belongs to the code after it: indented as that code continues the
                // expression before, or starts a new item.
                let next = tokens[k + 1..].iter().find(|x| x.kind != Kind::Comment);
                let continues = next.is_some_and(|x| is_infix(x) && !is_close(x.text))
                    || prev_code.is_some_and(|p| is_infix(&p));
                line_indent = match (frame.last, continues) {
                    (Some((i, Line::Continuation)), true) => i,
                    (Some(_), true) => frame.block + 2,
                    _ => frame.block,
                };
            } else {
                // The line before ended with an operator (`=`, `and`, ...), or this one starts
                // with one: it continues an expression.
                let hanging = prev_code.is_some_and(|p| is_infix(&p));
                let leading = is_infix(t);
                let (indent, line) = match (frame.last, hanging, leading) {
                    (None, _, _) => (frame.block, Line::First),
                    (Some((i, Line::Continuation)), true, _)
                    | (Some((i, Line::Continuation)), _, true) => (i, Line::Continuation),
                    (Some((i, _)), true, _) => (i + 2, Line::Continuation),
                    (Some((i, Line::First)), false, true) => (i, Line::Continuation),
                    (Some(_), false, true) => (frame.block + 2, Line::Continuation),
                    (Some(_), false, false) => (frame.block, Line::Statement),
                };
                frame.last = Some((indent, line));
                line_indent = indent;
            }
            out.extend(std::iter::repeat_n(' ', line_indent));
        } else if let Some(p) = prev {
            if space_between(&p, t, &layout) {
                out.push(' ');
            }
        }
        out.push_str(t.text);
        if t.kind == Kind::Punct && is_open(t.text) {
            frames.push(Frame {
                opener: line_indent,
                block: line_indent + 2,
                last: None,
            });
        } else if closes && frames.len() > 1 {
            frames.pop();
        }
        prev = Some(*t);
        if t.kind != Kind::Comment {
            prev_code = Some(*t);
        }
    }
    if !out.is_empty() {
        out.push('\n');
    }
    // The same tokens, in the same order: nothing but layout changed.
    let same = lex(&out)
        .iter()
        .map(|t| t.text)
        .eq(tokens.iter().map(|t| t.text));
    if !same {
        return Err(internal(file));
    }
    Ok(out)
}

fn space_between(a: &Token<'_>, b: &Token<'_>, layout: &crate::syntax::BracketLayout) -> bool {
    if b.kind == Kind::Comment {
        return true;
    }
    let (ap, bp) = (a.kind == Kind::Punct, b.kind == Kind::Punct);
    if bp && matches!(b.text, "," | "." | ":" | ")" | "]") {
        return false;
    }
    if ap && matches!(a.text, "(" | "[" | ".") {
        return false;
    }
    if bp && matches!(b.text, "(" | "[") && layout.attached.binary_search(&b.at).is_ok() {
        return false;
    }
    if ap && a.text == "{" && (bp && b.text == "}" || layout.tight.binary_search(&a.at).is_ok()) {
        return false;
    }
    if bp && b.text == "}" && layout.tight.binary_search(&b.at).is_ok() {
        return false;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(s: &str) -> String {
        format(FileId(0), s).unwrap_or_else(|d| d.message.clone())
    }

    #[test]
    fn canonical_layout() {
        let src = "standard s  \"S\"{version \"1\"}\n\n\n\n// helpers\nfn f( a,b )=a.x[0]>=1  and g(b)\nconst l=[ 1 ,2 ]   # two\nrecommendation r \"R\" {\n\n  severity high\napplies aws [\"A\",\"B\"]\n  compliant when any x in l ?? [] { x == 1 }\n    or not (f(self, 2))\n  remediation \"{name} {{x}}\"\n\n}\n";
        let want = "standard s \"S\" { version \"1\" }\n\n// helpers\nfn f(a, b) = a.x[0] >= 1 and g(b)\nconst l = [1, 2] # two\nrecommendation r \"R\" {\n  severity high\n  applies aws [\"A\", \"B\"]\n  compliant when any x in l ?? [] { x == 1 }\n    or not (f(self, 2))\n  remediation \"{name} {{x}}\"\n}\n";
        assert_eq!(fmt(src), want);
        assert_eq!(fmt(want), want, "idempotent");
        let comment = "fn f(c) =\n  (c.a\n    or c.b)\n\n  // next\nfn g() = 1\n";
        assert_eq!(
            fmt(comment),
            "fn f(c) =\n  (c.a\n    or c.b)\n\n// next\nfn g() = 1\n"
        );
        let cont = "fn f(c) =\nc.a >= 1\nor c.b == {\"k\": -1.5e3}\n";
        assert_eq!(
            fmt(cont),
            "fn f(c) =\n  c.a >= 1\n  or c.b == {\"k\": -1.5e3}\n"
        );
        assert!(
            fmt("fn f( = ").contains("expected"),
            "syntax errors are reported"
        );
    }
}
