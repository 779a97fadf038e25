//! The Terraform functions known before deployment: collections (`concat`, `merge`, `lookup`,
//! `element`, `flatten`, ...), strings (`format`, `join`, `lower`, `replace`, ...), numbers,
//! conversions and `jsonencode`/`jsondecode`. A function whose result depends on the machine or
//! the moment (`file`, `timestamp`, `uuid`) or that is not listed here gives the unknown value; an
//! unknown argument gives an unknown result.

use super::value::{error, number, Fail, R};
use crate::iac::{is_unknown, unknown};
use serde_json::{Map, Value};

/// Most elements `range` may produce.
const MAX_RANGE: f64 = 1_000_000.0;

/// Whether `v` holds the unknown value anywhere.
pub fn has_unknown(v: &Value) -> bool {
    match v {
        Value::Object(m) => is_unknown(v) || m.values().any(has_unknown),
        Value::Array(a) => a.iter().any(has_unknown),
        _ => false,
    }
}

/// Terraform's `==`: same type and value (numbers by value).
pub fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| equal(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| equal(v, w)))
        }
        _ => a == b,
    }
}

/// A number, converting a numeric string as Terraform does.
pub fn to_number(v: &Value) -> Result<f64, Fail> {
    match v {
        Value::Number(n) => Ok(n.as_f64().unwrap_or(0.0)),
        Value::String(s) => s
            .trim()
            .parse::<f64>()
            .map_err(|_| error(format!("`{s}` is not a number"))),
        _ => Err(error("a number is needed")),
    }
}

/// A string, converting numbers and bools as Terraform does.
pub fn to_text(v: &Value) -> Result<String, Fail> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        _ => Err(error("a string is needed")),
    }
}

fn list(v: Value) -> Result<Vec<Value>, Fail> {
    match v {
        Value::Array(a) => Ok(a),
        _ => Err(error("a list is needed")),
    }
}

fn map(v: Value) -> Result<Map<String, Value>, Fail> {
    match v {
        Value::Object(m) => Ok(m),
        _ => Err(error("a map or object is needed")),
    }
}

fn arity(args: &[Value], min: usize, max: usize, name: &str) -> Result<(), Fail> {
    if args.len() < min || args.len() > max {
        return Err(error(format!("wrong number of arguments to {name}()")));
    }
    Ok(())
}

/// Calls function `name` on evaluated arguments.
pub fn call(name: &str, args: Vec<Value>) -> R {
    // Collection functions keep known structure around unknown elements; the rest need every
    // argument known.
    let structural = matches!(
        name,
        "length"
            | "concat"
            | "flatten"
            | "element"
            | "one"
            | "tolist"
            | "toset"
            | "keys"
            | "values"
            | "merge"
            | "lookup"
            | "compact"
            | "coalescelist"
            | "reverse"
            | "slice"
    );
    if args.iter().any(is_unknown) || (!structural && args.iter().any(has_unknown)) {
        return Ok(unknown());
    }
    let mut args = args;
    let arg = |a: &mut Vec<Value>| {
        if a.is_empty() {
            Value::Null
        } else {
            a.remove(0)
        }
    };
    Ok(match name {
        "length" => {
            arity(&args, 1, 1, name)?;
            number(match &args[0] {
                Value::Array(a) => a.len(),
                Value::Object(m) => m.len(),
                Value::String(s) => s.chars().count(),
                _ => return Err(error("length() needs a list, map or string")),
            } as f64)
        }
        "concat" => {
            let mut out = Vec::new();
            for a in args {
                out.extend(list(a)?);
            }
            Value::Array(out)
        }
        "merge" => {
            let mut out = Map::new();
            for a in args {
                match a {
                    Value::Null => {}
                    a => out.extend(map(a)?),
                }
            }
            Value::Object(out)
        }
        "lookup" => {
            arity(&args, 2, 3, name)?;
            let m = map(arg(&mut args))?;
            let k = to_text(&arg(&mut args))?;
            match (m.get(&k), args.pop()) {
                (Some(v), _) => v.clone(),
                (None, Some(d)) => d,
                (None, None) => return Err(error(format!("no key `{k}` in lookup()"))),
            }
        }
        "element" => {
            arity(&args, 2, 2, name)?;
            let l = list(arg(&mut args))?;
            let i = to_number(&args[0])?;
            if l.is_empty() || i < 0.0 {
                return Err(error("element() of an empty list or a negative index"));
            }
            l[(i as usize) % l.len()].clone()
        }
        "one" => {
            let l = list(arg(&mut args))?;
            match l.len() {
                0 => Value::Null,
                1 => l.into_iter().next().unwrap_or(Value::Null),
                _ => return Err(error("one() of a list with more than one element")),
            }
        }
        "flatten" => {
            fn flat(v: Value, out: &mut Vec<Value>, depth: usize) -> Result<(), Fail> {
                match v {
                    Value::Array(a) if depth < 32 => {
                        for x in a {
                            flat(x, out, depth + 1)?;
                        }
                    }
                    Value::Array(_) => return Err(error("flatten() nests too deep")),
                    x => out.push(x),
                }
                Ok(())
            }
            let mut out = Vec::new();
            for x in list(arg(&mut args))? {
                flat(x, &mut out, 0)?;
            }
            Value::Array(out)
        }
        "tolist" => Value::Array(list(arg(&mut args))?),
        "toset" | "distinct" => {
            let mut out: Vec<Value> = Vec::new();
            for x in list(arg(&mut args))? {
                if !out.iter().any(|y| equal(y, &x)) {
                    out.push(x);
                }
            }
            Value::Array(out)
        }
        "tomap" => Value::Object(map(arg(&mut args))?),
        "keys" => Value::Array(
            map(arg(&mut args))?
                .keys()
                .map(|k| Value::String(k.clone()))
                .collect(),
        ),
        "values" => Value::Array(map(arg(&mut args))?.into_iter().map(|(_, v)| v).collect()),
        "compact" => Value::Array(
            list(arg(&mut args))?
                .into_iter()
                .filter(|v| !v.is_null() && v.as_str() != Some(""))
                .collect(),
        ),
        "coalescelist" => args
            .into_iter()
            .find(|a| a.as_array().is_some_and(|l| !l.is_empty()))
            .unwrap_or(Value::Array(vec![])),
        "reverse" => {
            let mut l = list(arg(&mut args))?;
            l.reverse();
            Value::Array(l)
        }
        "slice" => {
            arity(&args, 3, 3, name)?;
            let l = list(arg(&mut args))?;
            let (a, b) = (to_number(&args[0])?, to_number(&args[1])?);
            if a < 0.0 || b < a || b as usize > l.len() {
                return Err(error("slice() indexes out of range"));
            }
            Value::Array(l[a as usize..b as usize].to_vec())
        }
        "contains" => {
            arity(&args, 2, 2, name)?;
            let l = list(arg(&mut args))?;
            Value::Bool(l.iter().any(|x| equal(x, &args[0])))
        }
        "index" => {
            arity(&args, 2, 2, name)?;
            let l = list(arg(&mut args))?;
            match l.iter().position(|x| equal(x, &args[0])) {
                Some(i) => number(i as f64),
                None => return Err(error("index(): value not in the list")),
            }
        }
        "zipmap" => {
            arity(&args, 2, 2, name)?;
            let k = list(arg(&mut args))?;
            let v = list(arg(&mut args))?;
            let mut out = Map::new();
            for (k, v) in k.iter().zip(v) {
                out.insert(to_text(k)?, v);
            }
            Value::Object(out)
        }
        "range" => {
            let n: Vec<f64> = args.iter().map(to_number).collect::<Result<_, _>>()?;
            let (start, end, step) = match n.as_slice() {
                [e] => (0.0, *e, 1.0),
                [s, e] => (*s, *e, if e >= s { 1.0 } else { -1.0 }),
                [s, e, st] => (*s, *e, *st),
                _ => return Err(error("range() takes one to three numbers")),
            };
            if step == 0.0 || ((end - start) / step).abs() > MAX_RANGE {
                return Err(error("range() too long"));
            }
            let mut out = Vec::new();
            let mut x = start;
            while (step > 0.0 && x < end) || (step < 0.0 && x > end) {
                out.push(number(x));
                x += step;
            }
            Value::Array(out)
        }
        "coalesce" => args
            .into_iter()
            .find(|a| !a.is_null() && a.as_str() != Some(""))
            .ok_or_else(|| error("coalesce(): every argument is null or empty"))?,
        "alltrue" => Value::Bool(
            list(arg(&mut args))?
                .iter()
                .all(|v| v == &Value::Bool(true) || v.as_str() == Some("true")),
        ),
        "anytrue" => Value::Bool(
            list(arg(&mut args))?
                .iter()
                .any(|v| v == &Value::Bool(true) || v.as_str() == Some("true")),
        ),
        "sum" => number(
            list(arg(&mut args))?
                .iter()
                .map(to_number)
                .sum::<Result<f64, _>>()?,
        ),
        "min" | "max" => {
            let n: Vec<f64> = args.iter().map(to_number).collect::<Result<_, _>>()?;
            let it = n.into_iter();
            let v = if name == "min" {
                it.reduce(f64::min)
            } else {
                it.reduce(f64::max)
            };
            number(v.ok_or_else(|| error("min()/max() of nothing"))?)
        }
        "abs" => number(to_number(&arg(&mut args))?.abs()),
        "ceil" => number(to_number(&arg(&mut args))?.ceil()),
        "floor" => number(to_number(&arg(&mut args))?.floor()),
        "tostring" => match arg(&mut args) {
            Value::Null => Value::Null,
            v => Value::String(to_text(&v)?),
        },
        "tonumber" => match arg(&mut args) {
            Value::Null => Value::Null,
            v => number(to_number(&v)?),
        },
        "tobool" => match arg(&mut args) {
            Value::Bool(b) => Value::Bool(b),
            Value::String(s) if s == "true" => Value::Bool(true),
            Value::String(s) if s == "false" => Value::Bool(false),
            Value::Null => Value::Null,
            _ => return Err(error("tobool() needs true or false")),
        },
        "lower" => Value::String(to_text(&arg(&mut args))?.to_lowercase()),
        "upper" => Value::String(to_text(&arg(&mut args))?.to_uppercase()),
        "trimspace" => Value::String(to_text(&arg(&mut args))?.trim().to_string()),
        "trimprefix" | "trimsuffix" => {
            let s = to_text(&arg(&mut args))?;
            let p = to_text(&arg(&mut args))?;
            let t = if name == "trimprefix" {
                s.strip_prefix(&p)
            } else {
                s.strip_suffix(&p)
            };
            Value::String(t.unwrap_or(&s).to_string())
        }
        "startswith" | "endswith" | "strcontains" => {
            let s = to_text(&arg(&mut args))?;
            let p = to_text(&arg(&mut args))?;
            Value::Bool(match name {
                "startswith" => s.starts_with(&p),
                "endswith" => s.ends_with(&p),
                _ => s.contains(&p),
            })
        }
        "join" => {
            let sep = to_text(&arg(&mut args))?;
            let mut parts = Vec::new();
            for l in args {
                for x in list(l)? {
                    parts.push(to_text(&x)?);
                }
            }
            Value::String(parts.join(&sep))
        }
        "split" => {
            let sep = to_text(&arg(&mut args))?;
            let s = to_text(&arg(&mut args))?;
            if sep.is_empty() {
                return Err(error("split() needs a separator"));
            }
            Value::Array(
                s.split(sep.as_str())
                    .map(|x| Value::String(x.into()))
                    .collect(),
            )
        }
        "replace" => {
            arity(&args, 3, 3, name)?;
            let s = to_text(&args[0])?;
            let from = to_text(&args[1])?;
            if from.len() > 1 && from.starts_with('/') && from.ends_with('/') {
                // A regular expression: not evaluated here.
                return Ok(unknown());
            }
            if from.is_empty() {
                return Err(error("replace() needs something to replace"));
            }
            Value::String(s.replace(&from, &to_text(&args[2])?))
        }
        "substr" => {
            arity(&args, 3, 3, name)?;
            let s = to_text(&args[0])?;
            let (off, len) = (to_number(&args[1])?, to_number(&args[2])?);
            let chars: Vec<char> = s.chars().collect();
            let start = if off < 0.0 {
                chars.len().saturating_sub((-off) as usize)
            } else {
                (off as usize).min(chars.len())
            };
            let end = if len < 0.0 {
                chars.len()
            } else {
                (start + len as usize).min(chars.len())
            };
            Value::String(chars[start..end].iter().collect())
        }
        "format" => {
            let f = to_text(&arg(&mut args))?;
            Value::String(format(&f, &args)?)
        }
        "jsonencode" => Value::String(serde_json::to_string(&arg(&mut args)).unwrap_or_default()),
        "jsondecode" => serde_json::from_str(&to_text(&arg(&mut args))?)
            .map_err(|e| error(format!("jsondecode(): {e}")))?,
        _ => unknown(),
    })
}

/// `format()`: `%s`, `%d`, `%v`, `%q`, `%f` (with a precision), `%%`.
fn format(f: &str, args: &[Value]) -> Result<String, Fail> {
    let mut out = String::new();
    let mut next = args.iter();
    let mut chars = f.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = String::new();
        while let Some(&d) = chars.peek() {
            if d.is_ascii_digit() || d == '.' || d == '-' || d == '+' || d == '#' {
                spec.push(d);
                chars.next();
            } else {
                break;
            }
        }
        let verb = chars.next().ok_or_else(|| error("format(): a lone `%`"))?;
        if verb == '%' {
            out.push('%');
            continue;
        }
        let v = next
            .next()
            .ok_or_else(|| error("format(): too few arguments"))?;
        match verb {
            's' | 'v' => {
                let text = match v {
                    Value::String(s) => s.clone(),
                    Value::Number(_) | Value::Bool(_) => to_text(v)?,
                    other => serde_json::to_string(other).unwrap_or_default(),
                };
                // `%.3s`: at most three characters.
                match spec
                    .split_once('.')
                    .and_then(|(_, p)| p.parse::<usize>().ok())
                {
                    Some(p) => out.extend(text.chars().take(p)),
                    None => out.push_str(&text),
                }
            }
            'q' => out.push_str(&serde_json::to_string(&to_text(v)?).unwrap_or_default()),
            'd' => {
                let n = to_number(v)?.trunc() as i64;
                let width: usize = spec
                    .split('.')
                    .next()
                    .and_then(|w| w.parse().ok())
                    .unwrap_or(0);
                if spec.starts_with('0') {
                    out.push_str(&format!("{n:0width$}", width = width.min(64)));
                } else {
                    out.push_str(&format!("{n:width$}", width = width.min(64)));
                }
            }
            'f' => {
                let p = spec
                    .split('.')
                    .nth(1)
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(6usize);
                out.push_str(&format!("{:.*}", p.min(32), to_number(v)?));
            }
            _ => return Err(error(format!("format(): `%{verb}` is not supported here"))),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn f(name: &str, args: Value) -> Value {
        let Value::Array(a) = args else {
            return Value::Null;
        };
        call(name, a).unwrap_or(Value::String("error".into()))
    }

    #[test]
    fn common_functions() {
        assert_eq!(
            f("merge", json!([{"a": 1}, {"b": 2}, {"a": 3}])),
            json!({"a": 3, "b": 2})
        );
        assert_eq!(f("lookup", json!([{"a": 1}, "b", 7])), json!(7));
        assert_eq!(f("concat", json!([[1], [2, 3]])), json!([1, 2, 3]));
        assert_eq!(
            f("format", json!(["%s-%03d %q %%", "a", 7, "x"])),
            json!("a-007 \"x\" %")
        );
        assert_eq!(f("element", json!([["a", "b"], 3])), json!("b"));
        assert_eq!(f("format", json!(["%.1s", "t3.micro"])), json!("t"));
        assert_eq!(f("coalesce", json!([null, "", "x"])), json!("x"));
        assert_eq!(f("jsonencode", json!([{"a": [1]}])), json!("{\"a\":[1]}"));
        assert_eq!(f("range", json!([3])), json!([0, 1, 2]));
        assert_eq!(f("range", json!([1e12])), json!("error"));
        assert_eq!(f("substr", json!(["hello", 1, 3])), json!("ell"));
        assert_eq!(f("tonumber", json!(["42"])), json!(42));
    }

    #[test]
    fn unknowns_spread_except_through_structure() {
        let u = unknown();
        assert!(is_unknown(&f("lower", json!([u.clone()]))));
        assert!(is_unknown(&f("join", json!([",", ["a", u.clone()]]))));
        assert_eq!(f("length", json!([["a", u.clone()]])), json!(2));
        assert!(is_unknown(&f("file", json!(["x"]))), "machine-dependent");
    }
}
