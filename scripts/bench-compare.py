#!/usr/bin/env python3
"""Compares two builds of sbvm on the criterion benchmarks, in one session on one machine.

    scripts/bench-compare.py OLD_DIR NEW_DIR ROUNDS FILTER BENCH...

OLD_DIR and NEW_DIR each hold compiled bench binaries (`cargo bench --no-run` prints their paths
under target/release/deps; copy `interpret-*`, `jit-*`, `instruction-*` of each build into its own
folder). For ROUNDS rounds, each named BENCH (interpret, jit, instruction) runs from OLD_DIR, then
from NEW_DIR, with criterion's FILTER (a regex; "" for all). It prints per benchmark the smallest of
criterion's point estimates over the rounds, for each build, and new/old.

Read the interpreter's ratios with care: its hot loop is sensitive to where the linker places it.
The same machine code 16 bytes further on has measured 2x faster on a 2-core AMD host, so confirm
an interpreter difference with an instruction count (valgrind --tool=callgrind) before you
believe it.
"""

import glob
import os
import re
import subprocess
import sys

UNIT_NS = {"ns": 1.0, "µs": 1e3, "us": 1e3, "ms": 1e6, "s": 1e9}
TIME = re.compile(r"time:\s+\[\S+ \S+ (\S+) (\S+) \S+ \S+\]")


def run(binary, benchmark_filter, label):
    """Point estimates (ns) by benchmark name from one run of a criterion binary."""
    env = dict(os.environ, CRITERION_HOME=f"/tmp/bench-compare-{label}")
    output = subprocess.run([binary, "--bench", "--noplot", benchmark_filter], env=env,
                            capture_output=True, text=True).stdout
    estimates, name = {}, None
    for line in output.splitlines():
        words = line.split()
        if words and "/" in words[0] and not line.startswith(" "):
            name = words[0]
        found = TIME.search(line)
        if found and name:
            estimates[name] = float(found.group(1)) * UNIT_NS[found.group(2)]
    return estimates


def readable(ns):
    return f"{ns / 1e6:.3f} ms" if ns > 1e6 else f"{ns / 1e3:.2f} µs"


def main():
    if len(sys.argv) < 6:
        sys.exit(__doc__)
    old_dir, new_dir, rounds, benchmark_filter = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    best = {}
    for _ in range(rounds):
        for label, folder in (("old", old_dir), ("new", new_dir)):
            for bench in sys.argv[5:]:
                binary = glob.glob(os.path.join(folder, bench + "-*"))[0]
                for name, ns in run(binary, benchmark_filter, label).items():
                    seen = best.setdefault(name, {})
                    seen[label] = min(ns, seen.get(label, ns))
    print(f"{'benchmark':48} {'old':>12} {'new':>12} {'new/old':>8}")
    for name, seen in best.items():
        if "old" in seen and "new" in seen:
            print(f"{name:48} {readable(seen['old']):>12} {readable(seen['new']):>12} "
                  f"{seen['new'] / seen['old']:8.3f}")


if __name__ == "__main__":
    main()
