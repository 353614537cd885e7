//! The system program (`11111111111111111111111111111111`), a builtin: it creates accounts,
//! moves lamports out of the accounts it owns, sizes their data and hands them to other
//! programs. Behaviour, errors and log lines are Agave 4.2.2's (`solana-system-program`).
//!
//! # Cost
//!
//! Every instruction costs 150 compute units ([`DEFAULT_COMPUTE_UNITS`]), taken before the data
//! is even read: with fewer left the instruction fails with `ComputationalBudgetExceeded` and the
//! meter ends at zero. Nothing else is charged, whatever the instruction does.
//!
//! # Instructions
//!
//! The data is decoded as in [`decode`] (malformed → `InvalidInstructionData`). Accounts are
//! named by their position in the instruction; too few → `MissingAccount`. "Signs" means the
//! key is among the keys of the instruction's signer accounts — for an address derived "with
//! seed", the *base* key must sign instead.
//!
//! | instruction | accounts | what it does |
//! |---|---|---|
//! | `CreateAccount {lamports, space, owner}` | 0 funder, 1 new | checks the new account has no lamports, allocates `space` bytes, assigns `owner`, then transfers `lamports` from the funder |
//! | `CreateAccountWithSeed {base, seed, …}` | same | the same, the new address checked against `sha256(base ‖ seed ‖ owner)` |
//! | `CreateAccountAllowPrefund {lamports, space, owner}` | 0 new, 1 funder (only when `lamports > 0`) | allocate, assign, then transfer if `lamports > 0`; lamports already there are fine |
//! | `Assign {owner}` / `AssignWithSeed` | 0 account | sets the owner (nothing to do, and no signature needed, when it is already the owner) |
//! | `Allocate {space}` / `AllocateWithSeed` | 0 account | sets the data length (zero-filled); the seed form also assigns |
//! | `Transfer {lamports}` | 0 from, 1 to | moves lamports; `from` must sign |
//! | `TransferWithSeed {lamports, from_seed, from_owner}` | 0 from, 1 base, 2 to | `from` must be `sha256(base ‖ seed ‖ from_owner)`, `base` must sign |
//! | nonce instructions (Initialize, Advance, Withdraw, Authorize, Upgrade) | | see [`nonce`] |
//!
//! # Checks, in the order Agave makes them
//!
//! * derived address: seed over 32 bytes → `Custom(0)`, owner ending in `ProgramDerivedAddress`
//!   → `Custom(2)` (Agave converts the address error's number into an instruction error, so
//!   these come out as custom codes); a different address → `Custom(5)`
//!   (`AddressWithSeedMismatch`);
//! * create: the new account holds lamports → `Custom(0)` (`AccountAlreadyInUse`);
//! * allocate: not signed → `MissingRequiredSignature`; data not empty or owner not the system
//!   program → `Custom(0)`; `space` over 10 MiB → `Custom(3)` (`InvalidAccountDataLength`);
//!   then the runtime's rules for data (read-only → `ReadonlyDataModified`);
//! * assign: not signed → `MissingRequiredSignature`; then the runtime's rules for owners
//!   (not owned, read-only or non-zero data → `ModifiedProgramId`);
//! * transfer: `from` not signed → `MissingRequiredSignature`; `from` has data →
//!   `InvalidArgument`; too few lamports → `Custom(1)` (`ResultWithNegativeLamports`); then the
//!   runtime's rules for lamports (debiting an account the system program does not own →
//!   `ExternalAccountLamportSpend`, changing a read-only one — even by zero —
//!   `ReadonlyLamportChange`, overflow → `ArithmeticOverflow`).
//!
//! Most failures log one line first (`Transfer: insufficient lamports 5, need 9`); those about an
//! account print it the way Agave's `Debug` does: `Address { address: …, base: None }`.

mod decode;
mod nonce;
mod nonce_state;
mod transfer;

use self::decode::SystemInstruction;
use super::account::ids;
use super::context::InvokeContext;
use super::error::InstructionError;
use super::execute::ProgramFailure;
use super::pubkey::{PdaError, Pubkey};
use super::transaction::MAX_ACCOUNT_DATA_LEN;

/// Compute units every system instruction costs.
pub const DEFAULT_COMPUTE_UNITS: u64 = 150;

/// The system program's own error codes (`SystemError`), reported as `Custom(code)`.
#[derive(Debug, Clone, Copy)]
enum SystemError {
    AccountAlreadyInUse = 0,
    ResultWithNegativeLamports = 1,
    InvalidAccountDataLength = 3,
    AddressWithSeedMismatch = 5,
    NonceNoRecentBlockhashes = 6,
    NonceBlockhashNotExpired = 7,
}

impl From<SystemError> for InstructionError {
    fn from(error: SystemError) -> Self {
        InstructionError::Custom(error as u32)
    }
}

/// A derivation that failed, as Agave reports it: the error's position in Solana's
/// `AddressError` taken as a custom code.
fn derivation_error(error: PdaError) -> InstructionError {
    InstructionError::Custom(match error {
        PdaError::MaxSeedLengthExceeded => 0,
        PdaError::InvalidSeeds => 1,
        PdaError::IllegalOwner => 2,
    })
}

/// The account an instruction acts on and, for one derived with a seed, the base key that
/// signs for it. Named and shaped like Agave's, whose derived `Debug` form appears in log lines.
#[derive(Debug)]
struct Address {
    address: Pubkey,
    base: Option<Pubkey>,
}

/// Runs the current instruction as the system program: charges 150 units, decodes the data
/// and carries out the instruction.
pub(super) fn process_system_instruction(
    context: &mut InvokeContext,
) -> Result<(), ProgramFailure> {
    context.consume_checked(DEFAULT_COMPUTE_UNITS)?;
    let instruction = SystemInstruction::decode(&context.transaction.current()?.data)?;
    Ok(SystemProgram::new(context)?.execute(instruction)?)
}

/// The instruction's context with what every instruction needs: the signers' keys.
struct SystemProgram<'c> {
    context: &'c mut InvokeContext,
    signers: Vec<Pubkey>,
    account_count: usize,
}

impl<'c> SystemProgram<'c> {
    fn new(context: &'c mut InvokeContext) -> Result<Self, InstructionError> {
        let frame = context.transaction.current()?;
        let signers = frame
            .accounts
            .iter()
            .filter(|account| account.is_signer)
            .map(|account| {
                context
                    .transaction
                    .account(account.index_in_transaction)
                    .map(|entry| entry.key)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let account_count = frame.accounts.len();
        Ok(SystemProgram {
            context,
            signers,
            account_count,
        })
    }

    fn execute(&mut self, instruction: SystemInstruction) -> Result<(), InstructionError> {
        use SystemInstruction::*;
        match instruction {
            CreateAccount {
                lamports,
                space,
                owner,
            } => {
                self.require_accounts(2)?;
                let to = self.address(1, None)?;
                self.create_account(0, 1, &to, lamports, space, &owner)
            }
            CreateAccountWithSeed {
                base,
                seed,
                lamports,
                space,
                owner,
            } => {
                self.require_accounts(2)?;
                let to = self.address(1, Some((&base, &seed, &owner)))?;
                self.create_account(0, 1, &to, lamports, space, &owner)
            }
            CreateAccountAllowPrefund {
                lamports,
                space,
                owner,
            } => {
                let funding = if lamports > 0 {
                    self.require_accounts(2)?;
                    Some(1)
                } else {
                    self.require_accounts(1)?;
                    None
                };
                let to = self.address(0, None)?;
                self.allocate_and_assign(0, &to, space, &owner)?;
                match funding {
                    Some(from) => self.transfer(from, 0, lamports),
                    None => Ok(()),
                }
            }
            Assign { owner } => {
                self.require_accounts(1)?;
                let address = self.address(0, None)?;
                self.assign(0, &address, &owner)
            }
            AssignWithSeed { base, seed, owner } => {
                self.require_accounts(1)?;
                let address = self.address(0, Some((&base, &seed, &owner)))?;
                self.assign(0, &address, &owner)
            }
            Allocate { space } => {
                self.require_accounts(1)?;
                let address = self.address(0, None)?;
                self.allocate(0, &address, space)
            }
            AllocateWithSeed {
                base,
                seed,
                space,
                owner,
            } => {
                self.require_accounts(1)?;
                let address = self.address(0, Some((&base, &seed, &owner)))?;
                self.allocate_and_assign(0, &address, space, &owner)
            }
            Transfer { lamports } => {
                self.require_accounts(2)?;
                self.transfer(0, 1, lamports)
            }
            TransferWithSeed {
                lamports,
                from_seed,
                from_owner,
            } => {
                self.require_accounts(3)?;
                self.transfer_with_seed(0, 1, &from_seed, &from_owner, 2, lamports)
            }
            AdvanceNonceAccount => self.advance_nonce(),
            WithdrawNonceAccount(lamports) => self.withdraw_nonce(lamports),
            InitializeNonceAccount(authority) => self.initialize_nonce(&authority),
            AuthorizeNonceAccount(authority) => self.authorize_nonce(&authority),
            UpgradeNonceAccount => self.upgrade_nonce(),
        }
    }

    fn require_accounts(&self, count: usize) -> Result<(), InstructionError> {
        if self.account_count < count {
            return Err(InstructionError::MissingAccount);
        }
        Ok(())
    }

    fn log(&mut self, message: String) {
        self.context.log.log(message);
    }

    /// The key of instruction account `position`.
    fn key(&self, position: usize) -> Result<Pubkey, InstructionError> {
        let transaction = &self.context.transaction;
        let account = *transaction
            .current()?
            .accounts
            .get(position)
            .ok_or(InstructionError::MissingAccount)?;
        Ok(transaction.account(account.index_in_transaction)?.key)
    }

    /// Whether instruction account `position` signed.
    fn signed(&self, position: usize) -> Result<bool, InstructionError> {
        self.context
            .transaction
            .current()?
            .accounts
            .get(position)
            .map(|account| account.is_signer)
            .ok_or(InstructionError::MissingAccount)
    }

    /// Whether the key that answers for `address` signed (its base, if it has one).
    fn is_signed(&self, address: &Address) -> bool {
        let signer = address.base.as_ref().unwrap_or(&address.address);
        self.signers.contains(signer)
    }

    /// Instruction account `position` as an [`Address`], checked against `sha256(base ‖ seed ‖
    /// owner)` when `with_seed` gives those.
    fn address(
        &mut self,
        position: usize,
        with_seed: Option<(&Pubkey, &str, &Pubkey)>,
    ) -> Result<Address, InstructionError> {
        let address = self.key(position)?;
        let Some((base, seed, owner)) = with_seed else {
            return Ok(Address {
                address,
                base: None,
            });
        };
        let derived =
            Pubkey::create_with_seed(base, seed.as_bytes(), owner).map_err(derivation_error)?;
        if address != derived {
            self.log(format!(
                "Create: address {address} does not match derived address {derived}"
            ));
            return Err(SystemError::AddressWithSeedMismatch.into());
        }
        Ok(Address {
            address,
            base: Some(*base),
        })
    }

    fn allocate(
        &mut self,
        position: usize,
        address: &Address,
        space: u64,
    ) -> Result<(), InstructionError> {
        if !self.is_signed(address) {
            self.log(format!("Allocate: 'to' account {address:?} must sign"));
            return Err(InstructionError::MissingRequiredSignature);
        }
        let in_use = {
            let account = self.context.transaction.borrow(position)?;
            !account.account().data.is_empty() || account.account().owner != ids::SYSTEM_PROGRAM
        };
        if in_use {
            self.log(format!("Allocate: account {address:?} already in use"));
            return Err(SystemError::AccountAlreadyInUse.into());
        }
        if space > MAX_ACCOUNT_DATA_LEN {
            self.log(format!(
                "Allocate: requested {space}, max allowed {MAX_ACCOUNT_DATA_LEN}"
            ));
            return Err(SystemError::InvalidAccountDataLength.into());
        }
        let len = usize::try_from(space).map_err(|_| SystemError::InvalidAccountDataLength)?;
        self.context
            .transaction
            .borrow(position)?
            .set_data_length(len)
    }

    fn assign(
        &mut self,
        position: usize,
        address: &Address,
        owner: &Pubkey,
    ) -> Result<(), InstructionError> {
        if self.context.transaction.borrow(position)?.account().owner == *owner {
            return Ok(());
        }
        if !self.is_signed(address) {
            self.log(format!("Assign: account {address:?} must sign"));
            return Err(InstructionError::MissingRequiredSignature);
        }
        self.context.transaction.borrow(position)?.set_owner(*owner)
    }

    fn allocate_and_assign(
        &mut self,
        position: usize,
        address: &Address,
        space: u64,
        owner: &Pubkey,
    ) -> Result<(), InstructionError> {
        self.allocate(position, address, space)?;
        self.assign(position, address, owner)
    }

    fn create_account(
        &mut self,
        from: usize,
        to: usize,
        to_address: &Address,
        lamports: u64,
        space: u64,
        owner: &Pubkey,
    ) -> Result<(), InstructionError> {
        if self.context.transaction.borrow(to)?.account().lamports > 0 {
            self.log(format!(
                "Create Account: account {to_address:?} already in use"
            ));
            return Err(SystemError::AccountAlreadyInUse.into());
        }
        self.allocate_and_assign(to, to_address, space, owner)?;
        self.transfer(from, to, lamports)
    }
}
