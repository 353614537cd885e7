//! Keeping the caller's view of an account and the transaction's in step across a call.
//!
//! Before the callee runs, what the caller wrote through its account info (lamports, data
//! length, owner) is applied to the transaction under the caller's rules, owner last so that a
//! program may still change what it gives away ([`update_callee`]). After it returns, for each
//! account the callee could write, the caller's info and serialized input get the callee's
//! lamports and owner and, when it changed, the data length; a length past the data's room
//! fails the caller (`InvalidRealloc`) ([`update_caller`]). The data bytes themselves need no
//! copy: they move (see `data.rs`).

use super::super::translate::{read_u64, read_value, write_value};
use super::accounts::TranslatedAccount;
use crate::memory::MemoryMapping;
use crate::solana::context::InvokeContext;
use crate::solana::pubkey::Pubkey;
use crate::solana::transaction::MAX_PERMITTED_DATA_INCREASE;
use crate::solana::{InstructionError, SyscallFailure};

/// Applies the caller's changes to `account` before the callee runs.
pub(crate) fn update_callee(
    context: &mut InvokeContext,
    memory: &MemoryMapping<'_>,
    account: &TranslatedAccount,
) -> Result<(), SyscallFailure> {
    let aligned = context.check_aligned;
    let lamports = read_u64(memory, account.lamports_addr, aligned)?;
    let data_len = read_u64(memory, account.len_addr, false)?;
    let owner = read_value(memory, account.owner_addr, 32, 1, aligned)?;
    let owner = Pubkey(owner.try_into().unwrap_or([0; 32]));
    let mut borrowed = context.transaction.borrow(account.index_in_caller)?;
    if borrowed.account().lamports != lamports {
        borrowed.set_lamports(lamports)?;
    }
    let data_len = usize::try_from(data_len).map_err(|_| InstructionError::InvalidRealloc)?;
    if borrowed.account().data.len() != data_len {
        borrowed.set_data_length(data_len)?;
    }
    if borrowed.account().owner != owner {
        borrowed.set_owner(owner)?;
    }
    Ok(())
}

/// Writes the callee's changes to `account` into the caller's memory.
pub(crate) fn update_caller(
    context: &mut InvokeContext,
    memory: &mut MemoryMapping<'_>,
    account: &TranslatedAccount,
) -> Result<(), SyscallFailure> {
    let aligned = context.check_aligned;
    let (lamports, owner, post_len) = {
        let borrowed = context.transaction.borrow(account.index_in_caller)?;
        let state = borrowed.account();
        (state.lamports, state.owner, state.data.len() as u64)
    };
    write_value(memory, account.lamports_addr, 8, 8, aligned)?
        .copy_from_slice(&lamports.to_le_bytes());
    write_value(memory, account.owner_addr, 32, 1, aligned)?.copy_from_slice(owner.as_bytes());
    let prev_len = read_u64(memory, account.len_addr, false)?;
    let reserved = account.original_data_len as u64 + MAX_PERMITTED_DATA_INCREASE as u64;
    if post_len > reserved {
        context.log.log(format!(
            "Account data size realloc limited to {MAX_PERMITTED_DATA_INCREASE} in inner instructions"
        ));
        return Err(InstructionError::InvalidRealloc.into());
    }
    if prev_len != post_len {
        write_value(memory, account.len_addr, 8, 8, false)?
            .copy_from_slice(&post_len.to_le_bytes());
        let serialized_len = account.data_addr.saturating_sub(8);
        write_value(memory, serialized_len, 8, 8, aligned)?
            .copy_from_slice(&post_len.to_le_bytes());
    }
    Ok(())
}
