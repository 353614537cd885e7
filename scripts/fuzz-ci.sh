#!/usr/bin/env bash
# The CI's fuzz stage, on stable Rust: builds every cargo-fuzz target once (no sanitizer), then
# for each target replays its checked-in seed corpus (fuzz/seeds/<target>, and the repository
# files fuzz/seeds/<target>.list names; every input run once) and fuzzes it for a short time from a copy of that corpus (with fuzz/dicts/<target>.dict
# when there is one). Any crash, panic, failed assertion or input slower than the timeout fails
# the stage; the input that did it is kept under fuzz/artifacts/<target>/ and the command that
# reproduces it is printed.
#
# Where ../shared is present, inputs that may not be committed join the temporary corpora:
# the loader's fixture ELFs and the p-token program for elf_load_no_panic.
#
#   FUZZ_SECONDS  fuzzing time per target (default 15)
#   FUZZ_JOBS     targets fuzzed at once (default: the number of cores)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-15}
jobs=${FUZZ_JOBS:-$(nproc)}
shared=../shared
stage_start=$SECONDS

if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked --quiet
fi
cargo fuzz build -s none
bin=target/x86_64-unknown-linux-gnu/release
echo "fuzz: built the targets at $((SECONDS - stage_start)) s"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A target's seeds into $2: its folder, and the repository's own files that its list
# (fuzz/seeds/<target>.list) names — examples, fixtures — rather than keeping copies, each under
# a name that keeps its path apart.
gather_seeds() {
  local target=$1 into=$2 seed path
  mkdir -p "$into"
  for seed in fuzz/seeds/"$target"/*; do
    [ -e "$seed" ] && cp "$seed" "$into/"
  done
  if [ -f "fuzz/seeds/$target.list" ]; then
    while read -r path; do
      cp "$path" "$into/repo-${path//\//-}"
    done <"fuzz/seeds/$target.list"
  fi
  return 0
}

# Extra inputs (not committed) for a target's temporary corpus, one path a line.
extra_inputs() {
  case "$1" in
    elf_load_no_panic)
      ls "$shared"/fixtures/elfs/*.so "$shared"/solana-oracle/programs/*.so 2>/dev/null || true
      ;;
  esac
}

# Keeps a failing target's artifacts and says how to reproduce them.
report_failure() {
  local target=$1 log=$2
  tail -n 40 "$log"
  mkdir -p "fuzz/artifacts/$target"
  local artifact
  for artifact in "$work/$target/artifacts/"*; do
    [ -e "$artifact" ] || continue
    cp "$artifact" "fuzz/artifacts/$target/"
    echo "fuzz: $target failed; reproduce with:" \
      "cargo fuzz run -s none $target fuzz/artifacts/$target/$(basename "$artifact")"
  done
}

# Replays then fuzzes one target; its output goes to $work/<target>/log.
fuzz_target() {
  local target=$1 dir=$work/$1
  local log=$dir/log
  mkdir -p "$dir/corpus" "$dir/artifacts"
  local options=(-timeout=10 -rss_limit_mb=2048 "-artifact_prefix=$dir/artifacts/")
  gather_seeds "$target" "$dir/seeds"
  # The checked-in seeds, each run once: a seed that crashes fails here.
  if ! "$bin/$target" "${options[@]}" -runs=0 "$dir/seeds" >"$log" 2>&1; then
    echo "fuzz: $target crashes on its seed corpus" >>"$log"
    return 1
  fi
  cp "$dir/seeds/"* "$dir/corpus/"
  extra_inputs "$target" | while read -r input; do cp "$input" "$dir/corpus/"; done
  local dict=fuzz/dicts/$target.dict
  [ -f "$dict" ] && options+=("-dict=$dict")
  "$bin/$target" "${options[@]}" -max_total_time="$seconds" -print_final_stats=1 \
    "$dir/corpus" >>"$log" 2>&1
}

targets=$(cargo fuzz list)
declare -A pids=()
failed=()
wait_for_one() {
  local finished status=0 target coverage runs
  wait -n -p finished "${pids[@]}" || status=$?
  for target in "${!pids[@]}"; do
    [ "${pids[$target]}" = "$finished" ] || continue
    unset "pids[$target]"
    if [ "$status" -eq 0 ]; then
      coverage=$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$work/$target/log" | tail -n 1 || true)
      runs=$(grep -oE '^Done [0-9]+ runs in [0-9]+ second' "$work/$target/log" | tail -n 1 || true)
      echo "fuzz: $target ok: ${coverage:-no coverage line}; ${runs:-no summary}s"
    else
      failed+=("$target")
      report_failure "$target" "$work/$target/log"
    fi
  done
}
for target in $targets; do
  while [ ${#pids[@]} -ge "$jobs" ]; do wait_for_one; done
  fuzz_target "$target" &
  pids[$target]=$!
done
while [ ${#pids[@]} -gt 0 ]; do wait_for_one; done

echo "fuzz: stage took $((SECONDS - stage_start)) s"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: failed: ${failed[*]}"
  exit 1
fi
