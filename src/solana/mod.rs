//! The Solana program runtime: real programs (SPL Token, Token-2022, Memo, anything the Solana
//! toolchain builds) run one instruction at a time exactly as Agave runs them, as mollusk
//! (the harness Solana developers test with) runs them with every feature enabled.
//!
//! ```text
//! Instruction + accounts
//!   │ message.rs     compile: one transaction account per key, privileges merged
//!   ▼
//! TransactionContext (transaction.rs): accounts, instruction trace, return data, the rules
//!   │ invoke.rs      push, "invoke [1]", find the loader and the program
//!   ▼
//! execute.rs ── serialize.rs: the input at 0x4_0000_0000, account data mapped directly
//!   │           ── the VM (interpreter or JIT) with syscalls/ and the compute meter (context.rs)
//!   │           ── faults and r0 mapped to InstructionError (error.rs), log lines (log.rs)
//!   ▼           ── write back lamports, data length, owner under the rules
//! InstructionResult: result, compute units, return data, logs, accounts after
//! ```
//!
//! The layer sits above the VM ([`crate::vm`], the engines, memory) and beside the standard
//! environment ([`crate::env`]); nothing below imports it. [`fixture`] reads the JSON fixtures
//! mollusk writes (`shared/solana-oracle`) and compares a run with them.
//!
//! A program calls another from inside a syscall (`syscalls/cpi/`): the callee's frame is pushed
//! on the same transaction and runs through the same `invoke.rs`, in a nested VM on the caller's
//! engine (or as a builtin: the loaders, the system program in `system_program/`), and the two
//! programs' views of the accounts are synchronized on the way in and out.
//!
//! What is not here yet: programs of the deprecated loader v1, the upgradeable loader's
//! management instructions, and the curve, pairing,
//! secp256k1 and Poseidon syscalls (see `syscalls/unsupported.rs`).

mod account;
mod budget;
mod context;
mod error;
mod execute;
mod failure;
pub mod fixture;
mod invoke;
mod log;
mod message;
mod pubkey;
mod run_memory;
mod runtime;
mod serialize;
mod syscalls;
mod system_program;
mod sysvar;
mod transaction;

pub use account::{ids, Account, AccountMeta, Instruction};
pub use budget::{ComputeBudget, ComputeCosts};
pub use context::{Callee, Environment, HeapAllocator, InvokeContext, ProgramSource, VmDriver};
pub use error::InstructionError;
pub use execute::ProgramFailure;
pub use log::{LogCollector, LOG_BYTES_LIMIT};
pub use message::MessageError;
pub use pubkey::{is_on_curve, PdaError, Pubkey, PubkeyParseError, MAX_SEEDS, MAX_SEED_LEN};
pub use runtime::{AddProgramError, InstructionResult, ProgramRuntime, RuntimeError};
pub use serialize::{InputLayout, SerializedAccount};
pub use syscalls::{register_syscalls, vm_error_message, SolanaSyscallError, SyscallFailure};
pub use sysvar::{Clock, EpochRewards, EpochSchedule, Rent, SysvarCache, SysvarKind, Sysvars};
pub use transaction::{
    BorrowedAccount, InstructionAccount, InstructionFrame, TransactionAccount, TransactionContext,
    MAX_ACCOUNTS_PER_INSTRUCTION, MAX_ACCOUNT_DATA_LEN, MAX_PERMITTED_DATA_INCREASE,
};
