//! The transaction's state while its instructions run: its accounts, the trace of instructions
//! (top level and invoked), the instruction stack, return data, and the rules by which a program
//! may change an account (Solana's `TransactionContext` and `BorrowedInstructionAccount`).
//!
//! ```text
//! accounts:  [ key, Account, touched ] …            one per distinct address
//! trace:     [ program, accounts (index, signer, writable), data, nesting, caller ] …
//! stack:     indices into the trace, innermost last
//! ```
//!
//! The rules, each with the error Solana reports:
//!
//! | change            | allowed when                                              | else |
//! |-------------------|-----------------------------------------------------------|------|
//! | lamports down     | the program owns the account                              | `ExternalAccountLamportSpend` |
//! | lamports at all   | the account is writable                                   | `ReadonlyLamportChange` |
//! | data              | writable, then owned                                      | `ReadonlyDataModified`, `ExternalAccountDataModified` |
//! | data length       | ≤ 10 MiB, growth ≤ 20 MiB per transaction, then as data   | `InvalidRealloc`, `MaxAccountsDataAllocationsExceeded` |
//! | owner             | owned, writable, data all zero                            | `ModifiedProgramId` |
//!
//! and an instruction must leave the sum of lamports unchanged (`UnbalancedInstruction`).

use super::account::{ids, Account};
use super::error::InstructionError;
use super::pubkey::Pubkey;
use super::sysvar::Rent;

/// Most accounts one instruction may name.
pub const MAX_ACCOUNTS_PER_INSTRUCTION: usize = 255;
/// Most accounts one transaction may hold.
pub const MAX_ACCOUNTS_PER_TRANSACTION: usize = 256;
/// Longest account data.
pub const MAX_ACCOUNT_DATA_LEN: u64 = 10 * 1024 * 1024;
/// Most an instruction may grow an account's data by.
pub const MAX_PERMITTED_DATA_INCREASE: usize = 10 * 1024;
/// Most all accounts of a transaction may grow by together.
pub const MAX_ACCOUNT_DATA_GROWTH_PER_TRANSACTION: i64 = MAX_ACCOUNT_DATA_LEN as i64 * 2;

/// One account of the transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionAccount {
    /// Its address.
    pub key: Pubkey,
    /// Its state.
    pub account: Account,
    /// Whether an instruction changed it.
    pub touched: bool,
}

/// An account as one instruction sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstructionAccount {
    /// Which transaction account.
    pub index_in_transaction: usize,
    /// Signed.
    pub is_signer: bool,
    /// Writable.
    pub is_writable: bool,
}

/// One instruction of the trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstructionFrame {
    /// The program account's index in the transaction.
    pub program_index: usize,
    /// The accounts, in the program's order (duplicates included).
    pub accounts: Vec<InstructionAccount>,
    /// The instruction data.
    pub data: Vec<u8>,
    /// 0 at the top level.
    pub nesting_level: usize,
    /// Trace index of the invoking instruction (`None` at the top level).
    pub caller: Option<usize>,
}

impl InstructionFrame {
    /// Position of the first instruction account that is the same transaction account as
    /// account `position`, if that is an earlier one (a duplicate).
    pub fn duplicate_of(&self, position: usize) -> Option<usize> {
        let index = self.accounts.get(position)?.index_in_transaction;
        let first = self
            .accounts
            .iter()
            .position(|account| account.index_in_transaction == index)?;
        (first != position).then_some(first)
    }

    /// 1 at the top level.
    pub fn stack_height(&self) -> usize {
        self.nesting_level + 1
    }
}

/// The state of a transaction in execution.
#[derive(Debug, Clone)]
pub struct TransactionContext {
    accounts: Vec<TransactionAccount>,
    rent: Rent,
    lamports_delta: i128,
    resize_delta: i64,
    return_data: (Pubkey, Vec<u8>),
    trace: Vec<InstructionFrame>,
    stack: Vec<usize>,
    max_stack_depth: usize,
    max_trace_length: usize,
    top_level_count: usize,
    invoked_count: usize,
}

impl TransactionContext {
    /// A transaction over `accounts` (distinct keys).
    pub fn new(
        accounts: Vec<TransactionAccount>,
        rent: Rent,
        max_stack_depth: usize,
        max_trace_length: usize,
    ) -> Self {
        TransactionContext {
            accounts,
            rent,
            lamports_delta: 0,
            resize_delta: 0,
            return_data: (Pubkey::default(), Vec::new()),
            trace: Vec::new(),
            stack: Vec::new(),
            max_stack_depth,
            max_trace_length,
            top_level_count: 0,
            invoked_count: 0,
        }
    }

    /// The accounts.
    pub fn accounts(&self) -> &[TransactionAccount] {
        &self.accounts
    }

    /// Takes the accounts out, ending the transaction.
    pub fn into_accounts(self) -> Vec<TransactionAccount> {
        self.accounts
    }

    /// The transaction account with this key.
    pub fn find(&self, key: &Pubkey) -> Option<usize> {
        self.accounts.iter().position(|account| account.key == *key)
    }

    /// Account `index`.
    pub fn account(&self, index: usize) -> Result<&TransactionAccount, InstructionError> {
        self.accounts
            .get(index)
            .ok_or(InstructionError::MissingAccount)
    }

    /// Account `index`, for the runtime's own changes (no rules applied).
    pub(crate) fn account_mut(
        &mut self,
        index: usize,
    ) -> Result<&mut TransactionAccount, InstructionError> {
        self.accounts
            .get_mut(index)
            .ok_or(InstructionError::MissingAccount)
    }

    /// The rent the rules check exemption against.
    pub fn rent(&self) -> &Rent {
        &self.rent
    }

    /// The return data and the program that set it.
    pub fn return_data(&self) -> (&Pubkey, &[u8]) {
        (&self.return_data.0, &self.return_data.1)
    }

    /// Sets the return data.
    pub fn set_return_data(&mut self, program_id: Pubkey, data: Vec<u8>) {
        self.return_data = (program_id, data);
    }

    /// Net growth of account data in this transaction.
    pub fn resize_delta(&self) -> i64 {
        self.resize_delta
    }

    /// Counts data growth made outside the rules' setters (a program storing into the room
    /// after an account's data).
    pub(crate) fn record_growth(&mut self, growth: i64) {
        self.resize_delta = self.resize_delta.saturating_add(growth);
    }

    /// Height of the instruction stack (0 between instructions).
    pub fn stack_height(&self) -> usize {
        self.stack.len()
    }

    /// The instruction running now.
    pub fn current(&self) -> Result<&InstructionFrame, InstructionError> {
        self.stack
            .last()
            .and_then(|&index| self.trace.get(index))
            .ok_or(InstructionError::CallDepth)
    }

    /// The instruction running now and, mutably, the transaction's accounts (for the
    /// serializer, which moves account data while reading the instruction).
    pub(crate) fn current_and_accounts(
        &mut self,
    ) -> Result<(&InstructionFrame, &mut [TransactionAccount]), InstructionError> {
        let frame = self
            .stack
            .last()
            .and_then(|&index| self.trace.get(index))
            .ok_or(InstructionError::CallDepth)?;
        Ok((frame, &mut self.accounts))
    }

    /// The program ids of the instructions on the stack, outermost first.
    pub fn stack_program_ids(&self) -> Vec<Pubkey> {
        self.stack
            .iter()
            .filter_map(|&index| self.trace.get(index))
            .filter_map(|frame| self.accounts.get(frame.program_index))
            .map(|account| account.key)
            .collect()
    }

    /// Trace index of the instruction running now.
    pub fn current_index(&self) -> Option<usize> {
        self.stack.last().copied()
    }

    /// The instruction at trace position `index`.
    pub fn frame(&self, index: usize) -> Option<&InstructionFrame> {
        self.trace.get(index)
    }

    /// Instructions recorded so far.
    pub fn trace_len(&self) -> usize {
        self.trace.len()
    }

    /// Top-level instructions started so far.
    pub fn top_level_count(&self) -> usize {
        self.top_level_count
    }

    /// Invoked (inner) instructions so far.
    pub fn invoked_count(&self) -> usize {
        self.invoked_count
    }

    /// The key of the current instruction's program.
    pub fn current_program_id(&self) -> Result<Pubkey, InstructionError> {
        let frame = self.current()?;
        Ok(self.account(frame.program_index)?.key)
    }

    /// Starts `frame`: checks the stack depth, the trace length and the balance of the caller,
    /// records the frame and updates the instructions sysvar's current index if present.
    pub fn push(&mut self, mut frame: InstructionFrame) -> Result<(), InstructionError> {
        if !self.stack.is_empty() && self.lamports_delta != 0 {
            return Err(InstructionError::UnbalancedInstruction);
        }
        if self.trace.len() >= self.max_trace_length {
            return Err(InstructionError::MaxInstructionTraceLengthExceeded);
        }
        let nesting_level = self.stack.len();
        if nesting_level >= self.max_stack_depth {
            return Err(InstructionError::CallDepth);
        }
        frame.nesting_level = nesting_level;
        frame.caller = self.stack.last().copied();
        if frame.caller.is_none() {
            self.top_level_count += 1;
        } else {
            self.invoked_count += 1;
        }
        let top_level_index = self.top_level_count.saturating_sub(1);
        self.trace.push(frame);
        self.stack.push(self.trace.len() - 1);
        self.store_instruction_index(top_level_index)
    }

    /// Writes the current top-level instruction's index into the instructions sysvar (its last
    /// two bytes), as Solana does on every push.
    fn store_instruction_index(&mut self, index: usize) -> Result<(), InstructionError> {
        let Some(position) = self.find(&ids::INSTRUCTIONS_SYSVAR) else {
            return Ok(());
        };
        let account = &mut self.accounts[position].account;
        if account.owner != ids::SYSVAR_OWNER {
            return Err(InstructionError::InvalidAccountOwner);
        }
        let len = account.data.len();
        let slot = len
            .checked_sub(2)
            .ok_or(InstructionError::AccountDataTooSmall)?;
        account.data[slot..].copy_from_slice(&(index as u16).to_le_bytes());
        Ok(())
    }

    /// Ends the current instruction; fails when it left the lamports unbalanced.
    pub fn pop(&mut self) -> Result<(), InstructionError> {
        if self.stack.pop().is_none() {
            return Err(InstructionError::CallDepth);
        }
        if self.lamports_delta != 0 {
            return Err(InstructionError::UnbalancedInstruction);
        }
        Ok(())
    }

    /// Instruction account `position` of the current instruction, for reading and for changes
    /// under the rules.
    pub fn borrow(&mut self, position: usize) -> Result<BorrowedAccount<'_>, InstructionError> {
        let frame = self.current()?;
        let meta = *frame
            .accounts
            .get(position)
            .ok_or(InstructionError::MissingAccount)?;
        let program_key = self.account(frame.program_index)?.key;
        if meta.index_in_transaction >= self.accounts.len() {
            return Err(InstructionError::MissingAccount);
        }
        Ok(BorrowedAccount {
            transaction: self,
            meta,
            program_key,
        })
    }
}

/// An instruction account, borrowed for changes under Solana's rules.
pub struct BorrowedAccount<'t> {
    transaction: &'t mut TransactionContext,
    meta: InstructionAccount,
    program_key: Pubkey,
}

impl BorrowedAccount<'_> {
    fn entry(&self) -> &TransactionAccount {
        &self.transaction.accounts[self.meta.index_in_transaction]
    }

    fn entry_mut(&mut self) -> &mut TransactionAccount {
        &mut self.transaction.accounts[self.meta.index_in_transaction]
    }

    /// The account's address.
    pub fn key(&self) -> &Pubkey {
        &self.entry().key
    }

    /// The account's state.
    pub fn account(&self) -> &Account {
        &self.entry().account
    }

    /// Signed.
    pub fn is_signer(&self) -> bool {
        self.meta.is_signer
    }

    /// Writable.
    pub fn is_writable(&self) -> bool {
        self.meta.is_writable
    }

    /// Whether the running program owns the account.
    pub fn is_owned_by_current_program(&self) -> bool {
        self.entry().account.owner == self.program_key
    }

    /// Whether the running program may change the data.
    pub fn can_data_be_changed(&self) -> Result<(), InstructionError> {
        if !self.is_writable() {
            return Err(InstructionError::ReadonlyDataModified);
        }
        if !self.is_owned_by_current_program() {
            return Err(InstructionError::ExternalAccountDataModified);
        }
        Ok(())
    }

    /// Whether the data may take `new_len` bytes.
    pub fn can_data_be_resized(&self, new_len: usize) -> Result<(), InstructionError> {
        let old_len = self.entry().account.data.len();
        if new_len as u64 > MAX_ACCOUNT_DATA_LEN {
            return Err(InstructionError::InvalidRealloc);
        }
        let growth = (new_len as i64).saturating_sub(old_len as i64);
        if self.transaction.resize_delta.saturating_add(growth)
            > MAX_ACCOUNT_DATA_GROWTH_PER_TRANSACTION
        {
            return Err(InstructionError::MaxAccountsDataAllocationsExceeded);
        }
        self.can_data_be_changed()
    }

    /// Sets the balance.
    pub fn set_lamports(&mut self, lamports: u64) -> Result<(), InstructionError> {
        let old = self.entry().account.lamports;
        if !self.is_owned_by_current_program() && lamports < old {
            return Err(InstructionError::ExternalAccountLamportSpend);
        }
        if !self.is_writable() {
            return Err(InstructionError::ReadonlyLamportChange);
        }
        if old == lamports {
            return Ok(());
        }
        let delta = i128::from(lamports) - i128::from(old);
        self.transaction.lamports_delta = self
            .transaction
            .lamports_delta
            .checked_add(delta)
            .ok_or(InstructionError::ArithmeticOverflow)?;
        let entry = self.entry_mut();
        entry.touched = true;
        entry.account.lamports = lamports;
        Ok(())
    }

    /// Adds `lamports` to the balance (`ArithmeticOverflow` past `u64::MAX`).
    pub fn checked_add_lamports(&mut self, lamports: u64) -> Result<(), InstructionError> {
        let balance = self
            .account()
            .lamports
            .checked_add(lamports)
            .ok_or(InstructionError::ArithmeticOverflow)?;
        self.set_lamports(balance)
    }

    /// Takes `lamports` from the balance (`ArithmeticOverflow` below zero).
    pub fn checked_sub_lamports(&mut self, lamports: u64) -> Result<(), InstructionError> {
        let balance = self
            .account()
            .lamports
            .checked_sub(lamports)
            .ok_or(InstructionError::ArithmeticOverflow)?;
        self.set_lamports(balance)
    }

    /// Replaces the data (length included).
    pub fn set_data(&mut self, data: Vec<u8>) -> Result<(), InstructionError> {
        self.can_data_be_resized(data.len())?;
        self.record_resize(data.len());
        let entry = self.entry_mut();
        entry.touched = true;
        entry.account.data = data;
        Ok(())
    }

    /// Resizes the data, zero-filling growth.
    pub fn set_data_length(&mut self, new_len: usize) -> Result<(), InstructionError> {
        self.can_data_be_resized(new_len)?;
        if self.entry().account.data.len() == new_len {
            return Ok(());
        }
        self.record_resize(new_len);
        let entry = self.entry_mut();
        entry.touched = true;
        entry.account.data.resize(new_len, 0);
        Ok(())
    }

    fn record_resize(&mut self, new_len: usize) {
        let old_len = self.entry().account.data.len();
        self.transaction.resize_delta = self
            .transaction
            .resize_delta
            .saturating_add((new_len as i64).saturating_sub(old_len as i64));
    }

    /// Sets the owner.
    pub fn set_owner(&mut self, owner: Pubkey) -> Result<(), InstructionError> {
        if !self.is_owned_by_current_program()
            || !self.is_writable()
            || self.entry().account.data.iter().any(|byte| *byte != 0)
        {
            return Err(InstructionError::ModifiedProgramId);
        }
        if self.entry().account.owner == owner {
            return Ok(());
        }
        let entry = self.entry_mut();
        entry.touched = true;
        entry.account.owner = owner;
        Ok(())
    }

    /// Whether the balance exempts `data_len` bytes from rent.
    pub fn is_rent_exempt_at_data_length(&self, data_len: usize) -> bool {
        self.transaction
            .rent
            .is_exempt(self.entry().account.lamports, data_len)
    }
}
