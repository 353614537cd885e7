#!/usr/bin/env bash
# Whole Solana instructions: sbvm (both engines) against mollusk, Agave's runtime, on the same
# fixtures in one run on this machine. For each program, mollusk first times its scenarios
# (shared/solana-oracle with --iters, which also writes the fixtures), then `sbvm fixture
# --bench` times the same fixtures; the machines are noisy, so compare ratios of medians.
# Usage: SOLANA_ORACLE=path/to/solana-oracle scripts/bench-vs-mollusk.sh [ITERS]  (default 2000)
# Needs the program files: p-token in shared/, Token-2022 and Memo in cargo's registry
# (scripts/fetch-solana-programs.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
oracle=${SOLANA_ORACLE:?set SOLANA_ORACLE to shared/solana-oracle built with cargo build --release}
iters=${1:-2000}
cargo build --release -p sbvm-cli >/dev/null 2>&1
sbvm=target/release/sbvm
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
registry=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/ | head -1)

# kind  program-file  program-id (empty: the oracle's default)  label
runs=(
  "token ../shared/solana-oracle/programs/p-token.so - p-token"
  "token ${registry}mollusk-svm-programs-token-2022-0.15.1/src/elf/token_2022.so TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb token-2022"
  "memo ${registry}mollusk-svm-programs-memo-0.16.4/src/elf/memo.so - memo"
)
echo "| program | instruction | CU | mollusk ns | sbvm interpreter ns | ratio | sbvm JIT ns | ratio |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
for run in "${runs[@]}"; do
  read -r kind program id label <<<"$run"
  [ -f "$program" ] || { echo "SKIP: $program not found" >&2; continue; }
  out="$work/$label"
  args=("$kind" "$program" "$out")
  [ "$id" != "-" ] && args+=("$id")
  RUST_LOG=off "$oracle" "${args[@]}" --iters "$iters" 2>/dev/null >"$work/$label.mollusk"
  for engine in interpreter jit; do
    "$sbvm" fixture --bench --json --iters "$iters" --engine "$engine" --programs "$(dirname "$program")" "$out"/*.json \
      >"$work/$label.$engine" || true
  done
  python3 - "$label" "$work/$label.mollusk" "$work/$label.interpreter" "$work/$label.jit" <<'PY'
import json, sys
label, mollusk, interp, jit = sys.argv[1:]
load = lambda path: {row["name"]: row for row in map(json.loads, open(path)) if row}
m, i, j = load(mollusk), load(interp), load(jit)
for name, row in m.items():
    if name not in i or name not in j:
        continue
    mine_i, mine_j = i[name]["ns_median"], j[name]["ns_median"]
    ok = "" if i[name].get("matches") and j[name].get("matches") else " (differs!)"
    ref = row["mollusk_ns_median"]
    print(f"| {label} | {name}{ok} | {row['cu']} | {ref} | {mine_i} | {ref / mine_i:.1f}x | {mine_j} | {ref / mine_j:.1f}x |")
PY
done
