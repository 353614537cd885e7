#!/usr/bin/env python3
"""Writes the system program's scenarios: fixtures without "expected" (name, program "",
program_id 11111111111111111111111111111111, loader NativeLoader, compute_unit_limit,
instruction, accounts). The extended solana-oracle (see README.md) runs them with mollusk and
adds "expected".

    python3 scripts/solana-system/make_scenarios.py OUTDIR      # writes OUTDIR/*.json

Instruction data is the bincode layout of the system program's instruction enum: a u32 LE tag,
then the variant's fields in order (u64 LE, 32-byte keys, strings as a u64 LE length and the
bytes). Addresses "with seed" are sha256(base || seed || owner).
"""

import hashlib
import json
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "lib"))
from solana_keys import b58decode, b58encode  # noqa: E402

def key(label):
    """A made-up account address, the same on every run."""
    return hashlib.sha256(b"sbvm system scenario " + label.encode()).digest()


def with_seed(base, seed, owner):
    return hashlib.sha256(base + seed + owner).digest()


SYSTEM = bytes(32)
NATIVE_LOADER = "NativeLoader1111111111111111111111111111111"
PROGRAM = key("some program")           # an owner for new accounts
FROM = key("from")
TO = key("to")
BASE = key("base")
LIMIT = 1_400_000
MAX_DATA = 10 * 1024 * 1024
PDA_OWNER = b"\x01" * 11 + b"ProgramDerivedAddress"

# Tags of the instruction enum, in declaration order.
CREATE_ACCOUNT, ASSIGN, TRANSFER, CREATE_WITH_SEED, ADVANCE_NONCE, WITHDRAW_NONCE, \
    INITIALIZE_NONCE, AUTHORIZE_NONCE, ALLOCATE, ALLOCATE_WITH_SEED, ASSIGN_WITH_SEED, \
    TRANSFER_WITH_SEED, UPGRADE_NONCE, CREATE_ALLOW_PREFUND = range(14)


def u32(n):
    return struct.pack("<I", n)


def u64(n):
    return struct.pack("<Q", n)


def string(raw):
    return u64(len(raw)) + raw


def create_account(lamports, space, owner):
    return u32(CREATE_ACCOUNT) + u64(lamports) + u64(space) + owner


def assign(owner):
    return u32(ASSIGN) + owner


def transfer(lamports):
    return u32(TRANSFER) + u64(lamports)


def create_with_seed(base, seed, lamports, space, owner):
    return u32(CREATE_WITH_SEED) + base + string(seed) + u64(lamports) + u64(space) + owner


def allocate(space):
    return u32(ALLOCATE) + u64(space)


def allocate_with_seed(base, seed, space, owner):
    return u32(ALLOCATE_WITH_SEED) + base + string(seed) + u64(space) + owner


def assign_with_seed(base, seed, owner):
    return u32(ASSIGN_WITH_SEED) + base + string(seed) + owner


def transfer_with_seed(lamports, seed, owner):
    return u32(TRANSFER_WITH_SEED) + u64(lamports) + string(seed) + owner


def create_allow_prefund(lamports, space, owner):
    return u32(CREATE_ALLOW_PREFUND) + u64(lamports) + u64(space) + owner


def account(address, lamports, owner=SYSTEM, data=b""):
    return {"pubkey": address, "lamports": lamports, "owner": owner, "data": data}


def meta(address, signer, writable):
    return (address, signer, writable)


SCENARIOS = []


def scenario(name, data, metas, accounts, limit=LIMIT):
    SCENARIOS.append({
        "name": name,
        "program": "",
        "program_id": b58encode(SYSTEM),
        "loader": NATIVE_LOADER,
        "compute_unit_limit": limit,
        "instruction": {
            "data": data.hex(),
            "accounts": [{"pubkey": b58encode(a), "is_signer": s, "is_writable": w}
                         for (a, s, w) in metas],
        },
        "accounts": [{"pubkey": b58encode(a["pubkey"]), "lamports": a["lamports"],
                      "owner": b58encode(a["owner"]), "executable": False, "rent_epoch": 0,
                      "data": a["data"].hex()} for a in accounts],
    })


def pair(from_lamports=1_000_000, to_lamports=0, from_owner=SYSTEM, from_data=b"",
         to_owner=SYSTEM, to_data=b""):
    return [account(FROM, from_lamports, from_owner, from_data),
            account(TO, to_lamports, to_owner, to_data)]


SIGNED_PAIR = [meta(FROM, True, True), meta(TO, False, True)]
BOTH_SIGN = [meta(FROM, True, True), meta(TO, True, True)]

# --- Transfer -------------------------------------------------------------------------------
scenario("transfer", transfer(100), SIGNED_PAIR, pair())
scenario("transfer_zero", transfer(0), SIGNED_PAIR, pair())
scenario("transfer_everything", transfer(1_000_000), SIGNED_PAIR, pair())
scenario("transfer_insufficient_funds", transfer(1_000_001), SIGNED_PAIR, pair())
scenario("transfer_from_not_signer", transfer(100),
         [meta(FROM, False, True), meta(TO, False, True)], pair())
scenario("transfer_zero_from_not_signer", transfer(0),
         [meta(FROM, False, True), meta(TO, False, True)], pair())
scenario("transfer_from_with_data", transfer(100), SIGNED_PAIR, pair(from_data=b"\0\0"))
scenario("transfer_from_not_system_owned", transfer(100), SIGNED_PAIR,
         pair(from_owner=PROGRAM))
scenario("transfer_to_not_system_owned", transfer(100), SIGNED_PAIR,
         pair(to_owner=PROGRAM, to_data=b"\x07" * 8))
scenario("transfer_to_readonly", transfer(100),
         [meta(FROM, True, True), meta(TO, False, False)], pair())
scenario("transfer_zero_to_readonly", transfer(0),
         [meta(FROM, True, True), meta(TO, False, False)], pair())
scenario("transfer_from_readonly", transfer(100),
         [meta(FROM, True, False), meta(TO, False, True)], pair())
scenario("transfer_to_itself", transfer(100), [meta(FROM, True, True), meta(FROM, True, True)],
         [account(FROM, 1_000)])
scenario("transfer_missing_to", transfer(100), [meta(FROM, True, True)], [account(FROM, 1_000)])
scenario("transfer_to_overflows", transfer(100), SIGNED_PAIR,
         pair(to_lamports=2**64 - 50))
scenario("transfer_budget_exactly_enough", transfer(100), SIGNED_PAIR, pair(), limit=150)
scenario("transfer_budget_one_short", transfer(100), SIGNED_PAIR, pair(), limit=149)
scenario("transfer_trailing_bytes", transfer(100) + b"\xaa" * 20, SIGNED_PAIR, pair())
scenario("transfer_over_packet_size", transfer(100) + b"\xaa" * 1300, SIGNED_PAIR, pair())

# --- Decoding -------------------------------------------------------------------------------
scenario("data_empty", b"", SIGNED_PAIR, pair())
scenario("data_tag_only", u32(TRANSFER), SIGNED_PAIR, pair())
scenario("data_truncated_u64", u32(TRANSFER) + b"\x64\0\0", SIGNED_PAIR, pair())
scenario("data_unknown_tag", u32(14) + u64(100), SIGNED_PAIR, pair())
scenario("data_huge_tag", u32(0xffff_ffff), SIGNED_PAIR, pair())
scenario("data_short_tag", b"\x02\0", SIGNED_PAIR, pair())

# --- CreateAccount --------------------------------------------------------------------------
scenario("create_account", create_account(500_000, 100, PROGRAM), BOTH_SIGN, pair())
scenario("create_account_no_space_system_owner", create_account(500_000, 0, SYSTEM),
         BOTH_SIGN, pair())
scenario("create_account_zero_lamports", create_account(0, 10, PROGRAM), BOTH_SIGN, pair())
scenario("create_account_to_has_lamports", create_account(500_000, 100, PROGRAM), BOTH_SIGN,
         pair(to_lamports=1))
scenario("create_account_to_has_data", create_account(500_000, 100, PROGRAM), BOTH_SIGN,
         pair(to_data=b"\0"))
scenario("create_account_to_not_system_owned", create_account(500_000, 100, PROGRAM),
         BOTH_SIGN, pair(to_owner=PROGRAM))
scenario("create_account_to_not_signer", create_account(500_000, 100, PROGRAM), SIGNED_PAIR,
         pair())
scenario("create_account_from_not_signer", create_account(500_000, 100, PROGRAM),
         [meta(FROM, False, True), meta(TO, True, True)], pair())
scenario("create_account_insufficient_funds", create_account(2_000_000, 100, PROGRAM),
         BOTH_SIGN, pair())
scenario("create_account_space_too_large", create_account(500_000, MAX_DATA + 1, PROGRAM),
         BOTH_SIGN, pair())
scenario("create_account_to_readonly", create_account(500_000, 100, PROGRAM),
         [meta(FROM, True, True), meta(TO, True, False)], pair())
scenario("create_account_to_readonly_no_space", create_account(500_000, 0, PROGRAM),
         [meta(FROM, True, True), meta(TO, True, False)], pair())
scenario("create_account_from_is_to", create_account(0, 8, PROGRAM),
         [meta(TO, True, True), meta(TO, True, True)], [account(TO, 0)])
scenario("create_account_missing_to", create_account(500_000, 100, PROGRAM),
         [meta(FROM, True, True)], [account(FROM, 1_000_000)])
scenario("create_account_from_with_data", create_account(500_000, 100, PROGRAM), BOTH_SIGN,
         pair(from_data=b"\x01"))

# --- CreateAccountWithSeed ------------------------------------------------------------------
SEED = b"vault"
SEEDED = with_seed(FROM, SEED, PROGRAM)
seeded_pair = [account(FROM, 1_000_000), account(SEEDED, 0)]
scenario("create_with_seed", create_with_seed(FROM, SEED, 500_000, 64, PROGRAM),
         [meta(FROM, True, True), meta(SEEDED, False, True)], seeded_pair)
BASE_SEEDED = with_seed(BASE, SEED, PROGRAM)
scenario("create_with_seed_separate_base",
         create_with_seed(BASE, SEED, 500_000, 64, PROGRAM),
         [meta(FROM, True, True), meta(BASE_SEEDED, False, True), meta(BASE, True, False)],
         [account(FROM, 1_000_000), account(BASE_SEEDED, 0), account(BASE, 0)])
scenario("create_with_seed_base_not_signer",
         create_with_seed(BASE, SEED, 500_000, 64, PROGRAM),
         [meta(FROM, True, True), meta(BASE_SEEDED, False, True), meta(BASE, False, False)],
         [account(FROM, 1_000_000), account(BASE_SEEDED, 0), account(BASE, 0)])
scenario("create_with_seed_address_mismatch",
         create_with_seed(FROM, b"other", 500_000, 64, PROGRAM),
         [meta(FROM, True, True), meta(SEEDED, False, True)], seeded_pair)
LONG_SEED = b"s" * 33
scenario("create_with_seed_seed_too_long",
         create_with_seed(FROM, LONG_SEED, 500_000, 64, PROGRAM),
         [meta(FROM, True, True), meta(with_seed(FROM, LONG_SEED, PROGRAM), False, True)],
         [account(FROM, 1_000_000), account(with_seed(FROM, LONG_SEED, PROGRAM), 0)])
MAX_SEED = "é".encode() * 16      # 32 bytes, 16 characters
MAX_SEEDED = with_seed(FROM, MAX_SEED, PROGRAM)
scenario("create_with_seed_seed_32_bytes",
         create_with_seed(FROM, MAX_SEED, 500_000, 64, PROGRAM),
         [meta(FROM, True, True), meta(MAX_SEEDED, False, True)],
         [account(FROM, 1_000_000), account(MAX_SEEDED, 0)])
PDA_SEEDED = with_seed(FROM, SEED, PDA_OWNER)
scenario("create_with_seed_illegal_owner",
         create_with_seed(FROM, SEED, 500_000, 64, PDA_OWNER),
         [meta(FROM, True, True), meta(PDA_SEEDED, False, True)],
         [account(FROM, 1_000_000), account(PDA_SEEDED, 0)])
scenario("create_with_seed_seed_not_utf8",
         create_with_seed(FROM, b"\xff\xfe", 500_000, 64, PROGRAM),
         [meta(FROM, True, True), meta(SEEDED, False, True)], seeded_pair)
scenario("create_with_seed_seed_length_past_limit",
         u32(CREATE_WITH_SEED) + FROM + u64(5000) + b"x" * 1300,
         [meta(FROM, True, True), meta(SEEDED, False, True)], seeded_pair)
scenario("create_with_seed_seed_length_past_data",
         u32(CREATE_WITH_SEED) + FROM + u64(100) + b"x" * 20,
         [meta(FROM, True, True), meta(SEEDED, False, True)], seeded_pair)
scenario("create_with_seed_to_has_lamports",
         create_with_seed(FROM, SEED, 500_000, 64, PROGRAM),
         [meta(FROM, True, True), meta(SEEDED, False, True)],
         [account(FROM, 1_000_000), account(SEEDED, 5)])

# --- Assign ---------------------------------------------------------------------------------
scenario("assign", assign(PROGRAM), [meta(TO, True, True)], [account(TO, 100)])
scenario("assign_same_owner_unsigned", assign(SYSTEM), [meta(TO, False, False)],
         [account(TO, 100)])
scenario("assign_not_signer", assign(PROGRAM), [meta(TO, False, True)], [account(TO, 100)])
scenario("assign_with_nonzero_data", assign(PROGRAM), [meta(TO, True, True)],
         [account(TO, 100, data=b"\0\x01")])
scenario("assign_with_zero_data", assign(PROGRAM), [meta(TO, True, True)],
         [account(TO, 100, data=b"\0" * 16)])
scenario("assign_not_system_owned", assign(PROGRAM), [meta(TO, True, True)],
         [account(TO, 100, owner=key("another program"))])
scenario("assign_readonly", assign(PROGRAM), [meta(TO, True, False)], [account(TO, 100)])
scenario("assign_no_accounts", assign(PROGRAM), [], [])

# --- AssignWithSeed -------------------------------------------------------------------------
ASSIGN_SEEDED = with_seed(BASE, SEED, PROGRAM)
scenario("assign_with_seed", assign_with_seed(BASE, SEED, PROGRAM),
         [meta(ASSIGN_SEEDED, False, True), meta(BASE, True, False)],
         [account(ASSIGN_SEEDED, 10), account(BASE, 0)])
scenario("assign_with_seed_base_not_signer", assign_with_seed(BASE, SEED, PROGRAM),
         [meta(ASSIGN_SEEDED, False, True), meta(BASE, False, False)],
         [account(ASSIGN_SEEDED, 10), account(BASE, 0)])
scenario("assign_with_seed_address_mismatch", assign_with_seed(BASE, b"wrong", PROGRAM),
         [meta(ASSIGN_SEEDED, False, True), meta(BASE, True, False)],
         [account(ASSIGN_SEEDED, 10), account(BASE, 0)])
scenario("assign_with_seed_illegal_owner", assign_with_seed(BASE, SEED, PDA_OWNER),
         [meta(ASSIGN_SEEDED, False, True), meta(BASE, True, False)],
         [account(ASSIGN_SEEDED, 10), account(BASE, 0)])

# --- Allocate -------------------------------------------------------------------------------
scenario("allocate", allocate(200), [meta(TO, True, True)], [account(TO, 0)])
scenario("allocate_zero", allocate(0), [meta(TO, True, True)], [account(TO, 0)])
scenario("allocate_not_signer", allocate(200), [meta(TO, False, True)], [account(TO, 0)])
scenario("allocate_has_data", allocate(200), [meta(TO, True, True)],
         [account(TO, 0, data=b"\0")])
scenario("allocate_not_system_owned", allocate(200), [meta(TO, True, True)],
         [account(TO, 0, owner=PROGRAM)])
scenario("allocate_too_large", allocate(MAX_DATA + 1), [meta(TO, True, True)],
         [account(TO, 0)])
scenario("allocate_readonly", allocate(200), [meta(TO, True, False)], [account(TO, 0)])
scenario("allocate_zero_readonly", allocate(0), [meta(TO, True, False)], [account(TO, 0)])
scenario("allocate_no_accounts", allocate(200), [], [])

# --- AllocateWithSeed -----------------------------------------------------------------------
scenario("allocate_with_seed", allocate_with_seed(BASE, SEED, 48, PROGRAM),
         [meta(ASSIGN_SEEDED, False, True), meta(BASE, True, False)],
         [account(ASSIGN_SEEDED, 10), account(BASE, 0)])
scenario("allocate_with_seed_base_not_signer", allocate_with_seed(BASE, SEED, 48, PROGRAM),
         [meta(ASSIGN_SEEDED, False, True), meta(BASE, False, False)],
         [account(ASSIGN_SEEDED, 10), account(BASE, 0)])
scenario("allocate_with_seed_address_mismatch", allocate_with_seed(BASE, SEED, 48, SYSTEM),
         [meta(ASSIGN_SEEDED, False, True), meta(BASE, True, False)],
         [account(ASSIGN_SEEDED, 10), account(BASE, 0)])
scenario("allocate_with_seed_seed_too_long", allocate_with_seed(BASE, LONG_SEED, 48, PROGRAM),
         [meta(ASSIGN_SEEDED, False, True), meta(BASE, True, False)],
         [account(ASSIGN_SEEDED, 10), account(BASE, 0)])

# AllocateWithSeed reads 4 + 32 + 8 + seed + 8 + 32 bytes: a 1148-byte seed reads exactly the
# packet size (1232) and decodes (then fails as too long); one byte more does not decode.
FITS = b"s" * (1232 - 84)
scenario("allocate_with_seed_reads_exactly_packet_size",
         allocate_with_seed(BASE, FITS, 48, PROGRAM),
         [meta(ASSIGN_SEEDED, False, True), meta(BASE, True, False)],
         [account(ASSIGN_SEEDED, 10), account(BASE, 0)])
scenario("allocate_with_seed_reads_past_packet_size",
         allocate_with_seed(BASE, FITS + b"s", 48, PROGRAM),
         [meta(ASSIGN_SEEDED, False, True), meta(BASE, True, False)],
         [account(ASSIGN_SEEDED, 10), account(BASE, 0)])

# --- TransferWithSeed -----------------------------------------------------------------------
# The funded account's address derives from (base, seed, from_owner); it is system-owned, so
# the system program may debit it.
FUNDED = with_seed(BASE, SEED, PROGRAM)
seeded_transfer = [account(FUNDED, 1_000), account(BASE, 0), account(TO, 0)]
scenario("transfer_with_seed", transfer_with_seed(400, SEED, PROGRAM),
         [meta(FUNDED, False, True), meta(BASE, True, False), meta(TO, False, True)],
         seeded_transfer)
scenario("transfer_with_seed_base_not_signer", transfer_with_seed(400, SEED, PROGRAM),
         [meta(FUNDED, False, True), meta(BASE, False, False), meta(TO, False, True)],
         seeded_transfer)
scenario("transfer_with_seed_address_mismatch", transfer_with_seed(400, b"x", PROGRAM),
         [meta(FUNDED, False, True), meta(BASE, True, False), meta(TO, False, True)],
         seeded_transfer)
scenario("transfer_with_seed_seed_too_long", transfer_with_seed(400, LONG_SEED, PROGRAM),
         [meta(FUNDED, False, True), meta(BASE, True, False), meta(TO, False, True)],
         seeded_transfer)
scenario("transfer_with_seed_insufficient_funds", transfer_with_seed(4_000, SEED, PROGRAM),
         [meta(FUNDED, False, True), meta(BASE, True, False), meta(TO, False, True)],
         seeded_transfer)
scenario("transfer_with_seed_missing_to", transfer_with_seed(400, SEED, PROGRAM),
         [meta(FUNDED, False, True), meta(BASE, True, False)],
         seeded_transfer[:2])

# --- CreateAccountAllowPrefund --------------------------------------------------------------
scenario("create_allow_prefund", create_allow_prefund(500_000, 32, PROGRAM),
         [meta(TO, True, True), meta(FROM, True, True)],
         [account(TO, 7), account(FROM, 1_000_000)])
scenario("create_allow_prefund_no_lamports", create_allow_prefund(0, 32, PROGRAM),
         [meta(TO, True, True)], [account(TO, 7)])
scenario("create_allow_prefund_from_not_signer", create_allow_prefund(500_000, 32, PROGRAM),
         [meta(TO, True, True), meta(FROM, False, True)],
         [account(TO, 7), account(FROM, 1_000_000)])
scenario("create_allow_prefund_missing_from", create_allow_prefund(500_000, 32, PROGRAM),
         [meta(TO, True, True)], [account(TO, 7)])
scenario("create_allow_prefund_to_not_signer", create_allow_prefund(0, 32, PROGRAM),
         [meta(TO, False, True)], [account(TO, 7)])

# --- Nonce accounts -------------------------------------------------------------------------
# Mollusk runs under an all-zero blockhash with 5000 lamports per signature; its own
# RecentBlockhashes list is empty, so initialize and advance need the sysvar account passed
# with an entry. Its rent: 3480 lamports per byte-year, exemption at 2 years, so an 80-byte
# account is exempt from (128 + 80) * 3480 * 2 lamports.
NONCE = key("nonce")
AUTH = key("nonce authority")
NEW_AUTH = key("new nonce authority")
SYSVAR_OWNER = "Sysvar1111111111111111111111111111111111111"
NONCE_RENT = (128 + 80) * 3480 * 2
CURRENT_NONCE = hashlib.sha256(b"DURABLE_NONCE" + bytes(32)).digest()
OLD_NONCE = b"\x09" * 32


RECENT_ID = b58decode("SysvarRecentB1ockHashes11111111111111111111")
RENT_ID = b58decode("SysvarRent111111111111111111111111111111111")
ONE_BLOCKHASH = u64(1) + b"\x05" * 32 + u64(5000)


def sysvar(address, data):
    entry = account(address, 1, data=data)
    entry["owner"] = b58decode(SYSVAR_OWNER)
    return entry


def nonce_state(initialized, authority=AUTH, durable=OLD_NONCE, legacy=False, lps=5000):
    head = u32(0 if legacy else 1)
    if not initialized:
        return head + u32(0) + bytes(72)
    return head + u32(1) + authority + durable + u64(lps)


def nonce_account(state, lamports=NONCE_RENT, owner=SYSTEM):
    return account(NONCE, lamports, owner, state)


RECENT = sysvar(RECENT_ID, ONE_BLOCKHASH)
RENT = sysvar(RENT_ID, b"")     # empty data: the runtime's own rent is used


def initialize(authority=AUTH):
    return u32(INITIALIZE_NONCE) + authority


def init_metas(writable=True):
    return [meta(NONCE, False, writable), meta(RECENT_ID, False, False),
            meta(RENT_ID, False, False)]


UNINITIALIZED = nonce_state(False, legacy=True)     # all zero: a legacy uninitialized nonce
scenario("nonce_initialize", initialize(), init_metas(),
         [nonce_account(UNINITIALIZED), RECENT, RENT])
scenario("nonce_initialize_current_uninitialized", initialize(), init_metas(),
         [nonce_account(nonce_state(False)), RECENT, RENT])
scenario("nonce_initialize_empty_recent_blockhashes", initialize(), init_metas(),
         [nonce_account(UNINITIALIZED), sysvar(RECENT_ID, u64(0)), RENT])
scenario("nonce_initialize_recent_blockhashes_undecodable", initialize(), init_metas(),
         [nonce_account(UNINITIALIZED), sysvar(RECENT_ID, b"\x01\x02"), RENT])
scenario("nonce_initialize_wrong_sysvar", initialize(),
         [meta(NONCE, False, True), meta(RENT_ID, False, False), meta(RENT_ID, False, False)],
         [nonce_account(UNINITIALIZED), RENT])
scenario("nonce_initialize_missing_rent", initialize(), init_metas()[:2],
         [nonce_account(UNINITIALIZED), RECENT])
scenario("nonce_initialize_readonly", initialize(), init_metas(writable=False),
         [nonce_account(UNINITIALIZED), RECENT, RENT])
scenario("nonce_initialize_insufficient_funds", initialize(), init_metas(),
         [nonce_account(UNINITIALIZED, lamports=NONCE_RENT - 1), RECENT, RENT])
scenario("nonce_initialize_already_initialized", initialize(), init_metas(),
         [nonce_account(nonce_state(True)), RECENT, RENT])
scenario("nonce_initialize_data_too_small", initialize(), init_metas(),
         [nonce_account(bytes(8)), RECENT, RENT])
scenario("nonce_initialize_not_system_owned", initialize(), init_metas(),
         [nonce_account(UNINITIALIZED, owner=PROGRAM), RECENT, RENT])
scenario("nonce_initialize_undecodable_state", initialize(), init_metas(),
         [nonce_account(u32(5) + bytes(76)), RECENT, RENT])
# Rent from the sysvar account's data: 1 lamport per byte-year, exempt at 2 years, 50% burn.
CHEAP_RENT = sysvar(RENT_ID, u64(1) + struct.pack("<d", 2.0) + bytes([50]))
scenario("nonce_initialize_rent_from_sysvar_account", initialize(), init_metas(),
         [nonce_account(UNINITIALIZED, lamports=(128 + 80) * 2), RECENT, CHEAP_RENT])
scenario("nonce_initialize_rent_from_sysvar_account_short", initialize(), init_metas(),
         [nonce_account(UNINITIALIZED, lamports=(128 + 80) * 2 - 1), RECENT, CHEAP_RENT])


def advance_metas(writable=True, signer=True):
    return [meta(NONCE, False, writable), meta(RECENT_ID, False, False),
            meta(AUTH, signer, False)]


ADVANCE = u32(ADVANCE_NONCE)
AUTH_ACCOUNT = account(AUTH, 0)
scenario("nonce_advance", ADVANCE, advance_metas(),
         [nonce_account(nonce_state(True)), RECENT, AUTH_ACCOUNT])
scenario("nonce_advance_legacy", ADVANCE, advance_metas(),
         [nonce_account(nonce_state(True, legacy=True)), RECENT, AUTH_ACCOUNT])
scenario("nonce_advance_same_blockhash", ADVANCE, advance_metas(),
         [nonce_account(nonce_state(True, durable=CURRENT_NONCE)), RECENT, AUTH_ACCOUNT])
scenario("nonce_advance_authority_not_signer", ADVANCE, advance_metas(signer=False),
         [nonce_account(nonce_state(True)), RECENT, AUTH_ACCOUNT])
scenario("nonce_advance_uninitialized", ADVANCE, advance_metas(),
         [nonce_account(nonce_state(False)), RECENT, AUTH_ACCOUNT])
scenario("nonce_advance_empty_recent_blockhashes", ADVANCE, advance_metas(),
         [nonce_account(nonce_state(True)), sysvar(RECENT_ID, u64(0)), AUTH_ACCOUNT])
scenario("nonce_advance_readonly", ADVANCE, advance_metas(writable=False),
         [nonce_account(nonce_state(True)), RECENT, AUTH_ACCOUNT])
scenario("nonce_advance_missing_sysvar", ADVANCE, [meta(NONCE, True, True)],
         [nonce_account(nonce_state(True, authority=NONCE))])


def withdraw(lamports):
    return u32(WITHDRAW_NONCE) + u64(lamports)


def withdraw_metas(signer=AUTH, rent=RENT_ID):
    return [meta(NONCE, signer == NONCE, True), meta(TO, False, True),
            meta(RECENT_ID, False, False), meta(rent, False, False)] + \
        ([meta(AUTH, True, False)] if signer == AUTH else [meta(AUTH, False, False)])


RICH = 2_000_000
withdraw_accounts = [account(TO, 0), RECENT, RENT, AUTH_ACCOUNT]
scenario("nonce_withdraw_partial", withdraw(100_000), withdraw_metas(),
         [nonce_account(nonce_state(True), RICH)] + withdraw_accounts)
scenario("nonce_withdraw_partial_below_rent", withdraw(RICH - NONCE_RENT + 1), withdraw_metas(),
         [nonce_account(nonce_state(True), RICH)] + withdraw_accounts)
scenario("nonce_withdraw_partial_overflow", withdraw(2**64 - 10), withdraw_metas(),
         [nonce_account(nonce_state(True), RICH)] + withdraw_accounts)
scenario("nonce_withdraw_everything", withdraw(RICH), withdraw_metas(),
         [nonce_account(nonce_state(True), RICH)] + withdraw_accounts)
scenario("nonce_withdraw_everything_same_blockhash", withdraw(RICH), withdraw_metas(),
         [nonce_account(nonce_state(True, durable=CURRENT_NONCE), RICH)] + withdraw_accounts)
scenario("nonce_withdraw_authority_not_signer", withdraw(100_000), withdraw_metas(signer=None),
         [nonce_account(nonce_state(True), RICH)] + withdraw_accounts)
scenario("nonce_withdraw_uninitialized", withdraw(500), withdraw_metas(signer=NONCE),
         [nonce_account(nonce_state(False), 1_000)] + withdraw_accounts)
scenario("nonce_withdraw_uninitialized_not_signer", withdraw(500), withdraw_metas(),
         [nonce_account(nonce_state(False), 1_000)] + withdraw_accounts)
scenario("nonce_withdraw_uninitialized_insufficient", withdraw(1_001),
         withdraw_metas(signer=NONCE),
         [nonce_account(nonce_state(False), 1_000)] + withdraw_accounts)
scenario("nonce_withdraw_missing_rent", withdraw(100_000), withdraw_metas()[:3],
         [nonce_account(nonce_state(True), RICH), account(TO, 0), RECENT])
scenario("nonce_withdraw_wrong_rent_sysvar", withdraw(100_000),
         withdraw_metas(rent=RECENT_ID),
         [nonce_account(nonce_state(True), RICH)] + withdraw_accounts)
scenario("nonce_withdraw_empty_recent_blockhashes_is_fine", withdraw(100_000),
         withdraw_metas(),
         [nonce_account(nonce_state(True), RICH), account(TO, 0), sysvar(RECENT_ID, u64(0)),
          RENT, AUTH_ACCOUNT])


def authorize(new):
    return u32(AUTHORIZE_NONCE) + new


def authorize_metas(writable=True, signer=True):
    return [meta(NONCE, False, writable), meta(AUTH, signer, False)]


scenario("nonce_authorize", authorize(NEW_AUTH), authorize_metas(),
         [nonce_account(nonce_state(True)), AUTH_ACCOUNT])
scenario("nonce_authorize_legacy", authorize(NEW_AUTH), authorize_metas(),
         [nonce_account(nonce_state(True, legacy=True)), AUTH_ACCOUNT])
scenario("nonce_authorize_not_signer", authorize(NEW_AUTH), authorize_metas(signer=False),
         [nonce_account(nonce_state(True)), AUTH_ACCOUNT])
scenario("nonce_authorize_uninitialized", authorize(NEW_AUTH), authorize_metas(),
         [nonce_account(nonce_state(False)), AUTH_ACCOUNT])
scenario("nonce_authorize_readonly", authorize(NEW_AUTH), authorize_metas(writable=False),
         [nonce_account(nonce_state(True)), AUTH_ACCOUNT])

UPGRADE = u32(UPGRADE_NONCE)
scenario("nonce_upgrade_legacy", UPGRADE, [meta(NONCE, False, True)],
         [nonce_account(nonce_state(True, legacy=True))])
scenario("nonce_upgrade_current", UPGRADE, [meta(NONCE, False, True)],
         [nonce_account(nonce_state(True))])
scenario("nonce_upgrade_legacy_uninitialized", UPGRADE, [meta(NONCE, False, True)],
         [nonce_account(nonce_state(False, legacy=True))])
scenario("nonce_upgrade_not_system_owned", UPGRADE, [meta(NONCE, False, True)],
         [nonce_account(nonce_state(True, legacy=True), owner=PROGRAM)])
scenario("nonce_upgrade_readonly", UPGRADE, [meta(NONCE, False, False)],
         [nonce_account(nonce_state(True, legacy=True))])
scenario("nonce_upgrade_undecodable_state", UPGRADE, [meta(NONCE, False, True)],
         [nonce_account(b"\x01\x00")])
scenario("nonce_upgrade_no_accounts", UPGRADE, [], [])


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    names = set()
    for entry in SCENARIOS:
        assert entry["name"] not in names, entry["name"]
        names.add(entry["name"])
        with open(os.path.join(out, entry["name"] + ".json"), "w") as f:
            json.dump(entry, f)
            f.write("\n")
    print(f"{len(SCENARIOS)} scenarios in {out}")


if __name__ == "__main__":
    main()
