//! The abstract syntax tree: every node carries the byte span it came from.

use crate::source::Span;

/// A name with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Name {
    /// The text.
    pub text: String,
    /// Where.
    pub span: Span,
}

/// One parsed file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct File {
    /// Declarations in order.
    pub decls: Vec<Decl>,
}

/// A top-level declaration.
#[derive(Clone, Debug, PartialEq)]
pub enum Decl {
    /// `import "file.tenet"`.
    Import(Name),
    /// `standard id "title" { fields }`.
    Standard(Header),
    /// `control id "title" { fields }`.
    Control(Header),
    /// `recommendation id "title" { ... }`.
    Recommendation(Recommendation),
    /// `fn name(params) = expr` (and `condition name = expr`, which has no parameters).
    Function(Function),
    /// `const name = expr`.
    Const(Name, Expr),
}

/// id, title and metadata fields.
#[derive(Clone, Debug, PartialEq)]
pub struct Header {
    /// Stable id.
    pub id: Name,
    /// Title.
    pub title: Name,
    /// Metadata fields.
    pub fields: Vec<Field>,
    /// The whole declaration.
    pub span: Span,
}

/// `key value` metadata.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// The key.
    pub key: Name,
    /// The value.
    pub value: FieldValue,
}

/// Values a metadata field can take.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldValue {
    /// A string.
    Str(Name),
    /// A number.
    Num(f64, Span),
    /// An identifier such as `high` or `NS-2`.
    Id(Name),
    /// `["a", "b"]`.
    List(Vec<Name>, Span),
    /// `{ key "v" key2 ["a", "b"] }`.
    Map(Vec<(Name, Vec<Name>)>, Span),
}

impl FieldValue {
    /// The span of the value.
    pub fn span(&self) -> Span {
        match self {
            FieldValue::Str(n) | FieldValue::Id(n) => n.span,
            FieldValue::Num(_, s) | FieldValue::List(_, s) | FieldValue::Map(_, s) => *s,
        }
    }
}

/// A pure helper or named condition.
#[derive(Clone, Debug, PartialEq)]
pub struct Function {
    /// Its name.
    pub name: Name,
    /// Parameters.
    pub params: Vec<Name>,
    /// Body.
    pub body: Expr,
    /// Declared with `condition` (called without parentheses).
    pub is_condition: bool,
}

/// A recommendation (or a risk factor).
#[derive(Clone, Debug, PartialEq)]
pub struct Recommendation {
    /// id, title and metadata.
    pub header: Header,
    /// The items written directly in the recommendation: its `applies` lines and the condition,
    /// remediation and fix for the types they name.
    pub body: Body,
    /// `applies provider "type" { … }` blocks: a condition, remediation and fix of their own for
    /// the types each names (one per input shape).
    pub shapes: Vec<Body>,
    /// A `risk_factor` (its `present when` condition is in `compliant`), not a recommendation.
    pub factor: bool,
}

/// What a recommendation decides for the resources some `applies` select.
#[derive(Clone, Debug, PartialEq)]
pub struct Body {
    /// `applies provider "type"` selectors (exactly one in a block).
    pub applies: Vec<(Name, Vec<Name>)>,
    /// `when` applicability filters.
    pub when: Vec<Expr>,
    /// `compliant when` conditions (at most one is valid).
    pub compliant: Vec<Expr>,
    /// `let` bindings.
    pub lets: Vec<(Name, Expr)>,
    /// `remediation` templates (at most one is valid).
    pub remediation: Vec<Template>,
    /// Fix operations (`None` when there is no fix block).
    pub fix: Option<(Vec<FixOp>, Span)>,
    /// The block (for a shape), or the recommendation's header (for its own items).
    pub span: Span,
}

impl Body {
    /// An empty body at `span`.
    pub fn new(span: Span) -> Body {
        Body {
            applies: Vec::new(),
            when: Vec::new(),
            compliant: Vec::new(),
            lets: Vec::new(),
            remediation: Vec::new(),
            fix: None,
            span,
        }
    }

    /// Whether the body holds a condition, filter, binding, remediation or fix.
    pub fn has_items(&self) -> bool {
        !(self.when.is_empty()
            && self.compliant.is_empty()
            && self.lets.is_empty()
            && self.remediation.is_empty()
            && self.fix.is_none())
    }
}

/// Remediation text with `{expr}` placeholders.
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    /// Literal text and placeholders, in order.
    pub parts: Vec<TemplatePart>,
    /// The string literal.
    pub span: Span,
}

/// Part of a template.
#[derive(Clone, Debug, PartialEq)]
pub enum TemplatePart {
    /// Literal text.
    Text(String),
    /// A placeholder.
    Expr(Expr),
}

/// A fix operation.
#[derive(Clone, Debug, PartialEq)]
pub enum FixOp {
    /// `set path = value`.
    Set(Expr, Expr),
    /// `remove path`.
    Remove(Expr),
    /// `append value to path`.
    Append(Expr, Expr),
    /// `remove x in path where condition`.
    RemoveWhere(Name, Expr, Expr),
}

/// Binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// `or`
    Or,
    /// `and`
    And,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `in`
    In,
    /// `not in`
    NotIn,
    /// `??`
    Default,
}

impl BinOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::In => "in",
            BinOp::NotIn => "not in",
            BinOp::Default => "??",
        }
    }
}

/// Quantifier kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Quant {
    /// Some element satisfies the body.
    Any,
    /// Every element does.
    All,
    /// No element does.
    None,
    /// How many do (a number).
    Count,
}

/// An expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where.
    pub span: Span,
}

/// Expression forms.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A string literal.
    Str(String),
    /// A number literal.
    Num(f64),
    /// `true` / `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// `[a, b]`.
    List(Vec<Expr>),
    /// `{"key": value}`.
    Map(Vec<(Name, Expr)>),
    /// A name: a variable, let, const, condition, or a field of the resource.
    Name(String),
    /// `self`: the resource.
    SelfRef,
    /// `e.field`.
    Field(Box<Expr>, Name),
    /// `e[index]`.
    Index(Box<Expr>, Box<Expr>),
    /// `f(args)`.
    Call(Name, Vec<Expr>),
    /// `not e`.
    Not(Box<Expr>),
    /// `a op b`.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `any x in source { body }` (with `k, v` for two variables).
    Quant {
        /// Which quantifier.
        kind: Quant,
        /// One or two variables.
        vars: Vec<Name>,
        /// The collection.
        source: Box<Expr>,
        /// The body.
        body: Box<Expr>,
    },
}
