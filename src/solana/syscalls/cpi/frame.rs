//! The callee's instruction frame, and the privilege rules of Agave's
//! `prepare_next_cpi_instruction`.
//!
//! Every account the caller names must be in the transaction (`Instruction references an
//! unknown account`); an account named twice gets the union of its flags everywhere. Then each
//! distinct account must be one of the caller's, and may be writable in the callee only if it
//! is writable in the caller, signed only if the caller's account is signed or the caller's
//! seeds derive it (`… privilege escalated`, `PrivilegeEscalation`). The callee program must be
//! one of the caller's accounts too (`Unknown program`, `MissingAccount`).

use super::instruction::InvokedInstruction;
use crate::solana::context::InvokeContext;
use crate::solana::pubkey::Pubkey;
use crate::solana::transaction::{InstructionAccount, InstructionFrame};
use crate::solana::{InstructionError, SyscallFailure};

/// The frame the callee runs in (pushed by the runtime when it starts).
pub(crate) fn prepare(
    context: &mut InvokeContext,
    instruction: InvokedInstruction,
    signers: &[Pubkey],
) -> Result<InstructionFrame, SyscallFailure> {
    let mut accounts: Vec<InstructionAccount> = Vec::with_capacity(instruction.accounts.len());
    for meta in &instruction.accounts {
        let Some(index_in_transaction) = context.transaction.find(&meta.pubkey) else {
            context.log.log(format!(
                "Instruction references an unknown account {}",
                meta.pubkey
            ));
            return Err(InstructionError::MissingAccount.into());
        };
        accounts.push(InstructionAccount {
            index_in_transaction,
            is_signer: meta.is_signer,
            is_writable: meta.is_writable,
        });
    }
    // A duplicated account has the union of its flags in every place.
    for position in 0..accounts.len() {
        let index = accounts[position].index_in_transaction;
        let (signer, writable) = accounts
            .iter()
            .filter(|account| account.index_in_transaction == index)
            .fold((false, false), |(signer, writable), account| {
                (signer || account.is_signer, writable || account.is_writable)
            });
        accounts[position].is_signer = signer;
        accounts[position].is_writable = writable;
    }
    let caller = context.transaction.current()?;
    let mut escalation = None;
    for (position, account) in accounts.iter().enumerate() {
        let first = accounts
            .iter()
            .position(|other| other.index_in_transaction == account.index_in_transaction);
        if first != Some(position) {
            continue;
        }
        let Some(caller_account) = caller
            .accounts
            .iter()
            .find(|other| other.index_in_transaction == account.index_in_transaction)
        else {
            return Err(InstructionError::MissingAccount.into());
        };
        let key = instruction.accounts[position].pubkey;
        if account.is_writable && !caller_account.is_writable {
            escalation = Some(format!("{key}'s writable privilege escalated"));
            break;
        }
        if account.is_signer && !(caller_account.is_signer || signers.contains(&key)) {
            escalation = Some(format!("{key}'s signer privilege escalated"));
            break;
        }
    }
    if let Some(message) = escalation {
        context.log.log(message);
        return Err(InstructionError::PrivilegeEscalation.into());
    }
    let program_index = context
        .transaction
        .find(&instruction.program_id)
        .filter(|&index| {
            caller
                .accounts
                .iter()
                .any(|account| account.index_in_transaction == index)
        });
    let Some(program_index) = program_index else {
        context
            .log
            .log(format!("Unknown program {}", instruction.program_id));
        return Err(InstructionError::MissingAccount.into());
    };
    Ok(InstructionFrame {
        program_index,
        accounts,
        data: instruction.data,
        nesting_level: 0,
        caller: None,
    })
}
