//! Program-derived addresses: `sol_create_program_address(seeds, count, program_id, out)` and
//! `sol_try_find_program_address(seeds, count, program_id, out, bump_out)`.
//!
//! Each attempt costs 1,500 units. Both return 0 on success and 1 when no address results;
//! more than 16 seeds or a seed over 32 bytes fail the call (`Could not create program address
//! with signer seeds: …`). The search tries bump seeds 255 down to 1 and pays for every failed
//! attempt.

use super::translate::{check_outputs, read_slice, read_value, vm_slices, write_output, Output};
use super::{SolanaSyscallError, SyscallFailure, SyscallResult};
use crate::memory::MemoryMapping;
use crate::solana::context::InvokeContext;
use crate::solana::pubkey::{PdaError, Pubkey, MAX_SEEDS, MAX_SEED_LEN};

/// The seeds and program id a derivation syscall names.
fn seeds_and_program(
    memory: &MemoryMapping<'_>,
    seeds_addr: u64,
    count: u64,
    program_addr: u64,
    check_aligned: bool,
) -> Result<(Vec<Vec<u8>>, Pubkey), SyscallFailure> {
    let slices = vm_slices(read_slice(memory, seeds_addr, count, 16, 8, check_aligned)?);
    if slices.len() > MAX_SEEDS {
        return Err(SolanaSyscallError::BadSeeds(PdaError::MaxSeedLengthExceeded).into());
    }
    let mut seeds = Vec::with_capacity(slices.len());
    for (ptr, len) in slices {
        if len > MAX_SEED_LEN as u64 {
            return Err(SolanaSyscallError::BadSeeds(PdaError::MaxSeedLengthExceeded).into());
        }
        seeds.push(read_slice(memory, ptr, len, 1, 1, check_aligned)?.to_vec());
    }
    let mut program = [0u8; 32];
    program.copy_from_slice(read_value(memory, program_addr, 32, 1, check_aligned)?);
    Ok((seeds, Pubkey(program)))
}

pub(super) fn create_program_address(
    context: &mut InvokeContext,
    memory: &mut MemoryMapping<'_>,
    [seeds_addr, count, program_addr, address_addr, _]: [u64; 5],
) -> SyscallResult {
    context.consume_checked(context.costs().create_program_address_units)?;
    let check_aligned = context.check_aligned;
    let (seeds, program) =
        seeds_and_program(memory, seeds_addr, count, program_addr, check_aligned)?;
    let seeds: Vec<&[u8]> = seeds.iter().map(Vec::as_slice).collect();
    let Ok(address) = Pubkey::create_program_address(&seeds, &program) else {
        return Ok(1);
    };
    check_outputs(memory, &[Output::bytes(address_addr, 32, 1)], check_aligned)?;
    write_output(memory, address_addr, address.as_bytes())?;
    Ok(0)
}

pub(super) fn try_find_program_address(
    context: &mut InvokeContext,
    memory: &mut MemoryMapping<'_>,
    [seeds_addr, count, program_addr, address_addr, bump_addr]: [u64; 5],
) -> SyscallResult {
    let cost = context.costs().create_program_address_units;
    context.consume_checked(cost)?;
    let check_aligned = context.check_aligned;
    let (seeds, program) =
        seeds_and_program(memory, seeds_addr, count, program_addr, check_aligned)?;
    let mut bump = u8::MAX;
    for _ in 0..u8::MAX {
        let bump_seed = [bump];
        let mut with_bump: Vec<&[u8]> = seeds.iter().map(Vec::as_slice).collect();
        with_bump.push(&bump_seed);
        if let Ok(address) = Pubkey::create_program_address(&with_bump, &program) {
            check_outputs(
                memory,
                &[
                    Output::value(bump_addr, 1, 1),
                    Output::bytes(address_addr, 32, 1),
                ],
                check_aligned,
            )?;
            write_output(memory, bump_addr, &[bump])?;
            write_output(memory, address_addr, address.as_bytes())?;
            return Ok(0);
        }
        bump = bump.saturating_sub(1);
        context.consume_checked(cost)?;
    }
    Ok(1)
}
