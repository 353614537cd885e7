#!/usr/bin/env python3
"""Prints name | result | CU | intended, from the fixtures and make_scenarios.py's intents file,
and marks any fixture whose result is not the intended one.

    python3 tests/data/solana/cpi/table.py target/cpi/scenarios/intents.txt tests/data/solana/cpi/fixtures
"""
import json
import os
import sys

intents = json.load(open(sys.argv[1]))
bad = 0
print("| scenario | result | CU | Agave's last log line | intended |")
print("|---|---|---|---|---|")
for name in sorted(intents):
    fx = json.load(open(os.path.join(sys.argv[2], name + ".json")))["expected"]
    want = intents[name]["expect"]
    ok = fx["result"] == want
    bad += not ok
    last = fx["logs"][-1].split(" ", 2)[-1] if fx["logs"] else ""
    print(f"| {name} | {fx['result']} | {fx['compute_units_consumed']} | {last} | {intents[name]['intent']}{'' if ok else ' **UNEXPECTED: wanted ' + want + '**'} |")
sys.exit(1 if bad else 0)
