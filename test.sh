#!/usr/bin/env bash
# The one command that runs every check: formatting, lints, the whole test suite (unit, snapshot,
# differential, CLI, examples, doc tests), rustdoc without warnings, and a build of the fuzz
# target. `.ci/run` calls exactly this.
set -euo pipefail
cd "$(dirname "$0")"

step() { printf '\n== %s\n' "$*"; }

step "format"
cargo fmt --all -- --check

step "lint"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "node.js (the Node host's tests and the conformance test need it)"
if ! command -v node >/dev/null 2>&1; then
  (apt-get update -qq && apt-get install -y -qq nodejs) >/dev/null 2>&1 || true
fi
if command -v node >/dev/null 2>&1; then
  node --version
else
  echo "node is not installed and could not be installed (no root?): the Node host parts are skipped"
fi

step "chromium (the HTML report is tested in a headless browser)"
if ! command -v chromium >/dev/null 2>&1; then
  (apt-get update -qq && apt-get install -y -qq chromium) >/dev/null 2>&1 || true
fi
if command -v chromium >/dev/null 2>&1; then
  chromium --version 2>/dev/null || true
else
  echo "chromium is not installed and could not be installed (no root?): the browser half of the HTML report test is skipped"
fi

step "python (the OCSF report is validated with the pydantic-ocsf models)"
venv="${CARGO_TARGET_DIR:-target}/ocsf-venv"
case "$venv" in /*) ;; *) venv="$PWD/$venv" ;; esac
if [ ! -x "$venv/bin/python" ]; then
  (python3 -m venv "$venv" && "$venv/bin/pip" install -q "pydantic-ocsf==3.0.0") >/dev/null 2>&1 \
    || rm -rf "$venv"
fi
if [ -x "$venv/bin/python" ]; then
  export TENET_OCSF_PYTHON="$venv/bin/python"
  "$venv/bin/pip" show pydantic-ocsf 2>/dev/null | sed -n 1,2p
else
  echo "python3 with venv and pip, or the pydantic-ocsf package, is not available: the OCSF schema validation is skipped"
fi

step "tests"
cargo test --workspace --locked
if [ ! -d ../shared/corpus/files ]; then
  echo "../shared/corpus is absent: the corpus tests (adapters, fidelity, no compliance by absence," \
    "the fix round trip, property locations and the corpus half of the Node conformance test)" \
    "passed by skipping;" \
    "see \`-- --show-output\`"
fi

step "node host"
if command -v node >/dev/null 2>&1; then
  target="${CARGO_TARGET_DIR:-target}"
  "$target/debug/tenet" compile examples/standard -o "$target/node-example.wasm"
  TENET_MODULE="$target/node-example.wasm" node --test hosts/node/test/
else
  echo "skipped: node is not installed"
fi

step "documentation"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --workspace --locked

step "fuzz target build"
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
  (cd fuzz && cargo +nightly fuzz build parse_check)
else
  echo "no nightly toolchain: the fuzz target is not built (its logic still runs in 'cargo test')"
fi
