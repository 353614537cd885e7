#!/usr/bin/env python3
"""Runs every probe fixture with `sbvm fixture` on both engines and lists the fields where sbvm
disagrees with mollusk (what the known-differences list of tests/solana_probe.rs must name).

    python3 scripts/solana-probe/compare.py PROGRAMS_DIR [FIXTURES_DIR]   # default tests/data/solana/probe
"""

import glob
import os
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def short(value, limit=160):
    return value if len(value) <= limit else value[:limit] + f"… ({len(value)} chars)"


def hex_diff(want, got):
    """Where two hex strings of account data first differ, in bytes."""
    for i in range(0, min(len(want), len(got)), 2):
        if want[i:i + 2] != got[i:i + 2]:
            return f"first differing byte {i // 2}: expected {want[i:i + 32]}…, got {got[i:i + 32]}… (lengths {len(want) // 2} and {len(got) // 2})"
    return f"lengths {len(want) // 2} and {len(got) // 2}"


def run(files, programs, engine):
    out = subprocess.run([os.path.join(ROOT, "target/release/sbvm"), "fixture", *files, "--programs", programs,
                          "--engine", engine], capture_output=True, text=True)
    differing, current = {}, None
    for line in out.stdout.splitlines():
        if not line.startswith(" "):
            current = None
            if line.endswith("· DIFFERS"):
                current = line.split(":", 1)[0]
                differing[current] = []
        elif current and not line.startswith("  |"):
            field, rest = line.strip().split(": ", 1)
            want, _, got = rest.removeprefix("expected ").partition(", got ")
            if field.endswith(".data"):
                differing[current].append((field, hex_diff(want, got)))
            else:
                differing[current].append((field, f"expected {short(want)!r}, got {short(got)!r}"))
    if out.returncode not in (0, 1):
        sys.exit(f"sbvm fixture failed ({out.returncode}): {out.stderr}")
    return differing


def main():
    programs = sys.argv[1]
    fixtures = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "tests/data/solana/probe")
    total, names = 0, {}
    for version in ("v0", "v3"):
        files = sorted(glob.glob(os.path.join(fixtures, version, "*.json")))
        total += len(files)
        for engine in ("interpreter", "jit"):
            for name, fields in run(files, programs, engine).items():
                names.setdefault(f"{version}/{name}", {})[engine] = fields
    for key in sorted(names):
        engines = names[key]
        same = len(engines) == 2 and engines["interpreter"] == engines["jit"]
        label = "both engines" if same else ", ".join(sorted(engines))
        print(f"{key} ({label})")
        for engine in (["interpreter"] if same else sorted(engines)):
            for field, what in engines[engine]:
                print(f"    {'' if same else engine + ': '}{field}: {what}")
    print(f"{len(names)} of {total} fixtures differ")


if __name__ == "__main__":
    main()
