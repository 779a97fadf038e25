//! The function table: every stdlib function declared once, with its signature (read by the checker),
//! its reference implementation (run by the interpreter) and the name of its WebAssembly
//! implementation in the prelude (called by generated code).
//!
//! Shared conventions, identical in both implementations:
//! - an absent or unknown argument makes the result absent (a boolean result is then "unknown");
//! - an argument of the wrong JSON type is an evaluation error ([`Fault::Type`]);
//! - strings are compared byte-wise and case-sensitively unless the function says otherwise.

use crate::call::{arg, Ctx, Fault, Ret};
use crate::{net, text, time};
use serde_json::Value;

/// Types the checker knows. `Any` is the type of every path into a resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ty {
    /// Not known until evaluation.
    Any,
    /// true / false (three-valued at evaluation: unknown when an operand is missing).
    Bool,
    /// A number.
    Num,
    /// A string.
    Str,
    /// An array.
    List,
    /// An object.
    Map,
    /// null.
    Null,
}

impl Ty {
    /// The name used in diagnostics.
    pub fn name(self) -> &'static str {
        match self {
            Ty::Any => "any",
            Ty::Bool => "bool",
            Ty::Num => "number",
            Ty::Str => "string",
            Ty::List => "list",
            Ty::Map => "map",
            Ty::Null => "null",
        }
    }

    /// Whether a value of type `self` may be passed where `want` is expected.
    pub fn fits(self, want: Ty) -> bool {
        self == want || self == Ty::Any || want == Ty::Any
    }
}

/// Reference implementation of a function. Arguments are never absent or unknown: the caller
/// handles those before the call.
pub type Imp = fn(&[&Value], &Ctx) -> Ret;

/// One stdlib function.
#[derive(Debug)]
pub struct Function {
    /// The name policies call it by.
    pub name: &'static str,
    /// Parameter types.
    pub params: &'static [Ty],
    /// Parameters that must be string literals (compiled ahead of time, e.g. regex patterns).
    pub literal: Option<usize>,
    /// Result type.
    pub ret: Ty,
    /// One line of documentation with an example.
    pub doc: &'static str,
    /// The reference implementation.
    pub imp: Imp,
    /// The function in the WebAssembly prelude that implements it.
    pub wasm: &'static str,
}

use Ty::{Any, Bool, List, Map, Num, Str};

macro_rules! f {
    ($name:literal, [$($p:expr),*], $ret:expr, $imp:expr, $wasm:literal, $doc:literal) => {
        Function { name: $name, params: &[$($p),*], literal: None, ret: $ret, doc: $doc, imp: $imp, wasm: $wasm }
    };
    ($name:literal, [$($p:expr),*], literal $lit:literal, $ret:expr, $imp:expr, $wasm:literal, $doc:literal) => {
        Function { name: $name, params: &[$($p),*], literal: Some($lit), ret: $ret, doc: $doc, imp: $imp, wasm: $wasm }
    };
}

/// The table. Order is the documentation order; names are unique (checked by a test).
pub static FUNCTIONS: &[Function] = &[
    // strings
    f!("lower", [Str], Str, text::lower, "lower", "ASCII lower case: `lower(\"TLS1_2\") == \"tls1_2\"`"),
    f!("upper", [Str], Str, text::upper, "upper", "ASCII upper case: `upper(\"tcp\") == \"TCP\"`"),
    f!("trim", [Str], Str, text::trim, "trim", "strips ASCII white space at both ends"),
    f!("starts_with", [Str, Str], Bool, text::starts_with, "starts_with", "`starts_with(name, \"prod-\")`"),
    f!("ends_with", [Str, Str], Bool, text::ends_with, "ends_with", "`ends_with(image, \":latest\")`"),
    f!("contains", [Any, Any], Bool, text::contains, "contains", "substring of a string, element of a list, or key of a map: `contains(image, \"@sha256:\")`"),
    f!("split", [Str, Str], List, text::split, "split", "`split(\"a,b\", \",\") == [\"a\", \"b\"]`; an empty separator gives `[s]`"),
    f!("length", [Any], Num, text::length, "length", "characters of a string, elements of a list, entries of a map"),
    f!("number", [Any], Num, text::to_number, "number", "a number, or a string of an integer (`\"22\"`, `-1`; at most 15 digits) as a number; other strings are missing"),
    f!("matches", [Str, Str], literal 1, Bool, text::matches, "matches", "regular expression search (Rust `regex` syntax), pattern is a literal: `matches(name, \"^[a-z]+$\")`"),
    f!("glob", [Str, Str], literal 1, Bool, text::glob, "glob", "whole-string glob match (`*`, `?`, `[a-z]`, `{a,b}`), pattern is a literal"),
    // networks
    f!("cidr_contains", [Str, Str], Bool, net::cidr_contains, "cidr_contains", "`cidr_contains(\"10.0.0.0/8\", \"10.1.2.3\")`; unparsable input gives false"),
    f!("cidr_overlaps", [Str, Str], Bool, net::cidr_overlaps, "cidr_overlaps", "whether two addresses or CIDR blocks share an address"),
    f!("is_private", [Str], Bool, net::is_private, "is_private", "inside RFC 1918, loopback, link-local, CGNAT or IPv6 ULA/link-local/loopback"),
    f!("is_public", [Str], Bool, net::is_public, "is_public", "a valid address or block not wholly inside a private range (`0.0.0.0/0` is public)"),
    f!("is_any_source", [Str], Bool, net::is_any_source, "is_any_source", "`*`, `any`, `internet` (any case) or a block of prefix length 0 such as `0.0.0.0/0`, `::/0`"),
    f!("port_in", [Any, Any], Bool, net::ports_overlap, "ports_overlap", "`port_in(\"20-25\", 22)`: a port spec (`22`, `20-25`, `*`, `22,80`) includes the port"),
    f!("ports_overlap", [Any, Any], Bool, net::ports_overlap, "ports_overlap", "two port specs share a port"),
    // numbers
    f!("min", [Num, Num], Num, num_min, "min", "the smaller of two numbers"),
    f!("max", [Num, Num], Num, num_max, "max", "the larger of two numbers"),
    f!("abs", [Num], Num, num_abs, "abs", "absolute value"),
    f!("sum", [List], Num, sum, "sum", "sum of a list of numbers"),
    // versions
    f!("version_compare", [Str, Str], Num, text::version_compare, "version_compare", "-1, 0 or 1 comparing the digit runs: `version_compare(\"TLS1_0\", \"TLS1_2\") == -1`"),
    f!("semver_compare", [Str, Str], Num, text::semver_compare, "semver_compare", "-1, 0 or 1 by Semantic Versioning 2.0 precedence (pre-releases sort first)"),
    // dates
    f!("time", [Any], Num, time::time, "time", "seconds since the epoch of an RFC 3339 date or date-time"),
    f!("now", [], Num, time::now, "now", "the evaluation time given by the host"),
    f!("days_between", [Any, Any], Num, time::days_between, "days_between", "whole days from the first time to the second (dates or seconds)"),
    f!("days_since", [Any], Num, time::days_since, "days_since", "whole days from a time to the evaluation time"),
    // collections
    f!("keys", [Map], List, keys, "keys", "the keys of a map, in document order"),
    f!("values", [Map], List, values, "values", "the values of a map, in document order"),
    f!("unique", [List], List, unique, "unique", "the list without repeated elements (first occurrences kept)"),
    f!("as_list", [Any], List, as_list, "as_list", "a list as is, any other value as a list of that one value: `as_list(statement.Action)`"),
    f!("concat", [List, List], List, concat, "concat", "the elements of both lists, in order: `concat(spec.containers ?? [], spec.initContainers ?? [])`"),
    f!("required", [Any], Bool, required, "required", "true when the value is present; undecided when it is missing or unknown, so a rule that needs a whole part of a document cannot pass without it: `compliant when required(Properties) and ...`"),
    f!("is_unknown", [Any], Bool, is_unknown, "is_unknown", "whether a value is unknown until deployment"),
];

/// Looks a function up by name.
pub fn lookup(name: &str) -> Option<&'static Function> {
    FUNCTIONS.iter().find(|f| f.name == name)
}

fn num(v: &Value) -> Result<f64, Fault> {
    v.as_f64().ok_or(Fault::Type)
}

fn num_min(a: &[&Value], _: &Ctx) -> Ret {
    let (x, y) = (num(arg(a, 0)?)?, num(arg(a, 1)?)?);
    Ok(Some(crate::value::number(if y < x { y } else { x })))
}

fn num_max(a: &[&Value], _: &Ctx) -> Ret {
    let (x, y) = (num(arg(a, 0)?)?, num(arg(a, 1)?)?);
    Ok(Some(crate::value::number(if y > x { y } else { x })))
}

fn num_abs(a: &[&Value], _: &Ctx) -> Ret {
    Ok(Some(crate::value::number(num(arg(a, 0)?)?.abs())))
}

fn sum(a: &[&Value], _: &Ctx) -> Ret {
    let items = arg(a, 0)?.as_array().ok_or(Fault::Type)?;
    let mut total = 0.0;
    for item in items {
        total += num(item)?;
    }
    Ok(Some(crate::value::number(total)))
}

fn keys(a: &[&Value], _: &Ctx) -> Ret {
    let m = arg(a, 0)?.as_object().ok_or(Fault::Type)?;
    Ok(Some(Value::Array(
        m.keys().map(|k| Value::String(k.clone())).collect(),
    )))
}

fn values(a: &[&Value], _: &Ctx) -> Ret {
    let m = arg(a, 0)?.as_object().ok_or(Fault::Type)?;
    Ok(Some(Value::Array(m.values().cloned().collect())))
}

fn unique(a: &[&Value], _: &Ctx) -> Ret {
    let items = arg(a, 0)?.as_array().ok_or(Fault::Type)?;
    let mut out: Vec<Value> = Vec::new();
    for item in items {
        if !out.iter().any(|o| crate::compare::equal(o, item)) {
            out.push(item.clone());
        }
    }
    Ok(Some(Value::Array(out)))
}

fn as_list(a: &[&Value], _: &Ctx) -> Ret {
    Ok(Some(match arg(a, 0)? {
        Value::Array(v) => Value::Array(v.clone()),
        other => Value::Array(vec![other.clone()]),
    }))
}

fn required(_: &[&Value], _: &Ctx) -> Ret {
    // Reached only for present, known values: missing and unknown ones make it undecided.
    Ok(Some(Value::Bool(true)))
}

fn concat(a: &[&Value], _: &Ctx) -> Ret {
    let x = arg(a, 0)?.as_array().ok_or(Fault::Type)?;
    let y = arg(a, 1)?.as_array().ok_or(Fault::Type)?;
    Ok(Some(Value::Array(x.iter().chain(y).cloned().collect())))
}

fn is_unknown(_: &[&Value], _: &Ctx) -> Ret {
    // Reached only for known values: the interpreter answers true itself for unknown arguments.
    Ok(Some(Value::Bool(false)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_wasm_names_known() {
        let mut names: Vec<_> = FUNCTIONS.iter().map(|f| f.name).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len());
        for f in FUNCTIONS {
            assert!(
                crate::prelude::has_function(f.wasm),
                "{} has no prelude function ${}",
                f.name,
                f.wasm
            );
        }
    }
}
