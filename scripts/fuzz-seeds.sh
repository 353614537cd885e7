#!/usr/bin/env bash
# Regenerates the committed fuzz seed corpora (fuzz/seeds/<target>/) and dictionaries
# (fuzz/dicts/<target>.dict) from the repository's own inputs: programs assembled by the CLI,
# eBPF objects compiled by clang-19 from tests/data/ebpf-c, the Solana fixture JSONs, and
# structured cases for the targets that decode an `Arbitrary` type (scripts/fuzz_seeds.py says
# how each is made). Needs clang-19 and python3. Rerun it when a target's input format changes.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet -p sbvm-cli
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 scripts/fuzz_seeds.py "$PWD/target/debug/sbvm" "$PWD" "$work"
for target in fuzz/seeds/*/; do
  printf '%-32s %4d files %6s\n' "$(basename "$target")" "$(ls "$target" | wc -l)" "$(du -sh "$target" | cut -f1)"
done
du -sh fuzz/seeds fuzz/dicts
