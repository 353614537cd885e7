//! Reaching guest memory from a syscall, with Agave's checks in Agave's order: the address must
//! translate (else the access violation the guest would get), then, for typed values, be aligned
//! for its type (`Unaligned pointer`); a slice's byte length must fit an `isize`; the outputs of
//! one syscall must not share host bytes (`Overlapping copy`).
//!
//! Outputs are written in two steps, as Agave's `translate_mut!` does: first every output range
//! is prepared for a store (a store into an account's room to grow grows it), then all are
//! checked, and only then written.
//!
//! Alignment is checked on guest addresses: every region sbvm maps is aligned in the host as its
//! guest address is (to 8, and 16 where Agave's memory is), which is what Agave checks.

use super::{SolanaSyscallError, SyscallFailure};
use crate::memory::MemoryMapping;

/// Bytes of `count` elements of `size` bytes, if they fit an `isize` (Agave's `InvalidLength`).
pub(crate) fn byte_len(count: u64, size: u64) -> Result<u64, SyscallFailure> {
    let total = count.saturating_mul(size);
    if total > isize::MAX as u64 {
        return Err(SolanaSyscallError::InvalidLength.into());
    }
    Ok(total)
}

fn check_alignment(vm_addr: u64, align: u64, check: bool) -> Result<(), SyscallFailure> {
    if check && align > 1 && vm_addr % align != 0 {
        return Err(SolanaSyscallError::UnalignedPointer.into());
    }
    Ok(())
}

/// `count` elements of `size` bytes at `vm_addr`, for reading (no bytes when `count` is 0,
/// without translating).
pub(crate) fn read_slice<'m>(
    memory: &'m MemoryMapping<'_>,
    vm_addr: u64,
    count: u64,
    size: u64,
    align: u64,
    check_aligned: bool,
) -> Result<&'m [u8], SyscallFailure> {
    if count == 0 {
        return Ok(&[]);
    }
    let len = byte_len(count, size)?;
    let bytes = memory.read_bytes(vm_addr, len)?;
    check_alignment(vm_addr, align, check_aligned)?;
    Ok(bytes)
}

/// One value of `size` bytes at `vm_addr`, for reading.
pub(crate) fn read_value<'m>(
    memory: &'m MemoryMapping<'_>,
    vm_addr: u64,
    size: u64,
    align: u64,
    check_aligned: bool,
) -> Result<&'m [u8], SyscallFailure> {
    let bytes = memory.read_bytes(vm_addr, size)?;
    check_alignment(vm_addr, align, check_aligned)?;
    Ok(bytes)
}

/// One value of `size` bytes at `vm_addr`, for writing (Agave's `translate_type_mut_for_cpi`:
/// a store translation, no hook).
pub(crate) fn write_value<'m>(
    memory: &'m mut MemoryMapping<'_>,
    vm_addr: u64,
    size: u64,
    align: u64,
    check_aligned: bool,
) -> Result<&'m mut [u8], SyscallFailure> {
    check_alignment_after(
        memory.write_bytes(vm_addr, size)?,
        vm_addr,
        align,
        check_aligned,
    )
}

fn check_alignment_after<T>(
    value: T,
    vm_addr: u64,
    align: u64,
    check: bool,
) -> Result<T, SyscallFailure> {
    check_alignment(vm_addr, align, check)?;
    Ok(value)
}

/// A little-endian `u64` at `vm_addr`.
pub(crate) fn read_u64(
    memory: &MemoryMapping<'_>,
    vm_addr: u64,
    check_aligned: bool,
) -> Result<u64, SyscallFailure> {
    let bytes = read_value(memory, vm_addr, 8, 8, check_aligned)?;
    Ok(u64_at(bytes, 0))
}

/// The little-endian `u64` at `offset` of `bytes` (0 past the end: callers read inside
/// structures they translated whole).
pub(crate) fn u64_at(bytes: &[u8], offset: usize) -> u64 {
    bytes
        .get(offset..offset.saturating_add(8))
        .and_then(|field| field.try_into().ok())
        .map_or(0, u64::from_le_bytes)
}

/// A guest pointer-and-length pair (`&[u8]` in a program's memory: 16 bytes, align 8).
pub(crate) fn vm_slices(bytes: &[u8]) -> Vec<(u64, u64)> {
    bytes
        .chunks_exact(16)
        .map(|pair| {
            let (ptr, len) = pair.split_at(8);
            (
                u64::from_le_bytes(ptr.try_into().unwrap_or_default()),
                u64::from_le_bytes(len.try_into().unwrap_or_default()),
            )
        })
        .collect()
}

/// An output range of a syscall: where, how many bytes, and the alignment its type needs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Output {
    pub vm_addr: u64,
    pub len: u64,
    pub align: u64,
    /// A slice of zero elements is neither prepared nor translated.
    pub is_slice: bool,
}

impl Output {
    /// One value.
    pub fn value(vm_addr: u64, len: u64, align: u64) -> Self {
        Output {
            vm_addr,
            len,
            align,
            is_slice: false,
        }
    }

    /// A slice of bytes.
    pub fn bytes(vm_addr: u64, len: u64, align: u64) -> Self {
        Output {
            vm_addr,
            len,
            align,
            is_slice: true,
        }
    }
}

/// Prepares and checks every output of a syscall (Agave's `translate_mut!`): each must be
/// storable and aligned, and no two may share host bytes. Write them afterwards with
/// [`MemoryMapping::write_bytes`].
pub(crate) fn check_outputs(
    memory: &mut MemoryMapping<'_>,
    outputs: &[Output],
    check_aligned: bool,
) -> Result<(), SyscallFailure> {
    for output in outputs {
        if output.is_slice && output.len == 0 {
            continue;
        }
        memory.prepare_store(output.vm_addr, output.len)?;
    }
    let mut located = Vec::with_capacity(outputs.len());
    for output in outputs {
        if output.is_slice && output.len == 0 {
            located.push(None);
            continue;
        }
        memory.write_bytes(output.vm_addr, output.len)?;
        check_alignment(output.vm_addr, output.align, check_aligned)?;
        located.push(memory.locate(output.vm_addr, output.len));
    }
    for (index, a) in located.iter().enumerate() {
        for b in &located[index + 1..] {
            if let (Some((region_a, range_a)), Some((region_b, range_b))) = (a, b) {
                let disjoint = range_a.end <= range_b.start || range_b.end <= range_a.start;
                if region_a == region_b && !range_a.is_empty() && !range_b.is_empty() && !disjoint {
                    return Err(SolanaSyscallError::CopyOverlapping.into());
                }
            }
        }
    }
    Ok(())
}

/// Writes `bytes` to an output already checked by [`check_outputs`].
pub(crate) fn write_output(
    memory: &mut MemoryMapping<'_>,
    vm_addr: u64,
    bytes: &[u8],
) -> Result<(), SyscallFailure> {
    if bytes.is_empty() {
        return Ok(());
    }
    memory
        .write_bytes(vm_addr, bytes.len() as u64)?
        .copy_from_slice(bytes);
    Ok(())
}
