//! Arbitrary Solana instructions — accounts of random sizes, owners and privileges, duplicates,
//! and a program storing random words anywhere in its input — through the runtime on both
//! engines: no panic, and the interpreter and the JIT produce the same result, compute units,
//! logs and accounts. Exercises serialization, the access-violation hook (account growth, lazy
//! stack and heap), the write-back rules and the error mapping.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use sbvm::isa::SbpfVersion;
use sbvm::solana::{Account, AccountMeta, Instruction, InstructionResult, ProgramRuntime, Pubkey};
use sbvm::vm::Engine;
use std::sync::OnceLock;

/// Stores `count` (value, offset) words at r1 + offset, then exits 0.
const PROGRAM: &str = "
entrypoint:
    mov64 r6, r2
    ldxdw r7, [r6+0]
    add64 r6, 8
repeat:
    jeq r7, 0, done
    ldxdw r3, [r6+0]
    ldxdw r4, [r6+8]
    mov64 r5, r1
    add64 r5, r3
    stxdw [r5+0], r4
    add64 r6, 16
    sub64 r7, 1
    ja repeat
done:
    mov64 r0, 0
    exit
";

const PROGRAM_ID: Pubkey = Pubkey([0x50; 32]);

#[derive(Arbitrary, Debug)]
struct AccountSpec {
    data_len: u16,
    lamports: u64,
    owned: bool,
    executable: bool,
}

#[derive(Arbitrary, Debug)]
struct MetaSpec {
    account: u8,
    signer: bool,
    writable: bool,
}

#[derive(Arbitrary, Debug)]
struct Case {
    accounts: Vec<AccountSpec>,
    metas: Vec<MetaSpec>,
    stores: Vec<(u16, u64)>,
}

fn runtimes() -> &'static [ProgramRuntime; 2] {
    static RUNTIMES: OnceLock<[ProgramRuntime; 2]> = OnceLock::new();
    RUNTIMES.get_or_init(|| {
        let assembled = sbvm::isa::asm::assemble(PROGRAM, SbpfVersion::V0).unwrap();
        let elf = sbvm::elf::write_elf(&assembled).unwrap();
        Engine::ALL.map(|engine| {
            let mut runtime = ProgramRuntime::new();
            runtime.set_engine(engine).unwrap();
            runtime
                .add_program(PROGRAM_ID, sbvm::solana::ids::BPF_LOADER, &elf)
                .unwrap();
            runtime
        })
    })
}

fuzz_target!(|case: Case| {
    if case.accounts.is_empty() || case.accounts.len() > 40 || case.metas.len() > 64 {
        return;
    }
    let accounts: Vec<(Pubkey, Account)> = case
        .accounts
        .iter()
        .enumerate()
        .map(|(index, spec)| {
            let account = Account {
                lamports: spec.lamports,
                owner: if spec.owned {
                    PROGRAM_ID
                } else {
                    Pubkey::default()
                },
                executable: spec.executable,
                rent_epoch: 0,
                data: vec![index as u8; usize::from(spec.data_len % 4096)],
            };
            (Pubkey([index as u8 + 1; 32]), account)
        })
        .collect();
    let metas = case
        .metas
        .iter()
        .map(|meta| AccountMeta {
            pubkey: accounts[usize::from(meta.account) % accounts.len()].0,
            is_signer: meta.signer,
            is_writable: meta.writable,
        })
        .collect();
    let mut data = (case.stores.len() as u64).to_le_bytes().to_vec();
    for (offset, value) in &case.stores {
        data.extend_from_slice(&u64::from(*offset).to_le_bytes());
        data.extend_from_slice(&value.to_le_bytes());
    }
    let instruction = Instruction {
        program_id: PROGRAM_ID,
        accounts: metas,
        data,
    };
    let [interpreter, jit] = runtimes();
    let results: Vec<InstructionResult> = [interpreter, jit]
        .iter()
        .map(|runtime| {
            runtime
                .process_instruction(&instruction, &accounts)
                .unwrap()
        })
        .collect();
    assert_eq!(results[0], results[1], "the engines disagree on {case:?}");
});
