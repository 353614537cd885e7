//! The invoked instruction and its signers, read out of the caller's memory.
//!
//! ```text
//! C     SolInstruction (40 bytes)      program_id*, metas*, metas_len, data*, data_len
//!       SolAccountMeta (16 bytes)      pubkey*, is_writable u8, is_signer u8
//! Rust  StableInstruction (80 bytes)   metas {ptr, cap, len}, data {ptr, cap, len}, program_id
//!       AccountMeta (34 bytes)         pubkey, is_signer u8, is_writable u8
//! seeds [ {ptr, len} ] of [ {ptr, len} ] of bytes: one set per program-derived signer
//! ```
//!
//! Limits (each with Agave's error): 255 account metas, 10 KiB of data, booleans 0 or 1
//! (`InvalidArgument`), 16 signers (`Too many signers`), 16 seeds per signer
//! (`MaxSeedLengthExceeded`), seeds that derive an address (`Could not create program address
//! with signer seeds`).

use super::super::translate::{read_slice, read_value, u64_at, vm_slices};
use super::Abi;
use crate::memory::MemoryMapping;
use crate::solana::account::{ids, AccountMeta};
use crate::solana::context::InvokeContext;
use crate::solana::pubkey::{Pubkey, MAX_SEEDS};
use crate::solana::transaction::MAX_ACCOUNTS_PER_INSTRUCTION;
use crate::solana::{InstructionError, SolanaSyscallError, SyscallFailure};

/// Most bytes of data an invoked instruction may carry.
const MAX_INSTRUCTION_DATA_LEN: u64 = 10 * 1024;
/// Most program-derived signers of one invocation.
const MAX_SIGNERS: u64 = 16;
/// The size Agave charges per account meta (a Rust `AccountMeta`).
const ACCOUNT_META_CHARGE: u64 = 34;

/// The programs Agave's precompiles run under: not callable from a program.
const PRECOMPILES: [Pubkey; 3] = [
    Pubkey::from_base58_const("Ed25519SigVerify111111111111111111111111111"),
    Pubkey::from_base58_const("KeccakSecp256k11111111111111111111111111111"),
    Pubkey::from_base58_const("Secp256r1SigVerify1111111111111111111111111"),
];

/// An instruction a program invokes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InvokedInstruction {
    /// The callee.
    pub program_id: Pubkey,
    /// Its accounts as the caller named them.
    pub accounts: Vec<AccountMeta>,
    /// Its data.
    pub data: Vec<u8>,
}

/// Reads the instruction at `addr` in `abi`'s layout, charging for its size.
pub(crate) fn translate(
    context: &mut InvokeContext,
    memory: &MemoryMapping<'_>,
    addr: u64,
    abi: Abi,
) -> Result<InvokedInstruction, SyscallFailure> {
    let aligned = context.check_aligned;
    let (program_id, metas, metas_len, data) = match abi {
        Abi::C => {
            let header = read_value(memory, addr, 40, 8, aligned)?;
            let (id_addr, metas_addr, metas_len) =
                (u64_at(header, 0), u64_at(header, 8), u64_at(header, 16));
            let (data_addr, data_len) = (u64_at(header, 24), u64_at(header, 32));
            let program_id = pubkey_at(memory, id_addr, aligned)?;
            let metas = read_slice(memory, metas_addr, metas_len, 16, 8, aligned)?;
            let data = read_slice(memory, data_addr, data_len, 1, 1, aligned)?;
            (program_id, metas, metas_len, data)
        }
        Abi::Rust => {
            let header = read_value(memory, addr, 80, 8, aligned)?;
            let (metas_addr, metas_len) = (u64_at(header, 0), u64_at(header, 16));
            let (data_addr, data_len) = (u64_at(header, 24), u64_at(header, 40));
            let program_id = Pubkey(header[48..80].try_into().unwrap_or([0; 32]));
            let metas = read_slice(memory, metas_addr, metas_len, 34, 1, aligned)?;
            let data = read_slice(memory, data_addr, data_len, 1, 1, aligned)?;
            (program_id, metas, metas_len, data)
        }
    };
    check_size(metas_len, data.len() as u64)?;
    let per_unit = context.costs().cpi_bytes_per_unit.max(1);
    let cost = (data.len() as u64 / per_unit)
        .saturating_add(metas_len.saturating_mul(ACCOUNT_META_CHARGE) / per_unit);
    context.consume_checked(cost)?;
    let accounts = match abi {
        Abi::C => metas
            .chunks_exact(16)
            .map(|meta| {
                let (is_writable, is_signer) = flags(meta[8], meta[9])?;
                let pubkey = pubkey_at(memory, u64_at(meta, 0), aligned)?;
                Ok(AccountMeta {
                    pubkey,
                    is_signer,
                    is_writable,
                })
            })
            .collect::<Result<Vec<_>, SyscallFailure>>()?,
        Abi::Rust => metas
            .chunks_exact(34)
            .map(|meta| {
                let (is_signer, is_writable) = flags(meta[32], meta[33])?;
                Ok(AccountMeta {
                    pubkey: Pubkey(meta[..32].try_into().unwrap_or([0; 32])),
                    is_signer,
                    is_writable,
                })
            })
            .collect::<Result<Vec<_>, SyscallFailure>>()?,
    };
    Ok(InvokedInstruction {
        program_id,
        accounts,
        data: data.to_vec(),
    })
}

/// Two guest booleans, which must be 0 or 1.
fn flags(first: u8, second: u8) -> Result<(bool, bool), SyscallFailure> {
    if first > 1 || second > 1 {
        return Err(InstructionError::InvalidArgument.into());
    }
    Ok((first == 1, second == 1))
}

fn pubkey_at(
    memory: &MemoryMapping<'_>,
    addr: u64,
    aligned: bool,
) -> Result<Pubkey, SyscallFailure> {
    let bytes = read_value(memory, addr, 32, 1, aligned)?;
    Ok(Pubkey(bytes.try_into().unwrap_or([0; 32])))
}

fn check_size(metas: u64, data_len: u64) -> Result<(), SyscallFailure> {
    let max_accounts = MAX_ACCOUNTS_PER_INSTRUCTION as u64;
    if metas > max_accounts {
        return Err(SolanaSyscallError::MaxInstructionAccountsExceeded(metas, max_accounts).into());
    }
    if data_len > MAX_INSTRUCTION_DATA_LEN {
        return Err(SolanaSyscallError::MaxInstructionDataLenExceeded(
            data_len,
            MAX_INSTRUCTION_DATA_LEN,
        )
        .into());
    }
    Ok(())
}

/// The program-derived signers the seed sets at `addr` name, derived from `caller`.
pub(crate) fn translate_signers(
    memory: &MemoryMapping<'_>,
    caller: &Pubkey,
    addr: u64,
    len: u64,
    aligned: bool,
) -> Result<Vec<Pubkey>, SyscallFailure> {
    if len == 0 {
        return Ok(Vec::new());
    }
    let sets = vm_slices(read_slice(memory, addr, len, 16, 8, aligned)?);
    if len > MAX_SIGNERS {
        return Err(SolanaSyscallError::TooManySigners.into());
    }
    let mut signers = Vec::with_capacity(sets.len());
    for (seeds_addr, seeds_len) in sets {
        let seeds = vm_slices(read_slice(memory, seeds_addr, seeds_len, 16, 8, aligned)?);
        if seeds.len() > MAX_SEEDS {
            return Err(InstructionError::MaxSeedLengthExceeded.into());
        }
        let seeds = seeds
            .iter()
            .map(|&(seed_addr, seed_len)| read_slice(memory, seed_addr, seed_len, 1, 1, aligned))
            .collect::<Result<Vec<&[u8]>, SyscallFailure>>()?;
        let signer =
            Pubkey::create_program_address(&seeds, caller).map_err(SolanaSyscallError::BadSeeds)?;
        signers.push(signer);
    }
    Ok(signers)
}

/// Refuses the programs a program may not invoke: the native loader, the BPF loaders (the
/// upgradeable one but for its upgrade, set-authority and close instructions) and the
/// precompiles.
pub(crate) fn check_authorized_program(
    program_id: &Pubkey,
    data: &[u8],
) -> Result<(), SyscallFailure> {
    // The upgradeable loader's instructions by their bincode tag: Upgrade 3, SetAuthority 4,
    // Close 5, SetAuthorityChecked 7.
    let allowed_upgradeable = matches!(data.first(), Some(3 | 4 | 5 | 7));
    let refused = *program_id == ids::NATIVE_LOADER
        || *program_id == ids::BPF_LOADER
        || *program_id == ids::BPF_LOADER_DEPRECATED
        || (*program_id == ids::BPF_LOADER_UPGRADEABLE && !allowed_upgradeable)
        || PRECOMPILES.contains(program_id);
    if refused {
        return Err(SolanaSyscallError::ProgramNotSupported(*program_id).into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loaders_and_precompiles_are_refused_and_others_pass() {
        // Agave's check_authorized_program.
        assert!(check_authorized_program(&ids::BPF_LOADER, &[]).is_err());
        assert!(check_authorized_program(&ids::NATIVE_LOADER, &[]).is_err());
        assert!(check_authorized_program(&PRECOMPILES[1], &[]).is_err());
        assert!(check_authorized_program(&ids::BPF_LOADER_UPGRADEABLE, &[2]).is_err());
        assert!(check_authorized_program(&ids::BPF_LOADER_UPGRADEABLE, &[3]).is_ok());
        assert!(check_authorized_program(&ids::SYSTEM_PROGRAM, &[]).is_ok());
    }

    #[test]
    fn booleans_other_than_zero_and_one_are_invalid_arguments() {
        assert_eq!(flags(1, 0).ok(), Some((true, false)));
        assert_eq!(
            flags(2, 0).err(),
            Some(SyscallFailure::Instruction(
                InstructionError::InvalidArgument
            ))
        );
    }
}
