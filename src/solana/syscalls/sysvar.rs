//! Sysvar syscalls.
//!
//! `sol_get_<name>_sysvar(addr)` costs 100 plus the size of the value and writes Solana's
//! in-memory layout; `sol_get_sysvar(id, addr, offset, len)` costs
//! `100 + 32/250 + max(len/250, 10)` and copies a slice of the serialized form, returning 0, 1
//! when the slice runs past the sysvar's end, or 2 for an unknown sysvar. Both refuse a
//! destination in the input region (`Invalid pointer`, SIMD-0219's address restriction).

use super::translate::{check_outputs, read_value, write_output, Output};
use super::{SolanaSyscallError, SyscallResult};
use crate::memory::{MemoryMapping, MM_INPUT_START};
use crate::solana::context::InvokeContext;
use crate::solana::error::InstructionError;
use crate::solana::pubkey::Pubkey;
use crate::solana::sysvar::SysvarKind;

/// `sol_get_sysvar`: the offset and length run past the sysvar's data.
const OFFSET_LENGTH_EXCEEDS_SYSVAR: u64 = 1;
/// `sol_get_sysvar`: no such sysvar.
const SYSVAR_NOT_FOUND: u64 = 2;

fn get(
    context: &mut InvokeContext,
    memory: &mut MemoryMapping<'_>,
    kind: SysvarKind,
    addr: u64,
) -> SyscallResult {
    let bytes = context.sysvars.in_memory(kind).unwrap_or_default();
    let cost = context
        .costs()
        .sysvar_base_cost
        .saturating_add(bytes.len() as u64);
    context.consume_checked(cost)?;
    if !context.check_aligned {
        return Err(SolanaSyscallError::UnalignedPointer.into());
    }
    if addr >= MM_INPUT_START {
        return Err(SolanaSyscallError::InvalidPointer.into());
    }
    let output = Output::value(addr, bytes.len() as u64, kind.alignment());
    check_outputs(memory, &[output], true)?;
    write_output(memory, addr, &bytes)?;
    Ok(0)
}

pub(super) fn get_clock(
    context: &mut InvokeContext,
    memory: &mut MemoryMapping<'_>,
    [addr, ..]: [u64; 5],
) -> SyscallResult {
    get(context, memory, SysvarKind::Clock, addr)
}

pub(super) fn get_rent(
    context: &mut InvokeContext,
    memory: &mut MemoryMapping<'_>,
    [addr, ..]: [u64; 5],
) -> SyscallResult {
    get(context, memory, SysvarKind::Rent, addr)
}

pub(super) fn get_epoch_schedule(
    context: &mut InvokeContext,
    memory: &mut MemoryMapping<'_>,
    [addr, ..]: [u64; 5],
) -> SyscallResult {
    get(context, memory, SysvarKind::EpochSchedule, addr)
}

pub(super) fn get_epoch_rewards(
    context: &mut InvokeContext,
    memory: &mut MemoryMapping<'_>,
    [addr, ..]: [u64; 5],
) -> SyscallResult {
    get(context, memory, SysvarKind::EpochRewards, addr)
}

pub(super) fn get_last_restart_slot(
    context: &mut InvokeContext,
    memory: &mut MemoryMapping<'_>,
    [addr, ..]: [u64; 5],
) -> SyscallResult {
    get(context, memory, SysvarKind::LastRestartSlot, addr)
}

pub(super) fn get_sysvar(
    context: &mut InvokeContext,
    memory: &mut MemoryMapping<'_>,
    [id_addr, addr, offset, len, _]: [u64; 5],
) -> SyscallResult {
    let costs = *context.costs();
    let per_unit = costs.cpi_bytes_per_unit.max(1);
    let cost = costs
        .sysvar_base_cost
        .saturating_add(32 / per_unit)
        .saturating_add((len / per_unit).max(costs.mem_op_base_cost));
    context.consume_checked(cost)?;
    if !context.check_aligned {
        return Err(SolanaSyscallError::UnalignedPointer.into());
    }
    if addr >= MM_INPUT_START {
        return Err(SolanaSyscallError::InvalidPointer.into());
    }
    check_outputs(memory, &[Output::bytes(addr, len, 1)], true)?;
    let mut id = [0u8; 32];
    id.copy_from_slice(read_value(memory, id_addr, 32, 1, true)?);
    let end = offset
        .checked_add(len)
        .ok_or(InstructionError::ArithmeticOverflow)?;
    addr.checked_add(len)
        .ok_or(InstructionError::ArithmeticOverflow)?;
    let Some(kind) = SysvarKind::at(&Pubkey(id)) else {
        return Ok(SYSVAR_NOT_FOUND);
    };
    let Some(data) = context.sysvars.buffer(kind) else {
        return Ok(SYSVAR_NOT_FOUND);
    };
    let Some(slice) = usize::try_from(offset)
        .ok()
        .zip(usize::try_from(end).ok())
        .and_then(|(start, end)| data.get(start..end))
    else {
        return Ok(OFFSET_LENGTH_EXCEEDS_SYSVAR);
    };
    let slice = slice.to_vec();
    write_output(memory, addr, &slice)?;
    Ok(0)
}
