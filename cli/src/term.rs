//! Terminal handling: colour only on a terminal and never with `NO_COLOR`, errors on standard
//! error, and the caret printer that shows the line at fault.

use std::io::IsTerminal;

/// Whether to colour a stream: only on a terminal, and never with `NO_COLOR` set.
pub fn color(stream_is_terminal: bool) -> bool {
    stream_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Colour for standard error.
pub fn color_stderr() -> bool {
    color(std::io::stderr().is_terminal())
}

/// Prints an error to standard error.
pub fn error(msg: impl std::fmt::Display) {
    let prefix = if color_stderr() {
        "\x1b[1;31merror:\x1b[0m"
    } else {
        "error:"
    };
    eprintln!("{prefix} {msg}");
}

/// Prints an input error with the line of `text` it points at, and a caret under its column.
pub fn input_error(e: &tenet::runtime::InputError, text: &str) {
    error(e);
    if e.line == 0 {
        return;
    }
    if let Some(l) = text.lines().nth(e.line - 1) {
        let n = e.line.to_string();
        eprintln!("{} |", " ".repeat(n.len()));
        eprintln!("{n} | {l}");
        if e.col > 0 {
            eprintln!("{} | {}^", " ".repeat(n.len()), " ".repeat(e.col - 1));
        }
    }
}
