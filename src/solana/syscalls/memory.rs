//! Memory syscalls and the heap allocator.
//!
//! Each memory operation over `n` bytes costs `max(10, n / 250)`. `sol_memcpy_` refuses ranges
//! that overlap in guest addresses (`Overlapping copy`); `sol_memmove_` allows them. The
//! destination is prepared (and translated) before the source is read, so a bad destination is
//! the error reported when both are bad. `sol_memcmp_` writes the difference of the first
//! differing bytes (as an i32, 4-byte aligned) or 0.

use super::translate::{check_outputs, read_slice, write_output, Output};
use super::{SolanaSyscallError, SyscallResult};
use crate::memory::MemoryMapping;
use crate::solana::context::InvokeContext;
use crate::vm::{compare_bytes, copy_ranges_overlap};

fn charge(context: &mut InvokeContext, len: u64) -> Result<(), super::SyscallFailure> {
    let cost = context.costs().mem_op(len);
    Ok(context.consume_checked(cost)?)
}

pub(super) fn memcpy(
    context: &mut InvokeContext,
    memory: &mut MemoryMapping<'_>,
    [dst, src, len, ..]: [u64; 5],
) -> SyscallResult {
    charge(context, len)?;
    if copy_ranges_overlap(dst, src, len) {
        return Err(SolanaSyscallError::CopyOverlapping.into());
    }
    copy(context, memory, dst, src, len)
}

pub(super) fn memmove(
    context: &mut InvokeContext,
    memory: &mut MemoryMapping<'_>,
    [dst, src, len, ..]: [u64; 5],
) -> SyscallResult {
    charge(context, len)?;
    copy(context, memory, dst, src, len)
}

fn copy(
    context: &InvokeContext,
    memory: &mut MemoryMapping<'_>,
    dst: u64,
    src: u64,
    len: u64,
) -> SyscallResult {
    if len == 0 {
        return Ok(0);
    }
    memory.prepare_store(dst, len)?;
    memory.write_bytes(dst, len)?;
    let source = read_slice(memory, src, len, 1, 1, context.check_aligned)?;
    // The source is copied out first (it may be the destination's region); on the stack when
    // it is short, as most copies are.
    let mut short = [0u8; SHORT_COPY];
    let bytes = match short.get_mut(..source.len()) {
        Some(buffer) => {
            buffer.copy_from_slice(source);
            std::borrow::Cow::Borrowed(&*buffer)
        }
        None => std::borrow::Cow::Owned(source.to_vec()),
    };
    write_output(memory, dst, &bytes)?;
    Ok(0)
}

/// Longest copy staged on the stack.
const SHORT_COPY: usize = 256;

pub(super) fn memset(
    context: &mut InvokeContext,
    memory: &mut MemoryMapping<'_>,
    [dst, value, len, ..]: [u64; 5],
) -> SyscallResult {
    charge(context, len)?;
    check_outputs(memory, &[Output::bytes(dst, len, 1)], context.check_aligned)?;
    if len > 0 {
        memory.write_bytes(dst, len)?.fill(value as u8);
    }
    Ok(0)
}

pub(super) fn memcmp(
    context: &mut InvokeContext,
    memory: &mut MemoryMapping<'_>,
    [a, b, len, result, _]: [u64; 5],
) -> SyscallResult {
    charge(context, len)?;
    let check_aligned = context.check_aligned;
    let difference = {
        let left = read_slice(memory, a, len, 1, 1, check_aligned)?;
        let right = read_slice(memory, b, len, 1, 1, check_aligned)?;
        compare_bytes(left, right)
    };
    check_outputs(memory, &[Output::value(result, 4, 4)], check_aligned)?;
    write_output(memory, result, &difference.to_le_bytes())?;
    Ok(0)
}

/// `sol_alloc_free_(size, free_addr)`: bump allocation on the heap, aligned to 8 (1 under the
/// deprecated loader); 0 when it does not fit; frees do nothing and return 0.
pub(super) fn alloc_free(
    context: &mut InvokeContext,
    _memory: &mut MemoryMapping<'_>,
    [size, free_addr, ..]: [u64; 5],
) -> SyscallResult {
    let align = if context.check_aligned { 8 } else { 1 };
    if free_addr != 0 || size > isize::MAX as u64 - (align - 1) {
        return Ok(0);
    }
    Ok(context.heap.alloc(size, align).unwrap_or(0))
}
