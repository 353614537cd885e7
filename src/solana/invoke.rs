//! One instruction through the runtime: push it, find what runs it, log its start and end, run
//! it, pop it (Agave's `process_instruction` and `process_executable_chain`).
//!
//! What runs an instruction is decided by its program account's owner: an account owned by the
//! native loader is a builtin (its own key names it); one owned by a BPF loader is an sBPF
//! program that loader runs. The loaders themselves, invoked directly, refuse the management
//! instructions of a deprecated design.

use super::account::ids;
use super::context::{InvokeContext, ProgramSource, VmDriver};
use super::error::InstructionError;
use super::execute::{execute_program, ProgramFailure};
use super::pubkey::Pubkey;
use super::transaction::InstructionFrame;
use crate::vm::ContextObject;

/// Compute units a loader charges for a management instruction (Agave's bpf_loader).
const DEFAULT_LOADER_COMPUTE_UNITS: u64 = 570;
const DEPRECATED_LOADER_COMPUTE_UNITS: u64 = 1_140;
const UPGRADEABLE_LOADER_COMPUTE_UNITS: u64 = 2_370;

/// The builtins every runtime has: the loaders (and, with cross-program invocation, the
/// system program).
fn is_builtin(id: &Pubkey) -> bool {
    *id == ids::BPF_LOADER
        || *id == ids::BPF_LOADER_DEPRECATED
        || *id == ids::BPF_LOADER_UPGRADEABLE
        || *id == ids::SYSTEM_PROGRAM
}

fn is_loader(id: &Pubkey) -> bool {
    *id == ids::BPF_LOADER
        || *id == ids::BPF_LOADER_DEPRECATED
        || *id == ids::BPF_LOADER_UPGRADEABLE
}

/// Processes `frame` (its program run by `driver`, programs found in the context) and returns
/// the compute units it consumed with its result. An invoked frame may call its caller's
/// program again only directly (`ReentrancyNotAllowed` otherwise).
pub fn process_instruction(
    context: &mut InvokeContext,
    frame: InstructionFrame,
    driver: &mut dyn VmDriver,
) -> (u64, Result<(), InstructionError>) {
    let mut consumed = 0;
    if let Err(error) = check_reentrancy(context, &frame) {
        return (0, Err(error));
    }
    if let Err(error) = context.transaction.push(frame) {
        return (0, Err(error));
    }
    let programs = std::sync::Arc::clone(&context.programs);
    let result = process_executable_chain(context, &*programs, driver, &mut consumed);
    let popped = context.transaction.pop();
    (consumed, result.and(popped))
}

/// Agave's rule for a frame about to be pushed on a non-empty stack: its program may be on the
/// stack only as the current (innermost) program.
fn check_reentrancy(
    context: &InvokeContext,
    frame: &InstructionFrame,
) -> Result<(), InstructionError> {
    let transaction = &context.transaction;
    if transaction.stack_height() == 0 {
        return Ok(());
    }
    let program_id = transaction
        .account(frame.program_index)
        .map_err(|_| InstructionError::UnsupportedProgramId)?
        .key;
    let on_stack = transaction.stack_program_ids();
    let contains = on_stack.contains(&program_id);
    let is_last = on_stack.last() == Some(&program_id);
    if contains && !is_last {
        return Err(InstructionError::ReentrancyNotAllowed);
    }
    Ok(())
}

fn process_executable_chain(
    context: &mut InvokeContext,
    programs: &dyn ProgramSource,
    driver: &mut dyn VmDriver,
    consumed: &mut u64,
) -> Result<(), InstructionError> {
    let (program_id, owner) = {
        let frame = context.transaction.current()?;
        let program = context.transaction.account(frame.program_index)?;
        (program.key, program.account.owner)
    };
    let builtin_id = if owner == ids::NATIVE_LOADER {
        program_id
    } else if is_loader(&owner) {
        owner
    } else {
        return Err(InstructionError::UnsupportedProgramId);
    };
    if !is_builtin(&builtin_id) {
        return Err(InstructionError::UnsupportedProgramId);
    }
    context.transaction.set_return_data(program_id, Vec::new());
    let depth = context.transaction.stack_height();
    context.log.program_invoke(&program_id, depth);
    let before = context.get_remaining();
    let outcome = if is_loader(&builtin_id) {
        run_loader(context, programs, driver, &program_id, &owner)
    } else {
        Err(ProgramFailure::Other(format!(
            "sbvm does not implement the builtin program {builtin_id} yet"
        )))
    };
    let result = match outcome {
        Ok(()) => {
            context.log.program_success(&program_id);
            Ok(())
        }
        Err(failure) => {
            context.log.program_failure(&program_id, &failure);
            Err(failure.instruction_error())
        }
    };
    *consumed = before.saturating_sub(context.get_remaining());
    if builtin_id == program_id && result.is_ok() && *consumed == 0 {
        return Err(InstructionError::BuiltinProgramsMustConsumeComputeUnits);
    }
    result
}

/// A BPF loader's entrypoint: run the program it owns, or refuse management instructions.
fn run_loader(
    context: &mut InvokeContext,
    programs: &dyn ProgramSource,
    driver: &mut dyn VmDriver,
    program_id: &Pubkey,
    owner: &Pubkey,
) -> Result<(), ProgramFailure> {
    if *owner == ids::NATIVE_LOADER {
        return if *program_id == ids::BPF_LOADER_UPGRADEABLE {
            context.consume_checked(UPGRADEABLE_LOADER_COMPUTE_UNITS)?;
            Err(ProgramFailure::Other(
                "sbvm does not implement the upgradeable loader's instructions".to_string(),
            ))
        } else if *program_id == ids::BPF_LOADER {
            context.consume_checked(DEFAULT_LOADER_COMPUTE_UNITS)?;
            context
                .log
                .log("BPF loader management instructions are no longer supported".to_string());
            Err(InstructionError::UnsupportedProgramId.into())
        } else {
            context.consume_checked(DEPRECATED_LOADER_COMPUTE_UNITS)?;
            context
                .log
                .log("Deprecated loader is no longer supported".to_string());
            Err(InstructionError::UnsupportedProgramId.into())
        };
    }
    let Some(executable) = programs.program(program_id) else {
        context.log.log("Program is not cached".to_string());
        return Err(InstructionError::UnsupportedProgramId.into());
    };
    if *owner == ids::BPF_LOADER_DEPRECATED {
        return Err(ProgramFailure::Other(
            "sbvm does not run programs of the deprecated loader v1 (its unaligned input)"
                .to_string(),
        ));
    }
    context.check_aligned = true;
    execute_program(executable, context, driver)
}
