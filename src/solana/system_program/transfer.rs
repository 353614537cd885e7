//! Moving lamports: `Transfer`, `TransferWithSeed`, and the funding step of account creation.
//! The signature is checked first (the `from` account's, or for a derived address its base's),
//! then that `from` holds no data and enough lamports; the runtime's rules for lamports do the
//! rest (only the owner — the system program — may debit, read-only balances never change).

use super::super::error::InstructionError;
use super::super::pubkey::Pubkey;
use super::{derivation_error, SystemError, SystemProgram};

impl SystemProgram<'_> {
    pub(super) fn transfer(
        &mut self,
        from: usize,
        to: usize,
        lamports: u64,
    ) -> Result<(), InstructionError> {
        if !self.signed(from)? {
            let key = self.key(from)?;
            self.log(format!("Transfer: `from` account {key} must sign"));
            return Err(InstructionError::MissingRequiredSignature);
        }
        self.transfer_signed(from, to, lamports)
    }

    pub(super) fn transfer_with_seed(
        &mut self,
        from: usize,
        base: usize,
        seed: &str,
        owner: &Pubkey,
        to: usize,
        lamports: u64,
    ) -> Result<(), InstructionError> {
        let base_key = self.key(base)?;
        if !self.signed(base)? {
            self.log(format!("Transfer: 'from' account {base_key} must sign"));
            return Err(InstructionError::MissingRequiredSignature);
        }
        let derived = Pubkey::create_with_seed(&base_key, seed.as_bytes(), owner)
            .map_err(derivation_error)?;
        let from_key = self.key(from)?;
        if from_key != derived {
            self.log(format!(
                "Transfer: 'from' address {from_key} does not match derived address {derived}"
            ));
            return Err(SystemError::AddressWithSeedMismatch.into());
        }
        self.transfer_signed(from, to, lamports)
    }

    /// Moves `lamports` once the signature is settled: `from` must hold no data and enough
    /// lamports; debit first, then credit (so `from` and `to` may be the same account).
    pub(super) fn transfer_signed(
        &mut self,
        from: usize,
        to: usize,
        lamports: u64,
    ) -> Result<(), InstructionError> {
        let (has_data, balance) = {
            let source = self.context.transaction.borrow(from)?;
            (!source.account().data.is_empty(), source.account().lamports)
        };
        if has_data {
            self.log("Transfer: `from` must not carry data".to_string());
            return Err(InstructionError::InvalidArgument);
        }
        if lamports > balance {
            self.log(format!(
                "Transfer: insufficient lamports {balance}, need {lamports}"
            ));
            return Err(SystemError::ResultWithNegativeLamports.into());
        }
        self.context
            .transaction
            .borrow(from)?
            .checked_sub_lamports(lamports)?;
        self.context
            .transaction
            .borrow(to)?
            .checked_add_lamports(lamports)
    }
}
