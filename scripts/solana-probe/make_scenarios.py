#!/usr/bin/env python3
"""Writes the probe's scenarios: fixtures without "expected" (name, program, program_id,
loader, compute_unit_limit, instruction, accounts), one folder per SBPF version of the probe.
The extended solana-oracle (see README.md) runs them with mollusk and adds "expected".

    python3 scripts/solana-probe/make_scenarios.py OUTDIR      # writes OUTDIR/v0/*.json, OUTDIR/v3/*.json

Each scenario is a script for probe.asm (see probe.py) over accounts chosen for what it checks;
addresses into the serialized input are computed here from the input layout of Agave's ABI v1
(src/solana/serialize.rs):

    u64 number of accounts
    per account: 8 bytes header (0xff, signer, writable, executable, 4 zero), key 32, owner 32,
                 lamports u64, data length u64, the data, 10 KiB of room, 0-7 bytes padding to 8,
                 rent epoch u64                               (88 + len + 10240 + pad bytes)
                 or, for a duplicate: u8 index of the first occurrence, 7 zero bytes
    u64 instruction data length, the instruction data (r2), program id 32,
    padding to 8, u64 per account: the address of its record
"""

import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scenario_kit import SCENARIOS  # noqa: E402
import scenarios_state  # noqa: E402,F401  (adds its scenarios, in order)
import scenarios_syscalls  # noqa: E402,F401


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_scenarios.py OUTDIR")
    out = sys.argv[1]
    for version in ("v0", "v3"):
        folder = os.path.join(out, version)
        os.makedirs(folder, exist_ok=True)
        for old in os.listdir(folder):
            if old.endswith(".json"):
                os.remove(os.path.join(folder, old))
        for scenario in SCENARIOS:
            with open(os.path.join(folder, scenario.name + ".json"), "w") as f:
                json.dump(scenario.build(f"probe_{version}.so"), f, indent=1)
                f.write("\n")
    print(f"{len(SCENARIOS)} scenarios per version in {out}/v0 and {out}/v3")


if __name__ == "__main__":
    main()
