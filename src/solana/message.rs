//! From an instruction and the caller's accounts to the transaction's accounts and the
//! instruction's view of them, as a legacy message compiles them (what mollusk does).
//!
//! * Every distinct key is one transaction account. Its privileges are the union over the
//!   instruction's metas: signer if any meta signs, writable if any meta writes — so a key
//!   listed twice has the same privileges in both places.
//! * The program's own key is never writable (unless the upgradeable loader is among the
//!   accounts, Solana's `demote_program_id` rule).
//! * The program account, when the caller does not pass it, is a stub: executable, owned by the
//!   program's loader, no data. The instructions sysvar, when named and not passed, is built
//!   from the instruction.

use super::account::{ids, Account, Instruction};
use super::pubkey::Pubkey;
use super::transaction::{InstructionAccount, InstructionFrame, TransactionAccount};

/// Why an instruction cannot be set up as a transaction.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    /// An account the instruction names is not among the accounts given.
    #[error("account {0} is named by the instruction but not given")]
    AccountMissing(Pubkey),
    /// The program is not loaded into the runtime.
    #[error("program {0} is not loaded")]
    ProgramNotLoaded(Pubkey),
    /// More distinct accounts than a transaction may hold.
    #[error("the instruction names {count} distinct accounts; a transaction holds at most {max}")]
    TooManyAccounts {
        /// Distinct accounts.
        count: usize,
        /// The limit.
        max: usize,
    },
}

/// The compiled form of one instruction.
#[derive(Debug, Clone)]
pub struct CompiledInstruction {
    /// The transaction's accounts.
    pub accounts: Vec<TransactionAccount>,
    /// The instruction over them.
    pub frame: InstructionFrame,
}

/// Compiles `instruction` over `accounts`; `program_loader` gives the loader of a program the
/// runtime has loaded.
pub fn compile(
    instruction: &Instruction,
    accounts: &[(Pubkey, Account)],
    program_loader: impl Fn(&Pubkey) -> Option<Pubkey>,
) -> Result<CompiledInstruction, MessageError> {
    let mut keys: Vec<(Pubkey, bool, bool)> = Vec::with_capacity(instruction.accounts.len() + 1);
    let mut note = |key: Pubkey, signer: bool, writable: bool| match keys
        .iter_mut()
        .find(|(k, _, _)| *k == key)
    {
        Some(entry) => {
            entry.1 |= signer;
            entry.2 |= writable;
        }
        None => keys.push((key, signer, writable)),
    };
    for meta in &instruction.accounts {
        note(meta.pubkey, meta.is_signer, meta.is_writable);
    }
    note(instruction.program_id, false, false);
    let max = super::transaction::MAX_ACCOUNTS_PER_TRANSACTION;
    if keys.len() > max {
        return Err(MessageError::TooManyAccounts {
            count: keys.len(),
            max,
        });
    }
    let upgradeable_present = keys
        .iter()
        .any(|(key, _, _)| *key == ids::BPF_LOADER_UPGRADEABLE);
    let given = |key: &Pubkey| {
        accounts
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, account)| account.clone())
    };
    let mut transaction_accounts = Vec::with_capacity(keys.len());
    for (key, _, _) in &keys {
        let account = if *key == instruction.program_id {
            match given(key) {
                Some(account) => account,
                None => Account {
                    owner: program_loader(key).ok_or(MessageError::ProgramNotLoaded(*key))?,
                    executable: true,
                    ..Account::default()
                },
            }
        } else if *key == ids::INSTRUCTIONS_SYSVAR {
            given(key).unwrap_or_else(|| instructions_sysvar_account(instruction))
        } else {
            given(key).ok_or(MessageError::AccountMissing(*key))?
        };
        transaction_accounts.push(TransactionAccount {
            key: *key,
            account,
            touched: false,
        });
    }
    let privileges = |key: &Pubkey| {
        let (_, signer, writable) = keys
            .iter()
            .find(|(k, _, _)| k == key)
            .copied()
            .unwrap_or_default();
        let demoted = *key == instruction.program_id && !upgradeable_present;
        (signer, writable && !demoted)
    };
    let index_of = |key: &Pubkey| keys.iter().position(|(k, _, _)| k == key).unwrap_or(0);
    let frame = InstructionFrame {
        program_index: index_of(&instruction.program_id),
        accounts: instruction
            .accounts
            .iter()
            .map(|meta| {
                let (is_signer, is_writable) = privileges(&meta.pubkey);
                InstructionAccount {
                    index_in_transaction: index_of(&meta.pubkey),
                    is_signer,
                    is_writable,
                }
            })
            .collect(),
        data: instruction.data.clone(),
        nesting_level: 0,
        caller: None,
    };
    Ok(CompiledInstruction {
        accounts: transaction_accounts,
        frame,
    })
}

/// The instructions sysvar for a transaction of `instruction` alone (Solana's
/// `construct_instructions_data`): count, offsets, then per instruction its metas (flags: bit 0
/// signer, bit 1 writable; key), program id, data length and data; then 2 bytes for the index
/// of the instruction running.
pub fn instructions_sysvar_account(instruction: &Instruction) -> Account {
    let mut data = Vec::new();
    data.extend_from_slice(&1u16.to_le_bytes());
    data.extend_from_slice(&4u16.to_le_bytes());
    data.extend_from_slice(&(instruction.accounts.len() as u16).to_le_bytes());
    for meta in &instruction.accounts {
        data.push(u8::from(meta.is_signer) | (u8::from(meta.is_writable) << 1));
        data.extend_from_slice(meta.pubkey.as_bytes());
    }
    data.extend_from_slice(instruction.program_id.as_bytes());
    data.extend_from_slice(&(instruction.data.len() as u16).to_le_bytes());
    data.extend_from_slice(&instruction.data);
    data.extend_from_slice(&[0, 0]);
    Account {
        lamports: 0,
        owner: ids::SYSVAR_OWNER,
        executable: false,
        rent_epoch: 0,
        data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solana::account::AccountMeta;

    #[test]
    fn privileges_merge_and_the_program_is_demoted() {
        let (a, program) = (Pubkey([1; 32]), Pubkey([2; 32]));
        let instruction = Instruction {
            program_id: program,
            accounts: vec![
                AccountMeta::readonly(a, false),
                AccountMeta::writable(a, true),
                AccountMeta::writable(program, false),
            ],
            data: vec![],
        };
        let given = vec![(a, Account::default())];
        let compiled = compile(&instruction, &given, |_| Some(ids::BPF_LOADER)).unwrap();
        // Solana's legacy message: a key's privileges are the union of its metas; the invoked
        // program is demoted to read-only.
        let frame = &compiled.frame;
        assert!(frame.accounts[0].is_signer && frame.accounts[0].is_writable);
        assert_eq!(frame.accounts[0], frame.accounts[1]);
        assert!(!frame.accounts[2].is_writable);
        assert_eq!(frame.duplicate_of(1), Some(0));
        assert_eq!(compiled.accounts[1].account.owner, ids::BPF_LOADER);
        assert!(compiled.accounts[1].account.executable);
        let missing = compile(&instruction, &[], |_| Some(ids::BPF_LOADER));
        assert_eq!(missing.unwrap_err(), MessageError::AccountMissing(a));
    }
}
