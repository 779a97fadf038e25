//! Equality, ordering and membership with the semantics every back end shares.
//!
//! - `==` is structural: numbers by value, strings byte-wise, arrays element-wise, objects as sets
//!   of entries (order ignored). Values of different types are not equal; there is no coercion.
//! - Ordering is defined between two numbers and between two strings (byte-wise); anything else is
//!   a [`Fault::Compare`].
//! - `x in c`: `c` a list, some element equals `x`; a string, `x` is a substring; a map, `x` is a key.

use crate::call::Fault;
use serde_json::Value;
use std::cmp::Ordering;

/// Structural equality.
pub fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| equal(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| equal(v, w)))
        }
        _ => a == b,
    }
}

/// Ordering of two numbers or two strings.
pub fn order(a: &Value, b: &Value) -> Result<Ordering, Fault> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
            Ok(x.partial_cmp(&y).unwrap_or(Ordering::Equal))
        }
        (Value::String(x), Value::String(y)) => Ok(x.as_bytes().cmp(y.as_bytes())),
        _ => Err(Fault::Compare),
    }
}

/// Membership: `needle in hay`. A haystack that is not a collection or string is a type fault.
pub fn contains(hay: &Value, needle: &Value) -> Result<bool, Fault> {
    match hay {
        Value::Array(items) => Ok(items.iter().any(|i| equal(i, needle))),
        Value::Object(m) => Ok(needle.as_str().is_some_and(|k| m.contains_key(k))),
        Value::String(s) => match needle {
            Value::String(n) => Ok(s.contains(n.as_str())),
            _ => Err(Fault::Type),
        },
        _ => Err(Fault::Type),
    }
}
