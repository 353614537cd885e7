//! Running one sBPF program for the current instruction, as Agave's loaders do.
//!
//! ```text
//! serialize accounts ─► map memory ─► run the VM ─► log "consumed N of M" (and return data)
//!   (input at 0x4_0000_0000,    (r1 = input,        │
//!    data moved into regions)    r2 = ix data)      ├─ r0 = 0      ─► write back lamports, data length, owner
//!                                                   ├─ r0 ≠ 0      ─► the error r0 encodes
//!                                                   └─ a fault     ─► a VM fault empties the compute meter;
//!                                                                     a store or load in an account's data
//!                                                                     range becomes the rule it broke
//! ```
//!
//! A failure is either an [`InstructionError`] (the instruction's result, logged by its
//! message) or anything else, logged by its message and reported as `ProgramFailedToComplete`:
//! [`ProgramFailure`] keeps the two apart exactly as Agave's boxed errors do.

use super::context::{HeapAllocator, InvokeContext, VmDriver};
use super::error::InstructionError;
use super::failure::{vm_error_message, SyscallFailure};
use super::run_memory::{growth_hook, stack_and_heap, Growth};
use super::serialize::{restore_data, serialize, write_back, InputLayout};
use super::transaction::MAX_PERMITTED_DATA_INCREASE;
use crate::env::check_stack;
use crate::memory::{MemoryMapping, MM_INPUT_START};
use crate::vm::{AccessType, ContextObject, EbpfError, Executable, Vm};
use std::fmt;

/// Why a program run failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProgramFailure {
    /// The instruction fails with this error (its message is logged).
    Instruction(InstructionError),
    /// The run failed otherwise: the message is logged and the instruction fails with
    /// `ProgramFailedToComplete`.
    Other(String),
}

impl ProgramFailure {
    /// The instruction's error.
    pub fn instruction_error(&self) -> InstructionError {
        match self {
            ProgramFailure::Instruction(error) => error.clone(),
            ProgramFailure::Other(_) => InstructionError::ProgramFailedToComplete,
        }
    }
}

impl fmt::Display for ProgramFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProgramFailure::Instruction(error) => error.fmt(f),
            ProgramFailure::Other(message) => f.write_str(message),
        }
    }
}

impl From<InstructionError> for ProgramFailure {
    fn from(error: InstructionError) -> Self {
        ProgramFailure::Instruction(error)
    }
}

/// Runs `executable` for the context's current instruction with `driver`, then writes the
/// accounts back. Logs `consumed` and `return` lines; the caller logs the outcome.
pub fn execute_program(
    executable: &Executable<InvokeContext>,
    context: &mut InvokeContext,
    driver: &mut dyn VmDriver,
) -> Result<(), ProgramFailure> {
    let program_id = context.transaction.current_program_id()?;
    let (input_regions, mut input) = serialize(&mut context.transaction)?;
    let available = context.get_remaining();
    let budget = context.environment.budget;
    let heap_cost = context.costs().heap_cost(budget.heap_size);
    if let Err(error) = context.consume_checked(heap_cost) {
        context.log.log(format!("Failed to create SBF VM: {error}"));
        restore_data(&mut context.transaction, &input, input_regions)?;
        return Err(InstructionError::ProgramEnvironmentSetupFailure.into());
    }
    context.syscall_failure = None;

    // A stack beyond its 4 GiB slot (an embedder's budget of frames × frame size) is refused as
    // the standard environment refuses it, before anything is allocated; Agave reports a VM it
    // cannot create so.
    let config = executable.config();
    let gapped = config.stack_gaps(executable.version());
    if let Err(error) = check_stack(config, gapped) {
        context.log.log(format!("Failed to create SBF VM: {error}"));
        restore_data(&mut context.transaction, &input, input_regions)?;
        return Err(InstructionError::ProgramEnvironmentSetupFailure.into());
    }
    let stack_len = config.stack_size();
    let mut regions = Vec::with_capacity(input_regions.len() + 3);
    regions.push(executable.ro_region());
    regions.extend(stack_and_heap(stack_len, budget.heap_size as usize));
    regions.extend(input_regions);
    // The regions are laid out apart by construction; a failure here would be a bug in the
    // serializer, reported as Agave reports a VM that cannot be created.
    let mut memory = match MemoryMapping::new(regions, executable.config(), executable.version()) {
        Ok(memory) => memory,
        Err(error) => {
            context.log.log(format!("Failed to create SBF VM: {error}"));
            return Err(InstructionError::ProgramEnvironmentSetupFailure.into());
        }
    };
    memory.set_access_violation_hook(growth_hook(Growth {
        accounts: std::mem::take(&mut input.growable),
        resize_delta: context.transaction.resize_delta(),
    }));

    // What a syscall invoking another program needs of this run; the caller's values (when this
    // run is itself a callee) come back when it ends.
    let caller_callee = context.callee.replace(driver.callee());
    let caller_accounts = std::mem::replace(
        &mut context.input_accounts,
        std::mem::take(&mut input.accounts),
    );
    let caller_heap = context.heap;
    context.heap = HeapAllocator::new(u64::from(budget.heap_size));

    let mut vm = Vm::new(executable, context, memory);
    vm.set_register(1, MM_INPUT_START);
    vm.set_register(2, input.instruction_data_addr);
    let (consumed, result) = driver.run(&mut vm);
    // The VM stays where it is (it is large): its context and memory are used in place.
    let context = &mut *vm.context;
    input.accounts = std::mem::replace(&mut context.input_accounts, caller_accounts);
    context.callee = caller_callee;
    context.heap = caller_heap;

    context
        .log
        .program_consumed(&program_id, consumed, available);
    let (_, return_data) = context.transaction.return_data();
    if !return_data.is_empty() {
        let data = return_data.to_vec();
        context.log.program_return(&program_id, &data);
    }
    let outcome = match result {
        Ok(0) => Ok(()),
        Ok(status) => Err(ProgramFailure::Instruction(
            InstructionError::from_program_return(status),
        )),
        Err(error) => Err(fault(context, &input, error)),
    };
    let written = write_back(
        &mut context.transaction,
        &input,
        &mut vm.memory,
        outcome.is_ok(),
    );
    outcome?;
    Ok(written?)
}

/// What a VM fault becomes: faults of the VM itself empty the compute meter; a syscall's own
/// failure keeps its kind; an access violation inside an account's data range names the rule.
fn fault(context: &mut InvokeContext, input: &InputLayout, error: EbpfError) -> ProgramFailure {
    let from_syscall = matches!(error, EbpfError::SyscallError { .. });
    if !from_syscall {
        let remaining = context.get_remaining();
        context.consume(remaining);
    }
    let error = if from_syscall {
        match context.take_syscall_failure() {
            Some(SyscallFailure::Memory(error)) => error,
            Some(SyscallFailure::Instruction(error)) => return ProgramFailure::Instruction(error),
            Some(failure) => return ProgramFailure::Other(failure.to_string()),
            None => return ProgramFailure::Other(vm_error_message(&error)),
        }
    } else {
        error
    };
    if let EbpfError::AccessViolation {
        access, vaddr, len, ..
    } = error
    {
        // Each account's data range: its data and the room it may grow into.
        let range = |account: &super::serialize::SerializedAccount| {
            let end = account
                .data_addr
                .saturating_add(account.original_data_len as u64)
                .saturating_add(MAX_PERMITTED_DATA_INCREASE as u64);
            account.data_addr..end
        };
        let found = input
            .accounts
            .iter()
            .position(|account| range(account).contains(&vaddr));
        if let Some(position) = found {
            let end = range(&input.accounts[position]).end;
            if vaddr.saturating_add(len) <= end {
                return ProgramFailure::Instruction(account_access_error(
                    context, input, position, access,
                ));
            }
        }
    }
    ProgramFailure::Other(vm_error_message(&error))
}

/// The rule an access into account `position`'s data range broke: a store to data the program
/// may not change names why; any other miss there is a read past read-only data
/// (`AccountDataTooSmall`) or an attempt to grow (`InvalidRealloc`).
fn account_access_error(
    context: &mut InvokeContext,
    input: &InputLayout,
    position: usize,
    access: AccessType,
) -> InstructionError {
    let position = input.accounts[position].duplicate_of.unwrap_or(position);
    let changeable = context
        .transaction
        .borrow(position)
        .map(|account| account.can_data_be_changed());
    match (access, changeable) {
        (_, Err(error)) => error,
        (AccessType::Store, Ok(Err(error))) => error,
        (AccessType::Store, Ok(Ok(()))) => InstructionError::InvalidRealloc,
        (AccessType::Load, Ok(Err(_))) => InstructionError::AccountDataTooSmall,
        (AccessType::Load, Ok(Ok(()))) => InstructionError::InvalidRealloc,
    }
}

#[cfg(test)]
mod tests {
    use crate::elf::write_elf;
    use crate::isa::asm::assemble;
    use crate::isa::SbpfVersion;
    use crate::solana::{ids, Environment, Instruction, InstructionError, ProgramRuntime, Pubkey};

    #[test]
    fn a_stack_beyond_its_slot_is_a_setup_failure_not_an_allocation() {
        let mut environment = Environment::default();
        // One frame more than the 4 GiB stack slot holds (crate::env::MAX_STACK_SPAN).
        environment.budget.max_call_depth =
            (crate::env::MAX_STACK_SPAN as usize / environment.budget.stack_frame_size) + 1;
        let mut runtime = ProgramRuntime::with_environment(environment);
        let program = assemble("mov64 r0, 0\nexit", SbpfVersion::V3).unwrap();
        let id = Pubkey::new([7; 32]);
        runtime
            .add_program(id, ids::BPF_LOADER, &write_elf(&program).unwrap())
            .unwrap();
        let instruction = Instruction {
            program_id: id,
            accounts: vec![],
            data: vec![],
        };
        let result = runtime.process_instruction(&instruction, &[]).unwrap();
        // Agave's answer to a VM it cannot create: ProgramEnvironmentSetupFailure, logged.
        assert_eq!(
            result.result,
            Err(InstructionError::ProgramEnvironmentSetupFailure)
        );
        assert!(
            result
                .logs
                .iter()
                .any(|log| log.starts_with("Failed to create SBF VM: a stack spanning")),
            "{:?}",
            result.logs
        );
    }
}
