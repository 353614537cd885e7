"""The pieces the CPI scenarios are built from: the accounts and keys, where the ABI v1 input puts
each account's fields (`Layout`), the script a `cpi_script.so` program runs (`Script`, with the
C and Rust CPI structures it lays out on the heap) and a scenario with its accounts (`Scenario`).
`make_scenarios.py` lists the scenarios; see its docstring for the layout and the ops.
"""

import hashlib
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "scripts", "lib"))
from solana_keys import b58decode, b58encode, on_curve  # noqa: E402,F401

MM_HEAP = 0x3_0000_0000
ROOM = 10 * 1024
DEFAULT_LIMIT = 1_400_000
RECORD = 48

# ---------------------------------------------------------------------------------------------
# Keys

def named(text):
    return hashlib.sha256(text.encode()).digest()


CALLER = named("sbvm cpi caller")
CALLEE = named("sbvm cpi callee")
THIRD = named("sbvm cpi third")
SYSTEM = bytes(32)
LOADER_V2 = b58decode("BPFLoader2111111111111111111111111111111111")
NATIVE_LOADER = b58decode("NativeLoader1111111111111111111111111111111")
PAYER = bytes([0x11]) * 32
DEST = bytes([0x22]) * 32
DATA_ACCT = bytes([0x33]) * 32       # owned by the callee
DATA_ACCT2 = bytes([0x44]) * 32      # owned by the callee
PLAIN = bytes([0x55]) * 32           # owned by the system program, not executable
UNKNOWN = bytes([0x66]) * 32         # in no account list
PROGRAM_FILE = os.environ.get("CPI_PROGRAM_FILE", "cpi_script.so")
SOL = 1_000_000_000

def find_pda(seeds, program_id):
    """Like Pubkey::find_program_address: the highest bump whose address is off the curve."""
    for bump in range(255, -1, -1):
        addr = hashlib.sha256(b"".join(seeds) + bytes([bump]) + program_id + b"ProgramDerivedAddress").digest()
        if not on_curve(addr):
            return addr, bump
    raise ValueError("no bump")


VAULT, VAULT_BUMP = find_pda([b"vault"], CALLER)

# ---------------------------------------------------------------------------------------------
# Accounts and the input layout


class Acct:
    def __init__(self, key, lamports=SOL, owner=CALLEE, data=b"", executable=False):
        self.key, self.lamports, self.owner, self.data, self.executable = key, lamports, owner, bytes(data), executable

    def json(self):
        return {"pubkey": b58encode(self.key), "lamports": self.lamports, "owner": b58encode(self.owner),
                "executable": self.executable, "rent_epoch": 0, "data": self.data.hex()}


def program_acct(key):
    return Acct(key, lamports=1, owner=LOADER_V2, executable=True)


def system_acct():
    return Acct(SYSTEM, lamports=1, owner=NATIVE_LOADER, data=b"system_program", executable=True)


class In:
    """An address in the input region: tag 1, offset from MM_INPUT_START."""

    def __init__(self, off):
        self.off = off


class Data:
    """An address in the instruction data: tag 2; `blob` is an index into the script's blobs."""

    def __init__(self, blob, plus=0):
        self.blob, self.plus = blob, plus


class Layout:
    """Where each instruction account (metas in order) is in the program's serialized input."""

    def __init__(self, metas, accounts):
        by_key = {a.key: a for a in accounts}
        self.where, off, first = {}, 8, {}
        for key, _, _ in metas:
            if key in first:
                off += 8
                continue
            first[key] = True
            n = len(by_key[key].data)
            self.where[key] = off
            off += 8 + 32 + 32 + 8 + 8 + n + ROOM
            off = (off + 7) // 8 * 8 + 8
        self.data_len = {key: len(by_key[key].data) for key in first}

    def has(self, key):
        return key in self.where

    def key(self, key):
        return In(self.where[key] + 8)

    def owner(self, key):
        return In(self.where[key] + 40)

    def lamports(self, key):
        return In(self.where[key] + 72)

    def len(self, key):
        return In(self.where[key] + 80)

    def data(self, key, plus=0):
        return In(self.where[key] + 88 + plus)


# ---------------------------------------------------------------------------------------------
# Scripts

OPS = {"exit": 0, "store64": 1, "store8": 2, "invoke_c": 3, "invoke_rust": 4, "log64": 5, "log": 6,
       "set_return_data": 7, "log_stack_height": 8, "sibling": 9, "burn": 10, "add64": 11,
       "log_last": 12, "exit_last": 13, "memcpy": 14, "find_pda": 15, "log_pubkey": 16,
       "get_return_data": 17}


class Script:
    def __init__(self, layout):
        self.L = layout
        self.recs, self.blobs, self.heap = [], [], MM_HEAP

    def alloc(self, n):
        at = self.heap
        self.heap += (n + 7) // 8 * 8
        return at

    def blob(self, raw):
        self.blobs.append(bytes(raw))
        return Data(len(self.blobs) - 1)

    def op(self, name, *args):
        self.recs.append((OPS[name], list(args) + [0] * (5 - len(args))))
        return self

    def log(self, text):
        b = text.encode()
        return self.op("log", self.blob(b), len(b))

    def ptr(self, key):
        """The address of a key: the caller's input record when it has one, else bytes in the data."""
        return self.L.key(key) if self.L.has(key) else self.blob(key)

    def build(self):
        recs = self.recs + [(OPS["exit"], [0] * 5)]
        base, offs = RECORD * len(recs), []
        for b in self.blobs:
            offs.append(base)
            base += (len(b) + 7) // 8 * 8

        def enc(a, op=None, i=None):
            # a raw value with a non-zero top byte would be taken for a tagged address, except
            # where the op reads the record as is: exit a1, burn a1, add64 a2
            assert isinstance(a, (In, Data)) or a >> 56 == 0 or (op, i) in (
                (OPS["exit"], 0), (OPS["burn"], 0), (OPS["add64"], 1)), (op, i, a)
            if isinstance(a, In):
                return (1 << 56) | a.off
            if isinstance(a, Data):
                return (2 << 56) | (offs[a.blob] + a.plus)
            return a & 0xFFFF_FFFF_FFFF_FFFF

        out = b"".join(struct.pack("<6Q", op, *(enc(a, op, i) for i, a in enumerate(args))) for op, args in recs)
        for b in self.blobs:
            out += b + bytes((8 - len(b) % 8) % 8)
        return out

    # -- CPI builders --------------------------------------------------------------------------

    def seeds_array(self, signers):
        """SolSignerSeeds[] (the same for both ABIs): [{addr, len}] of [{addr, len}] of bytes."""
        if not signers:
            return 0, 0
        outer = self.alloc(16 * len(signers))
        for i, seeds in enumerate(signers):
            inner = self.alloc(16 * len(seeds))
            for j, seed in enumerate(seeds):
                self.op("store64", inner + 16 * j, self.blob(seed))
                self.op("store64", inner + 16 * j + 8, len(seed))
            self.op("store64", outer + 16 * i, inner)
            self.op("store64", outer + 16 * i + 8, len(seeds))
        return outer, len(signers)

    def invoke_c(self, program, metas, data, infos, signers=(), infos_len=None, data_len=None, data_ptr=None,
                 patches=(), metas_len=None, signers_len=None):
        """sol_invoke_signed_c. metas: (key, signer, writable); infos: keys of this program's
        instruction accounts, each made a SolAccountInfo pointing into the input region."""
        L = self.L
        ix = self.alloc(40)
        meta_arr = self.alloc(16 * len(metas))
        for i, (key, signer, writable) in enumerate(metas):
            self.op("store64", meta_arr + 16 * i, self.ptr(key))
            self.op("store64", meta_arr + 16 * i + 8, int(writable) | int(signer) << 8)
        info_arr = self.alloc(56 * max(len(infos), 1))
        for i, (key, signer, writable, executable) in enumerate(infos):
            at = info_arr + 56 * i
            self.op("store64", at, L.key(key))
            self.op("store64", at + 8, L.lamports(key))
            self.op("store64", at + 16, L.data_len[key])
            self.op("store64", at + 24, L.data(key))
            self.op("store64", at + 32, L.owner(key))
            self.op("store64", at + 40, 0)
            self.op("store64", at + 48, int(signer) | int(writable) << 8 | int(executable) << 16)
        for i, off, value in patches:  # deliberate damage to an account info
            self.op("store64", info_arr + 56 * i + off, value)
        self.op("store64", ix, self.ptr(program))
        self.op("store64", ix + 8, meta_arr)
        self.op("store64", ix + 16, len(metas) if metas_len is None else metas_len)
        self.op("store64", ix + 24, data_ptr if data_ptr is not None else self.blob(data) if data else 0)
        self.op("store64", ix + 32, len(data) if data_len is None else data_len)
        seeds, nseeds = self.seeds_array(signers)
        if signers_len is not None:
            seeds, nseeds = MM_HEAP + 8192, signers_len  # zeros on the heap
        return self.op("invoke_c", ix, info_arr, len(infos) if infos_len is None else infos_len, seeds, nseeds)

    def invoke_rust(self, program, metas, data, infos, signers=()):
        """sol_invoke_signed_rust: StableInstruction {accounts: {ptr, cap, len}, data: {ptr, cap,
        len}, program_id [32]}, AccountMeta {pubkey [32], is_signer, is_writable} (34 bytes),
        AccountInfo {key*, lamports Rc*, data Rc*, owner*, rent_epoch, is_signer, is_writable,
        executable} (48 bytes); an Rc box is {strong, weak, RefCell {borrow, value}}."""
        L = self.L
        ix = self.alloc(80)
        meta_arr = self.alloc(34 * len(metas))
        for i, (key, signer, writable) in enumerate(metas):
            self.op("memcpy", meta_arr + 34 * i, self.ptr(key), 32)
            self.op("store8", meta_arr + 34 * i + 32, int(signer))
            self.op("store8", meta_arr + 34 * i + 33, int(writable))
        info_arr = self.alloc(48 * max(len(infos), 1))
        for i, (key, signer, writable, executable) in enumerate(infos):
            lam_rc, data_rc, at = self.alloc(32), self.alloc(40), info_arr + 48 * i
            for off, v in ((0, 1), (8, 1), (16, 0), (24, L.lamports(key))):
                self.op("store64", lam_rc + off, v)
            for off, v in ((0, 1), (8, 1), (16, 0), (24, L.data(key)), (32, L.data_len[key])):
                self.op("store64", data_rc + off, v)
            self.op("store64", at, L.key(key))
            self.op("store64", at + 8, lam_rc)
            self.op("store64", at + 16, data_rc)
            self.op("store64", at + 24, L.owner(key))
            self.op("store64", at + 32, 0)
            self.op("store64", at + 40, int(signer) | int(writable) << 8 | int(executable) << 16)
        self.op("store64", ix, meta_arr)
        self.op("store64", ix + 8, len(metas))
        self.op("store64", ix + 16, len(metas))
        self.op("store64", ix + 24, self.blob(data) if data else 0)
        self.op("store64", ix + 32, len(data))
        self.op("store64", ix + 40, len(data))
        self.op("memcpy", ix + 48, self.ptr(program), 32)
        seeds, nseeds = self.seeds_array(signers)
        return self.op("invoke_rust", ix, info_arr, len(infos), seeds, nseeds)


# ---------------------------------------------------------------------------------------------
# Scenarios


class Scenario:
    def __init__(self, name, intent, metas, accounts, programs=(CALLER, CALLEE), limit=DEFAULT_LIMIT):
        """metas: the top-level instruction's (key, signer, writable), to CALLER; accounts: the
        data accounts (program accounts and the system program are added)."""
        self.name, self.intent, self.metas, self.limit = name, intent, metas, limit
        self.programs = programs
        self.accounts = [program_acct(p) for p in programs] + [system_acct()] + list(accounts)

    def layout(self, metas):
        return Layout(metas, self.accounts)

    def script(self, metas=None):
        return Script(self.layout(self.metas if metas is None else metas))

    def json(self, data):
        return {
            "name": self.name,
            "program": PROGRAM_FILE,
            "program_id": b58encode(CALLER),
            "loader": b58encode(LOADER_V2),
            "other_programs": [{"program_id": b58encode(p), "program": PROGRAM_FILE, "loader": b58encode(LOADER_V2)}
                               for p in self.programs if p != CALLER],
            "compute_unit_limit": self.limit,
            "instruction": {"data": data.hex(), "accounts": [
                {"pubkey": b58encode(k), "is_signer": s, "is_writable": w} for k, s, w in self.metas]},
            "accounts": [a.json() for a in self.accounts],
        }


def ro(key):
    return (key, False, False)


def rw(key):
    return (key, False, True)


def srw(key):
    return (key, True, True)


def info(key, signer=False, writable=False):
    return (key, signer, writable, False)


def callee_script(sc, metas, body):
    s = sc.script(metas)
    body(s)
    return s.build()


def transfer_data(lamports):
    return struct.pack("<IQ", 2, lamports)


def create_account_data(lamports, space, owner):
    return struct.pack("<IQQ", 0, lamports, space) + owner
