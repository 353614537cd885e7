#!/usr/bin/env bash
# Interpreter speed against the reference, alternating the two per program on this machine.
# Usage: ORACLE=path/to/oracle scripts/bench-vs-reference.sh [VERSION...]   (default: v0 v3)
# Prints one markdown row per program and version: MIPS (median) of each, and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
oracle=${ORACLE:?set ORACLE to the reference runner (shared/oracle, built with cargo build --release)}
programs=../shared/oracle/programs
versions=("$@")
[ ${#versions[@]} -eq 0 ] && versions=(v0 v3)
cargo bench --bench interpret --no-run >/dev/null 2>&1
echo "| program | ver | reference interp MIPS | sbvm interp MIPS | ratio |"
echo "|---|---|---:|---:|---:|"
for version in "${versions[@]}"; do
  for name in alu_loop stack_mem_loop fib_recursive collatz muldiv_loop lddw_bswap unrolled; do
    reference=$("$oracle" bench --asm "$programs/$name.asm" --version "$version" --iters 9 --format md | awk -F'|' '{print $6}' | awk '{print $1}')
    ours=$(cargo bench --bench interpret -- --warm-up-time 1 --measurement-time 3 "^interpret/$name/$version\$" 2>/dev/null \
      | awk '/thrpt:/ { value = $4; if ($5 ~ /^G/) value *= 1000; if ($5 ~ /^K/) value /= 1000; printf "%.1f", value; exit }')
    ratio=$(awk -v a="$ours" -v b="$reference" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "?" }')
    echo "| $name | $version | $reference | $ours | ${ratio}x |"
  done
done
