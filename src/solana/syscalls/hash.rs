//! Hashing syscalls: `sol_sha256`, `sol_keccak256`, `sol_sha512` over a list of byte slices.
//!
//! `(slices_ptr, count, result_ptr)`: more than 20,000 slices fail (after logging why); the call
//! costs 85, then `max(10, ⌊len / 2⌋)` per slice as it is hashed; the result is written last.

use super::translate::{check_outputs, read_slice, vm_slices, write_output, Output};
use super::{SolanaSyscallError, SyscallResult};
use crate::memory::MemoryMapping;
use crate::solana::context::InvokeContext;
use sha2::Digest;

fn hash<D: Digest>(
    name: &str,
    context: &mut InvokeContext,
    memory: &mut MemoryMapping<'_>,
    [slices_addr, count, result_addr, ..]: [u64; 5],
) -> SyscallResult {
    let max_slices = context.environment.budget.sha256_max_slices;
    if count > max_slices {
        context.log.log(format!(
            "{name} Hashing {count} sequences in one syscall is over the limit {max_slices}"
        ));
        return Err(SolanaSyscallError::TooManySlices.into());
    }
    let costs = *context.costs();
    context.consume_checked(costs.sha256_base_cost)?;
    let check_aligned = context.check_aligned;
    let output_len = <D as Digest>::output_size() as u64;
    check_outputs(
        memory,
        &[Output::bytes(result_addr, output_len, 1)],
        check_aligned,
    )?;
    let mut hasher = D::new();
    if count > 0 {
        let slices = vm_slices(read_slice(
            memory,
            slices_addr,
            count,
            16,
            8,
            check_aligned,
        )?);
        for (ptr, len) in slices {
            let bytes = read_slice(memory, ptr, len, 1, 1, check_aligned)?;
            let cost = costs
                .mem_op_base_cost
                .max(costs.sha256_byte_cost.saturating_mul(len / 2));
            context.consume_checked(cost)?;
            hasher.update(bytes);
        }
    }
    write_output(memory, result_addr, &hasher.finalize())?;
    Ok(0)
}

pub(super) fn sha256(
    context: &mut InvokeContext,
    memory: &mut MemoryMapping<'_>,
    args: [u64; 5],
) -> SyscallResult {
    hash::<sha2::Sha256>("Sha256", context, memory, args)
}

pub(super) fn sha512(
    context: &mut InvokeContext,
    memory: &mut MemoryMapping<'_>,
    args: [u64; 5],
) -> SyscallResult {
    hash::<sha2::Sha512>("Sha512", context, memory, args)
}

pub(super) fn keccak256(
    context: &mut InvokeContext,
    memory: &mut MemoryMapping<'_>,
    args: [u64; 5],
) -> SyscallResult {
    hash::<sha3::Keccak256>("Keccak256", context, memory, args)
}
