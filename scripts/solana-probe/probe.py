"""The probe's script format, shared by gen_probe.py (which writes probe.asm) and
make_scenarios.py (which writes scripts for it).

A script is the instruction data: records of 48 bytes, [op u64][a1 u64]..[a5 u64], run in order
until an `exit` op or until fewer than 48 bytes remain (then the probe exits with 0). Bytes a
script needs (strings, seeds, ...) follow an `exit` record and are addressed with DATA(offset).

Before each op the probe resolves all five arguments into r1..r5; an argument whose top byte is

    1  INPUT(off)   r1 at entry (0x4_0000_0000, the serialized input) + off
    2  DATA(off)    r2 at entry (the instruction data, i.e. this script) + off
    3  RODATA(off)  the probe's read-only data blob (see ROD_*) + off
    4  LAST(off)    the last result + off
    5  TEXT(off)    the address of the probe's entrypoint (its first instruction) + off

becomes that address; any other value is used as it is (absolute addresses, lengths, values).
Ops that take a plain value (exit codes, stored values, divisor) read it unresolved.
"""

import struct

RECORD = 48
TAG_INPUT, TAG_DATA, TAG_RODATA, TAG_LAST, TAG_TEXT = 1, 2, 3, 4, 5
LOW56 = (1 << 56) - 1

# Plain ops: (number, name, what it does). The asm for each is in gen_probe.py.
OPS = [
    (0, "exit", "exit with r0 = a1 (unresolved)"),
    (1, "store64", "u64 [a1] = a2 (unresolved)"),
    (2, "store8", "u8 [a1] = a2 (unresolved)"),
    (3, "load64", "last = u64 [a1]"),
    (4, "load8", "last = u8 [a1]"),
    (5, "log_last", "sol_log_64_(last, 0, 0, 0, 0)"),
    (6, "recurse", "call a function that calls itself a1 (unresolved) times"),
    (7, "burn", "loop a1 (unresolved) times"),
    (8, "div", "last = a1 / a2 (unresolved, div64 by register)"),
    (9, "store_last", "u64 [a1] = last"),
    (10, "set_last", "last = a1 (resolved)"),
    (11, "exit_last", "exit with r0 = last"),
    (12, "callx", "callx a1 (r2..r5 = a2..a5); last = r0"),
    (13, "add64", "u64 [a1] += a2 (unresolved, wrapping)"),
    (14, "store32", "u32 [a1] = a2 (unresolved)"),
]
OP = {name: number for number, name, _ in OPS}

# Syscall ops: op SYSCALL_BASE + k calls SYSCALLS[k] with r1..r5 = resolved a1..a5; last = r0.
SYSCALL_BASE = 100
SYSCALLS = [
    "sol_log_",
    "sol_log_64_",
    "sol_log_pubkey",
    "sol_log_compute_units_",
    "sol_log_data",
    "sol_memcpy_",
    "sol_memmove_",
    "sol_memset_",
    "sol_memcmp_",
    "sol_sha256",
    "sol_keccak256",
    "sol_sha512",
    "sol_create_program_address",
    "sol_try_find_program_address",
    "sol_set_return_data",
    "sol_get_return_data",
    "sol_get_clock_sysvar",
    "sol_get_rent_sysvar",
    "sol_get_epoch_schedule_sysvar",
    "sol_get_epoch_rewards_sysvar",
    "sol_get_last_restart_slot",
    "sol_get_sysvar",
    "sol_get_stack_height",
    "sol_remaining_compute_units",
    "sol_get_processed_sibling_instruction",
    "sol_alloc_free_",
    "sol_get_epoch_stake",
    "abort",
    "sol_panic_",
]

# The read-only data blob (label rodata_base in probe.asm), at RODATA(0).
ROD_TEXT = b"hello from rodata"            # RODATA(0), 17 bytes
ROD_KEY = bytes(range(1, 33))              # RODATA(32), a pubkey
ROD_BLOB = ROD_TEXT.ljust(32, b"\0") + ROD_KEY + bytes(range(64, 128))
ROD_TEXT_AT, ROD_KEY_AT, ROD_BYTES_AT = 0, 32, 64


def INPUT(off):
    return (TAG_INPUT << 56) | off


def DATA(off):
    return (TAG_DATA << 56) | off


def RODATA(off):
    return (TAG_RODATA << 56) | off


def LAST(off):
    return (TAG_LAST << 56) | off


def TEXT(off):
    return (TAG_TEXT << 56) | off


def record(op, *args):
    args = list(args) + [0] * (5 - len(args))
    return struct.pack("<6Q", op, *[a & 0xFFFF_FFFF_FFFF_FFFF for a in args])
