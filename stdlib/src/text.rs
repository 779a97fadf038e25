//! String, pattern and version functions.

use crate::call::{arg, str_arg, Ctx, Fault, Ret};
use crate::value::number;
use serde_json::Value;
use std::cmp::Ordering;

fn s(v: String) -> Ret {
    Ok(Some(Value::String(v)))
}

fn b(v: bool) -> Ret {
    Ok(Some(Value::Bool(v)))
}

pub(crate) fn lower(a: &[&Value], _: &Ctx) -> Ret {
    s(str_arg(a, 0)?.to_ascii_lowercase())
}

pub(crate) fn upper(a: &[&Value], _: &Ctx) -> Ret {
    s(str_arg(a, 0)?.to_ascii_uppercase())
}

pub(crate) fn trim(a: &[&Value], _: &Ctx) -> Ret {
    s(str_arg(a, 0)?
        .trim_matches(|c: char| c.is_ascii_whitespace())
        .to_string())
}

pub(crate) fn starts_with(a: &[&Value], _: &Ctx) -> Ret {
    b(str_arg(a, 0)?.starts_with(str_arg(a, 1)?))
}

pub(crate) fn ends_with(a: &[&Value], _: &Ctx) -> Ret {
    b(str_arg(a, 0)?.ends_with(str_arg(a, 1)?))
}

pub(crate) fn contains(a: &[&Value], _: &Ctx) -> Ret {
    b(crate::compare::contains(arg(a, 0)?, arg(a, 1)?)?)
}

pub(crate) fn split(a: &[&Value], _: &Ctx) -> Ret {
    let (text, sep) = (str_arg(a, 0)?, str_arg(a, 1)?);
    let parts: Vec<Value> = if sep.is_empty() {
        vec![Value::String(text.to_string())]
    } else {
        text.split(sep)
            .map(|p| Value::String(p.to_string()))
            .collect()
    };
    Ok(Some(Value::Array(parts)))
}

pub(crate) fn length(a: &[&Value], _: &Ctx) -> Ret {
    let n = match arg(a, 0)? {
        Value::String(s) => s.chars().count(),
        Value::Array(v) => v.len(),
        Value::Object(m) => m.len(),
        _ => return Err(Fault::Type),
    };
    Ok(Some(number(n as f64)))
}

pub(crate) fn to_number(a: &[&Value], _: &Ctx) -> Ret {
    match arg(a, 0)? {
        Value::Number(n) => Ok(Some(Value::Number(n.clone()))),
        Value::String(s) => {
            let (neg, digits) = match s.strip_prefix('-') {
                Some(d) => (true, d),
                None => (false, s.as_str()),
            };
            if digits.is_empty() || digits.len() > 15 || !digits.bytes().all(|c| c.is_ascii_digit())
            {
                return Ok(None);
            }
            let v: f64 = digits.parse().unwrap_or(0.0);
            Ok(Some(number(if neg { -v } else { v })))
        }
        _ => Err(Fault::Type),
    }
}

pub(crate) fn matches(a: &[&Value], _: &Ctx) -> Ret {
    let (text, pattern) = (str_arg(a, 0)?, str_arg(a, 1)?);
    let re = crate::automata::cached_regex(pattern).ok_or(Fault::Type)?;
    b(re.is_match(text.as_bytes()))
}

pub(crate) fn glob(a: &[&Value], _: &Ctx) -> Ret {
    let (text, pattern) = (str_arg(a, 0)?, str_arg(a, 1)?);
    let re = crate::automata::cached_regex(
        &crate::automata::glob_regex(pattern, false).ok_or(Fault::Type)?,
    )
    .ok_or(Fault::Type)?;
    b(re.is_match(text.as_bytes()))
}

/// The maximal runs of ASCII digits of `s`, each saturating at 10^15.
pub fn digit_runs(s: &str) -> Vec<u64> {
    let mut runs = Vec::new();
    let mut cur: Option<u64> = None;
    for c in s.bytes() {
        if c.is_ascii_digit() {
            let d = u64::from(c - b'0');
            cur = Some(
                cur.unwrap_or(0)
                    .saturating_mul(10)
                    .saturating_add(d)
                    .min(1_000_000_000_000_000),
            );
        } else if let Some(n) = cur.take() {
            runs.push(n);
        }
    }
    runs.extend(cur);
    runs
}

fn cmp_runs(x: &[u64], y: &[u64]) -> Ordering {
    for i in 0..x.len().max(y.len()) {
        let (p, q) = (
            x.get(i).copied().unwrap_or(0),
            y.get(i).copied().unwrap_or(0),
        );
        match p.cmp(&q) {
            Ordering::Equal => {}
            o => return o,
        }
    }
    Ordering::Equal
}

fn ord_num(o: Ordering) -> Ret {
    Ok(Some(number(match o {
        Ordering::Less => -1.0,
        Ordering::Equal => 0.0,
        Ordering::Greater => 1.0,
    })))
}

pub(crate) fn version_compare(a: &[&Value], _: &Ctx) -> Ret {
    let (x, y) = (digit_runs(str_arg(a, 0)?), digit_runs(str_arg(a, 1)?));
    if x.is_empty() || y.is_empty() {
        return Ok(None);
    }
    ord_num(cmp_runs(&x, &y))
}

/// Splits a version into (core, pre-release) after dropping a leading `v` and any build metadata.
fn semver_parts(v: &str) -> (&str, Option<&str>) {
    let v = v.strip_prefix(['v', 'V']).unwrap_or(v);
    let v = v.split('+').next().unwrap_or(v);
    match v.split_once('-') {
        Some((core, pre)) => (core, Some(pre)),
        None => (v, None),
    }
}

fn cmp_pre(x: &str, y: &str) -> Ordering {
    let (mut xi, mut yi) = (x.split('.'), y.split('.'));
    loop {
        match (xi.next(), yi.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(p), Some(q)) => {
                let pn = !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit());
                let qn = !q.is_empty() && q.bytes().all(|c| c.is_ascii_digit());
                let o = match (pn, qn) {
                    (true, true) => cmp_runs(&digit_runs(p), &digit_runs(q)),
                    (true, false) => Ordering::Less,
                    (false, true) => Ordering::Greater,
                    (false, false) => p.as_bytes().cmp(q.as_bytes()),
                };
                if o != Ordering::Equal {
                    return o;
                }
            }
        }
    }
}

pub(crate) fn semver_compare(a: &[&Value], _: &Ctx) -> Ret {
    let ((xc, xp), (yc, yp)) = (semver_parts(str_arg(a, 0)?), semver_parts(str_arg(a, 1)?));
    let (x, y) = (digit_runs(xc), digit_runs(yc));
    if x.is_empty() || y.is_empty() {
        return Ok(None);
    }
    let o = cmp_runs(&x, &y).then(match (xp, yp) {
        (None, None) => Ordering::Equal,
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (Some(p), Some(q)) => cmp_pre(p, q),
    });
    ord_num(o)
}

/// Formats a number the way every back end renders it in text: integers without a fraction,
/// other values rounded to six decimals with trailing zeros removed.
pub fn format_number(f: f64) -> String {
    if !f.is_finite() {
        return "null".to_string();
    }
    let neg = f < 0.0;
    let scaled = (f.abs() * 1e6).round_ties_even();
    if scaled >= 1e18 {
        return format!("{}{}", if neg { "-" } else { "" }, "1e18+");
    }
    let scaled = scaled as u64;
    let (int, frac) = (scaled / 1_000_000, scaled % 1_000_000);
    let mut out = String::new();
    if neg && scaled != 0 {
        out.push('-');
    }
    out.push_str(&int.to_string());
    if frac != 0 {
        let digits = format!("{frac:06}");
        out.push('.');
        out.push_str(digits.trim_end_matches('0'));
    }
    out
}

/// Renders a value as text for remediation messages.
pub fn render(v: Option<&Value>) -> String {
    let mut out = String::new();
    render_into(v, &mut out);
    out
}

fn render_into(v: Option<&Value>, out: &mut String) {
    match v {
        None => out.push_str("(missing)"),
        Some(v) if crate::value::is_unknown(v) => out.push_str("(unknown)"),
        Some(Value::Null) => out.push_str("null"),
        Some(Value::Bool(x)) => out.push_str(if *x { "true" } else { "false" }),
        Some(Value::Number(n)) => out.push_str(&format_number(n.as_f64().unwrap_or(0.0))),
        Some(Value::String(s)) => out.push_str(s),
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                render_into(Some(item), out);
            }
        }
        Some(Value::Object(_)) => out.push_str("{...}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn call(f: fn(&[&Value], &Ctx) -> Ret, args: &[Value]) -> Ret {
        let refs: Vec<&Value> = args.iter().collect();
        f(&refs, &Ctx::default())
    }

    #[test]
    fn versions_compare_by_digit_runs() {
        assert_eq!(
            call(version_compare, &[json!("TLS1_0"), json!("TLS1_2")]),
            Ok(Some(json!(-1)))
        );
        assert_eq!(
            call(version_compare, &[json!("1.10"), json!("1.9")]),
            Ok(Some(json!(1)))
        );
        assert_eq!(
            call(version_compare, &[json!("1.2.0"), json!("1.2")]),
            Ok(Some(json!(0)))
        );
        assert_eq!(
            call(version_compare, &[json!("latest"), json!("1")]),
            Ok(None)
        );
    }

    #[test]
    fn semver_orders_prereleases_first() {
        let order = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "v1.0.1+build.5",
        ];
        for w in order.windows(2) {
            assert_eq!(
                call(semver_compare, &[json!(w[0]), json!(w[1])]),
                Ok(Some(json!(-1))),
                "{} < {}",
                w[0],
                w[1]
            );
            assert_eq!(
                call(semver_compare, &[json!(w[1]), json!(w[0])]),
                Ok(Some(json!(1)))
            );
        }
    }

    #[test]
    fn strings() {
        assert_eq!(
            call(split, &[json!("a,,b"), json!(",")]),
            Ok(Some(json!(["a", "", "b"])))
        );
        assert_eq!(
            call(split, &[json!("ab"), json!("")]),
            Ok(Some(json!(["ab"])))
        );
        assert_eq!(call(length, &[json!("héllo")]), Ok(Some(json!(5))));
        assert_eq!(call(trim, &[json!(" \tx \n")]), Ok(Some(json!("x"))));
        assert_eq!(call(lower, &[json!("ÀB")]), Ok(Some(json!("Àb"))));
        assert_eq!(call(lower, &[json!(1)]), Err(Fault::Type));
        assert_eq!(
            call(contains, &[json!(["a", 1]), json!(1.0)]),
            Ok(Some(json!(true)))
        );
        assert_eq!(
            call(contains, &[json!({"k": 1}), json!("k")]),
            Ok(Some(json!(true)))
        );
        assert_eq!(
            call(matches, &[json!("prod-1"), json!("^prod-[0-9]$")]),
            Ok(Some(json!(true)))
        );
        assert_eq!(
            call(
                glob,
                &[json!("Microsoft.Storage/x"), json!("Microsoft.Storage/*")]
            ),
            Ok(Some(json!(true)))
        );
    }

    #[test]
    fn numbers_format_stably() {
        assert_eq!(format_number(3.0), "3");
        assert_eq!(format_number(-0.5), "-0.5");
        assert_eq!(format_number(1.0 / 3.0), "0.333333");
        assert_eq!(format_number(2.0000001), "2");
        assert_eq!(format_number(-0.0000001), "0");
        assert_eq!(
            render(Some(&json!(["a", 1, true, {"x": 1}]))),
            "a, 1, true, {...}"
        );
    }
}
