//! The calling convention every reference implementation shares: the context the host supplies,
//! the faults a call can end in, what a call returns, and checked access to its arguments.

use serde_json::Value;

/// A runtime fault: the evaluation of a recommendation on a resource ends in the `error` state.
/// The discriminants are the error codes of the module ABI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Fault {
    /// A function received an argument of the wrong type.
    Type = 1,
    /// An ordering comparison (`<`, `<=`, `>`, `>=`) between values of different types.
    Compare = 2,
    /// A quantifier over a value that is neither a list nor a map.
    Iterate = 3,
}

impl Fault {
    /// The ABI error code.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// Decodes an ABI error code.
    pub fn from_code(code: u8) -> Option<Fault> {
        match code {
            1 => Some(Fault::Type),
            2 => Some(Fault::Compare),
            3 => Some(Fault::Iterate),
            _ => None,
        }
    }

    /// A readable description.
    pub fn message(self) -> &'static str {
        match self {
            Fault::Type => "a function received a value of the wrong type",
            Fault::Compare => "values of different types cannot be ordered",
            Fault::Iterate => "a quantifier needs a list or a map",
        }
    }
}

/// What a function returns to the interpreter: a value or absent (`None`).
pub type Ret = Result<Option<Value>, Fault>;

/// Evaluation context the host supplies.
#[derive(Clone, Copy, Debug, Default)]
pub struct Ctx {
    /// The evaluation time, in seconds since the Unix epoch.
    pub now: f64,
}

/// The `i`-th argument (the checker guarantees arity; a mismatch is a type fault, not a panic).
pub fn arg<'a>(a: &[&'a Value], i: usize) -> Result<&'a Value, Fault> {
    a.get(i).copied().ok_or(Fault::Type)
}

/// The `i`-th argument as a string.
pub fn str_arg<'a>(a: &[&'a Value], i: usize) -> Result<&'a str, Fault> {
    arg(a, i)?.as_str().ok_or(Fault::Type)
}
