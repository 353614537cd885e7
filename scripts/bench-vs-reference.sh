#!/usr/bin/env bash
# Both engines' speed and the JIT's compile time against the reference, alternating the two per
# program on this machine (the machines are noisy: compare ratios of medians from one run).
# Usage: ORACLE=path/to/oracle scripts/bench-vs-reference.sh [VERSION...]   (default: v0 v3)
# Prints one markdown row per program and version.
set -euo pipefail
cd "$(dirname "$0")/.."
oracle=${ORACLE:?set ORACLE to the reference runner (shared/oracle, built with cargo build --release)}
programs=../shared/oracle/programs
versions=("$@")
[ ${#versions[@]} -eq 0 ] && versions=(v0 v3)
cargo bench --bench interpret --bench jit --no-run >/dev/null 2>&1

# Criterion's median throughput for one benchmark id, in millions of elements per second.
criterion_mips() {
  cargo bench --bench "$1" -- --warm-up-time 1 --measurement-time 3 "^$2\$" 2>/dev/null \
    | awk '/thrpt:/ { value = $4; if ($5 ~ /^G/) value *= 1000; if ($5 ~ /^K/) value /= 1000; printf "%.1f", value; exit }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "?" }'; }

echo "| program | ver | ref interp MIPS | sbvm interp MIPS | ratio | ref JIT MIPS | sbvm JIT MIPS | ratio | ref compile ns/insn | sbvm compile ns/insn | ratio |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for version in "${versions[@]}"; do
  for name in alu_loop stack_mem_loop fib_recursive collatz muldiv_loop lddw_bswap unrolled; do
    read -r ref_interp ref_jit ref_compile < <("$oracle" bench --asm "$programs/$name.asm" --version "$version" --iters 9 --format json \
      | python3 -c 'import json, sys
rows = [json.loads(line) for line in sys.stdin if line.strip()]
interp = next(r for r in rows if r["engine"] == "interp")
jit = next(r for r in rows if r["engine"] == "jit")
print(interp["mips_median"], jit["mips_median"], jit["compile_ns_per_insn_median"])')
    ours_interp=$(criterion_mips interpret "interpret/$name/$version")
    ours_jit=$(criterion_mips jit "jit/$name/$version")
    compile_rate=$(criterion_mips jit "jit_compile/$name/$version")
    ours_compile=$(awk -v r="$compile_rate" 'BEGIN { if (r > 0) printf "%.1f", 1000 / r; else print "?" }')
    echo "| $name | $version | $ref_interp | $ours_interp | $(ratio "$ours_interp" "$ref_interp")x | $ref_jit | $ours_jit | $(ratio "$ours_jit" "$ref_jit")x | $ref_compile | $ours_compile | $(ratio "$ours_compile" "$ref_compile")x |"
  done
done
