//! Cross-program invocation with arbitrary guest structures: a caller program copies a blob
//! the harness built (an instruction in the C or Rust layout, its metas and data, account infos
//! with their `Rc<RefCell>` boxes, signer seeds, then raw patches) into its heap and the first
//! 2 KiB of its stack, and calls `sol_invoke_signed_c` or `sol_invoke_signed_rust` with
//! registers that point into it (or anywhere else). The blob's pointers are hints: a field of a
//! caller account in the serialized input (computed from the ABI v1 layout, so the fuzzer
//! reaches valid infos often), a place in the heap, the stack or the input, or a raw value.
//! The callee (the same program under another id, the caller itself, or the system program)
//! runs a small script of its own that changes its accounts, logs, sets return data or fails.
//!
//! Properties: no panic, no hang, and the interpreter and the JIT agree on the result, compute
//! units, logs, return data and every account.
//!
//! The program is `tests/data/solana/cpi/programs/cpi_script.asm` (48-byte records
//! `[op][a1..a5]`, arguments resolved by their top byte: 0 as is, 1 input + low bits, 2
//! instruction data + low bits), assembled once for SBPF V0.
//!
//! One case, in the order this file runs it:
//!
//! - [`spec`]: what the fuzzer chooses (the `Arbitrary` case);
//! - [`accounts`]: the account pool, the caller's instruction, the invoked instruction's metas
//!   and infos;
//! - [`addresses`]: where each caller account's fields lie in the serialized input, and the
//!   pointer hints resolved against it;
//! - [`blob`]: the guest structures (instruction, infos, signer seeds) laid out for the caller
//!   to copy;
//! - [`script`]: the callee's script, the invoke's registers and the caller's script around the
//!   blob;
//! - here: both engines run the caller's instruction and must agree.
#![no_main]

mod accounts;
mod addresses;
mod blob;
mod script;
mod spec;

use addresses::{layout, Resolver};
use blob::{Blob, MAX_BLOB};
use libfuzzer_sys::fuzz_target;
use sbvm::isa::SbpfVersion;
use sbvm::solana::{ids, Instruction, InstructionResult, ProgramRuntime, Pubkey};
use sbvm::vm::Engine;
use spec::Case;
use std::sync::OnceLock;

const SCRIPT: &str = include_str!("../../../tests/data/solana/cpi/programs/cpi_script.asm");

const CALLER: Pubkey = Pubkey([0x50; 32]);
const CALLEE: Pubkey = Pubkey([0x51; 32]);

fn runtimes() -> &'static [ProgramRuntime; 2] {
    static RUNTIMES: OnceLock<[ProgramRuntime; 2]> = OnceLock::new();
    RUNTIMES.get_or_init(|| {
        let assembled = sbvm::isa::asm::assemble(SCRIPT, SbpfVersion::V0).unwrap();
        let elf = sbvm::elf::write_elf(&assembled).unwrap();
        Engine::ALL.map(|engine| {
            let mut runtime = ProgramRuntime::new();
            runtime.set_engine(engine).unwrap();
            for id in [CALLER, CALLEE] {
                runtime.add_program(id, ids::BPF_LOADER, &elf).unwrap();
            }
            runtime
        })
    })
}

fuzz_target!(|case: Case| {
    if case.users.len() > accounts::MAX_USERS
        || case.caller_metas.len() > 24
        || case.instruction.metas.len() > 64
        || case.infos.len() > 64
        || case.signers.len() > 20
        || case.caller_stores.len() > 4
        || case.patches.len() > 32
    {
        return;
    }
    let pool = accounts::pool(&case.users);
    let caller_metas = accounts::caller_metas(&case, &pool);
    let caller_keys: Vec<(Pubkey, u64)> = caller_metas
        .iter()
        .map(|meta| (meta.pubkey, accounts::data_len_of(&pool, &meta.pubkey)))
        .collect();
    let records = layout(&caller_keys);
    let resolve = Resolver { records: &records };

    // The invoked instruction.
    let spec = &case.instruction;
    let callee_id = accounts::callee_id(&spec.callee, &pool);
    let metas = accounts::invoked_metas(&spec.metas, &pool, &caller_keys);
    let infos = accounts::infos(&case);
    let callee_keys: Vec<(Pubkey, u64)> = metas
        .iter()
        .map(|(key, _, _)| (*key, accounts::data_len_of(&pool, key)))
        .collect();
    let data = script::callee_data(&spec.data, &layout(&callee_keys));
    if data.len() > 12 * 1024 {
        return;
    }

    let mut blob = Blob { bytes: Vec::new() };
    let instruction_addr = blob::write_instruction(
        &mut blob, case.rust, spec, callee_id, &metas, &data, &resolve,
    );
    let infos_at = blob::write_infos(&mut blob, case.rust, &infos, &resolve);
    let signers_at = blob::write_signer_seeds(&mut blob, &case.signers);
    blob::apply_patches(&mut blob, &case.patches);
    if blob.bytes.len() > MAX_BLOB {
        return;
    }

    let auto = [
        instruction_addr,
        Blob::addr(infos_at),
        infos.len() as u64,
        Blob::addr(signers_at),
        case.signers.len() as u64,
    ];
    let args = script::registers(&case.regs, auto, &resolve);
    let script = script::caller_script(&case.caller_stores, case.rust, args, &blob.bytes, &resolve);

    let instruction = Instruction {
        program_id: CALLER,
        accounts: caller_metas,
        data: script,
    };
    let [interpreter, jit] = runtimes();
    let results: Vec<Result<InstructionResult, String>> = [interpreter, jit]
        .iter()
        .map(|runtime| {
            runtime
                .process_instruction(&instruction, &pool)
                .map_err(|error| error.to_string())
        })
        .collect();
    assert_eq!(results[0], results[1], "the engines disagree on {case:?}");
});
