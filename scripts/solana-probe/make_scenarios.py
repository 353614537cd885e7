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

import hashlib
import json
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "lib"))
from solana_keys import b58decode, b58encode, on_curve  # noqa: E402

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe import (  # noqa: E402
    DATA, INPUT, LAST, OP, TEXT, RECORD, RODATA, ROD_BYTES_AT, ROD_KEY_AT, ROD_TEXT, ROD_TEXT_AT,
    SYSCALL_BASE, SYSCALLS, record,
)

MM_INPUT = 0x4_0000_0000
MM_STACK = 0x2_0000_0000
MM_HEAP = 0x3_0000_0000
MM_TEXT = 0x1_0000_0000
ROOM = 10 * 1024
DEFAULT_LIMIT = 1_400_000
STACK = MM_STACK + 0x100      # scratch in the entry function's frame (the probe keeps [r10-8])

# ---------------------------------------------------------------------------------------------
# Keys

def k(n):
    return bytes([n]) * 32


PROBE = hashlib.sha256(b"sbvm solana probe").digest()
SYSTEM = bytes(32)
LOADER_V2 = b58decode("BPFLoader2111111111111111111111111111111111")
OTHER = k(0x77)
SYSVARS = {
    "clock": "SysvarC1ock11111111111111111111111111111111",
    "rent": "SysvarRent111111111111111111111111111111111",
    "epoch_schedule": "SysvarEpochSchedu1e111111111111111111111111",
    "epoch_rewards": "SysvarEpochRewards1111111111111111111111111",
    "last_restart_slot": "SysvarLastRestartS1ot1111111111111111111111",
    "slot_hashes": "SysvarS1otHashes111111111111111111111111111",
    "stake_history": "SysvarStakeHistory1111111111111111111111111",
    "instructions": "Sysvar1nstructions1111111111111111111111111",
    "fees": "SysvarFees111111111111111111111111111111111",
    "recent_blockhashes": "SysvarRecentB1ockHashes11111111111111111111",
}
SYSVAR_OWNER = b58decode("Sysvar1111111111111111111111111111111111111")
# Data lengths of accounts a scenario names without passing them (mollusk refuses any other
# but the instructions sysvar, whose length is left unknown): the program's stub has no data.
UNPASSED_LENGTHS = {PROBE: 0}

def pda(seeds, program_id):
    return hashlib.sha256(b"".join(seeds) + program_id + b"ProgramDerivedAddress").digest()


# ---------------------------------------------------------------------------------------------
# Scenarios


class Acct:
    def __init__(self, key, lamports=1_000_000, owner=PROBE, data=b"", executable=False, rent_epoch=0):
        self.key, self.lamports, self.owner = key, lamports, owner
        self.data, self.executable, self.rent_epoch = bytes(data), executable, rent_epoch


def w(key, signer=False):
    return (key, signer, True)


def r(key, signer=False):
    return (key, signer, False)


class Ref:
    """An offset into the payload that follows the script (resolved at build)."""

    def __init__(self, off):
        self.off = off

    def __add__(self, n):
        return Ref(self.off + n)


class Scenario:
    def __init__(self, name, accounts=(), metas=(), limit=DEFAULT_LIMIT):
        self.name, self.accounts, self.metas, self.limit = name, list(accounts), list(metas), limit
        self.ops = []
        self.chunks = []      # payload: bytes, or functions of the payload's absolute address
        self.payload_len = 0
        self.raw_data = None
        self.layout()

    # The serialized input --------------------------------------------------------------------
    def layout(self):
        by_key = {a.key: a for a in self.accounts}
        self.pos = []         # per instruction account: dict of offsets from MM_INPUT
        first = {}
        off = 8
        for key, _, _ in self.metas:
            if key in first:
                self.pos.append(dict(self.pos[first[key]], record=off, dup=True))
                off += 8
                continue
            first[key] = len(self.pos)
            # Accounts the caller does not pass: the program's stub has no data; the length of
            # anything else (the instructions sysvar) is unknown, so it must come last.
            length = len(by_key[key].data) if key in by_key else UNPASSED_LENGTHS.get(key)
            if length is None:
                self.pos.append(dict(record=off, key=off + 8, owner=off + 40, lamports=off + 72, len=off + 80,
                                     data=off + 88, data_len=None, dup=False))
                off = None
                break
            entry = dict(record=off, key=off + 8, owner=off + 40, lamports=off + 72, len=off + 80,
                         data=off + 88, data_len=length, dup=False)
            off += 88 + length + ROOM
            off += (-off) % 8
            entry["rent_epoch"] = off
            off += 8
            self.pos.append(entry)
        self.ix_off = None if off is None else off + 8

    def at(self, position, field, plus=0):
        """INPUT(…) of a field (record, key, owner, lamports, len, data, rent_epoch) of an account."""
        return INPUT(self.pos[position][field] + plus)

    def data_end(self, position, plus=0):
        return INPUT(self.pos[position]["data"] + self.pos[position]["data_len"] + plus)

    # The script -------------------------------------------------------------------------------
    def op(self, name, *args):
        number = OP[name] if name in OP else SYSCALL_BASE + SYSCALLS.index(name)
        self.ops.append((number, list(args)))
        return self

    def raw_op(self, number, *args):
        self.ops.append((number, list(args)))
        return self

    def bytes(self, raw):
        """Puts `raw` in the payload; returns its Ref (DATA address when used as an argument)."""
        ref = Ref(self.payload_len)
        self.chunks.append(bytes(raw))
        self.payload_len += len(raw)
        pad = (-self.payload_len) % 8
        if pad:
            self.chunks.append(bytes(pad))
            self.payload_len += pad
        return ref

    def slices(self, parts):
        """A VmSlice array (ptr u64, len u64 each) in the payload; each part is bytes (put in
        the payload too) or (absolute address, length)."""
        resolved = []
        for part in parts:
            if isinstance(part, (bytes, bytearray)):
                resolved.append((self.bytes(part), len(part)))
            else:
                resolved.append(part)
        ref = Ref(self.payload_len)
        size = 16 * len(resolved)
        self.payload_len += size

        def build(payload_addr):
            out = b""
            for ptr, length in resolved:
                if isinstance(ptr, Ref):
                    ptr = payload_addr + ptr.off
                out += struct.pack("<QQ", ptr, length)
            return out

        self.chunks.append(build)
        return ref

    def script_len(self):
        n = len(self.ops)
        if self.payload_len and (not self.ops or self.ops[-1][0] != OP["exit"]):
            n += 1
        return n * RECORD

    def instruction_data(self):
        if self.raw_data is not None:
            return self.raw_data
        ops = list(self.ops)
        if self.payload_len and (not ops or ops[-1][0] != OP["exit"]):
            ops.append((OP["exit"], [0]))
        base = len(ops) * RECORD
        payload_addr = None if self.ix_off is None else MM_INPUT + self.ix_off + base
        out = b""
        for number, args in ops:
            out += record(number, *[DATA(base + a.off) if isinstance(a, Ref) else a for a in args])
        for chunk in self.chunks:
            out += chunk(payload_addr) if callable(chunk) else chunk
        return out

    def build(self, program_file):
        metas = []
        for key, signer, writable in self.metas:
            metas.append({"pubkey": b58encode(key), "is_signer": signer, "is_writable": writable})
        return {
            "name": self.name,
            "program": program_file,
            "program_id": b58encode(PROBE),
            "loader": b58encode(LOADER_V2),
            "compute_unit_limit": self.limit,
            "instruction": {"data": self.instruction_data().hex(), "accounts": metas},
            "accounts": [
                {"pubkey": b58encode(a.key), "lamports": a.lamports, "owner": b58encode(a.owner),
                 "executable": a.executable, "rent_epoch": a.rent_epoch, "data": a.data.hex()}
                for a in self.accounts
            ],
        }


SCENARIOS = []


def add(scenario):
    assert all(s.name != scenario.name for s in SCENARIOS), scenario.name
    SCENARIOS.append(scenario)
    return scenario


# Accounts used throughout: A and B owned by the probe, S owned by the system program, OUT the
# probe's output account (syscall results land in its data, so the fixture shows them).
A, B, C, S, OUTK, X = k(0xA1), k(0xB2), k(0xC3), k(0x5E), k(0x0F), k(0xE0)


def out_acct(size=256):
    return Acct(OUTK, data=bytes(size))


def with_out(name, limit=DEFAULT_LIMIT, size=256):
    """A scenario whose only account is the writable output account (position 0)."""
    return Scenario(name, [out_acct(size)], [w(OUTK)], limit)


def pattern(n, start=1):
    return bytes((start + i) % 256 for i in range(n))


# --- exits and the script itself -------------------------------------------------------------

s = add(Scenario("exit_empty_script_writes_nothing", [Acct(A, data=pattern(8))], [w(A)]))
s.raw_data = b""
s = add(Scenario("exit_partial_record_is_ignored", [Acct(A, data=bytes(8))], [w(A)]))
s.raw_data = bytes(47)
s = add(Scenario("exit_after_one_record_and_tail", [Acct(A, data=bytes(8))], [w(A)]))
s.raw_data = record(OP["store64"], s.at(0, "data"), 0x55) + bytes(20)
add(Scenario("exit_zero_explicit").op("exit", 0))
for code in (1, 42, 0xFFFF_FFFF):
    add(Scenario(f"exit_custom_{code:#x}").op("exit", code))
for n in range(1, 27):
    add(Scenario(f"exit_builtin_{n:02}").op("exit", n << 32))
add(Scenario("exit_builtin_27_invalid").op("exit", 27 << 32))
add(Scenario("exit_builtin_with_low_bits").op("exit", (2 << 32) | 5))
add(Scenario("exit_all_ones").op("exit", 0xFFFF_FFFF_FFFF_FFFF))
add(Scenario("exit_unknown_op")).raw_op(77)
add(Scenario("exit_last_result").op("set_last", 7).op("exit_last"))

# --- account data ----------------------------------------------------------------------------

s = add(Scenario("data_store_owned_writable", [Acct(A, data=bytes(16))], [w(A)]))
s.op("store64", s.at(0, "data"), 0x1122334455667788).op("store8", s.at(0, "data", 15), 0xEE)
s = add(Scenario("data_store32_unaligned", [Acct(A, data=bytes(16))], [w(A)]))
s.op("store32", s.at(0, "data", 1), 0xA1B2C3D4)
s = add(Scenario("data_store_readonly", [Acct(A, data=bytes(16))], [r(A)]))
s.op("store64", s.at(0, "data"), 1)
s = add(Scenario("data_store_not_owned", [Acct(S, owner=SYSTEM, data=bytes(16))], [w(S)]))
s.op("store64", s.at(0, "data"), 1)
s = add(Scenario("data_store_readonly_not_owned", [Acct(S, owner=SYSTEM, data=bytes(16))], [r(S)]))
s.op("store8", s.at(0, "data"), 1)
s = add(Scenario("data_store_other_owner", [Acct(C, owner=OTHER, data=bytes(16))], [w(C)]))
s.op("store8", s.at(0, "data", 3), 1)
s = add(Scenario("data_store_executable_owned", [Acct(X, owner=PROBE, data=bytes(16), executable=True)], [w(X)]))
s.op("store64", s.at(0, "data"), 9)
s = add(Scenario("data_store_executable_loader_owned", [Acct(X, owner=LOADER_V2, data=bytes(16), executable=True)], [w(X)]))
s.op("store64", s.at(0, "data"), 9)
s = add(Scenario("data_load_readonly_ok", [Acct(A, data=pattern(16))], [r(A)]))
s.op("load64", s.at(0, "data", 8)).op("log_last")
s = add(Scenario("data_load_past_end_readonly", [Acct(A, data=pattern(16))], [r(A)]))
s.op("load64", s.data_end(0))
s = add(Scenario("data_load_straddling_end_readonly", [Acct(A, data=pattern(16))], [r(A)]))
s.op("load64", s.data_end(0, -4))
s = add(Scenario("data_load_past_end_writable", [Acct(A, data=pattern(16))], [w(A)]))
s.op("load8", s.data_end(0))
s = add(Scenario("data_load_past_end_writable_not_owned", [Acct(S, owner=SYSTEM, data=pattern(16))], [w(S)]))
s.op("load8", s.data_end(0))
s = add(Scenario("data_load_empty_readonly", [Acct(A)], [r(A)]))
s.op("load8", s.at(0, "data"))
s = add(Scenario("data_load_end_of_room_writable", [Acct(A, data=pattern(16))], [w(A)]))
s.op("load8", s.data_end(0, ROOM - 1))
s = add(Scenario("data_load_rent_epoch_after_room", [Acct(A, data=pattern(13))], [r(A)]))
s.op("load64", s.at(0, "rent_epoch")).op("log_last")
s = add(Scenario("data_store_straddling_end_of_room", [Acct(A, data=bytes(16))], [w(A)]))
s.op("store64", s.data_end(0, ROOM - 4), 1)
s = add(Scenario("data_load_straddling_end_writable", [Acct(A, data=pattern(16))], [w(A)]))
s.op("load64", s.data_end(0, -4))
s = add(Scenario("data_store_straddling_end_readonly", [Acct(A, data=pattern(16))], [r(A)]))
s.op("store64", s.data_end(0, -4), 1)
s = add(Scenario("grow_store_straddling_data_end", [Acct(A, data=pattern(16))], [w(A)]))
s.op("store64", s.data_end(0, -4), 0x1122334455667788).op("store64", s.at(0, "len"), 20)
s = add(Scenario("data_store_padding_after_room", [Acct(A, data=bytes(13))], [w(A)]))
s.op("store8", s.data_end(0, ROOM), 1)
s = add(Scenario("data_store_then_fail_reverts", [Acct(A, data=bytes(16))], [w(A)]))
s.op("store64", s.at(0, "data"), 0xAB).op("exit", 3)
s = add(Scenario("metadata_scribbles_ignored", [Acct(A, data=bytes(8))], [w(A)]))
s.op("store8", s.at(0, "record", 1), 1).op("store8", s.at(0, "record", 3), 1)
s.op("store64", s.at(0, "key"), 0x4141414141414141).op("store64", s.at(0, "rent_epoch"), 5)
s.op("store64", INPUT(0), 9)

# --- growth and shrinking ---------------------------------------------------------------------

s = add(Scenario("grow_store_and_update_length", [Acct(A, data=pattern(16))], [w(A)]))
s.op("store64", s.data_end(0), 0x0102030405060708).op("store64", s.at(0, "len"), 24)
s = add(Scenario("grow_store_without_length_update", [Acct(A, data=pattern(16))], [w(A)]))
s.op("store64", s.data_end(0, 100), 0x0102030405060708)
s = add(Scenario("grow_length_only", [Acct(A, data=pattern(16))], [w(A)]))
s.op("store64", s.at(0, "len"), 100)
s = add(Scenario("grow_to_full_room", [Acct(A, data=pattern(16))], [w(A)]))
s.op("store8", s.data_end(0, ROOM - 1), 0x99).op("store64", s.at(0, "len"), 16 + ROOM)
s = add(Scenario("grow_length_past_room", [Acct(A, data=pattern(16))], [w(A)]))
s.op("store64", s.at(0, "len"), 16 + ROOM + 1)
s = add(Scenario("grow_length_huge", [Acct(A, data=pattern(16))], [w(A)]))
s.op("store64", s.at(0, "len"), 0xFFFF_FFFF_FFFF_FFFF)
s = add(Scenario("grow_empty_account", [Acct(A)], [w(A)]))
s.op("store8", s.at(0, "data"), 7).op("store64", s.at(0, "len"), 1)
s = add(Scenario("grow_then_load_back", [Acct(A, data=pattern(8))], [w(A)]))
s.op("store64", s.data_end(0, 8), 0x77).op("load64", s.data_end(0, 8)).op("log_last")
s.op("load64", s.data_end(0, 200)).op("log_last")
s = add(Scenario("grow_store_readonly_room", [Acct(A, data=pattern(16))], [r(A)]))
s.op("store8", s.data_end(0), 1)
s = add(Scenario("grow_store_not_owned_room", [Acct(S, owner=SYSTEM, data=pattern(16))], [w(S)]))
s.op("store8", s.data_end(0), 1)
s = add(Scenario("grow_length_readonly", [Acct(A, data=pattern(16))], [r(A)]))
s.op("store64", s.at(0, "len"), 20)
s = add(Scenario("grow_length_not_owned", [Acct(S, owner=SYSTEM, data=pattern(16))], [w(S)]))
s.op("store64", s.at(0, "len"), 20)
s = add(Scenario("grow_then_fail_reverts", [Acct(A, data=pattern(16))], [w(A)]))
s.op("store64", s.data_end(0), 5).op("store64", s.at(0, "len"), 24).op("exit", 1)
s = add(Scenario("grow_two_accounts", [Acct(A, data=pattern(4)), Acct(B, data=pattern(5))], [w(A), w(B)]))
s.op("store8", s.data_end(0), 0xAA).op("store64", s.at(0, "len"), 5)
s.op("store8", s.data_end(1, 2), 0xBB).op("store64", s.at(1, "len"), 8)
s = add(Scenario("shrink", [Acct(A, data=pattern(16))], [w(A)]))
s.op("store64", s.at(0, "len"), 8)
s = add(Scenario("shrink_after_store", [Acct(A, data=bytes(16))], [w(A)]))
s.op("store64", s.at(0, "data", 8), 0x42).op("store64", s.at(0, "data"), 0x41).op("store64", s.at(0, "len"), 8)
s = add(Scenario("shrink_to_zero", [Acct(A, data=pattern(16))], [w(A)]))
s.op("store64", s.at(0, "len"), 0)
s = add(Scenario("shrink_then_grow_back_zeroes", [Acct(A, data=pattern(16))], [w(A)]))
s.op("store64", s.at(0, "len"), 16)
s = add(Scenario("shrink_readonly", [Acct(A, data=pattern(16))], [r(A)]))
s.op("store64", s.at(0, "len"), 8)
s = add(Scenario("shrink_not_owned", [Acct(S, owner=SYSTEM, data=pattern(16))], [w(S)]))
s.op("store64", s.at(0, "len"), 8)
s = add(Scenario("grow_via_memset", [Acct(A, data=pattern(8))], [w(A)]))
s.op("sol_memset_", s.data_end(0), 0x5A, 24).op("store64", s.at(0, "len"), 32)
s = add(Scenario("grow_via_memcpy_without_length", [Acct(A, data=pattern(8))], [w(A)]))
src = s.bytes(pattern(16, 0x40))
s.op("sol_memcpy_", s.data_end(0), src, 16)

# --- lamports --------------------------------------------------------------------------------

s = add(Scenario("lamports_move_between_owned", [Acct(A), Acct(B, lamports=5)], [w(A), w(B)]))
s.op("add64", s.at(0, "lamports"), -400).op("add64", s.at(1, "lamports"), 400)
s = add(Scenario("lamports_credit_not_owned", [Acct(A), Acct(S, owner=SYSTEM)], [w(A), w(S)]))
s.op("add64", s.at(0, "lamports"), -7).op("add64", s.at(1, "lamports"), 7)
s = add(Scenario("lamports_debit_not_owned", [Acct(S, owner=SYSTEM), Acct(A)], [w(S), w(A)]))
s.op("add64", s.at(0, "lamports"), -7).op("add64", s.at(1, "lamports"), 7)
s = add(Scenario("lamports_credit_readonly", [Acct(A), Acct(B)], [w(A), r(B)]))
s.op("add64", s.at(0, "lamports"), -7).op("add64", s.at(1, "lamports"), 7)
s = add(Scenario("lamports_debit_readonly", [Acct(B), Acct(A)], [r(B), w(A)]))
s.op("add64", s.at(0, "lamports"), -7).op("add64", s.at(1, "lamports"), 7)
s = add(Scenario("lamports_unbalanced_credit", [Acct(A)], [w(A)]))
s.op("add64", s.at(0, "lamports"), 1)
s = add(Scenario("lamports_unbalanced_debit", [Acct(A)], [w(A)]))
s.op("add64", s.at(0, "lamports"), -1)
s = add(Scenario("lamports_to_max_unbalanced", [Acct(A), Acct(B)], [w(A), w(B)]))
s.op("store64", s.at(0, "lamports"), 0xFFFF_FFFF_FFFF_FFFF)
s = add(Scenario("lamports_drain_to_zero", [Acct(A), Acct(B, lamports=0, owner=SYSTEM)], [w(A), w(B)]))
s.op("store64", s.at(0, "lamports"), 0).op("add64", s.at(1, "lamports"), 1_000_000)
s = add(Scenario("lamports_sum_above_u64", [Acct(A, lamports=0xFFFF_FFFF_FFFF_FFF0), Acct(B, lamports=100)], [w(A), w(B)]))
s.op("add64", s.at(1, "lamports"), -15).op("add64", s.at(0, "lamports"), 15)
s = add(Scenario("lamports_debit_executable_owned", [Acct(X, executable=True), Acct(A)], [w(X), w(A)]))
s.op("add64", s.at(0, "lamports"), -15).op("add64", s.at(1, "lamports"), 15)
s = add(Scenario("lamports_move_then_fail_reverts", [Acct(A), Acct(B)], [w(A), w(B)]))
s.op("add64", s.at(0, "lamports"), -5).op("add64", s.at(1, "lamports"), 5).op("exit", 2 << 32)

# --- owner -----------------------------------------------------------------------------------

s = add(Scenario("owner_change_zeroed", [Acct(A, data=bytes(16))], [w(A)]))
s.op("sol_memcpy_", s.at(0, "owner"), s.bytes(OTHER), 32)
s = add(Scenario("owner_change_empty_data", [Acct(A)], [w(A)]))
s.op("sol_memcpy_", s.at(0, "owner"), s.bytes(SYSTEM), 32)
s = add(Scenario("owner_change_nonzero_data", [Acct(A, data=pattern(16))], [w(A)]))
s.op("sol_memcpy_", s.at(0, "owner"), s.bytes(OTHER), 32)
s = add(Scenario("owner_change_after_zeroing_data", [Acct(A, data=pattern(16))], [w(A)]))
s.op("sol_memset_", s.at(0, "data"), 0, 16).op("sol_memcpy_", s.at(0, "owner"), s.bytes(OTHER), 32)
s = add(Scenario("owner_change_readonly", [Acct(A, data=bytes(16))], [r(A)]))
s.op("sol_memcpy_", s.at(0, "owner"), s.bytes(OTHER), 32)
s = add(Scenario("owner_change_not_owned", [Acct(S, owner=SYSTEM, data=bytes(16))], [w(S)]))
s.op("sol_memcpy_", s.at(0, "owner"), s.bytes(PROBE), 32)
s = add(Scenario("owner_rewrite_same", [Acct(A, data=pattern(16))], [r(A)]))
s.op("sol_memcpy_", s.at(0, "owner"), s.bytes(PROBE), 32)
s = add(Scenario("owner_change_with_debit", [Acct(A), Acct(B)], [w(A), w(B)]))
s.op("add64", s.at(0, "lamports"), -10).op("add64", s.at(1, "lamports"), 10)
s.op("sol_memcpy_", s.at(0, "owner"), s.bytes(OTHER), 32)
s = add(Scenario("owner_change_and_grow_zeroes", [Acct(A, data=bytes(8))], [w(A)]))
s.op("store64", s.at(0, "len"), 64).op("sol_memcpy_", s.at(0, "owner"), s.bytes(OTHER), 32)

s = add(Scenario("owner_change_executable", [Acct(X, executable=True)], [w(X)]))
s.op("sol_memcpy_", s.at(0, "owner"), s.bytes(OTHER), 32)

# --- duplicates ------------------------------------------------------------------------------

s = add(Scenario("dup_write_data_both_positions", [Acct(A, data=bytes(16))], [w(A), w(A)]))
s.op("store64", s.at(0, "data"), 0x1111).op("store64", s.at(1, "data", 8), 0x2222)
s = add(Scenario("dup_readonly_then_writable_merges", [Acct(A, data=bytes(16))], [r(A), w(A)]))
s.op("store64", s.at(0, "data"), 0x33)
s = add(Scenario("dup_lamports_and_length", [Acct(A, data=bytes(16)), Acct(B)], [w(A), w(B), w(A)]))
s.op("add64", s.at(2, "lamports"), -3).op("add64", s.at(1, "lamports"), 3).op("store64", s.at(2, "len"), 8)
s = add(Scenario("dup_marker_overwritten", [Acct(A, data=bytes(8))], [w(A), w(A)]))
s.op("store64", s.at(1, "record"), 0xFF).op("store8", s.at(0, "data"), 4)
s = add(Scenario("dup_readonly_both_store", [Acct(A, data=bytes(8))], [r(A), r(A)]))
s.op("store8", s.at(1, "data"), 4)
s = add(Scenario("dup_signer_merges", [Acct(A, data=bytes(8))], [r(A, signer=True), w(A)]))
s.op("load8", s.at(0, "record", 1)).op("log_last").op("load8", s.at(0, "record", 2)).op("log_last")
s = add(Scenario("dup_three_positions_grow", [Acct(A, data=bytes(8)), Acct(B)], [w(A), w(B), w(A), w(A)]))
s.op("store8", s.data_end(3, 3), 9).op("store64", s.at(3, "len"), 12)

# --- the input itself ------------------------------------------------------------------------

s = add(Scenario("input_zero_accounts"))
s.op("load64", INPUT(0)).op("log_last").op("load64", INPUT(8)).op("log_last")
s = add(Scenario("input_program_id_after_data"))
s.op("sol_log_pubkey", DATA(2 * RECORD)).op("exit", 0)   # the probe's id follows the data
s = add(Scenario("input_account_pointer_array", [Acct(A, data=pattern(3)), Acct(B)], [w(A), r(B), w(A)]))
# SIMD-0449: after the program id, padded to 8, one u64 per account (its record's address).
end = s.ix_off + 6 * RECORD + 32
end += (-end) % 8
s.raw_data = b"".join([
    record(OP["load64"], INPUT(end)), record(OP["log_last"]),
    record(OP["load64"], INPUT(end + 8)), record(OP["log_last"]),
    record(OP["load64"], INPUT(end + 16)), record(OP["log_last"]),
])
s = add(Scenario("input_past_end", [Acct(A)], [w(A)]))
s.raw_data = record(OP["load64"], INPUT(s.ix_off + RECORD + 32 + 8))
s = add(Scenario("input_key_and_flags", [Acct(A)], [r(A, signer=True)]))
s.op("sol_log_pubkey", s.at(0, "key")).op("sol_log_pubkey", s.at(0, "owner")).op("load64", s.at(0, "record")).op("log_last")

s = add(Scenario("input_program_account_fields", [], [r(PROBE)]))
s.op("load64", s.at(0, "record")).op("log_last").op("sol_log_pubkey", s.at(0, "owner")).op("load64", s.at(0, "len")).op("log_last")
s.op("load64", s.at(0, "lamports")).op("log_last")
s = add(Scenario("input_program_account_writable_store", [], [w(PROBE)]))
s.op("load64", s.at(0, "record")).op("log_last").op("store8", s.at(0, "data"), 1)
s = add(Scenario("input_odd_sizes_layout", [Acct(A, data=pattern(1)), Acct(B, data=pattern(3)), Acct(C, data=pattern(7)), Acct(OUTK, data=pattern(9))],
                 [w(A), w(B), w(C), w(OUTK)]))
for position in range(4):
    s.op("store8", s.data_end(position, -1), 0xF0 + position).op("add64", s.at(position, "len"), 1)
for count, name in ((255, "input_255_metas"), (256, "input_256_metas")):
    s = add(Scenario(name, [Acct(A, data=bytes(8))], [w(A)] * count))
    s.op("store8", s.at(0, "data"), 1).op("load64", INPUT(0)).op("log_last")
s = add(Scenario("rent_epoch_kept", [Acct(A, data=bytes(8), rent_epoch=77), Acct(B, rent_epoch=0xFFFF_FFFF_FFFF_FFFF)], [w(A), w(B)]))
s.op("store8", s.at(0, "data"), 1).op("add64", s.at(0, "lamports"), -1).op("add64", s.at(1, "lamports"), 1)

# --- the VM ----------------------------------------------------------------------------------

add(Scenario("vm_load_unmapped_region").op("load64", 0x5_0000_0000))
add(Scenario("vm_load_address_zero").op("load64", 0))
add(Scenario("vm_load_low_address").op("load8", 0x10).op("log_last"))
add(Scenario("vm_store_rodata").op("store8", RODATA(0), 1))
add(Scenario("vm_store_text").op("store64", TEXT(0), 1))
add(Scenario("vm_load_text").op("load64", TEXT(0)).op("log_last"))
add(Scenario("vm_load_text_segment_start").op("load64", MM_TEXT).op("log_last"))
add(Scenario("vm_load_rodata").op("load64", RODATA(ROD_KEY_AT)).op("log_last"))
add(Scenario("vm_stack_deep_frame_ok").op("store64", MM_STACK + 63 * 4096, 5).op("load64", MM_STACK + 63 * 4096).op("log_last"))
add(Scenario("vm_stack_frame_1_ok").op("store64", MM_STACK + 4096 + 8, 6).op("load64", MM_STACK + 4096 + 8).op("log_last"))
add(Scenario("vm_stack_past_end").op("store64", MM_STACK + 64 * 4096, 1))
add(Scenario("vm_heap_last_word").op("store64", MM_HEAP + 32 * 1024 - 8, 3).op("load64", MM_HEAP + 32 * 1024 - 8).op("log_last"))
add(Scenario("vm_heap_past_end").op("store8", MM_HEAP + 32 * 1024, 1))
add(Scenario("vm_store_instruction_data").op("store64", DATA(40), 0x1234).op("load64", DATA(40)).op("log_last"))
add(Scenario("vm_div_by_zero").op("div", 10, 0))
add(Scenario("vm_div_ok").op("div", 100, 7).op("log_last"))
add(Scenario("vm_call_depth_62_ok").op("recurse", 62))
add(Scenario("vm_call_depth_63_exceeded").op("recurse", 63))
add(Scenario("vm_call_depth_1000").op("recurse", 1000))
add(Scenario("vm_callx_zero").op("callx", 0))
add(Scenario("vm_callx_outside_text").op("callx", MM_TEXT + 0x100000))
add(Scenario("vm_burn_ok").op("burn", 1000))
add(Scenario("vm_budget_exhausted_in_loop").op("burn", 1_000_000))
add(Scenario("vm_budget_small_limit_loop", limit=500).op("burn", 1000))
add(Scenario("vm_budget_limit_zero", limit=0).op("exit", 0))
# The script `burn 20` costs 110 units with the current probe.asm (both versions): the limit
# exactly enough, and one short.
add(Scenario("vm_budget_limit_exactly_enough", limit=110).op("burn", 20))
add(Scenario("vm_budget_limit_one_short", limit=109).op("burn", 20))
s = add(Scenario("vm_callx_entrypoint_reenters"))
nested = s.bytes(struct.pack("<Q", RECORD) + record(OP["exit"], 5))
s.op("callx", TEXT(0), nested + 8).op("exit_last")
s = add(Scenario("vm_callx_not_a_function"))
nested = s.bytes(struct.pack("<Q", RECORD) + record(OP["exit"], 5))
s.op("callx", TEXT(8), nested + 8).op("exit_last")
s = add(Scenario("vm_access_violation_outside_accounts", [Acct(A, data=bytes(8))], [w(A)]))
s.op("store64", s.at(0, "data"), 1).op("load64", 0x6_0000_0000)

# --- logging ---------------------------------------------------------------------------------

s = add(Scenario("sys_log_ok"))
s.op("sol_log_", s.bytes(b"hello, probe"), 12)
s = add(Scenario("sys_log_rodata"))
s.op("sol_log_", RODATA(ROD_TEXT_AT), len(ROD_TEXT))
s = add(Scenario("sys_log_empty"))
s.op("sol_log_", 0, 0)
s = add(Scenario("sys_log_invalid_utf8"))
s.op("sol_log_", s.bytes(b"ok\xff\xfe"), 4)
s = add(Scenario("sys_log_unmapped"))
s.op("sol_log_", 0x5_0000_0000, 4)
s = add(Scenario("sys_log_len_huge"))
s.op("sol_log_", s.bytes(b"x"), 0xFFFF_FFFF_FFFF_FFFF)
s = add(Scenario("sys_log_from_account_data", [Acct(A, data=b"account text")], [r(A)]))
s.op("sol_log_", s.at(0, "data"), 12)
s = add(Scenario("sys_log_past_account_data", [Acct(A, data=b"account text")], [r(A)]))
s.op("sol_log_", s.at(0, "data"), 13)
s = add(Scenario("sys_log_truncated"))
text = s.bytes(b"y" * 1000)
for _ in range(11):
    s.op("sol_log_", text, 1000)
s.op("sol_log_64_", 1, 2, 3, 4, 5)
# The log's 10,000-byte limit: "Program <id> invoke [1]" is 63 bytes, each "Program log: "
# line 13 + its text, "Program <id> consumed N of 1400000 compute units" 87 + digits of N (4
# here), "Program <id> success" 60. A line that brings the total to 10,000 or more is dropped
# and "Log truncated" recorded once.
for name, logged in (("log_limit_last_log_reaches_limit", 10_000 - 63),
                     ("log_limit_consumed_line_reaches_limit", 10_000 - 63 - 91),
                     ("log_limit_success_line_truncated", 10_000 - 63 - 91 - 1)):
    s = add(Scenario(name))
    text = s.bytes(b"L" * 1000)
    texts = [1000] * 9 + [logged - 10 * 13 - 9000]
    for length in texts:
        s.op("sol_log_", text, length)
s = add(Scenario("sys_log_64"))
s.op("sol_log_64_", 0, 1, 0xFF, 0xFFFF_FFFF_FFFF_FFFF, 0x1234_5678)
s = add(Scenario("sys_log_pubkey_ok"))
s.op("sol_log_pubkey", s.bytes(PROBE))
s = add(Scenario("sys_log_pubkey_rodata"))
s.op("sol_log_pubkey", RODATA(ROD_KEY_AT))
s = add(Scenario("sys_log_pubkey_straddling_stack_end"))
s.op("sol_log_pubkey", MM_STACK + 64 * 4096 - 16)
s = add(Scenario("sys_log_compute_units"))
s.op("sol_log_compute_units_").op("burn", 10).op("sol_log_compute_units_")
s = add(Scenario("sys_log_data_ok"))
s.op("sol_log_data", s.slices([b"first", b"\x00\x01\x02", b""]), 3)
s = add(Scenario("sys_log_data_empty_field_bad_pointer"))
s.op("sol_log_data", s.slices([(0x5_0000_0000, 0), b"y"]), 2)
s = add(Scenario("sys_log_data_no_fields"))
s.op("sol_log_data", 0, 0)
s = add(Scenario("sys_log_data_unaligned_array"))
arr = s.slices([b"abc"])
s.op("sol_log_data", arr + 4, 1)
s = add(Scenario("sys_log_data_field_unmapped"))
s.op("sol_log_data", s.slices([(0x5_0000_0000, 4)]), 1)
s = add(Scenario("sys_log_data_array_unmapped"))
s.op("sol_log_data", 0x5_0000_0000, 2)

# --- memory syscalls -------------------------------------------------------------------------

s = add(with_out("sys_memcpy_ok"))
s.op("sol_memcpy_", s.at(0, "data"), s.bytes(pattern(40)), 40)
s = add(with_out("sys_memcpy_overlapping"))
s.op("sol_memcpy_", s.at(0, "data", 4), s.at(0, "data"), 8)
s = add(with_out("sys_memcpy_adjacent_ok"))
s.op("sol_memcpy_", s.at(0, "data", 8), s.at(0, "data"), 8)
s = add(with_out("sys_memcpy_zero_len_bad_pointers"))
s.op("sol_memcpy_", 0x5_0000_0000, 0x6_0000_0000, 0)
s = add(with_out("sys_memcpy_src_unmapped"))
s.op("sol_memcpy_", s.at(0, "data"), 0x5_0000_0000, 8)
s = add(with_out("sys_memcpy_dst_rodata"))
s.op("sol_memcpy_", RODATA(0), s.at(0, "data"), 8)
s = add(Scenario("sys_memcpy_into_readonly_account", [Acct(A, data=bytes(16))], [r(A)]))
s.op("sol_memcpy_", s.at(0, "data"), s.bytes(pattern(8)), 8)
s = add(Scenario("sys_memcpy_into_not_owned_account", [Acct(S, owner=SYSTEM, data=bytes(16))], [w(S)]))
s.op("sol_memcpy_", s.at(0, "data"), s.bytes(pattern(8)), 8)
s = add(with_out("sys_memcpy_from_rodata"))
s.op("sol_memcpy_", s.at(0, "data"), RODATA(ROD_BYTES_AT), 64)
s = add(with_out("sys_memcpy_huge_len_cost"))
s.op("sol_memcpy_", s.at(0, "data"), 0x5_0000_0000, 1_000_000)
s = add(with_out("sys_memcpy_across_stack_frames"))
s.op("sol_memset_", MM_STACK + 2 * 4096 - 8, 0x3C, 16).op("sol_memcpy_", s.at(0, "data"), MM_STACK + 2 * 4096 - 8, 16)
s = add(Scenario("sys_memset_room_not_owned", [Acct(S, owner=SYSTEM, data=bytes(8))], [w(S)]))
s.op("sol_memset_", s.data_end(0), 1, 8)
s = add(Scenario("sys_memcpy_src_room_writable", [out_acct(), Acct(A, data=bytes(8))], [w(OUTK), w(A)]))
s.op("sol_memcpy_", s.at(0, "data"), s.data_end(1), 8)
s = add(with_out("sys_memmove_overlapping_ok"))
s.op("sol_memcpy_", s.at(0, "data"), s.bytes(pattern(16)), 16).op("sol_memmove_", s.at(0, "data", 3), s.at(0, "data"), 16)
s = add(with_out("sys_memmove_dst_unmapped"))
s.op("sol_memmove_", 0x5_0000_0000, s.at(0, "data"), 4)
s = add(with_out("sys_memset_ok"))
s.op("sol_memset_", s.at(0, "data", 10), 0x1FF, 20)
s = add(Scenario("sys_memset_readonly_account", [Acct(A, data=bytes(16))], [r(A)]))
s.op("sol_memset_", s.at(0, "data"), 1, 4)
s = add(with_out("sys_memset_past_room"))
s.op("sol_memset_", s.at(0, "data"), 1, 256 + ROOM + 1)
s = add(with_out("sys_memcmp_zero_len_bad_pointers"))
s.op("sol_memcmp_", 0x5_0000_0000, 0x6_0000_0000, 0, s.at(0, "data"))
s = add(Scenario("sys_memset_zero_len_bad_pointer"))
s.op("sol_memset_", 0x5_0000_0000, 1, 0)
s = add(with_out("sys_memcmp_equal"))
a = s.bytes(b"abcdefgh")
s.op("sol_memcmp_", a, a, 8, s.at(0, "data"))
s = add(with_out("sys_memcmp_less_and_greater"))
a, b = s.bytes(b"abcdefghijklmnopqrstuvwxyz012345"), s.bytes(b"abcdefghijklmnopqrstuvwxyZ012345")
s.op("sol_memcmp_", a, b, 32, s.at(0, "data")).op("sol_memcmp_", b, a, 32, s.at(0, "data", 4))
s.op("sol_memcmp_", a, b, 25, s.at(0, "data", 8))
s = add(with_out("sys_memcmp_result_unaligned"))
a = s.bytes(b"abcd")
s.op("sol_memcmp_", a, a, 4, s.at(0, "data", 2))
s = add(with_out("sys_memcmp_result_rodata"))
a = s.bytes(b"abcd")
s.op("sol_memcmp_", a, a, 4, RODATA(0))
s = add(with_out("sys_memcmp_src_unmapped"))
s.op("sol_memcmp_", 0x5_0000_0000, s.at(0, "data"), 4, s.at(0, "data"))

# --- hashes ----------------------------------------------------------------------------------

for name in ("sol_sha256", "sol_keccak256", "sol_sha512"):
    short = name[4:]
    s = add(with_out(f"sys_{short}_ok"))
    s.op(name, s.slices([b"hello", b" ", b"world"]), 3, s.at(0, "data"))
    s = add(with_out(f"sys_{short}_no_slices"))
    s.op(name, 0, 0, s.at(0, "data", 64))
s = add(with_out("sys_sha256_too_many_slices"))
s.op("sol_sha256", 0, 20_001, s.at(0, "data"))
s = add(with_out("sys_sha256_max_slices_unmapped"))
s.op("sol_sha256", 0x5_0000_0000, 20_000, s.at(0, "data"))
s = add(with_out("sys_sha256_unaligned_slices"))
arr = s.slices([b"abc", b"def"])
s.op("sol_sha256", arr + 1, 1, s.at(0, "data"))
s = add(with_out("sys_sha256_empty_slice_bad_pointer"))
s.op("sol_sha256", s.slices([(0x5_0000_0000, 0), b"x"]), 2, s.at(0, "data"))
s = add(with_out("sys_sha256_result_rodata"))
s.op("sol_sha256", s.slices([b"abc"]), 1, RODATA(0))
s = add(with_out("sys_sha256_slice_from_account"))
s.op("sol_memset_", s.at(0, "data"), 0x61, 100).op("sol_sha256", s.slices([(MM_INPUT + s.pos[0]["data"], 100)]), 1, s.at(0, "data", 128))
s = add(Scenario("sys_sha256_result_grows_account", [Acct(A, data=bytes(8))], [w(A)]))
s.op("sol_sha256", s.slices([b"abc"]), 1, s.data_end(0)).op("store64", s.at(0, "len"), 40)
s = add(with_out("sys_keccak256_result_unmapped"))
s.op("sol_keccak256", s.slices([b"abc"]), 1, 0x5_0000_0000)
s = add(with_out("sys_sha512_slice_unmapped"))
s.op("sol_sha512", s.slices([b"abc", (0x5_0000_0000, 8)]), 2, s.at(0, "data"))
s = add(with_out("sys_keccak256_large_input"))
s.op("sol_keccak256", s.slices([b"z" * 3000]), 1, s.at(0, "data"))

# --- program addresses -----------------------------------------------------------------------


def seeds_pair(on):
    """Two seeds whose PDA for the probe is (on=True) or is not a curve point."""
    for i in range(1000):
        seeds = [b"probe", bytes([i])]
        if on_curve(pda(seeds, PROBE)) == on:
            return seeds
    raise RuntimeError("no seeds")


s = add(with_out("sys_create_program_address_ok"))
s.op("sol_create_program_address", s.slices(seeds_pair(False)), 2, s.bytes(PROBE), s.at(0, "data"))
s = add(with_out("sys_create_program_address_on_curve"))
s.op("sol_create_program_address", s.slices(seeds_pair(True)), 2, s.bytes(PROBE), s.at(0, "data"))
s = add(with_out("sys_create_program_address_no_seeds"))
s.op("sol_create_program_address", 0, 0, RODATA(ROD_KEY_AT), s.at(0, "data"))
s = add(with_out("sys_create_program_address_no_seeds_bad_pointer"))
s.op("sol_create_program_address", 0x5_0000_0000, 0, s.bytes(PROBE), s.at(0, "data"))
s = add(with_out("sys_create_program_address_16_seeds"))
s.op("sol_create_program_address", s.slices([bytes([i]) for i in range(16)]), 16, s.bytes(PROBE), s.at(0, "data"))
s = add(with_out("sys_create_program_address_17_seeds"))
s.op("sol_create_program_address", s.slices([bytes([i]) for i in range(17)]), 17, s.bytes(PROBE), s.at(0, "data"))
s = add(with_out("sys_create_program_address_seed_32"))
s.op("sol_create_program_address", s.slices([b"s" * 32]), 1, s.bytes(PROBE), s.at(0, "data"))
s = add(with_out("sys_create_program_address_seed_33"))
s.op("sol_create_program_address", s.slices([b"s" * 33]), 1, s.bytes(PROBE), s.at(0, "data"))
s = add(with_out("sys_create_program_address_program_id_unmapped"))
s.op("sol_create_program_address", s.slices([b"a"]), 1, 0x5_0000_0000, s.at(0, "data"))
s = add(with_out("sys_create_program_address_result_rodata"))
s.op("sol_create_program_address", s.slices(seeds_pair(False)), 2, s.bytes(PROBE), RODATA(0))
s = add(with_out("sys_create_program_address_seeds_unaligned"))
arr = s.slices([b"a"])
s.op("sol_create_program_address", arr + 4, 1, s.bytes(PROBE), s.at(0, "data"))
s = add(with_out("sys_try_find_program_address_ok"))
s.op("sol_try_find_program_address", s.slices([b"probe", b"vault"]), 2, s.bytes(PROBE), s.at(0, "data"), s.at(0, "data", 32))
s = add(with_out("sys_try_find_program_address_16_seeds"))
s.op("sol_try_find_program_address", s.slices([bytes([i]) for i in range(16)]), 16, s.bytes(PROBE), s.at(0, "data"), s.at(0, "data", 32))
s = add(with_out("sys_try_find_program_address_bump_overlaps_address"))
s.op("sol_try_find_program_address", s.slices([b"probe"]), 1, s.bytes(PROBE), s.at(0, "data"), s.at(0, "data", 31))
s = add(with_out("sys_try_find_program_address_out_of_budget", limit=2000))
s.op("sol_try_find_program_address", s.slices([bytes([i]) for i in range(16)]), 16, s.bytes(PROBE), s.at(0, "data"), s.at(0, "data", 32))

# --- return data -----------------------------------------------------------------------------

s = add(Scenario("sys_set_return_data_ok"))
s.op("sol_set_return_data", s.bytes(b"returned!"), 9)
s = add(Scenario("sys_set_return_data_max"))
s.op("sol_set_return_data", s.bytes(pattern(1024)), 1024)
s = add(Scenario("sys_set_return_data_too_large"))
s.op("sol_set_return_data", s.bytes(pattern(1025)), 1025)
s = add(Scenario("sys_set_return_data_then_clear"))
s.op("sol_set_return_data", s.bytes(b"abc"), 3).op("sol_set_return_data", 0, 0)
s = add(Scenario("sys_set_return_data_unmapped"))
s.op("sol_set_return_data", 0x5_0000_0000, 8)
s = add(Scenario("sys_set_return_data_then_fail"))
s.op("sol_set_return_data", s.bytes(b"abc"), 3).op("exit", 9)
s = add(with_out("sys_get_return_data_none"))
s.op("sol_get_return_data", s.at(0, "data"), 32, s.at(0, "data", 64)).op("log_last")
s = add(with_out("sys_get_return_data_ok"))
s.op("sol_set_return_data", s.bytes(b"0123456789"), 10)
s.op("sol_get_return_data", s.at(0, "data"), 4, s.at(0, "data", 64)).op("log_last")
s = add(with_out("sys_get_return_data_overlapping"))
s.op("sol_set_return_data", s.bytes(b"0123456789"), 10)
s.op("sol_get_return_data", s.at(0, "data"), 10, s.at(0, "data", 5))
s = add(with_out("sys_get_return_data_zero_length"))
s.op("sol_set_return_data", s.bytes(b"0123456789"), 10)
s.op("sol_get_return_data", 0x5_0000_0000, 0, 0x5_0000_0000).op("log_last")
s = add(with_out("sys_get_return_data_longer_buffer"))
s.op("sol_set_return_data", s.bytes(b"0123456789"), 10)
s.op("sol_get_return_data", s.at(0, "data"), 100, s.at(0, "data", 128)).op("log_last")
s = add(Scenario("sys_set_return_data_empty_bad_pointer"))
s.op("sol_set_return_data", 0x5_0000_0000, 0)
s = add(with_out("sys_get_return_data_dst_unmapped"))
s.op("sol_set_return_data", s.bytes(b"0123456789"), 10)
s.op("sol_get_return_data", 0x5_0000_0000, 10, s.at(0, "data"))

# --- sysvars ---------------------------------------------------------------------------------

for name, size in (("clock", 40), ("rent", 24), ("epoch_schedule", 40), ("epoch_rewards", 96), ("last_restart_slot", 8)):
    call = "sol_get_last_restart_slot" if name == "last_restart_slot" else f"sol_get_{name}_sysvar"
    s = add(with_out(f"sys_get_{name}_stack"))
    s.op(call, STACK).op("sol_memcpy_", s.at(0, "data"), STACK, size)
    s = add(with_out(f"sys_get_{name}_into_input"))
    s.op(call, s.at(0, "data"))
s = add(Scenario("sys_get_clock_unaligned"))
s.op("sol_get_clock_sysvar", STACK + 4)
s = add(Scenario("sys_get_epoch_rewards_8_aligned"))
s.op("sol_get_epoch_rewards_sysvar", STACK + 8)
s = add(Scenario("sys_get_rent_rodata"))
s.op("sol_get_rent_sysvar", RODATA(0))
s = add(Scenario("sys_get_clock_straddling_heap_end"))
s.op("sol_get_clock_sysvar", 0x3_0000_0000 + 32 * 1024 - 8)
s = add(Scenario("sys_get_clock_heap_ok"))
s.op("sol_get_clock_sysvar", MM_HEAP).op("load64", MM_HEAP + 32).op("log_last")
s = add(Scenario("sys_get_clock_out_of_budget", limit=120))
s.op("sol_get_clock_sysvar", STACK)


def sysvar_id(s, name):
    return s.bytes(b58decode(SYSVARS[name]))


for name in SYSVARS:
    s = add(with_out(f"sys_get_sysvar_{name}"))
    s.op("sol_get_sysvar", sysvar_id(s, name), STACK, 0, 17).op("log_last").op("sol_memcpy_", s.at(0, "data"), STACK, 17)
s = add(with_out("sys_get_sysvar_unknown_id"))
s.op("sol_get_sysvar", s.bytes(k(0x42)), STACK, 0, 8).op("log_last")
s = add(with_out("sys_get_sysvar_slice_past_end"))
s.op("sol_get_sysvar", sysvar_id(s, "clock"), STACK, 36, 8).op("log_last")
s = add(with_out("sys_get_sysvar_slice_tail"))
s.op("sol_get_sysvar", sysvar_id(s, "clock"), STACK, 32, 8).op("log_last").op("sol_memcpy_", s.at(0, "data"), STACK, 8)
s = add(with_out("sys_get_sysvar_offset_overflow"))
s.op("sol_get_sysvar", sysvar_id(s, "clock"), STACK, 0xFFFF_FFFF_FFFF_FFFF, 8)
s = add(with_out("sys_get_sysvar_zero_length_dst_above_input_start"))
s.op("sol_get_sysvar", sysvar_id(s, "clock"), 0x5_0000_0000, 0, 0).op("log_last")
s = add(with_out("sys_get_sysvar_zero_length_dst_past_heap"))
s.op("sol_get_sysvar", sysvar_id(s, "clock"), MM_HEAP + 32 * 1024, 0, 0).op("log_last")
s = add(with_out("sys_get_sysvar_into_input"))
s.op("sol_get_sysvar", sysvar_id(s, "clock"), s.at(0, "data"), 0, 8)
s = add(with_out("sys_get_sysvar_id_unmapped"))
s.op("sol_get_sysvar", 0x5_0000_0000, STACK, 0, 8)
s = add(with_out("sys_get_sysvar_dst_above_input_start"))
s.op("sol_get_sysvar", sysvar_id(s, "clock"), 0x5_0000_0000, 0, 8)
s = add(with_out("sys_get_sysvar_dst_past_heap"))
s.op("sol_get_sysvar", sysvar_id(s, "clock"), MM_HEAP + 32 * 1024 - 4, 0, 8)
s = add(with_out("sys_get_sysvar_unaligned_dst"))
s.op("sol_get_sysvar", sysvar_id(s, "rent"), STACK + 3, 0, 17).op("log_last").op("sol_memcpy_", s.at(0, "data"), STACK + 3, 17)
s = add(with_out("sys_get_sysvar_large_length_cost"))
s.op("sol_get_sysvar", sysvar_id(s, "clock"), STACK, 0, 3000).op("log_last")

s = add(with_out("sysvar_clock_account_overrides_cache"))
s.accounts.append(Acct(b58decode(SYSVARS["clock"]), owner=SYSVAR_OWNER, data=pattern(40, 0x10)))
s.op("sol_get_clock_sysvar", STACK).op("sol_memcpy_", s.at(0, "data"), STACK, 40)
s.op("sol_get_sysvar", sysvar_id(s, "clock"), STACK, 8, 16).op("sol_memcpy_", s.at(0, "data", 40), STACK, 16)
s = add(Scenario("sysvar_clock_account_in_instruction", [out_acct(), Acct(b58decode(SYSVARS["clock"]), owner=SYSVAR_OWNER, data=pattern(40, 0x20))],
                 [w(OUTK), r(b58decode(SYSVARS["clock"]))]))
s.op("sol_get_clock_sysvar", STACK).op("sol_memcpy_", s.at(0, "data"), STACK, 40)
s.op("sol_memcpy_", s.at(0, "data", 40), s.at(1, "data"), 40)
# Agave's sysvar cache keeps a sysvar account's bytes as given when they deserialize (bincode:
# trailing bytes allowed), and ignores the account when they do not.
def sysvar_account_scenario(name, sysvar, data, size):
    s = add(with_out(name))
    s.accounts.append(Acct(b58decode(SYSVARS[sysvar]), owner=SYSVAR_OWNER, data=data))
    s.op("sol_get_sysvar", sysvar_id(s, sysvar), STACK, 0, size).op("log_last").op("sol_memcpy_", s.at(0, "data"), STACK, size)
    return s


s = sysvar_account_scenario("sysvar_clock_account_trailing_bytes", "clock", pattern(48, 0x30), 48)
s.op("sol_get_clock_sysvar", STACK).op("sol_memcpy_", s.at(0, "data", 64), STACK, 40)
s = sysvar_account_scenario("sysvar_epoch_rewards_account_invalid_bool", "epoch_rewards", pattern(80, 0x40) + b"\x02", 81)
s.op("sol_get_epoch_rewards_sysvar", STACK).op("sol_memcpy_", s.at(0, "data", 96), STACK, 96)
s = sysvar_account_scenario("sysvar_epoch_schedule_account_bool_1", "epoch_schedule",
                            pattern(16, 0x50) + b"\x01" + pattern(16, 0x60), 33)
s.op("sol_get_epoch_schedule_sysvar", STACK).op("sol_memcpy_", s.at(0, "data", 64), STACK, 40)
s = sysvar_account_scenario("sysvar_slot_hashes_account", "slot_hashes",
                            struct.pack("<QQ", 1, 77) + pattern(32, 0x70), 48)
s = sysvar_account_scenario("sysvar_stake_history_account", "stake_history",
                            struct.pack("<QQQQQ", 1, 5, 6, 7, 8), 40)
s = sysvar_account_scenario("sysvar_rent_account_wrong_owner_still_used", "rent", pattern(17, 0x11), 17)
s.accounts[-1].owner = OTHER
s = add(Scenario("sysvar_rent_account_short_data", [out_acct(), Acct(b58decode(SYSVARS["rent"]), owner=SYSVAR_OWNER, data=pattern(5))], [w(OUTK)]))
s.op("sol_get_rent_sysvar", STACK).op("log_last").op("sol_memcpy_", s.at(0, "data"), STACK, 24)
s = add(Scenario("sysvar_instructions_in_instruction", [out_acct(512)], [w(OUTK), r(b58decode(SYSVARS["instructions"]))]))
s.op("load64", s.at(1, "len")).op("log_last").op("sol_log_pubkey", s.at(1, "owner"))
s.op("sol_memcpy_", s.at(0, "data"), s.at(1, "data"), 160)

# --- the rest --------------------------------------------------------------------------------

add(Scenario("sys_get_stack_height").op("sol_get_stack_height").op("log_last"))
add(Scenario("sys_remaining_compute_units").op("sol_remaining_compute_units").op("log_last"))
add(Scenario("sys_remaining_compute_units_small_limit", limit=300).op("sol_remaining_compute_units").op("log_last"))
s = add(with_out("sys_get_processed_sibling_instruction_none"))
s.op("sol_get_processed_sibling_instruction", 0, s.at(0, "data"), s.at(0, "data", 16), s.at(0, "data", 48), s.at(0, "data", 64)).op("log_last")
s = add(Scenario("sys_get_processed_sibling_instruction_bad_pointers"))
s.op("sol_get_processed_sibling_instruction", 0, 0x5_0000_0000, 0x5_0000_0000, 0x5_0000_0000, 0x5_0000_0000).op("log_last")
s = add(Scenario("sys_alloc_free_zero"))
s.op("sol_alloc_free_", 0, 0).op("log_last").op("sol_alloc_free_", 1, 0).op("log_last")
s = add(Scenario("sys_alloc_free_alloc"))
s.op("sol_alloc_free_", 100, 0).op("log_last").op("sol_alloc_free_", 8, 0).op("log_last")
s.op("store64", LAST(0), 0x99).op("load64", LAST(0))
s = add(Scenario("sys_alloc_free_too_large"))
s.op("sol_alloc_free_", 40 * 1024, 0).op("log_last").op("sol_alloc_free_", 0xFFFF_FFFF_FFFF_FFFF, 0).op("log_last")
s = add(Scenario("sys_alloc_free_free"))
s.op("sol_alloc_free_", 16, 0).op("sol_alloc_free_", 0, LAST(0)).op("log_last").op("sol_alloc_free_", 16, 0).op("log_last")
s = add(Scenario("sys_get_epoch_stake_total"))
s.op("sol_get_epoch_stake", 0).op("log_last")
s = add(Scenario("sys_get_epoch_stake_vote_account"))
s.op("sol_get_epoch_stake", s.bytes(k(0x33))).op("log_last")
s = add(Scenario("sys_get_epoch_stake_unmapped"))
s.op("sol_get_epoch_stake", 0x5_0000_0000)
s = add(Scenario("sys_abort"))
s.op("sol_log_", s.bytes(b"before abort"), 12).op("abort")
s = add(Scenario("sys_panic"))
s.op("sol_panic_", s.bytes(b"src/lib.rs"), 10, 42, 7)
s = add(Scenario("sys_panic_invalid_utf8"))
s.op("sol_panic_", s.bytes(b"src/\xfflib.rs"), 11, 1, 2)
s = add(Scenario("sys_panic_unmapped"))
s.op("sol_panic_", 0x5_0000_0000, 10, 1, 2)
s = add(Scenario("sys_panic_len_over_budget", limit=1000))
s.op("sol_panic_", s.bytes(b"src/lib.rs"), 5000, 1, 2)

# --- compute budget inside syscalls ----------------------------------------------------------

s = add(Scenario("budget_exhausted_in_log", limit=150))
s.op("sol_log_", s.bytes(b"z" * 400), 400)
s = add(with_out("budget_exhausted_in_memset", limit=300))
s.op("sol_memset_", s.at(0, "data"), 1, 100_000)
s = add(with_out("budget_exhausted_in_sha256", limit=220))
s.op("sol_sha256", s.slices([b"q" * 2000]), 1, s.at(0, "data"))
s = add(with_out("budget_exhausted_in_create_program_address", limit=1000))
s.op("sol_create_program_address", s.slices([b"a"]), 1, s.bytes(PROBE), s.at(0, "data"))
s = add(Scenario("budget_exhausted_in_log_data", limit=220))
s.op("sol_log_data", s.slices([b"d" * 200, b"e" * 200]), 2)
s = add(Scenario("budget_exhausted_in_set_return_data", limit=160))
s.op("sol_set_return_data", s.bytes(pattern(1000)), 1000)
s = add(Scenario("budget_log_compute_units_near_end", limit=260))
s.op("sol_log_compute_units_").op("sol_log_compute_units_")


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
