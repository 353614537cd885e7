"""The building blocks of the probe's scenarios: keys, accounts, the serialized input's layout
(see make_scenarios.py's docstring) and `Scenario`, a script for probe.asm with its payload.
The scenario modules (scenarios_state.py, scenarios_syscalls.py) add to `SCENARIOS` in order."""

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

