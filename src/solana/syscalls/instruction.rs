//! What a program may learn about its instruction and transaction: return data, the stack
//! height, earlier sibling instructions, the compute units left, and epoch stake.
//!
//! | syscall                                  | cost                         |
//! |------------------------------------------|------------------------------|
//! | `sol_set_return_data(ptr, len)`          | 100 + len/250; at most 1,024 bytes |
//! | `sol_get_return_data(ptr, len, id_ptr)`  | 100, + (n + 32)/250 when n = min(len, size) > 0; returns the size |
//! | `sol_get_stack_height()`                 | 100 |
//! | `sol_get_processed_sibling_instruction`  | 100 |
//! | `sol_remaining_compute_units()`          | 100, then returns what is left |
//! | `sol_get_epoch_stake(vote_ptr)`          | 100 for the total (null pointer), else 110 |

use super::translate::{check_outputs, read_slice, read_value, write_output, Output};
use super::{SolanaSyscallError, SyscallResult};
use crate::memory::MemoryMapping;
use crate::solana::context::InvokeContext;
use crate::solana::pubkey::Pubkey;
use crate::vm::ContextObject;

/// Most bytes of return data.
pub const MAX_RETURN_DATA: u64 = 1024;
/// Size of a guest `ProcessedSiblingInstruction` (data_len u64, accounts_len u64).
const SIBLING_HEADER_LEN: u64 = 16;
/// Size of a guest `AccountMeta` (pubkey, is_signer, is_writable).
const ACCOUNT_META_LEN: u64 = 34;

pub(super) fn set_return_data(
    context: &mut InvokeContext,
    memory: &mut MemoryMapping<'_>,
    [addr, len, ..]: [u64; 5],
) -> SyscallResult {
    let costs = *context.costs();
    let cost = (len / costs.cpi_bytes_per_unit.max(1)).saturating_add(costs.syscall_base_cost);
    context.consume_checked(cost)?;
    if len > MAX_RETURN_DATA {
        return Err(SolanaSyscallError::ReturnDataTooLarge(len, MAX_RETURN_DATA).into());
    }
    let data = read_slice(memory, addr, len, 1, 1, context.check_aligned)?.to_vec();
    let program_id = context.transaction.current_program_id()?;
    context.transaction.set_return_data(program_id, data);
    Ok(0)
}

pub(super) fn get_return_data(
    context: &mut InvokeContext,
    memory: &mut MemoryMapping<'_>,
    [addr, len, program_id_addr, ..]: [u64; 5],
) -> SyscallResult {
    let costs = *context.costs();
    context.consume_checked(costs.syscall_base_cost)?;
    let (program_id, data) = context.transaction.return_data();
    let (program_id, data) = (*program_id, data.to_vec());
    let length = len.min(data.len() as u64);
    if length != 0 {
        let cost = length.saturating_add(32) / costs.cpi_bytes_per_unit.max(1);
        context.consume_checked(cost)?;
        check_outputs(
            memory,
            &[
                Output::bytes(addr, length, 1),
                Output::value(program_id_addr, 32, 1),
            ],
            context.check_aligned,
        )?;
        write_output(memory, addr, &data[..length as usize])?;
        write_output(memory, program_id_addr, program_id.as_bytes())?;
    }
    Ok(data.len() as u64)
}

pub(super) fn get_stack_height(
    context: &mut InvokeContext,
    _memory: &mut MemoryMapping<'_>,
    _args: [u64; 5],
) -> SyscallResult {
    context.consume_checked(context.costs().syscall_base_cost)?;
    Ok(context.transaction.stack_height() as u64)
}

pub(super) fn remaining_compute_units(
    context: &mut InvokeContext,
    _memory: &mut MemoryMapping<'_>,
    _args: [u64; 5],
) -> SyscallResult {
    context.consume_checked(context.costs().syscall_base_cost)?;
    Ok(context.get_remaining())
}

pub(super) fn get_epoch_stake(
    context: &mut InvokeContext,
    memory: &mut MemoryMapping<'_>,
    [vote_addr, ..]: [u64; 5],
) -> SyscallResult {
    let costs = *context.costs();
    let stakes = &context.environment.vote_stakes;
    if vote_addr == 0 {
        let total = stakes
            .iter()
            .fold(0u64, |sum, (_, stake)| sum.saturating_add(*stake));
        context.consume_checked(costs.syscall_base_cost)?;
        return Ok(total);
    }
    let cost = costs
        .syscall_base_cost
        .saturating_add(32 / costs.cpi_bytes_per_unit.max(1))
        .saturating_add(costs.mem_op_base_cost);
    context.consume_checked(cost)?;
    let mut key = [0u8; 32];
    key.copy_from_slice(read_value(memory, vote_addr, 32, 1, context.check_aligned)?);
    Ok(context
        .environment
        .vote_stakes
        .iter()
        .find(|(vote, _)| *vote == Pubkey(key))
        .map_or(0, |(_, stake)| *stake))
}

/// `sol_get_processed_sibling_instruction(index, meta, program_id, data, accounts)`: the
/// `index`-th most recent instruction that finished at the caller's level with the same caller.
/// With `meta`'s lengths matching it, writes the program id, the data and the account metas;
/// otherwise writes its lengths into `meta`. Returns 1 when found, 0 when not.
pub(super) fn get_processed_sibling_instruction(
    context: &mut InvokeContext,
    memory: &mut MemoryMapping<'_>,
    [index, meta_addr, program_id_addr, data_addr, accounts_addr]: [u64; 5],
) -> SyscallResult {
    context.consume_checked(context.costs().syscall_base_cost)?;
    let transaction = &context.transaction;
    let stack_height = transaction.stack_height();
    let caller = transaction.current()?.caller;
    let range = if stack_height == 1 {
        0..transaction.top_level_count()
    } else {
        transaction
            .trace_len()
            .saturating_sub(transaction.invoked_count())..transaction.trace_len()
    };
    let mut reverse_index = 0u64;
    let mut found = None;
    for position in range.rev() {
        let Some(frame) = transaction.frame(position) else {
            continue;
        };
        if frame.caller != caller {
            continue;
        }
        if frame.stack_height() < stack_height {
            break;
        }
        if frame.stack_height() == stack_height {
            if index.saturating_add(1) == reverse_index {
                found = Some(frame.clone());
                break;
            }
            reverse_index = reverse_index.saturating_add(1);
        }
    }
    let Some(frame) = found else {
        return Ok(0);
    };
    let check_aligned = context.check_aligned;
    let header = Output::value(meta_addr, SIBLING_HEADER_LEN, 8);
    check_outputs(memory, &[header], check_aligned)?;
    let lengths = read_value(memory, meta_addr, SIBLING_HEADER_LEN, 8, check_aligned)?;
    let data_len = u64::from_le_bytes(lengths[..8].try_into().unwrap_or_default());
    let accounts_len = u64::from_le_bytes(lengths[8..].try_into().unwrap_or_default());
    let actual = (frame.data.len() as u64, frame.accounts.len() as u64);
    if (data_len, accounts_len) != actual {
        let mut header_bytes = actual.0.to_le_bytes().to_vec();
        header_bytes.extend_from_slice(&actual.1.to_le_bytes());
        write_output(memory, meta_addr, &header_bytes)?;
        return Ok(1);
    }
    let metas_len = accounts_len.saturating_mul(ACCOUNT_META_LEN);
    check_outputs(
        memory,
        &[
            Output::value(program_id_addr, 32, 1),
            Output::bytes(data_addr, data_len, 1),
            Output::bytes(accounts_addr, metas_len, 1),
            header,
        ],
        check_aligned,
    )?;
    let transaction = &context.transaction;
    let program_id = transaction.account(frame.program_index)?.key;
    let mut metas = Vec::with_capacity(metas_len as usize);
    for account in &frame.accounts {
        let key = transaction.account(account.index_in_transaction)?.key;
        metas.extend_from_slice(key.as_bytes());
        metas.push(u8::from(account.is_signer));
        metas.push(u8::from(account.is_writable));
    }
    write_output(memory, program_id_addr, program_id.as_bytes())?;
    write_output(memory, data_addr, &frame.data)?;
    write_output(memory, accounts_addr, &metas)?;
    Ok(1)
}
