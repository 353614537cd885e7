//! Helpers 5, 7 and 8: time, randomness and the cpu number, which read only the context.

use super::HelperContext;
use crate::memory::MemoryMapping;
use crate::vm::SyscallError;

/// `ktime_get_ns()`: monotonic nanoseconds since the context was made (the kernel counts
/// from boot; only differences mean anything in either).
pub(super) fn ktime_get_ns(
    context: &mut HelperContext,
    _memory: &mut MemoryMapping<'_>,
    _args: [u64; 5],
) -> Result<u64, SyscallError> {
    Ok(context.elapsed_ns())
}

/// `get_prandom_u32()`: the context's next pseudo-random `u32`.
pub(super) fn get_prandom_u32(
    context: &mut HelperContext,
    _memory: &mut MemoryMapping<'_>,
    _args: [u64; 5],
) -> Result<u64, SyscallError> {
    Ok(u64::from(context.next_random_u32()))
}

/// `get_smp_processor_id()`: 0, the one cpu a run has (per-cpu maps hold one value).
pub(super) fn get_smp_processor_id(
    _context: &mut HelperContext,
    _memory: &mut MemoryMapping<'_>,
    _args: [u64; 5],
) -> Result<u64, SyscallError> {
    Ok(0)
}
