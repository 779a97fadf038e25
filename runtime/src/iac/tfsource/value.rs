//! What evaluation produces and how it fails, shared by expressions ([`super::eval`]) and
//! functions ([`super::functions`]): a value, or a [`Fail`].

use serde_json::{Number, Value};

/// Why an expression has no value.
#[derive(Debug, Clone, PartialEq)]
pub enum Fail {
    /// Terraform would reject it (a wrong type, a missing attribute, a cycle).
    Error(String),
    /// It needs more work, memory or depth than a module is given.
    Budget(String),
}

/// What evaluation gives.
pub type R = Result<Value, Fail>;

/// An error Terraform would report.
pub fn error(m: impl Into<String>) -> Fail {
    Fail::Error(m.into())
}

/// A number value: integral numbers as integers, so `1 == 1.0`.
pub fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        Value::Number(Number::from(x as i64))
    } else {
        Number::from_f64(x).map_or(Value::Null, Value::Number)
    }
}
