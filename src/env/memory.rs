//! Solana's memory syscalls, with Solana's costs (agave's `SVMTransactionExecutionCost`
//! defaults): a memory operation costs `max(10, n / 250)` compute units, logging the remaining
//! units costs 100. A cost the budget cannot cover fails the call after taking what is left.

use super::EnvContext;
use crate::memory::MemoryMapping;
use crate::vm::{compare_bytes, copy_ranges_overlap, ContextObject, SyscallError};

/// Base cost of a memory operation.
const MEM_OP_BASE_COST: u64 = 10;
/// Bytes per compute unit of a memory operation.
const BYTES_PER_UNIT: u64 = 250;
/// Cost of `sol_log_compute_units_`.
const SYSCALL_BASE_COST: u64 = 100;

fn charge(context: &mut EnvContext, cost: u64) -> Result<(), SyscallError> {
    let exceeded = context.get_remaining() < cost;
    context.consume(cost);
    if exceeded {
        return Err(SyscallError::new("computational budget exceeded"));
    }
    Ok(())
}

fn charge_memory_op(context: &mut EnvContext, len: u64) -> Result<(), SyscallError> {
    charge(context, MEM_OP_BASE_COST.max(len / BYTES_PER_UNIT))
}

/// `sol_memcpy_(dst, src, n)`: the ranges must not overlap.
pub(super) fn memcpy(
    context: &mut EnvContext,
    memory: &mut MemoryMapping<'_>,
    args: [u64; 5],
) -> Result<u64, SyscallError> {
    let [dst, src, len, ..] = args;
    charge_memory_op(context, len)?;
    if copy_ranges_overlap(dst, src, len) {
        return Err(SyscallError::new("sol_memcpy_: overlapping copy"));
    }
    copy(memory, dst, src, len)
}

/// `sol_memmove_(dst, src, n)`: the ranges may overlap.
pub(super) fn memmove(
    context: &mut EnvContext,
    memory: &mut MemoryMapping<'_>,
    args: [u64; 5],
) -> Result<u64, SyscallError> {
    let [dst, src, len, ..] = args;
    charge_memory_op(context, len)?;
    copy(memory, dst, src, len)
}

fn copy(memory: &mut MemoryMapping<'_>, dst: u64, src: u64, len: u64) -> Result<u64, SyscallError> {
    if len == 0 {
        return Ok(0);
    }
    let bytes = memory.read_bytes(src, len)?.to_vec();
    memory.write_bytes(dst, len)?.copy_from_slice(&bytes);
    Ok(0)
}

/// `sol_memset_(dst, c, n)`.
pub(super) fn memset(
    context: &mut EnvContext,
    memory: &mut MemoryMapping<'_>,
    args: [u64; 5],
) -> Result<u64, SyscallError> {
    let [dst, value, len, ..] = args;
    charge_memory_op(context, len)?;
    if len > 0 {
        memory.write_bytes(dst, len)?.fill(value as u8);
    }
    Ok(0)
}

/// `sol_memcmp_(a, b, n, result)`: writes the difference of the first differing bytes (0 when
/// equal) as an i32 at `result`.
pub(super) fn memcmp(
    context: &mut EnvContext,
    memory: &mut MemoryMapping<'_>,
    args: [u64; 5],
) -> Result<u64, SyscallError> {
    let [a, b, len, result, _] = args;
    charge_memory_op(context, len)?;
    let difference = if len == 0 {
        0
    } else {
        let left = memory.read_bytes(a, len)?.to_vec();
        compare_bytes(&left, memory.read_bytes(b, len)?)
    };
    memory
        .write_bytes(result, 4)?
        .copy_from_slice(&difference.to_le_bytes());
    Ok(0)
}

/// `sol_log_compute_units_()`: logs the units left after its own cost.
pub(super) fn log_compute_units(
    context: &mut EnvContext,
    _memory: &mut MemoryMapping<'_>,
    _args: [u64; 5],
) -> Result<u64, SyscallError> {
    charge(context, SYSCALL_BASE_COST)?;
    let message = format!(
        "Program consumption: {} units remaining",
        context.get_remaining()
    );
    context.record_log(message.into_bytes());
    Ok(0)
}
