#!/bin/sh
# Regenerates the CPI fixtures from the repository root:
#   SOLANA_ORACLE=/work/solana-oracle-target/release/solana-oracle tests/data/solana/cpi/regenerate.sh
# Intermediate files go to target/cpi/ (programs/, scenarios/, oracle.log).
set -e
ORACLE=${SOLANA_ORACLE:-/work/solana-oracle-target/release/solana-oracle}
HERE=tests/data/solana/cpi
python3 $HERE/gen_program.py
cargo build --release -p sbvm-cli
rm -rf target/cpi && mkdir -p target/cpi/programs
for asm in $HERE/programs/*.asm; do
    name=$(basename "$asm" .asm)
    ./target/release/sbvm asm "$asm" --version v0 --elf -o target/cpi/programs/$name.so
done
python3 $HERE/make_scenarios.py target/cpi/scenarios
rm -rf $HERE/fixtures
RUST_LOG=off "$ORACLE" scenarios target/cpi/programs $HERE/fixtures --input target/cpi/scenarios \
    > target/cpi/oracle.log 2>/dev/null
# The table (also in README.md); fails when a result is not the scenario's intended one.
status=0
python3 $HERE/table.py target/cpi/scenarios/intents.txt $HERE/fixtures > target/cpi/table.md || status=1
cat target/cpi/table.md
exit $status
