//! Durable-nonce accounts: a system-owned account whose data holds a stored "durable nonce"
//! that a transaction may use instead of a recent blockhash, and the authority allowed to
//! advance it. Behaviour, errors and log lines are Agave 4.2.2's (`system_instruction.rs` of
//! `solana-system-program`, `solana-nonce` 3.2).
//!
//! The account's data is a bincode-encoded state (see `nonce_state.rs`: version, then
//! uninitialized or authority, durable nonce `sha256("DURABLE_NONCE" ‖ blockhash)` and lamports
//! per signature). Data that does not decode is `InvalidAccountData`; writing a state needs the
//! runtime's permission to change the data (writable, owned) and room for it
//! (`AccountDataTooSmall`).
//!
//! # The instructions
//!
//! | instruction | accounts | what it does |
//! |---|---|---|
//! | `InitializeNonceAccount(authority)` | 0 nonce, 1 RecentBlockhashes sysvar, 2 Rent sysvar | an uninitialized, rent-exempt account stores the current durable nonce |
//! | `AdvanceNonceAccount` | 0 nonce, 1 RecentBlockhashes sysvar | the authority signs; stores the current durable nonce, which must differ from the stored one |
//! | `WithdrawNonceAccount(lamports)` | 0 nonce, 1 to, 2 RecentBlockhashes, 3 Rent | the authority (the account itself when uninitialized) signs; a partial withdrawal must leave it rent-exempt, a full one uninitializes it |
//! | `AuthorizeNonceAccount(new)` | 0 nonce | the authority signs; the authority changes, nothing else |
//! | `UpgradeNonceAccount` | 0 nonce | a legacy initialized nonce becomes current (its nonce re-derived) |
//!
//! The sysvar accounts must be at their positions (another key → `InvalidArgument`). The
//! RecentBlockhashes list is the supplied account's data when it decodes, else empty (the
//! runtime's, as mollusk's, is empty): initialize and advance refuse an empty list with
//! `Custom(6)` (`NonceNoRecentBlockhashes`). The "current" blockhash is the runtime's
//! environment: all zero, with 5000 lamports per signature, as mollusk's.

use super::super::error::InstructionError;
use super::super::pubkey::Pubkey;
use super::super::sysvar::{Rent, SysvarKind};
use super::nonce_state::{NonceData, NonceState};
use super::{SystemError, SystemProgram};
use sha2::{Digest, Sha256};

/// The blockhash the runtime runs under (mollusk's: all zero).
const BLOCKHASH: [u8; 32] = [0; 32];
/// Lamports per signature of that blockhash (mollusk's default).
const LAMPORTS_PER_SIGNATURE: u64 = 5_000;
/// `SysvarRecentB1ockHashes11111111111111111111`, a deprecated sysvar only nonces read.
const RECENT_BLOCKHASHES: Pubkey =
    Pubkey::from_base58_const("SysvarRecentB1ockHashes11111111111111111111");
/// Bytes of one RecentBlockhashes entry: a hash and its lamports per signature.
const RECENT_BLOCKHASH_ENTRY_LEN: u64 = 40;

/// `sha256("DURABLE_NONCE" ‖ blockhash)`.
fn durable_nonce(blockhash: &[u8; 32]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(b"DURABLE_NONCE");
    hasher.update(blockhash);
    hasher.finalize().into()
}

impl SystemProgram<'_> {
    /// The nonce state of instruction account `position`.
    fn nonce_state(&mut self, position: usize) -> Result<NonceState, InstructionError> {
        NonceState::decode(&self.context.transaction.borrow(position)?.account().data)
    }

    /// Writes `state` over the start of account `position`'s data.
    fn set_nonce_state(
        &mut self,
        position: usize,
        state: &NonceState,
    ) -> Result<(), InstructionError> {
        let mut account = self.context.transaction.borrow(position)?;
        account.can_data_be_changed()?;
        let encoded = state.encode();
        let mut data = account.account().data.clone();
        data.get_mut(..encoded.len())
            .ok_or(InstructionError::AccountDataTooSmall)?
            .copy_from_slice(&encoded);
        account.set_data(data)
    }

    /// Checks that account `position` is the RecentBlockhashes sysvar; says whether its list
    /// has any entry (data that does not decode counts as the runtime's empty list).
    fn recent_blockhashes_present(&self, position: usize) -> Result<bool, InstructionError> {
        self.require_sysvar(position, &RECENT_BLOCKHASHES)?;
        let transaction = &self.context.transaction;
        let Some(index) = transaction.find(&RECENT_BLOCKHASHES) else {
            return Ok(false);
        };
        let data = &transaction.account(index)?.account.data;
        let count = data
            .get(..8)
            .and_then(|bytes| bytes.try_into().ok())
            .map(u64::from_le_bytes)
            .unwrap_or(0);
        let needed = count
            .checked_mul(RECENT_BLOCKHASH_ENTRY_LEN)
            .and_then(|len| len.checked_add(8));
        Ok(count > 0 && needed.is_some_and(|needed| needed <= data.len() as u64))
    }

    /// Checks that account `position` is the Rent sysvar and returns the rent in force.
    fn rent_sysvar(&self, position: usize) -> Result<Rent, InstructionError> {
        self.require_sysvar(position, &SysvarKind::Rent.address())?;
        Ok(*self.context.sysvars.rent())
    }

    fn require_sysvar(&self, position: usize, id: &Pubkey) -> Result<(), InstructionError> {
        if self.key(position)? != *id {
            return Err(InstructionError::InvalidArgument);
        }
        Ok(())
    }

    /// Fails with `InvalidArgument` (after a log line starting with `what`) unless account
    /// `position` is writable.
    fn require_writable_nonce(
        &mut self,
        position: usize,
        what: &str,
    ) -> Result<(), InstructionError> {
        let (writable, key) = {
            let account = self.context.transaction.borrow(position)?;
            (account.is_writable(), *account.key())
        };
        if writable {
            return Ok(());
        }
        self.log(format!("{what}: Account {key} must be writeable"));
        Err(InstructionError::InvalidArgument)
    }

    pub(super) fn initialize_nonce(&mut self, authority: &Pubkey) -> Result<(), InstructionError> {
        const WHAT: &str = "Initialize nonce account";
        self.require_accounts(1)?;
        if !self.recent_blockhashes_present(1)? {
            self.log(format!("{WHAT}: recent blockhash list is empty"));
            return Err(SystemError::NonceNoRecentBlockhashes.into());
        }
        let rent = self.rent_sysvar(2)?;
        self.require_writable_nonce(0, WHAT)?;
        if self.nonce_state(0)?.data.is_some() {
            let key = self.key(0)?;
            self.log(format!("{WHAT}: Account {key} state is invalid"));
            return Err(InstructionError::InvalidAccountData);
        }
        let (lamports, data_len) = {
            let account = self.context.transaction.borrow(0)?;
            (account.account().lamports, account.account().data.len())
        };
        let minimum = rent.minimum_balance(data_len);
        if lamports < minimum {
            self.log(format!(
                "{WHAT}: insufficient lamports {lamports}, need {minimum}"
            ));
            return Err(InstructionError::InsufficientFunds);
        }
        let data = NonceData {
            authority: *authority,
            durable_nonce: durable_nonce(&BLOCKHASH),
            lamports_per_signature: LAMPORTS_PER_SIGNATURE,
        };
        self.set_nonce_state(0, &NonceState::current(Some(data)))
    }

    pub(super) fn advance_nonce(&mut self) -> Result<(), InstructionError> {
        const WHAT: &str = "Advance nonce account";
        self.require_accounts(1)?;
        if !self.recent_blockhashes_present(1)? {
            self.log(format!("{WHAT}: recent blockhash list is empty"));
            return Err(SystemError::NonceNoRecentBlockhashes.into());
        }
        self.require_writable_nonce(0, WHAT)?;
        let Some(data) = self.nonce_state(0)?.data else {
            let key = self.key(0)?;
            self.log(format!("{WHAT}: Account {key} state is invalid"));
            return Err(InstructionError::InvalidAccountData);
        };
        if !self.signers.contains(&data.authority) {
            self.log(format!(
                "{WHAT}: Account {} must be a signer",
                data.authority
            ));
            return Err(InstructionError::MissingRequiredSignature);
        }
        let next = durable_nonce(&BLOCKHASH);
        if data.durable_nonce == next {
            self.log(format!("{WHAT}: nonce can only advance once per slot"));
            return Err(SystemError::NonceBlockhashNotExpired.into());
        }
        let advanced = NonceData {
            authority: data.authority,
            durable_nonce: next,
            lamports_per_signature: LAMPORTS_PER_SIGNATURE,
        };
        self.set_nonce_state(0, &NonceState::current(Some(advanced)))
    }

    pub(super) fn withdraw_nonce(&mut self, lamports: u64) -> Result<(), InstructionError> {
        const WHAT: &str = "Withdraw nonce account";
        self.require_accounts(2)?;
        self.recent_blockhashes_present(2)?;
        let rent = self.rent_sysvar(3)?;
        self.require_writable_nonce(0, WHAT)?;
        let state = self.nonce_state(0)?;
        let (key, balance, data_len) = {
            let account = self.context.transaction.borrow(0)?;
            let entry = account.account();
            (*account.key(), entry.lamports, entry.data.len())
        };
        let signer = match state.data {
            None => {
                if lamports > balance {
                    self.log(format!(
                        "{WHAT}: insufficient lamports {balance}, need {lamports}"
                    ));
                    return Err(InstructionError::InsufficientFunds);
                }
                key
            }
            Some(data) if lamports == balance => {
                if data.durable_nonce == durable_nonce(&BLOCKHASH) {
                    self.log(format!("{WHAT}: nonce can only advance once per slot"));
                    return Err(SystemError::NonceBlockhashNotExpired.into());
                }
                data.authority
            }
            Some(data) => {
                let needed = lamports
                    .checked_add(rent.minimum_balance(data_len))
                    .ok_or(InstructionError::InsufficientFunds)?;
                if needed > balance {
                    self.log(format!(
                        "{WHAT}: insufficient lamports {balance}, need {needed}"
                    ));
                    return Err(InstructionError::InsufficientFunds);
                }
                data.authority
            }
        };
        if !self.signers.contains(&signer) {
            self.log(format!("{WHAT}: Account {signer} must sign"));
            return Err(InstructionError::MissingRequiredSignature);
        }
        if state.data.is_some() && lamports == balance {
            self.set_nonce_state(0, &NonceState::current(None))?;
        }
        self.context
            .transaction
            .borrow(0)?
            .checked_sub_lamports(lamports)?;
        self.context
            .transaction
            .borrow(1)?
            .checked_add_lamports(lamports)
    }

    pub(super) fn authorize_nonce(
        &mut self,
        new_authority: &Pubkey,
    ) -> Result<(), InstructionError> {
        const WHAT: &str = "Authorize nonce account";
        self.require_accounts(1)?;
        self.require_writable_nonce(0, WHAT)?;
        let state = self.nonce_state(0)?;
        let Some(data) = state.data else {
            let key = self.key(0)?;
            self.log(format!("{WHAT}: Account {key} state is invalid"));
            return Err(InstructionError::InvalidAccountData);
        };
        if !self.signers.contains(&data.authority) {
            self.log(format!("{WHAT}: Account {} must sign", data.authority));
            return Err(InstructionError::MissingRequiredSignature);
        }
        let authorized = NonceState {
            legacy: state.legacy,
            data: Some(NonceData {
                authority: *new_authority,
                ..data
            }),
        };
        self.set_nonce_state(0, &authorized)
    }

    pub(super) fn upgrade_nonce(&mut self) -> Result<(), InstructionError> {
        self.require_accounts(1)?;
        let (owned_by_system, writable) = {
            let account = self.context.transaction.borrow(0)?;
            (
                account.account().owner == super::ids::SYSTEM_PROGRAM,
                account.is_writable(),
            )
        };
        if !owned_by_system {
            return Err(InstructionError::InvalidAccountOwner);
        }
        if !writable {
            return Err(InstructionError::InvalidArgument);
        }
        let state = self.nonce_state(0)?;
        match state.data {
            Some(data) if state.legacy => {
                let upgraded = NonceData {
                    durable_nonce: durable_nonce(&data.durable_nonce),
                    ..data
                };
                self.set_nonce_state(0, &NonceState::current(Some(upgraded)))
            }
            _ => Err(InstructionError::InvalidArgument),
        }
    }
}
