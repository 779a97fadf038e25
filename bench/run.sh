#!/usr/bin/env bash
# Benchmarks tenet against Regorus and the serde_json parse floor on the shared workload (the
# generator and harness in ../shared/bench, which is read-only: it is copied into work/).
#   bench/run.sh            N = 1000, 10000, 100000 with 10 rules, N = 10000 with 100 rules, start-up,
#                           and 1,000,000 resources as JSON Lines (peak memory)
#   QUICK=1 bench/run.sh    N = 1000 and 10000 only
# Prints markdown tables: median wall s (min–max), cpu s, peak MiB, ratio to Regorus, runs, exit codes.
set -euo pipefail
cd "$(dirname "$0")"
SHARED=${SHARED:-$(cd ../.. && pwd)/shared/bench}
W=work
mkdir -p "$W"
cargo build --release --quiet --manifest-path ../Cargo.toml
T=../target/release/tenet
# The figures measure evaluation and reporting; the history database is not part of them.
export TENET_NO_HISTORY=1
if [ ! -x "$W/harness/target/release/regorus-eval" ]; then
  rm -rf "$W/harness" && cp -r "$SHARED/harness" "$W/harness" && chmod -R u+w "$W/harness"
  (cd "$W/harness" && cargo build --release --quiet)
fi
H=$W/harness/target/release
python3 rules/make.py rules/x1.tenet rules/x10.tenet
$T compile rules/x1.tenet -o "$W/x1.wasm" 2>/dev/null
$T compile rules/x10.tenet -o "$W/x10.wasm" 2>/dev/null
export TENET_CACHE_DIR="$W/cache"
$T check --standard "$W/x1.wasm" "$W/inv1000.json" >/dev/null 2>&1 || true   # fill the cache

sizes="1000 10000 100000"
[ -n "${QUICK:-}" ] && sizes="1000 10000"
for n in $sizes; do
  f="$W/inv$n.json"
  [ -f "$f" ] || python3 "$SHARED/gen_inventory.py" "$n" "$f" --expected "$W/exp$n.json" >/dev/null
  # verdicts: tenet's failing resources per rule equal the generator's reference
  $T check --standard "$W/x1.wasm" "$f" --format json > "$W/out$n.json" || true
  python3 to_rego_shape.py "$W/out$n.json" > "$W/rego$n.json"
  python3 "$SHARED/verify.py" rego "$W/rego$n.json" "$f" "$W/exp$n.json" | tail -1
  runs=5; [ "$n" -ge 100000 ] && runs=3
  echo "N=$n, 10 rules"
  python3 compare.py --runs $runs --base regorus \
    --case "regorus=$H/regorus-eval $SHARED/rules/rego/policy-x1.rego $f data.azure.report" \
    --case "tenet=$T check --standard $W/x1.wasm $f --format json" \
    --case "tenet-table=$T check --standard $W/x1.wasm $f" \
    --case "serde-floor=$H/parse-floor serde-value $f" \
    --case "read-floor=$H/parse-floor read $f"
done
echo "N=10000, 100 rules"
python3 compare.py --runs 5 --base regorus \
  --case "regorus=$H/regorus-eval $SHARED/rules/rego/policy-x10.rego $W/inv10000.json data.azure.report" \
  --case "tenet=$T check --standard $W/x10.wasm $W/inv10000.json --format json" \
  --case "tenet-10-rules=$T check --standard $W/x1.wasm $W/inv10000.json --format json" \
  --case "tenet-table=$T check --standard $W/x10.wasm $W/inv10000.json" \
  --case "tenet-table-10-rules=$T check --standard $W/x1.wasm $W/inv10000.json"
echo "start-up: empty inventory, cached module"
echo '{"resources": []}' > "$W/empty.json"
python3 compare.py --runs 10 --base regorus \
  --case "regorus=$H/regorus-eval $SHARED/rules/rego/policy-x1.rego $W/empty.json data.azure.report" \
  --case "tenet=$T check --standard $W/x1.wasm $W/empty.json --allow-empty"

if [ -z "${QUICK:-}" ]; then
  echo "N=1,000,000 as JSON Lines (1.7 GB), 10 rules: streaming memory"
  [ -f "$W/inv1m.jsonl" ] || python3 to_jsonl.py "$W/inv100000.json" "$W/inv1m.jsonl" 10
  python3 compare.py --runs 1 --warmup 0 --base tenet \
    --case "tenet=$T check --standard $W/x1.wasm $W/inv1m.jsonl --format json"
fi
