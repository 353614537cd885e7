#!/usr/bin/env python3
"""Writes the conformance cases (tests/conformance/cases/*.case) of sbvm's own design.

Each case is a program in the reference assembler's syntax plus run settings. The expected
outcomes are not written here: `SBVM_BLESS=1 SBVM_ORACLE=path/to/oracle cargo test --test
conformance` asks the reference runtime (solana-sbpf 0.26 via shared/oracle) and records them in
the `-- expect` section. Re-running this script keeps existing expect sections.

Case format:
    # description
    -- budget N            (optional; default 100000)
    -- input HEX           (optional input bytes)
    -- asm
    <program>
    -- expect
    v0: ok 42 insns=3 pc=2
    v2: err DivideByZero insns=5 pc=4
    v3: verify UnknownOpCode(24, 0)
"""

import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "cases")

MASK = (1 << 64) - 1


def load(reg, value, tmp="r9"):
    """Portable 64-bit constant load (every version has mov64, lsh64, mov32 imm, or64)."""
    value &= MASK
    hi = value >> 32
    lo = value & 0xFFFFFFFF
    hi_signed = hi - (1 << 32) if hi & 0x80000000 else hi
    lo_signed = lo - (1 << 32) if lo & 0x80000000 else lo
    return [
        f"mov64 {reg}, {hi_signed}",
        f"lsh64 {reg}, 32",
        f"mov32 {tmp}, {lo_signed}",
        f"or64 {reg}, {tmp}",
    ]


def fold(lines):
    """r0 = (r0 << 7) ^ (r0 >> 57) ^ r1: mixes one more result into r0."""
    return lines + ["mov64 r8, r0", "lsh64 r0, 7", "rsh64 r8, 57", "xor64 r0, r8", "xor64 r0, r1"]


cases = {}


def case(name, description, asm, budget=None, input_hex=None):
    assert name not in cases, name
    cases[name] = (description, asm, budget, input_hex)


VALUES = [0, 1, MASK, 1 << 63, (1 << 63) - 1, 0x123456789ABCDEF0, 0xFFFFFFFF, 0x80000000, 33, 7]
PAIRS = [(0x123456789ABCDEF0, 7), (MASK, 1 << 63), (0x80000000, 0xFFFFFFFF), ((1 << 63) - 1, 33), (5, MASK)]
IMMS = [7, -1, 33, 0x7FFFFFFF, -0x80000000]


def binary_case(mnemonic, pairs=PAIRS, imms=IMMS, description=None):
    body = ["mov64 r0, 0"]
    for a, b in pairs:
        body += load("r1", a) + load("r2", b) + [f"{mnemonic} r1, r2"]
        body = fold(body)
    case(f"alu_{mnemonic}_reg", description or f"{mnemonic} with a register operand, five operand pairs", body + ["exit"])
    body = ["mov64 r0, 0"]
    for a, _ in pairs:
        for imm in imms:
            body += load("r1", a) + [f"{mnemonic} r1, {imm}"]
            body = fold(body)
    case(f"alu_{mnemonic}_imm", description or f"{mnemonic} with immediates", body + ["exit"])


for op in ["add", "sub", "mul", "or", "and", "xor", "mov"]:
    for width in ["32", "64"]:
        binary_case(op + width)
for op in ["lsh", "rsh", "arsh"]:
    binary_case(op + "32", imms=[0, 1, 7, 31])
    binary_case(op + "64", imms=[0, 1, 33, 63])
for op in ["div", "mod"]:
    for width in ["32", "64"]:
        nonzero = [(a, b) for a, b in PAIRS if b & (0xFFFFFFFF if width == "32" else MASK)]
        binary_case(op + width, nonzero, [7, -1, 33, 0x7FFFFFFF, -0x80000000])
for op in ["lmul32", "lmul64", "uhmul64", "shmul64", "udiv32", "udiv64", "urem32", "urem64", "sdiv32", "sdiv64", "srem32", "srem64"]:
    pairs = [(a, b) for a, b in PAIRS if b & 0xFFFFFFFF and b != MASK] + [(0x7FFFFFFFFFFF, 3)]
    imms = [7, 33, 0x7FFFFFFF, -9]
    binary_case(op, pairs, imms, f"V2 PQR {op} (other versions reject or reinterpret the opcode)")

for op in ["neg32", "neg64"]:
    body = ["mov64 r0, 0"]
    for value in VALUES:
        body += load("r1", value) + [f"{op} r1"]
        body = fold(body)
    case(f"alu_{op}", f"{op} on edge values (V2 has no neg)", body + ["exit"])
for op in ["le16", "le32", "le64", "be16", "be32", "be64"]:
    body = ["mov64 r0, 0"]
    for value in VALUES:
        body += load("r1", value) + [f"{op} r1"]
        body = fold(body)
    case(f"alu_{op}", f"byte swap {op}", body + ["exit"])
case("alu_hor64", "hor64 builds the high half (V2 only)", ["mov32 r0, -1", "hor64 r0, 0x12345678", "hor64 r0, -1", "exit"])
case("alu_lddw", "lddw loads 64-bit constants (not in V2)", ["lddw r0, 0x8000000000000001", "lddw r1, -2", "xor64 r0, r1", "exit"])
case("alu_mov32_reg_extension", "mov32 reg: zero-extends, except V2 sign-extends", load("r1", 0x1_8000_0001) + ["mov32 r0, r1", "exit"])
case("alu_add32_extension", "add32 result: sign-extended before V2, zero-extended in V2", ["mov64 r0, 0x7fffffff", "add32 r0, 1", "exit"])
case("alu_sub_imm_swap", "sub with an immediate computes imm - dst in V2", ["mov64 r0, 10", "sub64 r0, 3", "mov64 r1, 10", "sub32 r1, 3", "lsh64 r0, 32", "or64 r0, r1", "exit"])

# Division faults.
for op, bits in [("div32", 32), ("div64", 64), ("mod32", 32), ("mod64", 64), ("udiv32", 32), ("udiv64", 64), ("urem32", 32), ("urem64", 64), ("sdiv32", 32), ("sdiv64", 64), ("srem32", 32), ("srem64", 64)]:
    case(f"fault_{op}_by_zero", f"{op} by a zero register", ["mov64 r0, 9", "mov64 r1, 0", f"{op} r0, r1", "exit"])
for op, bits in [("sdiv32", 32), ("sdiv64", 64), ("srem32", 32), ("srem64", 64)]:
    minimum = 1 << (bits - 1)
    case(f"fault_{op}_overflow_reg", f"{op}: MIN / -1 overflows", load("r0", minimum) + ["mov64 r1, -1", f"{op} r0, r1", "exit"])
    case(f"fault_{op}_overflow_imm", f"{op}: MIN / -1 (immediate) overflows", load("r0", minimum) + [f"{op} r0, -1", "exit"])
case("fault_div32_upper_bits", "div32 by a register whose low half is zero", load("r1", 1 << 32) + ["mov64 r0, 5", "div32 r0, r1", "exit"])

# Memory.
for size, suffix in [(1, "b"), (2, "h"), (4, "w"), (8, "dw")]:
    case(f"mem_stx{suffix}_ldx{suffix}_stack", f"store and load {size} bytes on the stack",
         load("r1", 0x1122334455667788) + [f"stx{suffix} [r10-16], r1", f"ldx{suffix} r0, [r10-16]", "ldxdw r2, [r10-16]", "xor64 r0, r2", "exit"])
    case(f"mem_st{suffix}_imm_heap", f"store an immediate of {size} bytes into the heap",
         load("r1", 0x3_0000_0000) + [f"st{suffix} [r1+8], -3", "ldxdw r0, [r1+8]", "exit"])
    case(f"mem_ldx{suffix}_input", f"load {size} bytes from the input", [f"ldx{suffix} r0, [r1+3]", "exit"], input_hex="00112233445566778899aabbccddeeff")
case("mem_store_input_then_read", "programs may write their input", ["stdw [r1+0], 77", "ldxdw r0, [r1+0]", "exit"], input_hex="0000000000000000")
case("fault_store_program_region", "store into the text/rodata region", load("r1", 0x1_0000_0000) + ["ldxb r0, [r1+0]", "stb [r1+0], 1", "exit"])
case("fault_store_rodata_v3", "store at address 2: rodata from V3 (allocated in V4's aligned map)", ["mov64 r1, 0", "stb [r1+2], 1", "exit"])
case("fault_load_unmapped", "load from a slot with no region", load("r1", 0x5_0000_0000) + ["ldxdw r0, [r1+0]", "exit"])
case("fault_load_past_heap", "load across the end of the heap", load("r1", 0x3_0000_0000 + 32768 - 4) + ["ldxdw r0, [r1+0]", "exit"])
case("fault_stack_gap", "store into the gap after frame 0 (V0)", ["stxdw [r10+8], r1", "exit"])
case("fault_stack_below", "store just below the stack", load("r1", 0x2_0000_0000) + ["stxdw [r1-8], r1", "exit"])
case("fault_stack_top", "load past the top of the whole stack", load("r1", 0x2_0000_0000 + 64 * 4096 * 2) + ["ldxdw r0, [r1+0]", "exit"])
case("fault_input_oob", "load past a 4-byte input", ["ldxw r0, [r1+2]", "exit"], input_hex="01020304")
case("fault_wraparound", "an access whose end wraps around the address space", ["mov64 r1, -4", "ldxdw r0, [r1+0]", "exit"])
case("fault_load_address_zero", "load at address 0 (rodata from V3 on)", ["mov64 r1, 0", "ldxb r0, [r1+0]", "exit"])
case("mem_gapped_frame_1", "after a call, frame 1 (V0: two frames up) is usable",
     ["call function_f", "exit", "function_f:", "stxdw [r10-8], r10", "ldxdw r0, [r10-8]", "exit"])
case("mem_gap_straddle", "V0: an access starting 4 bytes before a frame's end runs into the next host frame",
     load("r1", 0x1122334455667788) + ["stxdw [r10-4], r1", "ldxdw r0, [r10-4]", "call function_f", "exit", "function_f:", "ldxw r2, [r10-8192]", "ldxw r0, [r10-4096]", "lsh64 r0, 32", "or64 r0, r2", "exit"])
case("mem_window_switch", "alternating accesses to the stack, heap and input",
     load("r2", 0x3_0000_0000) + ["stxdw [r10-8], r1", "stxdw [r2+0], r10", "ldxdw r3, [r10-8]", "ldxdw r4, [r2+0]", "ldxb r5, [r1+1]", "stxb [r1+2], r5", "ldxh r0, [r1+1]", "add64 r0, r3", "add64 r0, r4", "exit"],
     input_hex="0a0b0c0d")
case("mem_read_own_text", "programs read their own text", load("r1", 0x1_0000_0000) + ["ldxdw r0, [r1+0]", "exit"])

# Jumps.
CONDS = ["jeq", "jne", "jgt", "jge", "jlt", "jle", "jset", "jsgt", "jsge", "jslt", "jsle"]
JUMP_PAIRS = [(5, 5), (5, 6), (MASK, 1), (1 << 63, 0), (0x1_0000_0002, 2), (0xFFFFFFFF, 0x7FFFFFFF)]
for cond in CONDS:
    for width in ["", "32"]:
        body = ["mov64 r0, 0"]
        for index, (a, b) in enumerate(JUMP_PAIRS):
            body += load("r1", a) + load("r2", b)
            body += [f"{cond}{width} r1, r2, +1", f"or64 r0, {1 << (2 * index)}"]
            imm = b if -(1 << 31) <= (b if b < (1 << 63) else b - (1 << 64)) < (1 << 31) else 3
            imm = imm if imm < (1 << 31) else imm - (1 << 64)
            body += [f"{cond}{width} r1, {imm}, +1", f"or64 r0, {1 << (2 * index + 1)}"]
        case(f"jump_{cond}{width}", f"{cond}{width}: taken or not on edge values, register and immediate", body + ["exit"])
case("jump_ja_forward_back", "ja skips forward and loops back", ["mov64 r0, 0", "ja +1", "add64 r0, 100", "add64 r0, 1", "jlt r0, 5, -2", "exit"])

# Calls.
case("call_internal", "call and return keep r6-r9 and r10",
     ["mov64 r6, 6", "mov64 r7, 7", "mov64 r8, 8", "mov64 r9, 9", "mov64 r1, r10", "call function_f", "add64 r0, r6", "add64 r0, r7", "add64 r0, r8", "add64 r0, r9", "sub64 r1, r10", "add64 r0, r1", "exit",
      "function_f:", "mov64 r6, 60", "mov64 r7, 70", "mov64 r8, 80", "mov64 r9, 90", "mov64 r0, r10", "exit"])
case("call_frame_pointer", "r10 in a callee: one frame up, two with V0 gaps, unchanged with dynamic frames",
     ["call function_f", "exit", "function_f:", "mov64 r0, r10", "exit"])
case("call_depth_63", "recursion to depth 63 succeeds with max_call_depth 64",
     ["mov64 r1, 62", "call function_r", "exit", "function_r:", "mov64 r0, r1", "jeq r1, 0, +2", "add64 r1, -1", "call function_r", "exit"])
case("call_depth_64", "one deeper is CallDepthExceeded",
     ["mov64 r1, 63", "call function_r", "exit", "function_r:", "mov64 r0, r1", "jeq r1, 0, +2", "add64 r1, -1", "call function_r", "exit"])
case("call_unbounded", "unbounded recursion", ["call function_r", "exit", "function_r:", "call function_r", "exit"])
callx_target = lambda pc: load("r3", 0x1_0000_0000 + 8 * pc)
case("callx_valid", "callx to a function by address", callx_target(7) + ["callx r3", "add64 r0, 1", "exit", "function_g:", "mov64 r0, 41", "exit"])
case("callx_outside_text", "callx to the stack region", load("r3", 0x2_0000_0000) + ["callx r3", "exit"])
case("callx_lddw_tail", "callx into the second slot of an lddw", callx_target(7) + ["callx r3", "exit", "lddw r0, 5", "exit"])
case("callx_misaligned", "callx to an address inside an instruction", load("r3", 0x1_0000_0000 + 8 * 7 + 3) + ["callx r3", "add64 r0, 1", "exit", "mov64 r0, 41", "exit"])
case("callx_before_text", "callx below the text start", load("r3", 0x1_0000_0000 - 8) + ["callx r3", "exit"])
case("call_unresolved", "a call that names no syscall or function", ["mov64 r0, 1", "syscall 12345", "exit"])
case("call_entrypoint_hash", "call by murmur3(entrypoint) before V3", ["jeq r0, 1, +3", "mov64 r0, 1", "syscall 0x71e3cf81", "add64 r0, 10", "exit"])
case("stack_bump_dynamic", "add64 r10 moves the frame pointer where frames are dynamic", ["add64 r10, -64", "stxdw [r10+0], r10", "ldxdw r0, [r10+0]", "exit"])
case("stack_frames_dynamic_call", "calls with dynamic frames leave r10 alone",
     ["add64 r10, -128", "mov64 r6, r10", "call function_f", "sub64 r0, r6", "exit", "function_f:", "mov64 r0, r10", "exit"])

# Syscalls.
case("syscall_log", "log records guest bytes", ["mov64 r2, 0x6948", "stxh [r10-2], r2", "mov64 r1, r10", "add64 r1, -2", "mov64 r2, 2", "syscall log", "exit"])
case("syscall_log_64", "log_64 records five registers", ["mov64 r1, 1", "mov64 r2, -1", "mov64 r3, 0", "mov64 r4, 0x7f", "mov64 r5, 255", "syscall log_64", "exit"])
case("syscall_abort", "abort fails", ["mov64 r0, 3", "syscall abort", "exit"])
case("syscall_panic", "panic names file:line:column", ["mov64 r2, 0x632e61", "stxw [r10-4], r2", "mov64 r1, r10", "add64 r1, -4", "mov64 r2, 3", "mov64 r3, 7", "mov64 r4, 9", "syscall sol_panic_", "exit"])
case("syscall_log_bad_address", "log of unmapped memory is a syscall error", ["mov64 r1, 0", "mov64 r2, 8", "syscall sol_log_", "exit"])
case("syscall_result_in_r0", "a syscall's return value lands in r0", ["mov64 r0, 99", "mov64 r1, 1", "syscall log_64", "exit"])

# The meter.
case("meter_exit_budget_1", "exit alone with budget 1", ["exit"], budget=1)
case("meter_exit_budget_2", "exit alone with budget 2", ["exit"], budget=2)
case("meter_overrun", "two instructions without exit, budget 3", ["mov64 r0, 1", "mov64 r0, 2"], budget=3)
case("meter_ja_self", "ja -1 with budget 5", ["ja -1"], budget=5)
case("meter_before_fault", "a division by zero reached after the budget is spent", ["mov64 r1, 0", "mov64 r0, 1", "mov64 r0, 2", "div64 r0, r1", "exit"], budget=3)
case("meter_at_fault", "the faulting instruction is counted", ["mov64 r1, 0", "mov64 r0, 1", "mov64 r0, 2", "div64 r0, r1", "exit"], budget=4)
case("meter_after_syscall", "a loop after a syscall runs out exactly", ["mov64 r1, 1", "syscall log_64", "add64 r0, 1", "ja -2"], budget=50)
case("meter_lddw_counts_once", "lddw counts as one instruction", ["lddw r0, 1", "lddw r0, 2", "exit"], budget=3)
case("meter_long_run", "a straight-line run longer than the budget", ["mov64 r0, 1"] * 40 + ["exit"], budget=25)


def write():
    os.makedirs(CASES, exist_ok=True)
    for name, (description, asm, budget, input_hex) in sorted(cases.items()):
        path = os.path.join(CASES, name + ".case")
        expect = ""
        if os.path.exists(path):
            text = open(path).read()
            if "\n-- expect\n" in text:
                expect = text.split("\n-- expect\n", 1)[1]
        lines = [f"# {description}"]
        if budget is not None:
            lines.append(f"-- budget {budget}")
        if input_hex is not None:
            lines.append(f"-- input {input_hex}")
        lines.append("-- asm")
        lines += asm
        lines.append("-- expect")
        with open(path, "w") as out:
            out.write("\n".join(lines) + "\n" + expect)
    print(f"{len(cases)} cases in {CASES}")


if __name__ == "__main__":
    write()
