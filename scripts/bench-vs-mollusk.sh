#!/usr/bin/env bash
# Whole Solana instructions: sbvm (both engines) against mollusk, Agave's runtime, on the same
# fixtures on this machine. Per round and program, mollusk first times its scenarios
# (shared/solana-oracle with --iters, which also writes the fixtures), then `sbvm fixture
# --bench` times the same fixtures on each engine. The machines are noisy: each row gives the
# medians over the rounds and the median of the per-round ratios.
# Usage: SOLANA_ORACLE=path/to/solana-oracle [ROUNDS=3] scripts/bench-vs-mollusk.sh [ITERS]
# (default 1000 runs per instruction). Needs the program files: p-token in shared/, Token-2022,
# Memo, ATA and SPL Token in cargo's registry (scripts/fetch-solana-programs.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
oracle=${SOLANA_ORACLE:?set SOLANA_ORACLE to shared/solana-oracle built with cargo build --release}
iters=${1:-1000}
rounds=${ROUNDS:-3}
cargo build --release -p sbvm-cli >/dev/null 2>&1
sbvm=target/release/sbvm
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
registry=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/ | head -1)

# kind  program-file  program-id ('-': the oracle's default)  label  [oracle options]
token_elf="${registry}mollusk-svm-programs-token-0.15.1/src/elf"
runs=(
  "token ../shared/solana-oracle/programs/p-token.so - p-token"
  "token ${registry}mollusk-svm-programs-token-2022-0.15.1/src/elf/token_2022.so TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb token-2022"
  "memo ${registry}mollusk-svm-programs-memo-0.16.4/src/elf/memo.so - memo"
  "ata ${token_elf}/associated_token.so - ata --token ${token_elf}/token.so"
)
for round in $(seq 1 "$rounds"); do
  for run in "${runs[@]}"; do
    read -r kind program id label options <<<"$run"
    [ -f "$program" ] || { echo "SKIP: $program not found" >&2; continue; }
    out="$work/$label.$round"
    args=("$kind" "$program" "$out")
    [ "$id" != "-" ] && args+=("$id")
    # shellcheck disable=SC2206 # the options are words
    [ -n "${options:-}" ] && args+=($options)
    RUST_LOG=off "$oracle" "${args[@]}" --iters "$iters" 2>/dev/null >"$out.mollusk"
    for engine in interpreter jit; do
      "$sbvm" fixture --bench --json --iters "$iters" --engine "$engine" \
        --programs "$(dirname "$program")" "$out"/*.json >"$out.$engine" || true
    done
  done
done
python3 - "$work" "$rounds" <<'PY'
import json, os, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
load = lambda path: {row["name"]: row for row in map(json.loads, open(path)) if row} if os.path.exists(path) else {}
print(f"| program | instruction | CU | mollusk ns | sbvm interpreter ns | ratio | sbvm JIT ns | ratio |  ({rounds} rounds: medians)")
print("|---|---|---:|---:|---:|---:|---:|---:|")
for label in ["p-token", "token-2022", "memo", "ata"]:
    per_round = [(load(f"{work}/{label}.{r}.mollusk"), load(f"{work}/{label}.{r}.interpreter"), load(f"{work}/{label}.{r}.jit")) for r in range(1, rounds + 1)]
    if not per_round[0][0]:
        continue
    for name, row in per_round[0][0].items():
        m, i, j, ri, rj, ok = [], [], [], [], [], True
        for mollusk, interp, jit in per_round:
            if name not in mollusk or name not in interp or name not in jit:
                continue
            ok &= bool(interp[name].get("matches")) and bool(jit[name].get("matches"))
            m.append(mollusk[name]["mollusk_ns_median"]); i.append(interp[name]["ns_median"]); j.append(jit[name]["ns_median"])
            ri.append(m[-1] / i[-1]); rj.append(m[-1] / j[-1])
        if not m:
            continue
        flag = "" if ok else " (differs!)"
        med = lambda xs: int(statistics.median(xs))
        print(f"| {label} | {name}{flag} | {row['cu']} | {med(m)} | {med(i)} | {statistics.median(ri):.1f}x | {med(j)} | {statistics.median(rj):.1f}x |")
PY
