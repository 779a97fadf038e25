//! `tenet`: security standards as code, compiled to WebAssembly.
//!
//! A thin command line over the libraries: each subcommand lives in `cli/`, parses its flags with
//! clap, calls the compiler or runtime, and maps the outcome to an exit code:
//! 0 success (nothing at or above the threshold is not compliant), 1 findings or policy errors,
//! 2 usage, input or runtime errors.

mod cli;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "tenet", version, about = "Security standards as code, compiled to WebAssembly.", long_about = None)]
#[command(after_help = "Examples:
  tenet check --standard examples/standard examples/inventory.json
  tenet compile examples/standard/*.tenet -o example.wasm
  tenet check --standard example.wasm --format json inventory.json
  tenet check-policy policies/my-standard/*.tenet
  tenet test policies/kubernetes-pod-security
  tenet standards
  tenet fmt --check policies/
  tenet fix --standard examples/standard examples/inventory.json

Exit codes: 0 compliant (or success), 1 findings or policy errors, 2 usage, input or runtime errors.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Evaluate a standard over resource inventories and report what is not compliant.
    Check(cli::check::Args),
    /// Print the secure score of a standard over inventories: points per control, compliance.
    #[command(after_help = "Examples:
  tenet score --standard azure-security-baseline inventory.json
  tenet score --standard azure-security-baseline inventory.json --exemptions .tenet/exemptions.yaml --format json

The score counts only; it exits 0 unless an input or the standard is invalid (2).")]
    Score(cli::check::Args),
    /// Show the score trend and the findings that changed state between runs (docs/history.md).
    History(cli::history::Args),
    /// Compile policy files into a WebAssembly module.
    Compile(cli::compile::Args),
    /// Check policy files and print diagnostics, without compiling.
    #[command(name = "check-policy")]
    CheckPolicy(cli::compile::CheckArgs),
    /// Show what a compiled standard contains.
    Inspect(cli::inspect::Args),
    /// Run the test cases of standards (their tests/*.yaml) and report coverage.
    Test(cli::test::Args),
    /// List the built-in standards.
    Standards(cli::standards::Args),
    /// Lay policy files out canonically (--check in CI).
    Fmt(cli::fmt::Args),
    /// Show, prove and apply the fixes of not-compliant resources (dry run unless --write).
    Fix(cli::fix::Args),
    /// Baselines: accept today's findings so that `check --baseline` fails only on new ones.
    #[command(subcommand)]
    Baseline(BaselineCommand),
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
        check: cli::check::Args,
        /// The baseline file.
        #[arg(long, default_value = ".tenet/baseline.json", value_name = "FILE")]
        to: std::path::PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check(a) => cli::check::run(a),
        Command::Score(mut a) => {
            a.score_only = true;
            cli::check::run(a)
        }
        Command::History(a) => cli::history::run(a),
        Command::Compile(a) => cli::compile::run(a),
        Command::CheckPolicy(a) => cli::compile::check_policy(a),
        Command::Inspect(a) => cli::inspect::run(a),
        Command::Test(a) => cli::test::run(a),
        Command::Standards(a) => cli::standards::run(a),
        Command::Fmt(a) => cli::fmt::run(a),
        Command::Fix(a) => cli::fix::run(a),
        Command::Baseline(BaselineCommand::Create { mut check, to }) => {
            check.baseline_out = Some(to);
            cli::check::run(check)
        }
    };
    ExitCode::from(code)
}
