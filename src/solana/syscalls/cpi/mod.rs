//! Cross-program invocation: `sol_invoke_signed_c` and `sol_invoke_signed_rust`, a program
//! calling another program from inside a syscall, exactly as Agave 4.2 does it with every
//! feature enabled (direct mapping of account data, the stricter ABI checks).
//!
//! ```text
//! caller's VM ── syscall ─► charge 946 (invoke)
//!                           instruction.rs  the instruction (C or Rust layout), charged per byte;
//!                                           signer seeds → program-derived signers;
//!                                           the loaders and precompiles refused
//!                           frame.rs        the callee's accounts: privileges merged, checked
//!                                           against the caller's (no escalation)
//!                           accounts.rs     the caller's account infos (C or Rust layout), every
//!                                           pointer checked against where the input put things
//!                           data.rs         the caller's account data leaves its regions for the
//!                                           transaction (the callee serializes it anew)
//!                           sync.rs         the caller's changes (lamports, length, owner) → the
//!                                           transaction, under the caller's rules
//!                           ── the callee runs: a nested VM on the caller's engine, or a builtin
//!                           sync.rs         the callee's changes → the caller's account infos and
//!                                           serialized input
//!                           data.rs         the data back into the caller's regions
//! ◄── r0 = 0, or the callee's error fails the caller
//! ```
//!
//! The costs are Agave's: 946 units per invocation, and one unit per 250 bytes of instruction
//! data, of account metas (34 bytes each), of account infos (80 bytes each) and of the data of
//! each account passed; the callee's own consumption comes out of the same meter.

mod accounts;
mod data;
mod frame;
mod instruction;
mod sync;

use super::SyscallResult;
use crate::memory::MemoryMapping;
use crate::solana::context::{Callee, InvokeContext};
use crate::solana::invoke::process_instruction;
use crate::solana::transaction::InstructionFrame;
use crate::solana::SyscallFailure;
use crate::vm::Engine;

/// The layout of the structures a program passes: C's `SolInstruction`/`SolAccountInfo` or
/// Rust's `StableInstruction`/`AccountInfo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Abi {
    /// `sol_invoke_signed_c`.
    C,
    /// `sol_invoke_signed_rust`.
    Rust,
}

/// `sol_invoke_signed_c(instruction, account_infos, count, signer_seeds, count)`.
pub(super) fn invoke_signed_c(
    context: &mut InvokeContext,
    memory: &mut MemoryMapping<'_>,
    args: [u64; 5],
) -> SyscallResult {
    invoke_signed(context, memory, args, Abi::C)
}

/// `sol_invoke_signed_rust(instruction, account_infos, count, signer_seeds, count)`.
pub(super) fn invoke_signed_rust(
    context: &mut InvokeContext,
    memory: &mut MemoryMapping<'_>,
    args: [u64; 5],
) -> SyscallResult {
    invoke_signed(context, memory, args, Abi::Rust)
}

fn invoke_signed(
    context: &mut InvokeContext,
    memory: &mut MemoryMapping<'_>,
    [instruction_addr, infos_addr, infos_len, seeds_addr, seeds_len]: [u64; 5],
    abi: Abi,
) -> SyscallResult {
    let invoke_units = context.costs().invoke_units;
    context.consume_checked(invoke_units)?;
    let instruction = instruction::translate(context, memory, instruction_addr, abi)?;
    let caller_program_id = context.transaction.current_program_id()?;
    let signers = instruction::translate_signers(
        memory,
        &caller_program_id,
        seeds_addr,
        seeds_len,
        context.check_aligned,
    )?;
    instruction::check_authorized_program(&instruction.program_id, &instruction.data)?;
    let frame = frame::prepare(context, instruction, &signers)?;
    let accounts = accounts::translate(context, memory, &frame, infos_addr, infos_len, abi)?;
    // The callee serializes the accounts anew: their data goes back to the transaction while
    // it runs, and back into this program's regions whatever happens. (Everything read above
    // may lie in account data, as it may in Agave, where the data stays mapped.)
    data::lend(context, memory)?;
    let outcome = run_callee(context, memory, frame, &accounts);
    let reclaimed = data::reclaim(context, memory);
    outcome?;
    reclaimed?;
    Ok(0)
}

fn run_callee(
    context: &mut InvokeContext,
    memory: &mut MemoryMapping<'_>,
    frame: InstructionFrame,
    accounts: &[accounts::TranslatedAccount],
) -> Result<(), SyscallFailure> {
    for account in accounts {
        sync::update_callee(context, memory, account)?;
    }
    // The callee's run sets the context's per-run state; the caller's comes back after it.
    let check_aligned = context.check_aligned;
    let mut callee = context
        .callee
        .take()
        .unwrap_or(Callee::Engine(Engine::Interpreter));
    let (_, result) = process_instruction(context, frame, callee.driver());
    context.callee = Some(callee);
    context.check_aligned = check_aligned;
    result?;
    for account in accounts.iter().filter(|account| account.callee_writable) {
        sync::update_caller(context, memory, account)?;
    }
    Ok(())
}
