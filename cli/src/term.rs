//! Terminal handling: colour as `--color` says (by default only on a terminal and never with
//! `NO_COLOR`), errors, warnings and notes on standard error (`--quiet` keeps the errors only),
//! and the caret printer that shows the line at fault. Messages and source lines are shown with
//! their control characters written visibly (`tenet::report::render::visible`): they often quote
//! inventories, which a pull request controls.

use std::io::IsTerminal;
use tenet::report::render::visible;

use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

/// `--color`: when to colour output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set.
    Auto,
    /// Always, even into a file or a pipe.
    Always,
    /// Never.
    Never,
}

static COLOR: AtomicU8 = AtomicU8::new(0);
static QUIET: AtomicBool = AtomicBool::new(false);

/// Sets the global output choices (`--color`, `--quiet`) once, before any output.
pub fn configure(color: ColorChoice, quiet: bool) {
    let c = match color {
        ColorChoice::Auto => 0,
        ColorChoice::Always => 1,
        ColorChoice::Never => 2,
    };
    COLOR.store(c, Ordering::Relaxed);
    QUIET.store(quiet, Ordering::Relaxed);
}

/// Whether `--quiet` asked for errors only on standard error.
pub fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// Whether to colour a stream: as `--color` says; by default only on a terminal, and never
/// with `NO_COLOR` set.
pub fn color(stream_is_terminal: bool) -> bool {
    match COLOR.load(Ordering::Relaxed) {
        1 => true,
        2 => false,
        _ => stream_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
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
    eprintln!("{prefix} {}", visible(&msg.to_string()));
}

/// Prints a note (what a run did, beside its report) to standard error, unless `--quiet`.
pub fn note(msg: impl std::fmt::Display) {
    if !quiet() {
        eprintln!("{}", visible(&msg.to_string()));
    }
}

/// Prints a warning to standard error, unless `--quiet`.
pub fn warn(msg: impl std::fmt::Display) {
    if quiet() {
        return;
    }
    let prefix = if color_stderr() {
        "\x1b[1;33mwarning:\x1b[0m"
    } else {
        "warning:"
    };
    eprintln!("{prefix} {}", visible(&msg.to_string()));
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
        eprintln!("{n} | {}", visible(l));
        if e.col > 0 {
            eprintln!("{} | {}^", " ".repeat(n.len()), " ".repeat(e.col - 1));
        }
    }
}

/// The exit code when standard output is closed early (`tenet … | head`): the code a shell gives
/// a process stopped by SIGPIPE, so a pipeline never reads it as success or as findings.
pub const CLOSED_PIPE: u8 = 141;

/// Writes to standard output. A closed pipe ends the process quietly (exit code
/// [`CLOSED_PIPE`]); any other failure to write is reported and ends it with exit code 2.
pub fn write_stdout(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    if let Err(e) = std::io::stdout().lock().write_fmt(args) {
        stdout_failed(&e);
    }
}

/// Ends the process after a failed write to standard output (see [`write_stdout`]).
pub fn stdout_failed(e: &std::io::Error) -> ! {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(i32::from(CLOSED_PIPE));
    }
    error(format!("cannot write to standard output: {e}"));
    std::process::exit(2);
}

/// `print!` that ends the process quietly on a closed pipe ([`write_stdout`]).
macro_rules! out {
    ($($t:tt)*) => {
        $crate::term::write_stdout(format_args!($($t)*))
    };
}

/// `println!` that ends the process quietly on a closed pipe ([`write_stdout`]).
macro_rules! outln {
    () => {
        $crate::term::write_stdout(format_args!("\n"))
    };
    ($($t:tt)*) => {
        $crate::term::write_stdout(format_args!("{}\n", format_args!($($t)*)))
    };
}

/// The exit codes of `tenet check` (and `score`, `baseline create`), said once: `tenet --help`,
/// `tenet check --help` and the README quote this text, and a test keeps them equal.
macro_rules! check_exit_codes {
    () => {
        "Exit codes of check: 0 nothing at or above --fail-on is not compliant; 1 findings at or
above --fail-on; 2 usage, policy or input errors (every other input is still evaluated and
reported), a resource over an evaluation limit, or a run that checked nothing (--allow-empty
accepts it); 141 standard output closed early."
    };
}
