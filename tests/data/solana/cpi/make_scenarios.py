#!/usr/bin/env python3
"""Writes the CPI scenarios: fixtures without "expected", for the extended solana-oracle.

    python3 tests/data/solana/cpi/make_scenarios.py OUTDIR          # writes OUTDIR/*.json

Every program in these scenarios is programs/cpi_script.asm (assembled to cpi_script.so), deployed
under several program ids (CALLER, CALLEE, ...) with BPFLoader2111111111111111111111111111111111.
Each one runs the script in its instruction data (see gen_program.py for the ops); a caller's
script builds the CPI structures (C ABI SolInstruction / SolAccountMeta / SolAccountInfo /
SolSignerSeeds, or the Rust ABI StableInstruction / AccountMeta / AccountInfo with its Rc<RefCell>
boxes) on its heap with store64 records and carries the callee's script as bytes.

Input addresses are computed from the ABI v1 layout (src/solana/serialize.rs):
    u64 number of accounts
    per account: 8 bytes header (0xff, signer, writable, executable, 4 zero), key 32, owner 32,
                 lamports u64, data length u64, the data, 10 KiB of room, padding to 8,
                 rent epoch u64; or, for a duplicate: u8 index of the first occurrence, 7 zero
    u64 instruction data length, the instruction data (r2), program id 32
"""

import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scenario_kit import (  # noqa: E402
    MM_HEAP, CALLER, CALLEE, SYSTEM, PAYER, DEST, DATA_ACCT, DATA_ACCT2, PLAIN, UNKNOWN,
    VAULT, VAULT_BUMP, find_pda, Acct, In, Scenario, ro, rw, srw, info, callee_script, transfer_data,
    create_account_data,
)


def scenarios():
    out = []

    def add(sc, data, expect):
        sc.expect = expect
        out.append((sc, data))

    # --- success ------------------------------------------------------------------------------
    metas = [ro(CALLER), ro(CALLEE)]
    sc = Scenario("invoke_callee_logs", "the callee logs and returns", metas, [])
    inner = callee_script(sc, [], lambda s: s.log("hello from the callee"))
    s = sc.script().log("caller before")
    s.invoke_c(CALLEE, [], inner, []).op("log_last").log("caller after")
    add(sc, s.build(), "Ok(())")

    sc = Scenario("invoke_callee_return_data", "the callee sets return data; the caller reads it back",
                  metas, [])
    inner = callee_script(sc, [], lambda s: s.op("set_return_data", s.blob(b"from-callee"), 11))
    s = sc.script()
    s.invoke_c(CALLEE, [], inner, [])
    buf, pid = s.alloc(32), s.alloc(32)
    s.op("get_return_data", buf, 32, pid).op("log_last").op("log", buf, 11).op("log_pubkey", pid)
    add(sc, s.build(), "Ok(())")

    metas = [ro(CALLER), ro(SYSTEM), srw(PAYER), rw(DEST)]
    accts = [Acct(PAYER, owner=SYSTEM), Acct(DEST, owner=SYSTEM)]
    sc = Scenario("system_transfer_signer", "system Transfer via CPI, the payer signs the transaction",
                  metas, accts)
    s = sc.script()
    s.invoke_c(SYSTEM, [srw(PAYER), rw(DEST)], transfer_data(12345), [info(PAYER, True, True), info(DEST, False, True)])
    s.op("log64", s.L.lamports(PAYER)).op("log64", s.L.lamports(DEST))
    add(sc, s.build(), "Ok(())")

    metas = [ro(CALLER), ro(SYSTEM), srw(PAYER), rw(VAULT)]
    accts = [Acct(PAYER, owner=SYSTEM), Acct(VAULT, lamports=0, owner=SYSTEM)]
    sc = Scenario("system_create_account_pda", "system CreateAccount via CPI for a PDA signed with seeds",
                  metas, accts)
    s = sc.script()
    seeds_out, bump_out = s.alloc(32), s.alloc(8)
    seed_list = s.alloc(16)
    s.op("store64", seed_list, s.blob(b"vault")).op("store64", seed_list + 8, 5)
    s.op("find_pda", seed_list, 1, s.L.key(CALLER), seeds_out, bump_out).op("log_pubkey", seeds_out)
    s.op("log64", bump_out)
    s.invoke_c(SYSTEM, [srw(PAYER), (VAULT, True, True)], create_account_data(10_000_000, 64, CALLER),
               [info(PAYER, True, True), info(VAULT, False, True)], signers=[[b"vault", bytes([VAULT_BUMP])]])
    s.op("log64", s.L.lamports(VAULT)).op("log64", s.L.len(VAULT)).op("log_pubkey", s.L.owner(VAULT))
    add(sc, s.build(), "Ok(())")

    metas = [ro(CALLER), ro(CALLEE), rw(DATA_ACCT), rw(DATA_ACCT2)]
    accts = [Acct(DATA_ACCT, data=bytes(16)), Acct(DATA_ACCT2, data=bytes(8))]
    sc = Scenario("callee_modifies_account", "the callee moves lamports and writes data; the caller sees it",
                  metas, accts)
    cm = [rw(DATA_ACCT), rw(DATA_ACCT2)]

    def modify(s):
        s.op("add64", s.L.lamports(DATA_ACCT), -777).op("add64", s.L.lamports(DATA_ACCT2), 777)
        s.op("store64", s.L.data(DATA_ACCT), 0x0011223344556677).op("store8", s.L.data(DATA_ACCT2, 7), 0xab)
    inner = callee_script(sc, cm, modify)
    s = sc.script()
    s.invoke_c(CALLEE, cm, inner, [info(DATA_ACCT, writable=True), info(DATA_ACCT2, writable=True)])
    for key in (DATA_ACCT, DATA_ACCT2):
        s.op("log64", s.L.lamports(key)).op("log64", s.L.data(key))
    add(sc, s.build(), "Ok(())")

    metas = [ro(CALLER), ro(CALLEE), rw(DATA_ACCT)]
    accts = [Acct(DATA_ACCT, data=bytes(8))]
    sc = Scenario("callee_realloc_grow", "the callee grows an account's data from 8 to 100 bytes",
                  metas, accts)
    cm = [rw(DATA_ACCT)]
    inner = callee_script(sc, cm, lambda s: s.op("store64", s.L.len(DATA_ACCT), 100)
                          .op("store8", s.L.data(DATA_ACCT, 99), 0x5a).op("store8", s.L.data(DATA_ACCT, 0), 0x01))
    s = sc.script()
    s.invoke_c(CALLEE, cm, inner, [info(DATA_ACCT, writable=True)])
    s.op("log64", s.L.len(DATA_ACCT)).op("log64", s.L.data(DATA_ACCT, 92))
    add(sc, s.build(), "Ok(())")

    metas = [ro(CALLER), ro(CALLEE)]
    sc = Scenario("callee_stack_height", "sol_get_stack_height: 1 in the caller, 2 in the callee", metas, [])
    inner = callee_script(sc, [], lambda s: s.op("log_stack_height"))
    s = sc.script().op("log_stack_height")
    s.invoke_c(CALLEE, [], inner, []).op("log_stack_height")
    add(sc, s.build(), "Ok(())")

    metas = [ro(CALLER), ro(CALLEE), rw(DATA_ACCT)]
    accts = [Acct(DATA_ACCT, data=bytes(8))]
    sc = Scenario("processed_sibling_instruction",
                  "after two invokes of the callee: the second one sees the first as sibling 0; the caller (top level) sees none",
                  metas, accts)
    first = callee_script(sc, [rw(DATA_ACCT)], lambda s: s.log("first"))

    def second(s):
        meta, pid, data, accs = s.alloc(16), s.alloc(32), s.alloc(len(first) + 8), s.alloc(34 * 4)
        s.op("store64", meta, len(first)).op("store64", meta + 8, 1)
        s.op("sibling", 0, meta, pid, data, accs).op("log_last")
        s.op("log64", meta).op("log64", meta + 8).op("log_pubkey", pid).op("log64", data).op("log_pubkey", accs)
        s.op("log64", accs + 32).op("log64", data + 8)
        s.op("sibling", 1, meta, pid, data, accs).op("log_last")
    s = sc.script()
    s.invoke_c(CALLEE, [rw(DATA_ACCT)], first, [info(DATA_ACCT, writable=True)])
    s.invoke_c(CALLEE, [], callee_script(sc, [], second), [])
    meta, pid = s.alloc(16), s.alloc(32)
    s.op("sibling", 0, meta, pid, s.alloc(8), s.alloc(8)).op("log_last")
    add(sc, s.build(), "Ok(())")

    # Self-recursion: caller → caller → ... (allowed), to the deepest level and one more.
    def chain(sc, levels):
        data = callee_script(sc, [ro(CALLER)], lambda s: s.op("log_stack_height"))
        for _ in range(levels - 2):
            s = sc.script([ro(CALLER)]).op("log_stack_height")
            s.invoke_c(CALLER, [ro(CALLER)], data, [])
            data = s.build()
        s = sc.script().op("log_stack_height")
        return s.invoke_c(CALLER, [ro(CALLER)], data, []).build()

    global MAX_DEPTH
    sc = Scenario("self_recursion_max_depth", f"caller invokes itself until stack height {MAX_DEPTH}", [ro(CALLER)], [],
                  programs=(CALLER,))
    add(sc, chain(sc, MAX_DEPTH), "Ok(())")
    sc = Scenario("err_call_depth", f"caller invokes itself to stack height {MAX_DEPTH + 1}", [ro(CALLER)], [],
                  programs=(CALLER,))
    add(sc, chain(sc, MAX_DEPTH + 1), "Err(CallDepth)")

    # --- errors -------------------------------------------------------------------------------
    metas = [ro(CALLER), ro(CALLEE), ro(DATA_ACCT)]
    accts = [Acct(DATA_ACCT, data=bytes(8))]
    sc = Scenario("err_writable_escalation", "a read-only account passed writable to the callee", metas, accts)
    inner = callee_script(sc, [rw(DATA_ACCT)], lambda s: s.log("unreachable"))
    s = sc.script().invoke_c(CALLEE, [rw(DATA_ACCT)], inner, [info(DATA_ACCT)])
    add(sc, s.build(), "Err(PrivilegeEscalation)")

    sc = Scenario("err_signer_escalation", "a non-signer passed as signer to the callee", metas, accts)
    inner = callee_script(sc, [(DATA_ACCT, True, False)], lambda s: s.log("unreachable"))
    s = sc.script().invoke_c(CALLEE, [(DATA_ACCT, True, False)], inner, [info(DATA_ACCT)])
    add(sc, s.build(), "Err(PrivilegeEscalation)")

    metas = [ro(CALLER), ro(SYSTEM), srw(PAYER), rw(VAULT)]
    accts = [Acct(PAYER, owner=SYSTEM), Acct(VAULT, lamports=0, owner=SYSTEM)]
    sc = Scenario("err_wrong_signer_seeds", "CreateAccount for the PDA signed with seeds of another address",
                  metas, accts)
    s = sc.script()
    s.invoke_c(SYSTEM, [srw(PAYER), (VAULT, True, True)], create_account_data(10_000_000, 64, CALLER),
               [info(PAYER, True, True), info(VAULT, False, True)], signers=[[b"other", bytes([VAULT_BUMP])]])
    add(sc, s.build(), "Err(PrivilegeEscalation)")

    metas = [ro(CALLER), ro(CALLEE)]
    sc = Scenario("err_unknown_program", "invoke a program id that is in no account list", metas, [])
    s = sc.script().invoke_c(UNKNOWN, [], b"\0" * 8, [])
    add(sc, s.build(), "Err(MissingAccount)")

    metas = [ro(CALLER), ro(PLAIN)]
    sc = Scenario("err_non_executable_program", "invoke an account that is not executable", metas,
                  [Acct(PLAIN, owner=SYSTEM)], programs=(CALLER,))
    s = sc.script().invoke_c(PLAIN, [], b"\0" * 8, [])
    add(sc, s.build(), "Err(UnsupportedProgramId)")

    metas = [ro(CALLER), ro(CALLEE)]
    sc = Scenario("err_reentrancy", "caller → callee → caller", metas, [])
    back = callee_script(sc, [], lambda s: s.log("unreachable"))
    mid = sc.script([ro(CALLER)]).log("callee invokes the caller")
    mid.invoke_c(CALLER, [], back, [])
    s = sc.script().invoke_c(CALLEE, [ro(CALLER)], mid.build(), [])
    add(sc, s.build(), "Err(ReentrancyNotAllowed)")

    sc = Scenario("err_too_many_account_infos", "256 account infos (the limit is 255)", metas, [])
    s = sc.script().invoke_c(CALLEE, [], b"\0" * 8, [], infos_len=256)
    add(sc, s.build(), "Err(ProgramFailedToComplete)")

    sc = Scenario("err_instruction_data_too_long", "10241 bytes of instruction data (the limit is 10240)",
                  metas, [])
    s = sc.script()
    s.invoke_c(CALLEE, [], b"", [], data_len=10241, data_ptr=MM_HEAP + 4096)  # zeros on the heap
    add(sc, s.build(), "Err(ProgramFailedToComplete)")

    metas = [ro(CALLER), ro(CALLEE), rw(DATA_ACCT)]
    accts = [Acct(DATA_ACCT, data=bytes(8))]
    sc = Scenario("err_missing_account_info", "a meta for an account without an account info", metas, accts)
    inner = callee_script(sc, [rw(DATA_ACCT)], lambda s: s.log("unreachable"))
    s = sc.script().invoke_c(CALLEE, [rw(DATA_ACCT)], inner, [])
    add(sc, s.build(), "Err(MissingAccount)")

    metas = [ro(CALLER), ro(CALLEE)]
    sc = Scenario("err_callee_custom_error", "the callee exits with 42; the error reaches the transaction",
                  metas, [])
    inner = callee_script(sc, [], lambda s: s.log("failing").op("exit", 42))
    s = sc.script().invoke_c(CALLEE, [], inner, []).log("unreachable")
    add(sc, s.build(), "Err(Custom(42))")

    sc = Scenario("err_callee_compute_exhausted", "the callee loops until the budget (50000) runs out",
                  metas, [], limit=50_000)
    inner = callee_script(sc, [], lambda s: s.op("burn", 1_000_000))
    s = sc.script().invoke_c(CALLEE, [], inner, []).log("unreachable")
    add(sc, s.build(), "Err(ProgramFailedToComplete)")

    metas = [ro(CALLER), ro(CALLEE), rw(DATA_ACCT), rw(DATA_ACCT2)]
    accts = [Acct(DATA_ACCT, owner=CALLER, data=bytes(16)), Acct(DATA_ACCT2, owner=CALLER, data=bytes(8))]
    sc = Scenario("caller_changes_visible_to_callee",
                  "the caller moves lamports and writes data before the invoke; the callee logs what it sees",
                  metas, accts)
    cm = [ro(DATA_ACCT), ro(DATA_ACCT2)]
    inner = callee_script(sc, cm, lambda s: s.op("log64", s.L.lamports(DATA_ACCT)).op("log64", s.L.data(DATA_ACCT))
                          .op("log64", s.L.lamports(DATA_ACCT2)))
    s = sc.script()
    s.op("add64", s.L.lamports(DATA_ACCT), -1000).op("add64", s.L.lamports(DATA_ACCT2), 1000)
    s.op("store64", s.L.data(DATA_ACCT), 0x0001020304050607)
    s.invoke_c(CALLEE, cm, inner, [info(DATA_ACCT, writable=True), info(DATA_ACCT2, writable=True)])
    add(sc, s.build(), "Ok(())")

    metas = [ro(CALLER), ro(CALLEE), rw(DATA_ACCT)]
    accts = [Acct(DATA_ACCT, data=bytes(8))]
    sc = Scenario("invoke_duplicate_metas", "the same account twice in the callee's metas (writable, then read-only)",
                  metas, accts)
    cm = [rw(DATA_ACCT), ro(DATA_ACCT)]
    inner = callee_script(sc, cm, lambda s: s.op("store64", s.L.data(DATA_ACCT), 0x77).op("add64", s.L.lamports(DATA_ACCT), 0))
    s = sc.script()
    s.invoke_c(CALLEE, cm, inner, [info(DATA_ACCT, writable=True)])
    s.op("log64", s.L.data(DATA_ACCT))
    add(sc, s.build(), "Ok(())")

    sc = Scenario("err_callee_realloc_too_far", "the callee grows an account by 10241 bytes (the limit is 10240)",
                  metas, accts)
    cm = [rw(DATA_ACCT)]
    inner = callee_script(sc, cm, lambda s: s.op("store64", s.L.len(DATA_ACCT), 8 + 10241))
    s = sc.script().invoke_c(CALLEE, cm, inner, [info(DATA_ACCT, writable=True)])
    add(sc, s.build(), "Err(InvalidRealloc)")

    metas = [ro(CALLER), ro(CALLEE), ro(DATA_ACCT)]
    accts = [Acct(DATA_ACCT, data=bytes(8))]
    sc = Scenario("err_callee_writes_readonly", "the callee stores into the data of an account passed read-only",
                  metas, accts)
    cm = [ro(DATA_ACCT)]
    inner = callee_script(sc, cm, lambda s: s.op("store8", s.L.data(DATA_ACCT), 1))
    s = sc.script().invoke_c(CALLEE, cm, inner, [info(DATA_ACCT)])
    add(sc, s.build(), "Err(ReadonlyDataModified)")

    metas = [ro(CALLER), ro(CALLEE), rw(DATA_ACCT)]
    accts = [Acct(DATA_ACCT, data=bytes(8))]
    sc = Scenario("err_account_info_bad_key_pointer",
                  "the account info's key points at a copy of the key, not at the serialized one", metas, accts)
    s = sc.script()
    s.invoke_c(CALLEE, [rw(DATA_ACCT)], b"\0" * 8, [info(DATA_ACCT, writable=True)], patches=[(0, 0, s.blob(DATA_ACCT))])
    add(sc, s.build(), "Err(ProgramFailedToComplete)")

    sc = Scenario("extra_info_key_in_account_data",
                  "an account info no callee account matches has its key pointer in account data: "
                  "every info's key is read, and the data stays readable during the invoke",
                  [ro(CALLER), ro(CALLEE), rw(DATA_ACCT)], [Acct(DATA_ACCT, data=bytes(40))])
    s = sc.script()
    s.invoke_c(CALLEE, [rw(DATA_ACCT)], b"\0" * 8, [info(DATA_ACCT, writable=True), info(DATA_ACCT)],
               patches=[(1, 0, s.L.data(DATA_ACCT))])
    add(sc, s.build(), "Ok(())")

    sc = Scenario("err_account_info_bad_lamports_pointer",
                  "the account info's lamports pointer is 8 bytes off", metas, accts)
    s = sc.script()
    s.invoke_c(CALLEE, [rw(DATA_ACCT)], b"\0" * 8, [info(DATA_ACCT, writable=True)],
               patches=[(0, 8, In(s.L.lamports(DATA_ACCT).off + 8))])
    add(sc, s.build(), "Err(ProgramFailedToComplete)")

    metas = [ro(CALLER), ro(CALLEE)]
    sc = Scenario("err_too_many_metas", "256 account metas (the limit is 255)", metas, [])
    s = sc.script().invoke_c(CALLEE, [], b"\0" * 8, [], metas_len=256)
    add(sc, s.build(), "Err(ProgramFailedToComplete)")

    sc = Scenario("err_too_many_signers", "17 signer seed sets (the limit is 16)", metas, [])
    s = sc.script().invoke_c(CALLEE, [], b"\0" * 8, [], signers_len=17)
    add(sc, s.build(), "Err(ProgramFailedToComplete)")

    sc = Scenario("err_seed_too_long", "a 33-byte signer seed (the limit is 32)", metas, [])
    s = sc.script().invoke_c(CALLEE, [], b"\0" * 8, [], signers=[[bytes(33)]])
    add(sc, s.build(), "Err(ProgramFailedToComplete)")

    # --- Rust ABI -----------------------------------------------------------------------------
    metas = [ro(CALLER), ro(CALLEE)]
    sc = Scenario("rust_invoke_callee_logs", "Rust ABI: the callee logs and returns", metas, [])
    inner = callee_script(sc, [], lambda s: s.log("hello from the callee (rust abi)"))
    s = sc.script().invoke_rust(CALLEE, [], inner, []).op("log_last")
    add(sc, s.build(), "Ok(())")

    metas = [ro(CALLER), ro(SYSTEM), srw(PAYER), rw(DEST)]
    accts = [Acct(PAYER, owner=SYSTEM), Acct(DEST, owner=SYSTEM)]
    sc = Scenario("rust_system_transfer_signer", "Rust ABI: system Transfer via CPI", metas, accts)
    s = sc.script()
    s.invoke_rust(SYSTEM, [srw(PAYER), rw(DEST)], transfer_data(12345), [info(PAYER, True, True), info(DEST, False, True)])
    s.op("log64", s.L.lamports(PAYER)).op("log64", s.L.lamports(DEST))
    add(sc, s.build(), "Ok(())")

    metas = [ro(CALLER), ro(SYSTEM), srw(PAYER), rw(VAULT)]
    accts = [Acct(PAYER, owner=SYSTEM), Acct(VAULT, lamports=0, owner=SYSTEM)]
    sc = Scenario("rust_system_create_account_pda", "Rust ABI: CreateAccount for a PDA signed with seeds",
                  metas, accts)
    s = sc.script()
    s.invoke_rust(SYSTEM, [srw(PAYER), (VAULT, True, True)], create_account_data(10_000_000, 64, CALLER),
                  [info(PAYER, True, True), info(VAULT, False, True)], signers=[[b"vault", bytes([VAULT_BUMP])]])
    s.op("log64", s.L.lamports(VAULT)).op("log64", s.L.len(VAULT)).op("log_pubkey", s.L.owner(VAULT))
    add(sc, s.build(), "Ok(())")

    metas = [ro(CALLER), ro(CALLEE), rw(DATA_ACCT), rw(DATA_ACCT2)]
    accts = [Acct(DATA_ACCT, data=bytes(16)), Acct(DATA_ACCT2, data=bytes(8))]
    sc = Scenario("rust_callee_modifies_account", "Rust ABI: the callee moves lamports, writes and grows data",
                  metas, accts)
    cm = [rw(DATA_ACCT), rw(DATA_ACCT2)]

    def modify_grow(s):
        modify(s)
        s.op("store64", s.L.len(DATA_ACCT2), 40).op("store8", s.L.data(DATA_ACCT2, 39), 0x5a)
    inner = callee_script(sc, cm, modify_grow)
    s = sc.script()
    s.invoke_rust(CALLEE, cm, inner, [info(DATA_ACCT, writable=True), info(DATA_ACCT2, writable=True)])
    for key in (DATA_ACCT, DATA_ACCT2):
        s.op("log64", s.L.lamports(key)).op("log64", s.L.data(key)).op("log64", s.L.len(key))
    s.op("log64", s.L.data(DATA_ACCT2, 32))
    add(sc, s.build(), "Ok(())")

    metas = [ro(CALLER), ro(CALLEE), ro(DATA_ACCT)]
    accts = [Acct(DATA_ACCT, data=bytes(8))]
    sc = Scenario("rust_err_writable_escalation", "Rust ABI: a read-only account passed writable", metas, accts)
    inner = callee_script(sc, [rw(DATA_ACCT)], lambda s: s.log("unreachable"))
    s = sc.script().invoke_rust(CALLEE, [rw(DATA_ACCT)], inner, [info(DATA_ACCT)])
    add(sc, s.build(), "Err(PrivilegeEscalation)")

    return out


MAX_DEPTH = int(os.environ.get("CPI_MAX_DEPTH", "9"))


def main():
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    intents = {}
    for sc, data in scenarios():
        with open(os.path.join(outdir, sc.name + ".json"), "w") as f:
            json.dump(sc.json(data), f, indent=1)
            f.write("\n")
        intents[sc.name] = {"intent": sc.intent, "expect": sc.expect}
    with open(os.path.join(outdir, "intents.txt"), "w") as f:
        json.dump(intents, f, indent=1)


if __name__ == "__main__":
    main()
