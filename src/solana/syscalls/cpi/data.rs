//! Moving the caller's account data between its memory and the transaction around a call.
//!
//! While a program runs, each account's data is a region of its memory (moved there from the
//! transaction, see `serialize.rs`), so that its loads and stores reach the bytes directly, as
//! Agave's direct mapping does. The callee serializes its accounts from the transaction, so
//! before it runs every account's bytes go back to the transaction ([`lend`]: growth the
//! caller made by storing past the end is counted now), and after it every account's bytes,
//! as the callee left them, become the caller's regions again ([`reclaim`]): writable when the
//! caller may still change them, growable as before.

use crate::memory::{HostMemory, MemoryMapping, MemoryRegion};
use crate::solana::context::InvokeContext;
use crate::solana::run_memory::{growth_hook, Growth};
use crate::solana::serialize::{region_bytes, SerializedAccount};
use crate::solana::{InstructionError, SyscallFailure};

/// Gives every account of the running program its data back from the program's regions.
pub(crate) fn lend(
    context: &mut InvokeContext,
    memory: &mut MemoryMapping<'_>,
) -> Result<(), SyscallFailure> {
    let lent: Vec<SerializedAccount> = context
        .input_accounts
        .iter()
        .filter(|account| account.duplicate_of.is_none())
        .copied()
        .collect();
    let placeholders = lent
        .iter()
        .map(|account| MemoryRegion::empty(account.data_addr));
    let regions = memory.swap_regions(placeholders);
    for (account, region) in lent.iter().zip(regions) {
        // Every account's data region starts at its data address, by serialization.
        let region = region.map_err(|_| InstructionError::ProgramEnvironmentSetupFailure)?;
        let data = region_bytes(region);
        let growth = (data.len() as i64).saturating_sub(account.mapped_len as i64);
        context.transaction.record_growth(growth);
        let entry = context
            .transaction
            .account_mut(account.index_in_transaction)?;
        if growth != 0 {
            entry.touched = true;
        }
        entry.account.data = data;
    }
    Ok(())
}

/// Maps every account's data into the running program's regions again, and the hook that
/// grows them, from the transaction's current state.
pub(crate) fn reclaim(
    context: &mut InvokeContext,
    memory: &mut MemoryMapping<'_>,
) -> Result<(), SyscallFailure> {
    let mut returned = Vec::with_capacity(context.input_accounts.len());
    let mut regions = Vec::with_capacity(context.input_accounts.len());
    for position in 0..context.input_accounts.len() {
        let account = context.input_accounts[position];
        if account.duplicate_of.is_some() {
            continue;
        }
        let changeable = context
            .transaction
            .borrow(position)
            .is_ok_and(|borrowed| borrowed.can_data_be_changed().is_ok());
        let entry = context
            .transaction
            .account_mut(account.index_in_transaction)?;
        let data = std::mem::take(&mut entry.account.data);
        returned.push((position, data.len(), changeable));
        regions.push(MemoryRegion::new(
            HostMemory::Owned {
                bytes: data,
                writable: changeable,
            },
            account.data_addr,
        ));
    }
    let mut growable = Vec::new();
    let mut failure = None;
    for ((position, len, changeable), swapped) in
        returned.into_iter().zip(memory.swap_regions(regions))
    {
        let account = context.input_accounts[position];
        // Data grown past its room no longer fits its place: the caller's update refused that
        // for the accounts it passed, so only an account it did not (an executable one) gets
        // here, where Agave would leave the caller a stale view. sbvm fails the invocation
        // instead, and the bytes stay with the transaction.
        if let Err(region) = swapped {
            let entry = context
                .transaction
                .account_mut(account.index_in_transaction)?;
            entry.account.data = region_bytes(region);
            failure.get_or_insert(InstructionError::InvalidRealloc);
            continue;
        }
        context.input_accounts[position].mapped_len = len;
        if changeable {
            growable.push(account.data_addr);
        }
    }
    growable.sort_unstable();
    memory.set_access_violation_hook(growth_hook(Growth {
        accounts: growable,
        resize_delta: context.transaction.resize_delta(),
    }));
    match failure {
        Some(error) => Err(error.into()),
        None => Ok(()),
    }
}
