//! Diagnostics: every error and warning the compiler reports, with a stable code, a span, a help
//! line, and a renderer that shows the source with the span underlined.

use crate::source::{Sources, Span};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use std::fmt;

/// Error or warning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Compilation fails.
    Error,
    /// Compilation succeeds.
    Warning,
}

/// Declares the diagnostic codes once: the enum, the list of all of them and their summaries
/// (the "what" of `docs/diagnostics.md`, which a test keeps in step).
macro_rules! codes {
    ($($code:ident: $what:literal,)*) => {
        /// A stable diagnostic code. `E0xxx` are errors, `W0xxx` warnings.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $(#[doc = $what] $code,)*
        }

        impl Code {
            /// Every code, in order.
            pub const ALL: &'static [Code] = &[$(Code::$code),*];

            /// The code as written in messages and docs, e.g. `E0102`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$code => stringify!($code),)*
                }
            }

            /// What the code means, in one line.
            pub fn what(self) -> &'static str {
                match self {
                    $(Code::$code => $what,)*
                }
            }
        }
    };
}

codes! {
    E0001: "syntax error: unexpected token; lists what was expected, suggests a keyword",
    E0002: "bad `{placeholder}` in remediation text",
    E0003: "number out of range",
    E0004: "brackets, operators or accesses nested or chained beyond the compiler's limits",
    E0101: "a helper, condition or constant defined twice",
    E0102: "no `standard` declaration",
    E0103: "two `standard` declarations",
    E0104: "recommendation id declared twice",
    E0105: "control id declared twice",
    E0110: "missing or unknown severity (did you mean …)",
    E0111: "recommendation without `applies`",
    E0112: "missing or repeated `compliant when`",
    E0113: "unknown field of a standard, control or recommendation (did you mean …)",
    E0114: "unknown control (did you mean …)",
    E0115: "unknown provider (did you mean …)",
    E0116: "a field with a value of the wrong form",
    E0117: "an import or policy file cannot be read, or is not UTF-8",
    E0118: "a recommendation lists an unknown risk factor (did you mean …)",
    E0119: "a condition, `let`, remediation or fix outside the `applies … { … }` blocks of a recommendation that has them",
    E0120: "unknown category (did you mean …)",
    E0201: "unknown function (did you mean …)",
    E0202: "wrong number of arguments",
    E0203: "argument of the wrong type (a literal), or an index that is neither string nor whole number",
    E0204: "the pattern of `matches`/`glob` is not a string literal",
    E0205: "a pattern or type glob that cannot be compiled",
    E0206: "values of different types compared (literals)",
    E0207: "ordering (`<` …) of something other than numbers and strings",
    E0208: "`in` with a right side that is not a list, map or string",
    E0209: "a helper or constant defined in terms of itself",
    E0210: "a quantifier over a literal that is not a collection",
    E0211: "`resources(...)` outside a quantifier",
    E0212: "a quantifier with zero or more than two variables",
    E0213: "a recommendation that expands to too large an expression after inlining",
    E0214: "a condition called with parentheses, or a function named without them",
    E0215: "a map literal with non-constant values",
    E0220: "a fix path that is not a static field of the resource, nor a path through a `let` of static paths joined by `??`",
    E0900: "internal error",
    W0301: "a condition or comparison that is always the same",
    W0302: "a `let` that is never used",
    W0303: "the member holding a resource's whole configuration (`Properties`, `properties`, `values`, `spec`) defaulted to an empty map or list",
}

impl Code {
    /// Whether the code reports a bug in tenet rather than in a policy (no policy can cause it
    /// on purpose).
    pub fn is_internal(self) -> bool {
        self == Code::E0900
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One diagnostic.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    /// Error or warning.
    pub level: Level,
    /// Stable code, e.g. `E0102`; `docs/diagnostics.md` lists them.
    pub code: Code,
    /// What is wrong, lowercase, no final period.
    pub message: String,
    /// Where.
    pub span: Span,
    /// Text under the underline.
    pub label: String,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error.
    pub fn error(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            level: Level::Error,
            code,
            message: message.into(),
            span,
            label: String::new(),
            help: None,
        }
    }

    /// A warning.
    pub fn warning(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            level: Level::Warning,
            ..Diagnostic::error(code, span, message)
        }
    }

    /// An internal error (`E0900`): a bug in tenet, not in the policy.
    pub fn internal(span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(Code::E0900, span, message)
            .help("this is a bug in tenet; please report it with the policy")
    }

    /// Sets the label.
    pub fn label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = label.into();
        self
    }

    /// Sets the help line.
    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }
}

struct Report<'a> {
    d: &'a Diagnostic,
    src: Excerpt,
    loc: String,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.d.message)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.d.message, self.loc)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.d.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.level {
            Level::Error => miette::Severity::Error,
            Level::Warning => miette::Severity::Warning,
        })
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.d
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.src as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let s = self.d.span;
        let span = SourceSpan::new((s.start as usize).into(), (s.end - s.start) as usize);
        let label = (!self.d.label.is_empty()).then(|| self.d.label.clone());
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            label, span,
        ))))
    }
}

/// Renders diagnostics: `color` for a terminal, plain otherwise; a fixed width keeps output stable.
pub fn render(sources: &Sources, diags: &[Diagnostic], color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
    let mut out = String::new();
    for d in diags {
        let (name, text) = sources
            .get(d.span.file)
            .map(|f| (f.name.clone(), f.text.clone()))
            .unwrap_or_default();
        let l = sources.locate(d.span);
        let (text, start, end, shift) = excerpt(&text, d.span.start as usize, d.span.end as usize);
        let shown = Diagnostic {
            span: Span::new(d.span.file, start, end),
            ..d.clone()
        };
        let report = Report {
            d: &shown,
            src: Excerpt {
                src: NamedSource::new(name.clone(), text),
                line: (l.line as usize).saturating_sub(1),
                shift,
            },
            loc: format!("{}:{}:{}", name, l.line, l.col),
        };
        if handler.render_report(&mut out, &report).is_err() {
            out.push_str(&format!("{}: {}\n", d.code, d.message));
        }
    }
    out
}

/// A source cut by [`excerpt`]: columns on the cut line are shifted back to the file's.
struct Excerpt {
    src: NamedSource<String>,
    /// The cut line (0-based).
    line: usize,
    /// Bytes cut from its start, less the `…` put in their place.
    shift: usize,
}

impl miette::SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let c = self.src.read_span(span, before, after)?;
        if self.shift == 0 || c.line() != self.line {
            return Ok(c);
        }
        Ok(Box::new(miette::MietteSpanContents::new_named(
            c.name().unwrap_or_default().to_string(),
            c.data(),
            *c.span(),
            c.line(),
            c.column() + self.shift,
            c.line_count(),
        )))
    }
}

/// The widest piece of a source line a diagnostic shows.
const EXCERPT: usize = 160;

/// What a diagnostic shows of its source: the lines around `start..end`, a long one cut to a
/// window of [`EXCERPT`] bytes around the span, behind as many empty lines as precede them (so line numbers
/// stay true). A 10 MB one-line policy then renders in a few hundred bytes. Returns the excerpt,
/// the span within it, and the column shift that cutting the start of the span's line made.
fn excerpt(text: &str, start: usize, end: usize) -> (String, usize, usize, usize) {
    let start = text.floor_char_boundary(start.min(text.len()));
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    // The span, cut to its first line and to the window.
    let end = text.floor_char_boundary(end.clamp(start, line_end).min(start + EXCERPT));
    let line_no = text[..line_start].bytes().filter(|b| *b == b'\n').count();
    let mut out = String::new();
    // The line before, cut to its beginning.
    if line_no > 0 {
        out.extend(std::iter::repeat_n('\n', line_no - 1));
        let prev_start = text[..line_start - 1].rfind('\n').map_or(0, |i| i + 1);
        let prev = &text[prev_start..line_start - 1];
        out.push_str(&prev[..prev.floor_char_boundary(EXCERPT)]);
        out.push('\n');
    }
    // The line itself, around the span.
    // (A line of ordinary length is shown whole, so that the column miette prints is true.)
    let short = line_end - line_start <= 2 * EXCERPT;
    let from = match short {
        true => line_start,
        false => text.floor_char_boundary(start.saturating_sub(EXCERPT / 2).max(line_start)),
    };
    let to = match short {
        true => line_end,
        false => text.floor_char_boundary((end + EXCERPT / 2).min(line_end)),
    };
    if from > line_start {
        out.push('…');
    }
    let span_start = out.len() + (start - from);
    out.push_str(&text[from..to]);
    if to < line_end {
        out.push('…');
    }
    // The line after, cut.
    if line_end < text.len() {
        let next_end = text[line_end + 1..]
            .find('\n')
            .map_or(text.len(), |i| line_end + 1 + i);
        let next = &text[line_end + 1..next_end];
        out.push('\n');
        out.push_str(&next[..next.floor_char_boundary(EXCERPT)]);
    }
    // miette counts columns in bytes, and `…`, which stands for what was cut, takes three.
    let shift = (from - line_start).saturating_sub('…'.len_utf8());
    (out, span_start, span_start + (end - start), shift)
}

/// Renders diagnostics one per line: `file:line:col: level[code]: message`.
pub fn render_short(sources: &Sources, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let l = sources.locate(d.span);
        let level = match d.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        out.push_str(&format!(
            "{}:{}:{}: {level}[{}]: {}\n",
            l.file, l.line, l.col, d.code, d.message
        ));
    }
    out
}

/// The closest candidate to `name` within a small edit distance, for "did you mean" help.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(ca != *cb);
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = cur.get(j).copied().unwrap_or(0) + 1;
            cur.push(sub.min(del).min(ins));
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(
            suggest("severty", ["severity", "control"]),
            Some("severity")
        );
        assert_eq!(suggest("xyz", ["severity"]), None);
        assert_eq!(suggest("lowr", ["lower", "upper"]), Some("lower"));
    }
}
