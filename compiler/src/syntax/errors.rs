//! Syntax errors as people read them: the token found, the rules that were expected in words,
//! and a keyword suggestion when the token is a near miss.

use super::grammar::Rule;
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, Span};

fn rule_name(r: &Rule) -> String {
    match r {
        Rule::expr | Rule::postfix_expr => "an expression",
        Rule::string | Rule::str_inner => "a string",
        Rule::id => "an id",
        Rule::ident => "a name",
        Rule::field => "a field such as `severity high`",
        Rule::field_key => "a field name",
        Rule::decl | Rule::standard_decl | Rule::recommendation | Rule::control_decl => "a declaration (`standard`, `control`, `recommendation`, `fn`, `condition`, `const`, `import`)",
        Rule::applies => "`applies`",
        Rule::compliant => "`compliant when`",
        Rule::when_clause => "`when`",
        Rule::let_item => "`let`",
        Rule::remediation => "`remediation`",
        Rule::fix_block => "`fix`",
        Rule::number => "a number",
        Rule::string_list => "a list of strings",
        Rule::kv_block => "`{ key \"value\" }`",
        Rule::EOI => "the end of the file",
        Rule::field_access => "`.field`",
        Rule::index_access => "`[index]`",
        Rule::quantifier | Rule::quant_kw => "a quantifier",
        Rule::call => "a call",
        Rule::path => "a path",
        Rule::fix_set | Rule::fix_remove | Rule::fix_append | Rule::fix_remove_where => "a fix operation (`set`, `remove`, `append`)",
        Rule::not_op => "`not`",
        Rule::map_lit => "a map `{\"key\": value}`",
        Rule::paren => "`(`",
        Rule::or_op | Rule::and_op | Rule::eq_op | Rule::ne_op | Rule::lt_op | Rule::le_op | Rule::gt_op | Rule::ge_op | Rule::in_op | Rule::not_in_op | Rule::default_op => "an operator",
        other => return format!("{other:?}"),
    }
    .to_string()
}

pub(super) fn syntax_error(file: FileId, text: &str, e: pest::error::Error<Rule>) -> Diagnostic {
    let (start, end) = match e.location {
        pest::error::InputLocation::Pos(p) => (p, p),
        pest::error::InputLocation::Span((s, e)) => (s, e),
    };
    // Underline the token at the error, not an empty point.
    let end = if end > start {
        end
    } else {
        let rest = text.get(start..).unwrap_or("");
        let n = rest
            .find(|c: char| c.is_whitespace() || "(){}[],".contains(c))
            .unwrap_or(rest.len())
            .max(1);
        (start + n).min(text.len())
    };
    let found = text.get(start..end).unwrap_or("").trim();
    // A long token is named by its start.
    let found = match found.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &found[..i]),
        None => found.to_string(),
    };
    let found = found.as_str();
    let mut expected = match &e.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => {
            let mut names: Vec<String> = positives.iter().map(rule_name).collect();
            names.sort();
            names.dedup();
            names
        }
        pest::error::ErrorVariant::CustomError { message } => vec![message.clone()],
    };
    if expected.len() > 4 {
        expected.truncate(4);
        expected.push("…".to_string());
    }
    let found_text = if found.is_empty() {
        "the end of the file".to_string()
    } else {
        format!("`{found}`")
    };
    let mut d = Diagnostic::error(
        Code::E0001,
        Span::new(file, start, end),
        format!("unexpected {found_text}"),
    )
    .label(format!("expected {}", expected.join(" or ")));
    if let Some(kw) = crate::diagnostics::suggest(found, KEYWORDS.iter().copied()) {
        if kw != found {
            d = d.help(format!("did you mean `{kw}`?"));
        }
    }
    if d.help.is_none() {
        d = d.help("see docs/language.md for the syntax of declarations and expressions");
    }
    d
}

/// Keywords of the language (for "did you mean").
pub const KEYWORDS: &[&str] = &[
    "standard",
    "control",
    "recommendation",
    "import",
    "fn",
    "condition",
    "const",
    "applies",
    "compliant",
    "when",
    "let",
    "remediation",
    "fix",
    "set",
    "remove",
    "append",
    "where",
    "and",
    "or",
    "not",
    "in",
    "any",
    "all",
    "none",
    "count",
    "true",
    "false",
    "null",
    "self",
    "severity",
    "description",
];
