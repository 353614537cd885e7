#!/bin/sh
# Regenerates the probe's fixtures (tests/data/solana/probe/{v0,v3}) from mollusk, then lists
# where sbvm disagrees. See README.md in this folder.
#
#   SOLANA_ORACLE=/path/to/solana-oracle scripts/solana-probe/regenerate.sh
#
# SOLANA_ORACLE must be the extended oracle (with the `scenarios` kind); WORK (default
# target/solana-probe) receives the assembled programs, the scenarios and the comparison.
set -eu
cd "$(dirname "$0")/../.."
ORACLE=${SOLANA_ORACLE:?set SOLANA_ORACLE to the extended solana-oracle binary}
WORK=${WORK:-target/solana-probe}
SBVM=./target/release/sbvm

python3 scripts/solana-probe/gen_probe.py
cargo build --release -p sbvm-cli
mkdir -p "$WORK/programs"
for v in v0 v3; do
    "$SBVM" asm scripts/solana-probe/probe.asm --version "$v" --elf -o "$WORK/programs/probe_$v.so"
done
rm -rf "$WORK/scenarios"
python3 scripts/solana-probe/make_scenarios.py "$WORK/scenarios"
for v in v0 v3; do
    rm -rf "tests/data/solana/probe/$v"
    RUST_LOG=off "$ORACLE" scenarios "$WORK/programs" "tests/data/solana/probe/$v" --input "$WORK/scenarios/$v" \
        2>/dev/null >"$WORK/oracle_$v.log"
    echo "$v: $(ls "tests/data/solana/probe/$v" | wc -l) fixtures"
done
python3 scripts/solana-probe/compare.py "$WORK/programs" tests/data/solana/probe | tee "$WORK/differences.txt"
