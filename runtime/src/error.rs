//! The runtime's errors: bad inputs, located at their file, line and column, and failures of the
//! engine or the module; each message says what to do about it.

/// Errors of the runtime. Each says what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// wasmtime could not be set up.
    #[error("cannot start the WebAssembly engine: {0}")]
    Engine(String),
    /// The module is not a tenet module.
    #[error("this is not a tenet standard: {0}; compile a standard with `tenet compile`")]
    NotTenet(String),
    /// The module has another ABI version.
    #[error("this standard uses module ABI version {0}, but this tenet supports version {v}; recompile it with this tenet", v = tenet_stdlib::abi::ABI_VERSION)]
    Abi(u32),
    /// The evaluation ran out of time.
    #[error("evaluation took longer than {0:?} and was stopped; raise the limit with --timeout if the machine is slow or loaded")]
    Timeout(std::time::Duration),
    /// The evaluation used its whole instruction budget.
    #[error("evaluation needed more than {0} instructions and was stopped; raise the limit with --max-instructions if the resource is very large")]
    Fuel(u64),
    /// The module trapped.
    #[error("the standard failed while evaluating: {0}")]
    Trap(String),
    /// Memory could not be reserved (limit reached).
    #[error("the evaluation needed more memory than allowed (--max-memory)")]
    Memory,
    /// Input problem.
    #[error("{0}")]
    Input(#[from] InputError),
}

impl RuntimeError {
    /// Whether the error belongs to the one resource being evaluated (a limit hit or a trap),
    /// so that the others can still be evaluated, rather than to the module or the engine.
    pub fn is_per_resource(&self) -> bool {
        matches!(
            self,
            RuntimeError::Timeout(_)
                | RuntimeError::Fuel(_)
                | RuntimeError::Memory
                | RuntimeError::Trap(_)
        )
    }
}

/// A bad input: where and what.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("{file}{}: {message}", loc(*line, *col))]
pub struct InputError {
    /// The file (or `<stdin>`).
    pub file: String,
    /// 1-based line, 0 when unknown.
    pub line: usize,
    /// 1-based column, 0 when unknown.
    pub col: usize,
    /// What is wrong and how to fix it.
    pub message: String,
}

fn loc(line: usize, col: usize) -> String {
    match (line, col) {
        (0, _) => String::new(),
        (l, 0) => format!(":{l}"),
        (l, c) => format!(":{l}:{c}"),
    }
}

/// An input error at a place.
pub fn err(file: &str, line: usize, col: usize, message: impl Into<String>) -> InputError {
    InputError {
        file: file.to_string(),
        line,
        col,
        message: message.into(),
    }
}

/// The input error for invalid UTF-8 in `bytes`, which start at `line`.
pub fn utf8_error(file: &str, bytes: &[u8], line: usize, e: std::str::Utf8Error) -> InputError {
    let at = e.valid_up_to();
    let line = line + memchr::memchr_iter(b'\n', &bytes[..at]).count();
    err(
        file,
        line,
        0,
        "not UTF-8 text; convert the file to UTF-8 (`iconv -t UTF-8`)",
    )
}

/// The input error for a JSON syntax error in a text starting at (line, col).
pub fn json_error(file: &str, line: usize, col: usize, e: &serde_json::Error) -> InputError {
    let (l, c) = relative(line, col, e.line(), e.column());
    err(file, l, c, json_message(&e.to_string()))
}

/// Absolute line and column of a position reported relative to a text starting at (line, col).
pub fn relative(line: usize, col: usize, rl: usize, rc: usize) -> (usize, usize) {
    if rl <= 1 {
        (line, col + rc.saturating_sub(1))
    } else {
        (line + rl - 1, rc)
    }
}

/// The message of a JSON syntax error, without serde's position suffix, with a hint.
pub fn json_message(msg: &str) -> String {
    let msg = msg.split(" at line ").next().unwrap_or(msg).to_string();
    let hint = if msg.contains("recursion limit") || msg.contains("nested too deeply") {
        "; documents may nest at most 128 levels"
    } else {
        "; fix the JSON syntax (a validator such as `jq . FILE` shows the same place)"
    };
    format!("invalid JSON: {msg}{hint}")
}
