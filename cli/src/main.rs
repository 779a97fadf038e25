//! `tenet`: security standards as code, compiled to WebAssembly.
//!
//! A thin command line over the `tenet` library: each subcommand lives in `commands/`, parses its
//! flags with clap, calls the library, and maps the outcome to an exit code (`check_exit_codes!`
//! in `term.rs` says them for `check`; each command's `--help` for the others).

#[macro_use]
mod term;
mod commands;
mod fsio;
mod store;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "tenet", version, about = "Security standards as code, compiled to WebAssembly.", long_about = None)]
#[command(after_help = concat!("Examples:
  tenet check --standard examples/standard examples/inventory.json
  tenet compile examples/standard/*.tenet -o example.wasm
  tenet check --standard example.wasm --format json inventory.json
  tenet check-policy examples/standard/*.tenet
  tenet test policies/kubernetes-pod-security
  tenet standards
  tenet fmt --check policies/
  tenet fix --standard examples/standard examples/inventory.json

", check_exit_codes!(), "
Other commands: 0 success; 1 findings, failures or policy errors (check-policy, test, fmt --check,
fix: see their --help); 2 usage, input or runtime errors."))]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// When to colour output: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(
        long,
        global = true,
        value_enum,
        default_value = "auto",
        value_name = "WHEN"
    )]
    color: term::ColorChoice,
    /// Print only errors on standard error: no warnings, notes or progress bars.
    #[arg(long, short = 'q', global = true)]
    quiet: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Evaluate a standard over resource inventories and report what is not compliant.
    Check(commands::check::Args),
    /// Print the secure score of a standard over inventories: points per control, compliance.
    #[command(after_help = "Examples:
  tenet score --standard azure-security-baseline inventory.json
  tenet score --standard azure-security-baseline inventory.json --exemptions .tenet/exemptions.yaml --format json

The score counts only; it exits 0 unless an input or the standard is invalid (2).")]
    Score(commands::check::Args),
    /// Show the score trend and the findings that changed state between runs (docs/history.md).
    History(commands::history::Args),
    /// Compile policy files into a WebAssembly module.
    Compile(commands::compile::Args),
    /// Check policy files and print diagnostics, without compiling.
    #[command(name = "check-policy")]
    CheckPolicy(commands::compile::CheckArgs),
    /// Show what a compiled standard contains.
    Inspect(commands::inspect::Args),
    /// Run the test cases of standards (their tests/*.yaml) and report coverage.
    Test(commands::test::Args),
    /// List the built-in standards.
    Standards(commands::standards::Args),
    /// Lay policy files out canonically (--check in CI).
    Fmt(commands::fmt::Args),
    /// Show, prove and apply the fixes of not-compliant resources (dry run unless --write).
    Fix(commands::fix::Args),
    /// Baselines: accept today's findings so that `check --baseline` fails only on new ones.
    #[command(subcommand)]
    Baseline(BaselineCommand),
    /// Print a shell completion script: `tenet completions bash > /etc/bash_completion.d/tenet`.
    #[command(after_help = "Examples:
  tenet completions bash > ~/.local/share/bash-completion/completions/tenet
  tenet completions zsh > ~/.zfunc/_tenet
  tenet completions fish > ~/.config/fish/completions/tenet.fish")]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

#[derive(Subcommand)]
enum BaselineCommand {
    /// Write the current not-compliant findings to a baseline file.
    #[command(after_help = "Examples:
  tenet baseline create --standard kubernetes-pod-security manifests/
  tenet check --standard kubernetes-pod-security manifests/ --baseline .tenet/baseline.json")]
    Create {
        /// The check to take the findings of.
        #[command(flatten)]
        check: commands::check::Args,
        /// The baseline file.
        #[arg(long, default_value = ".tenet/baseline.json", value_name = "FILE")]
        to: std::path::PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    term::configure(cli.color, cli.quiet);
    let code = match cli.command {
        Command::Check(a) => commands::check::run(a, commands::check::Mode::Check),
        Command::Score(a) => commands::check::run(a, commands::check::Mode::Score),
        Command::History(a) => commands::history::run(a),
        Command::Compile(a) => commands::compile::run(a),
        Command::CheckPolicy(a) => commands::compile::check_policy(a),
        Command::Inspect(a) => commands::inspect::run(a),
        Command::Test(a) => commands::test::run(a),
        Command::Standards(a) => commands::standards::run(a),
        Command::Fmt(a) => commands::fmt::run(a),
        Command::Fix(a) => commands::fix::run(a),
        Command::Baseline(BaselineCommand::Create { check, to }) => {
            commands::check::run(check, commands::check::Mode::Baseline(to))
        }
        Command::Completions { shell } => {
            use clap::CommandFactory as _;
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "tenet", &mut script);
            out!("{}", String::from_utf8_lossy(&script));
            commands::OK
        }
    };
    ExitCode::from(code)
}
