#!/usr/bin/env bash
# Fetches the Solana programs that tests/data/solana's fixtures run (Token-2022, SPL Memo) the
# way mollusk ships them: as the ELF files inside the mollusk-svm-programs-* crates, which
# `cargo fetch` unpacks into cargo's registry (where tests and benches look for them). Nothing is
# copied into the repository.
set -euo pipefail
manifest_dir=$(mktemp -d)
trap 'rm -rf "$manifest_dir"' EXIT
mkdir -p "$manifest_dir/src"
: >"$manifest_dir/src/lib.rs"
cat >"$manifest_dir/Cargo.toml" <<'TOML'
[package]
name = "solana-programs-fetch"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
mollusk-svm-programs-token-2022 = "=0.15.1"
mollusk-svm-programs-memo = "=0.16.4"
mollusk-svm-programs-token = "=0.15.1"
TOML
cargo fetch --manifest-path "$manifest_dir/Cargo.toml" --quiet
registry="${CARGO_HOME:-$HOME/.cargo}/registry/src"
ls -d "$registry"/*/mollusk-svm-programs-*/src/elf

# Agave's syscall registration, read (never built) by tests/disasm_toolchain.rs to check the
# names sbvm knows: only its source is needed, so the .crate file itself, not its dependencies.
reference_crates="$(dirname "$0")/../target/reference-crates"
if [ ! -d "$reference_crates/solana-syscalls-4.2.2" ]; then
  mkdir -p "$reference_crates"
  curl -sSfL https://static.crates.io/crates/solana-syscalls/solana-syscalls-4.2.2.crate |
    tar xz -C "$reference_crates"
fi
